"""Real-browser fixtures: the app served by `streamlit run` on a free port, driven by Debian's chromium.

Never `playwright install`: the browser is /usr/bin/chromium from apt (.ci/run installs it).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AE_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(user_dir: str, port: int | None = None, extra_env: dict | None = None):
    """Start `streamlit run app.py` and wait until it answers; returns (process, url)."""
    port = port or free_port()
    env = {**os.environ, "AE_USER_MODELS": user_dir, **(extra_env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {proc.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("streamlit did not become healthy in 90 s")


@pytest.fixture(scope="session")
def app_url():
    user_dir = tempfile.mkdtemp(prefix="ae-browser-user-")
    proc, url = start_server(user_dir)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (never `playwright install`).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


# True while Streamlit runs a script (1.67 shows only an icon then, no "Running" text).
RUNNING_JS = "() => !!document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]')"


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Until Streamlit has rendered and no script run is in progress (twice, a moment apart, since a
    run can trigger another), with any start-up "Page not found" dialog closed."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    for _ in range(2):
        page.wait_for_function(f"() => !({RUNNING_JS})()", timeout=timeout_ms)
        page.wait_for_timeout(300)
    dismiss_page_not_found(page)


def dismiss_page_not_found(page) -> None:
    """A fresh server's first session can get Streamlit's "Page not found" dialog on a deep link
    (/draw) while the right page runs anyway: a start-up race inside Streamlit (its script runner
    checks the page before st.navigation has registered any). The dialog makes the page inert."""
    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")


def screenshot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
