"""The app, headless: a job started from the sidebar form trains in the background, lands in the store
and becomes the active model of the session that started it, and only that one.

Fragments with ``run_every`` do not tick under AppTest, so the tests rerun the script until the job ends.
"""
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ae.store import ModelStore
from ae.ui import training

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TRAIN_PAGE = "ae/ui/pages/train.py"


def new_session() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception
    return at


def fill_form(at: AppTest, **values) -> None:
    for key, value in values.items():
        widget = at.selectbox(key=key) if key == "train_family" else at.number_input(key=key)
        widget.set_value(value)
    at.button(key="FormSubmitter:train_form-Train").click().run()
    assert not at.exception, [e.value for e in at.exception]


def rerun_until(at: AppTest, condition, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if condition(at):
            return
        time.sleep(0.5)
    raise TimeoutError("the job did not finish in time")


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_a_tiny_job_lands_in_the_store_and_is_active_for_its_session_only():
    before = set(ModelStore().names())
    mine, other = new_session(), new_session()
    other.selectbox(key="model_picker").set_value("ae-2d").run()

    mine.switch_page(TRAIN_PAGE).run()
    fill_form(mine, train_family="seed", train_latent=2, train_epochs=1, train_batch=64, train_size=300)
    assert mine.get("progress") or "in line" in texts(mine.caption)  # the job shows up straight away
    rerun_until(mine, lambda at: "Trained" in texts(at.success))

    added = set(ModelStore().names()) - before
    assert len(added) == 1
    name = added.pop()
    card = ModelStore().get(name).card
    assert card["family"] == "seed" and card["latent_dim"] == 2 and card["training"]["train_size"] == 300
    assert set(card["test_metrics"]) == {"bce", "mse"} and len(card["history"]["loss"]) == 1
    assert mine.session_state["active_model"] == name
    assert mine.selectbox(key="model_picker").value == name
    assert name in texts(mine.success)
    assert mine.dataframe  # the session's past jobs

    other.run()
    assert other.session_state["active_model"] == "ae-2d"
    assert other.selectbox(key="model_picker").value == "ae-2d"
    other.switch_page(TRAIN_PAGE).run()
    assert not other.get("progress") and "Choose a family" in texts(other.info)  # no jobs of its own


@pytest.mark.parametrize("change, words", [
    ({"latent": 0}, "Latent size"),
    ({"epochs": 0}, "Epochs"),
    ({"learning_rate": float("nan")}, "Learning rate"),
    ({"noise": 2.0}, "noise"),
    ({"train_size": 70000}, "Train size"),
    ({"family": "mlp"}, "family"),
    ({"batch_size": 2.5}, "Batch size"),
])
def test_nonsense_form_values_get_a_clear_message(change, words):
    values = dict(family="seed", latent=2, epochs=1, batch_size=64, learning_rate=1e-3, noise=0.0,
                  train_size=300, seed=0) | change
    with pytest.raises(ValueError, match=words):
        training.request_from(**values)


def test_form_values_become_the_request():
    request = training.request_from("vae", 2, 3, 128, 0.002, 0.1, 500, 7)
    model = request.model
    assert (model.family, model.latent_dim, model.noise, model.seed) == ("vae", 2, 0.1, 7)
    assert (request.train.epochs, request.train.batch_size, request.train.learning_rate) == (3, 128, 0.002)
    assert request.train.train_size == request.train.val_size == 500
    assert training.request_from("seed", 32, 1, 64, 1e-3, 0.0, 60000, 0).train.val_size == 10000
