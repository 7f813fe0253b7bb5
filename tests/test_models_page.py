"""The Models page, headless: every model with its card, comparison, broken files as warnings, and
deleting user models (never shipped ones)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ae.models import ModelConfig
from ae.store import ModelStore, StoreError
from ae.train import TrainConfig, card_for, train

APP = str(Path(__file__).resolve().parent.parent / "app.py")
MODELS_PAGE = "ae/ui/pages/models.py"


@pytest.fixture
def user_model(small_mnist):
    """A real, freshly trained user model in the app's user store; removed afterwards if still there."""
    store = ModelStore()
    result = train(ModelConfig("seed", 3), TrainConfig(epochs=1, batch_size=64, train_size=300, val_size=100),
                   small_mnist)
    name = store.unique_name("page-test")
    store.save(name, result.model, card_for(result, small_mnist, name))
    yield name
    if name in store.names():
        store.delete(name)


def models_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(MODELS_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_every_model_is_listed_with_its_card(user_model):
    at = models_page()
    entries = ModelStore().entries()
    overview = at.dataframe[0].value
    assert list(overview["model"]) == [e.name for e in entries]
    row = overview[overview["model"] == user_model].iloc[0]
    card = ModelStore().get(user_model).card
    assert (row["family"], row["latent"], row["epochs"]) == ("seed", 3, 1)
    assert row["test BCE"] == pytest.approx(card["test_metrics"]["bce"])
    assert row["size (MB)"] == pytest.approx(ModelStore().get(user_model).size_bytes / 1e6, abs=0.01)
    assert len(at.expander) == len(entries)
    assert len(at.get("download_button")) == len(entries)


def test_selected_models_are_compared_side_by_side(user_model):
    at = models_page()
    at.multiselect(key="compare_models").set_value(["seed", user_model]).run()
    assert not at.exception
    compared = at.dataframe[1].value
    assert list(compared["model"]) == ["seed", user_model]
    assert len(at.image) == 3  # the test digits, then each model's reconstructions of them


def test_a_user_model_can_be_deleted_but_a_shipped_one_cannot(user_model):
    at = models_page()
    with pytest.raises(KeyError):
        at.button(key="delete_seed")  # no delete button for shipped models
    at.button(key=f"delete_{user_model}").click().run()
    assert not at.exception
    assert user_model not in ModelStore().names()
    assert user_model not in list(at.dataframe[0].value["model"])
    with pytest.raises(StoreError, match="shipped"):
        ModelStore().delete("seed")


def test_files_that_fail_to_list_are_warnings_not_errors():
    folder = ModelStore().user_dir
    folder.mkdir(parents=True, exist_ok=True)
    broken = folder / "half-written.keras"
    broken.write_bytes(b"not a zip")
    (folder / "half-written.json").write_text("{ not json", encoding="utf-8")
    try:
        at = models_page()
        assert any("half-written" in w.value for w in at.warning)
        assert "half-written" not in list(at.dataframe[0].value["model"])
    finally:
        broken.unlink()
        (folder / "half-written.json").unlink()
