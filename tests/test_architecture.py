"""The core stays free of Streamlit, so it can be tested and used without a browser."""
import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "ae"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_ui_package_imports_streamlit():
    core_files = [p for p in CORE.rglob("*.py") if "ui" not in p.relative_to(CORE).parts]
    assert len(core_files) >= 10
    offenders = [p.name for p in core_files if {"streamlit", "streamlit_drawable_canvas"} & imported_modules(p)]
    assert offenders == []
    assert "streamlit" in imported_modules(CORE / "ui" / "resources.py")  # the check does see imports
