"""AppTest of the Explore page: sliders decode live, every starting point loads its code, links reopen a digit.

Expected codes come from the shipped models directly (encode the test digits here), never from the page.
An image's URL is a hash of its bytes, so a changed URL means a changed picture.
"""
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ae.preprocess import to_unit
from ae.store import ModelStore

ROOT = Path(__file__).resolve().parents[1]
PAGE = "ae/ui/pages/explore.py"


@pytest.fixture(scope="module")
def store():
    return ModelStore()


@pytest.fixture(scope="module")
def test_codes(store, mnist):
    """name -> (model, the 10k test codes), computed here as the reference."""
    cache = {}

    def get(name):
        if name not in cache:
            model, _ = store.load(name)
            cache[name] = model, model.encode(to_unit(mnist.x_test))
        return cache[name]
    return get


def explore(model: str | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    if model:
        at.session_state["active_model"] = model
    at.run()
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def find(node, wanted):
    """The first element or block in the tree whose key is ``wanted``."""
    if getattr(node, "key", None) == wanted:
        return node
    for child in getattr(node, "children", {}).values():
        hit = find(child, wanted)
        if hit is not None:
            return hit
    return None


def decoded_url(at) -> str:
    block = find(at.main, "explore_decoded")
    (image,) = [child for child in block.children.values() if child.type == "image"]
    return image.value[0]


def current(at, model) -> np.ndarray:
    return np.asarray(at.session_state["explore_codes"][model])


def sliders(at, model: str, kind: str) -> list:
    """The latent sliders: kind "s" (the main ones) or "z" (one per raw dimension)."""
    return [s for s in at.slider if re.fullmatch(rf"explore:{re.escape(model)}:{kind}\d+", s.key)]


def button(at, label: str):
    (hit,) = [b for b in at.button if b.label == label]
    return hit


def captions(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_a_slider_change_decodes_a_new_digit_and_updates_the_link(test_codes, mnist):
    at = explore("vae-2d")
    _, codes = test_codes("vae-2d")
    np.testing.assert_allclose(current(at, "vae-2d"), codes[0], atol=1e-5)  # default start: test digit #0
    assert [s.label for s in sliders(at, "vae-2d", "s")] == ["z1", "z2"]
    before_url, before = decoded_url(at), current(at, "vae-2d")

    z1 = at.slider(key="explore:vae-2d:s0")
    target = float(z1.min + 0.8 * (z1.max - z1.min))
    z1.set_value(target).run()
    assert not at.exception
    after = current(at, "vae-2d")
    assert after[0] == pytest.approx(target, abs=1e-5) and after[1] == pytest.approx(before[1], abs=1e-6)
    assert decoded_url(at) != before_url
    assert "then moved with the sliders" in captions(at)
    assert [float(v) for v in at.query_params["z"].split(",")] == pytest.approx(after.tolist(), rel=1e-5)

    at.slider(key="explore:vae-2d:s0").set_value(float(before[0])).run()  # back: the same picture again
    assert decoded_url(at) == before_url


def test_principal_sliders_move_along_the_top_direction_of_the_codes(test_codes):
    at = explore("seed")
    _, codes = test_codes("seed")
    labels = [s.label for s in sliders(at, "seed", "s")]
    assert labels == [f"PC {i}" for i in range(1, 9)]
    assert not sliders(at, "seed", "z")  # raw sliders wait in a closed expander
    assert any(e.label.startswith("All 32 raw dimensions") for e in at.expander)
    before_url, before = decoded_url(at), current(at, "seed")

    pc1 = at.slider(key="explore:seed:s0")
    pc1.set_value(float(pc1.max)).run()
    step = current(at, "seed") - before
    eigvals, eigvecs = np.linalg.eigh(np.cov(codes, rowvar=False))
    top = eigvecs[:, np.argmax(eigvals)]
    assert abs(step @ top) / np.linalg.norm(step) == pytest.approx(1.0, abs=1e-3)  # along PC 1 only
    assert decoded_url(at) != before_url


def test_every_starting_point_loads_its_code(test_codes, mnist):
    at = explore("vae-2d")
    model, codes = test_codes("vae-2d")

    at.number_input(key="explore:vae-2d:test").set_value(42).run()
    np.testing.assert_allclose(current(at, "vae-2d"), codes[42], atol=1e-5)
    assert f"test digit #42 (a {mnist.y_test[42]})" in captions(at)

    button(at, "Mean code").click().run()
    np.testing.assert_allclose(current(at, "vae-2d"), codes.mean(axis=0), atol=1e-4)

    button(at, "Random draw").click().run()
    first = current(at, "vae-2d")
    assert "prior N(0, I)" in captions(at)
    button(at, "Random draw").click().run()
    assert not np.allclose(current(at, "vae-2d"), first)  # every draw is new

    url = decoded_url(at)
    button(at, "Random test digit").click().run()
    index = at.number_input(key="explore:vae-2d:test").value
    np.testing.assert_allclose(current(at, "vae-2d"), codes[index], atol=1e-5)
    assert decoded_url(at) != url

    assert button(at, "Your digit").disabled  # nothing drawn yet
    digit = to_unit(mnist.x_test[7])
    at.session_state["your_digit"] = digit  # what the Draw page leaves behind, drawn under another model
    at.run()
    button(at, "Your digit").click().run()
    np.testing.assert_allclose(current(at, "vae-2d"), model.encode(digit)[0], atol=1e-5)
    assert "your digit" in captions(at)

    button(at, "Generate 16 new digits").click().run()
    assert any("16 codes drawn from the prior" in c.value for c in at.caption)
    seed, generated = at.session_state["explore:vae-2d:gallery"]
    at.get("button_group")[0].set_value(3).run()
    np.testing.assert_allclose(current(at, "vae-2d"), generated[2], atol=1e-6)
    assert f"new digit 3 of the gallery (seed {seed})" in captions(at)
    assert not at.exception


def test_a_link_reopens_the_same_digit_and_a_bad_link_falls_back_with_a_notice(test_codes):
    at = explore("seed", query={"model": "vae-2d", "z": "0.5,-1.25"})
    assert at.session_state["active_model"] == "vae-2d"
    assert at.sidebar.selectbox(key="model_picker").value == "vae-2d"
    np.testing.assert_allclose(current(at, "vae-2d"), [0.5, -1.25])
    assert "a shared link" in captions(at)
    assert not at.warning

    at.sidebar.selectbox(key="model_picker").select("seed").run()  # the old address does not win it back
    assert at.session_state["active_model"] == "seed"
    assert at.query_params["model"] == "seed"

    bad = explore("vae-2d", query={"model": "vae-2d", "z": "1,abc"})
    assert "Ignored part of the link" in bad.warning[0].value
    _, codes = test_codes("vae-2d")
    np.testing.assert_allclose(current(bad, "vae-2d"), codes[0], atol=1e-5)  # the default start
    assert not bad.exception


def test_interpolation_strip_follows_its_settings():
    at = explore("vae-2d")
    assert "From the current digit (left) to test digit #1 (a 2) (right), 10 steps" in captions(at)
    urls = [img.value[0] for img in at.get("image")]
    at.slider(key="explore:vae-2d:steps").set_value(5).run()
    assert "5 steps" in captions(at)
    assert [img.value[0] for img in at.get("image")] != urls
    at.selectbox(key="explore:vae-2d:To_what").set_value("mean").run()
    assert "to the mean code (right)" in captions(at)
    assert not at.exception


@pytest.mark.parametrize("latent_dim", [1, 5, 12])
def test_any_latent_size_gets_working_sliders_a_map_and_no_traceback(latent_dim):
    """Untrained little models in the (temporary) user store: the page only needs a decoder and codes."""
    from ae.models import ModelConfig, build_model

    cfg = ModelConfig(family="deep", latent_dim=latent_dim, widths=(16,), seed=latent_dim)
    name = f"tiny-{latent_dim}d"
    ModelStore().save(name, build_model(cfg), {"family": "deep", "latent_dim": latent_dim, "config": cfg.to_dict()})
    at = explore(name)
    main = sliders(at, name, "s")
    assert len(main) == min(latent_dim, 8)
    assert main[0].label == ("PC 1" if latent_dim > 8 else "z1")
    assert any(e.label.startswith(f"All {latent_dim} raw") for e in at.expander) == (latent_dim > 8)
    assert len(at.get("plotly_chart")) >= 1  # the map
    assert any("needs a 2-D model" in i.value for i in at.info)  # no manifold grid off 2-D
    url, before = decoded_url(at), current(at, name)
    main[-1].set_value(float(main[-1].max)).run()
    assert not at.exception
    assert decoded_url(at) != url and not np.allclose(current(at, name), before)
