"""The Draw page through AppTest. The canvas (a custom component) does not render here, so drawings are
injected where the page keeps the canvas's latest image: ``st.session_state[draw_input.DRAWING]``."""
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from ae import preprocess as pp
from ae.diagnostics import ErrorProfile, rebuild
from ae.store import ModelStore
from ae.ui import draw_input

APP = str(Path(__file__).resolve().parents[1] / "app.py")  # from_file resolves relative paths from tests/
PAGE = "ae/ui/pages/draw.py"


def open_draw(**state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def block(at: AppTest, key: str):
    """The container the page created with ``key`` (st.container(key=...))."""
    stack = [at.main]
    while stack:
        node = stack.pop()
        if getattr(node, "key", None) == key and node.type == "flex_container":
            return node
        stack.extend(getattr(node, "children", {}).values())
    raise AssertionError(f"no container {key!r} on the page")


def png_image_in(at: AppTest, key: str) -> str:
    images = block(at, key).get("image")
    assert len(images) == 1
    (url,) = images[0].value
    assert url.endswith(".png"), url  # crisp pixels: never JPEG
    return url


def metric(at: AppTest, label: str) -> float:
    (found,) = [m for m in at.metric if m.label == label]
    return float(found.value)


@pytest.fixture(scope="module")
def seed_profile(seed_model, mnist):
    return ErrorProfile.measure(seed_model, pp.to_unit(mnist.x_test))


def test_empty_canvas_shows_a_friendly_prompt_and_nothing_else():
    at = open_draw()
    assert any("Draw a digit" in info.value for info in at.info)
    assert not at.metric and not at.get("image")
    assert not at.exception


def test_a_drawing_is_rebuilt_scored_and_handed_to_explore(mnist, seed_model, seed_profile):
    rgba = pp.digit_to_canvas(pp.to_unit(mnist.x_test[0]))
    at = open_draw(**{draw_input.DRAWING: rgba})
    for key in ("px_seen", "px_rebuilt", "px_error"):
        png_image_in(at, key)
    digit = pp.canvas_to_digit(rgba)
    expected = rebuild(seed_model, digit)  # the active model defaults to the shipped seed model
    assert metric(at, "BCE") == pytest.approx(expected.bce, abs=6e-5)
    assert metric(at, "MSE") == pytest.approx(expected.mse, abs=6e-5)
    level = seed_profile.judge(expected.bce).level
    shown = {"typical": at.success, "hard": at.info, "unusual": at.warning}[level]
    assert any("test digits" in element.value for element in shown)
    assert at.get("plotly_chart")  # the code as bars
    # the hand-off to Explore: this digit and its code, for the active model
    np.testing.assert_allclose(at.session_state["your_digit"], digit, atol=1e-6)
    np.testing.assert_allclose(at.session_state["your_codes"]["seed"], expected.code, atol=1e-4)


def test_a_full_white_canvas_is_answered_and_flagged_as_unusual():
    at = open_draw(**{draw_input.DRAWING: np.full((280, 280, 4), 255, np.uint8)})
    png_image_in(at, "px_rebuilt")
    assert any("Unusual input" in w.value for w in at.warning)
    assert any("solid ink" in c.value for c in at.caption)


def test_clear_empties_the_canvas_and_brings_back_the_prompt(mnist):
    at = open_draw(**{draw_input.DRAWING: pp.digit_to_canvas(pp.to_unit(mnist.x_test[1]))})
    assert at.metric
    at.button(key="draw_clear").click().run()
    assert not at.exception
    assert draw_input.DRAWING not in at.session_state
    assert not at.metric and any("Draw a digit" in info.value for info in at.info)


def test_every_model_rebuilds_the_same_digit_with_its_own_error(mnist):
    at = open_draw(**{draw_input.DRAWING: pp.digit_to_canvas(pp.to_unit(mnist.x_test[2]))})
    at.session_state["draw_further"] = "compare"
    at.run()
    assert not at.exception
    digit = pp.canvas_to_digit(at.session_state[draw_input.DRAWING])
    store = ModelStore()
    for entry in store.entries():
        png_image_in(at, f"px_cmp_{entry.name}")
        model, _ = store.load(entry.name)
        expected = rebuild(model, digit)
        caption = block(at, f"px_cmp_{entry.name}").get("caption")[0].value
        assert f"BCE **{expected.bce:.4f}**" in caption and f"MSE {expected.mse:.4f}" in caption


def test_denoising_shows_noisy_input_through_a_denoiser_and_a_plain_model(mnist):
    at = open_draw(**{draw_input.DRAWING: pp.digit_to_canvas(pp.to_unit(mnist.x_test[3]))})
    at.session_state["draw_further"] = "denoise"
    at.run()
    assert not at.exception
    denoisers = [e.name for e in ModelStore().entries() if e.card["config"].get("noise", 0) > 0]
    if not denoisers:
        assert any("denoising model" in info.value for info in at.info)
        return
    for key in ("px_clean", "px_noisy", "px_denoised", "px_plain"):
        png_image_in(at, key)
    titles = " ".join(m.value for m in block(at, "px_denoised").get("markdown"))
    assert denoisers[0] in titles
    assert "seed" in " ".join(m.value for m in block(at, "px_plain").get("markdown"))
    errors = [block(at, key).get("caption")[0].value for key in ("px_denoised", "px_plain")]
    assert all("MSE vs clean" in text for text in errors)
    # more noise changes the noisy input shown
    before = png_image_in(at, "px_noisy")
    at.slider(key="draw_noise_amount").set_value(0.9).run()
    assert png_image_in(at, "px_noisy") != before


def test_a_random_test_digit_is_shown_with_its_label(mnist):
    at = open_draw(**{"draw_source": "random", draw_input.RANDOM_INDEX: 17})
    assert any(f"labelled **{int(mnist.y_test[17])}**" in m.value for m in at.markdown)
    png_image_in(at, "px_rebuilt")
    assert at.metric


def test_a_bad_upload_gets_a_message_and_a_good_one_is_rebuilt(mnist):
    at = open_draw(**{"draw_source": "upload", draw_input.UPLOAD: ("notes.png", b"these are not pixels")})
    assert any("notes.png" in w.value and "not a readable" in w.value for w in at.warning)
    assert not at.metric and not at.exception
    paper = Image.fromarray(255 - pp.digit_to_canvas(pp.to_unit(mnist.x_test[4]))[..., 0])
    buf = io.BytesIO()
    paper.save(buf, format="PNG")
    at.session_state[draw_input.UPLOAD] = ("four.png", buf.getvalue())
    at.run()
    assert not at.exception and not any("four.png" in w.value for w in at.warning)
    png_image_in(at, "px_rebuilt")
    assert metric(at, "BCE") > 0
