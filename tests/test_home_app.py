"""AppTest of the frame and the Home page: the article's story renders from the seed card."""
import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def test_home_tells_the_articles_story():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Autoencoder Studio"
    card = json.loads((ROOT / "models" / "seed.json").read_text())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["BCE"] == f"{card['test_metrics']['bce']:.4f}"
    assert "784 → 32 (ReLU)" in " ".join(md.value for md in at.markdown)
    shipped = at.dataframe[0].value
    assert {"seed", "best-32d", "vae-2d", "denoise-32d"} <= set(shipped["model"])
    assert any("Ten test digits" in s.value for s in at.subheader)
    assert len(at.get("image")) == 1  # the 2x10 grid
    assert len(at.get("plotly_chart")) == 1  # the loss curves


def test_sidebar_picks_the_active_model_for_this_session_only():
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    second = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert first.session_state["active_model"] == "seed"
    first.sidebar.selectbox(key="model_picker").select("vae-2d").run()
    second.run()
    assert first.session_state["active_model"] == "vae-2d"
    assert second.session_state["active_model"] == "seed"
