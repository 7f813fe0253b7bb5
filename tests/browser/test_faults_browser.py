"""Faults against a real server: the training worker killed mid-epoch, and a server restart."""
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, screenshot, start_server, wait_idle
from tests.browser.test_train_browser import wait_for_more_points


@pytest.fixture
def server(tmp_path):
    """A server of this test's own, on a user store of its own; returns (process, url, user folder)."""
    user_dir = tmp_path / "user_models"
    started = []

    def start():
        proc, url = start_server(str(user_dir))
        started.append(proc)
        return proc, url

    yield start, user_dir
    for proc in started:
        proc.kill()
        proc.wait(10)


def worker_pids(server_pid: int) -> list[int]:
    """The server's spawned training workers (descendants running spawn_main, not the resource tracker)."""
    rows = [line.split(None, 2) for line in subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True,
                                                              text=True).stdout.splitlines()]
    parent = {int(pid): int(ppid) for pid, ppid, *_ in rows}

    def descends(pid):
        while pid > 1:
            if pid == server_pid:
                return True
            pid = parent.get(pid, 1)
        return False

    return [int(pid) for pid, _, *args in rows if args and "spawn_main" in args[0] and descends(int(pid))]


def healthy(url: str) -> bool:
    with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as resp:
        return resp.status == 200


def test_killing_the_worker_mid_epoch_fails_the_job_and_nothing_else(page, server):
    start, user_dir = server
    proc, url = start()
    page.set_viewport_size({"width": 1440, "height": 1700})
    page.goto(url + "/train")
    wait_idle(page)
    side = page.locator('[data-testid="stSidebar"]')
    side.get_by_role("spinbutton", name="Epochs").fill("200")
    side.get_by_role("spinbutton", name="Digits").fill("5000")
    side.get_by_role("button", name="Train").click()
    wait_for_more_points(page, 0, timeout_ms=180_000)  # mid-epoch: the worker is reporting batches
    (pid,) = worker_pids(proc.pid)
    os.kill(pid, signal.SIGKILL)

    page.get_by_text("SIGKILL").first.wait_for(timeout=60_000)
    wait_idle(page)
    assert healthy(url) and proc.poll() is None
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not [p for p in user_dir.glob("*") if p.suffix in (".keras", ".json")]  # no partial model
    screenshot(page, "fault-killed-worker")
    page.get_by_role("link", name="Draw").click()  # the app goes on working
    wait_idle(page)
    page.locator("canvas.upper-canvas").wait_for()


def test_user_models_survive_a_server_restart(page, server):
    start, user_dir = server
    made = subprocess.run([sys.executable, "-m", "ae", "train", "--family", "vae", "--latent", "2",
                           "--epochs", "1", "--train-size", "300", "--val-size", "100", "--name", "kept",
                           "--dest", str(user_dir)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    for attempt in range(2):  # before and after the restart
        proc, url = start()
        page.goto(f"{url}/explore?model=kept")
        wait_idle(page, 180_000)
        page.locator(".st-key-explore_decoded img").wait_for(timeout=120_000)
        picker = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Active model")
        assert picker.input_value().startswith("kept")
        assert page.locator('[data-testid="stException"]').count() == 0
        proc.terminate()
        proc.wait(20)
    assert {p.name for p in Path(user_dir).iterdir() if not p.name.startswith(".")} == {"kept.keras", "kept.json"}
