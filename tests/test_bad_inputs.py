"""The bad-input catalogue, end to end through the app (AppTest): every entry gets a clear message
and no traceback, and nothing the person had is lost.

Core-level tests of the same inputs live beside each module (test_preprocess, test_store, test_train,
test_latent); these check what a person sees when the input reaches a page.
"""
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ae.ui import draw_input, resources

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = ["ae/ui/pages/home.py", "ae/ui/pages/draw.py", "ae/ui/pages/explore.py", "ae/ui/pages/train.py",
         "ae/ui/pages/models.py"]


def run_page(page: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(page)
    at.run()
    return at


def canvas(ink) -> np.ndarray:
    """A 280x280 RGBA canvas (black, opaque) with white ink where ``ink`` is true."""
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[ink] = 255
    return rgba


def _dot():
    ink = np.zeros((280, 280), bool)
    ink[140:144, 140:144] = True
    return ink


def _every_edge():
    ink = np.zeros((280, 280), bool)
    ink[:12, :] = ink[-12:, :] = ink[:, :12] = ink[:, -12:] = True
    ink[np.arange(280), np.arange(280)] = True
    return ink


def _tiny_corner():
    ink = np.zeros((280, 280), bool)
    ink[4:7, 250:272] = True  # a tiny 7 in the top-right corner
    ink[np.arange(7, 30), np.linspace(270, 258, 23).astype(int)] = True
    return ink


CANVASES = {
    "a dot": _dot(),
    "full white": np.ones((280, 280), bool),
    "a stroke touching every edge": _every_edge(),
    "a tiny digit in a corner": _tiny_corner(),
}


@pytest.mark.parametrize("name", CANVASES)
def test_odd_drawings_get_an_answer_not_a_traceback(name):
    at = run_page("ae/ui/pages/draw.py", **{draw_input.DRAWING: canvas(CANVASES[name])})
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert math.isfinite(float(values["BCE"])) and math.isfinite(float(values["MSE"]))


def test_an_empty_canvas_gets_a_prompt():
    at = run_page("ae/ui/pages/draw.py", **{draw_input.DRAWING: canvas(np.zeros((280, 280), bool))})
    assert not at.exception and not at.metric
    assert any("Draw a digit" in i.value for i in at.info)


@pytest.fixture
def broken_user_models(tmp_path, monkeypatch):
    """A user store holding every kind of broken model file, with a card that lists each."""
    import json

    store = tmp_path / "user_models"
    store.mkdir()
    card = json.loads((ROOT / "models" / "seed.json").read_text())
    good = (ROOT / "models" / "seed.keras").read_bytes()
    files = {
        "corrupt": b"\x00garbage" * 100,
        "truncated": good[: len(good) // 2],
        "foreign": b"PK\x05\x06" + b"\x00" * 18,  # an empty zip from some other program
    }
    for name, content in files.items():
        (store / f"{name}.keras").write_bytes(content)
        (store / f"{name}.json").write_text(json.dumps({**card, "name": name}))
    shutil.copy(ROOT / "models" / "seed.keras", store / "no-card.keras")  # missing its card
    monkeypatch.setenv("AE_USER_MODELS", str(store))
    resources.store.clear()  # the cached store was made for another user folder
    yield list(files)
    resources.store.clear()


@pytest.mark.parametrize("page", PAGES[:3])
@pytest.mark.parametrize("which", ["corrupt", "truncated", "foreign"])
def test_a_broken_active_model_falls_back_to_a_shipped_one_with_a_message(broken_user_models, page, which):
    drawing = {draw_input.DRAWING: canvas(_every_edge())} if page.endswith("draw.py") else {}
    at = run_page(page, active_model=which, **drawing)
    assert not at.exception
    if page.endswith("home.py"):  # Home tells the seed's story whatever is active
        return
    notes = " ".join(w.value for w in at.warning)
    assert f"{which}.keras" in notes and "instead" in notes


def test_broken_model_files_are_listed_as_problems_on_the_models_page(broken_user_models):
    at = run_page("ae/ui/pages/models.py")
    assert not at.exception
    notes = " ".join(w.value for w in at.warning)
    assert "no-card.json" in notes  # the model file whose card is missing
    assert not any(name in notes for name in ("seed.keras",))


@pytest.mark.parametrize("params", [
    {"model": "../../etc/passwd", "z": "1,2"},
    {"model": "vae-2d", "z": "nan,inf"},
    {"model": "vae-2d", "z": "1e308,1"},
    {"model": "vae-2d", "z": "<script>alert(1)</script>"},
    {"model": "vae-2d", "z": ",".join(["1"] * 5000)},
    {"model": "\x00", "z": ""},
])
def test_garbage_links_fall_back_to_defaults_with_a_notice(params):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("ae/ui/pages/explore.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert any("link" in w.value.lower() for w in at.warning)
