"""The shipped Streamlit config is fit for a shared deployment, and requirements are pinned."""
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_config_for_a_shared_deployment():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 5  # MB; the Draw page checks pixels itself
    assert config["server"]["fileWatcherType"] == "none"
    assert config["client"]["showErrorDetails"] == "none"  # no stack traces for visitors
    assert config["browser"]["gatherUsageStats"] is False
    assert "server.address" in (ROOT / "README.md").read_text() or "--server.address" in \
        (ROOT / ".streamlit" / "config.toml").read_text()  # the bind address is documented


def test_runtime_requirements_are_pinned_with_platform_markers():
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [l for l in lines if l]
    assert all("==" in l for l in lines), lines
    names = {re.split(r"[=;<> ]", l)[0].lower() for l in lines}
    assert {"tensorflow-cpu", "tensorflow", "keras", "numpy", "streamlit", "streamlit-drawable-canvas",
            "plotly"} <= names
    tf_cpu = next(l for l in lines if l.startswith("tensorflow-cpu"))
    tf = next(l for l in lines if l.startswith("tensorflow=="))
    assert "linux" in tf_cpu and "darwin" in tf  # macOS gets plain tensorflow
