"""The job manager: worker processes, progress messages, the queue, cancel, failures and killed workers.

Jobs are tiny (a few hundred digits) so each spends its time starting a worker, not training.
"""
import os
import signal
import threading
import time

import numpy as np
import pytest

from ae.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, JobManager, JobRequest, Reporter
from ae.models import ModelConfig
from ae.store import SHIPPED_DIR, ModelStore
from ae.train import Cancelled, TrainConfig, train

TINY = TrainConfig(epochs=2, batch_size=64, train_size=300, val_size=100)  # 5 batches per epoch
LONG = TrainConfig(epochs=50, batch_size=256, train_size=2000, val_size=100)  # minutes: only ever cut short


@pytest.fixture
def user_dir(tmp_path):
    return tmp_path / "user_models"


@pytest.fixture
def manager(user_dir):
    m = JobManager(SHIPPED_DIR, user_dir)
    yield m
    m.shutdown()


def run_alone(user_dir, request: JobRequest, timeout=240):
    """One job on a manager of its own, until it finishes; the manager is shut down either way."""
    manager = JobManager(SHIPPED_DIR, user_dir)
    try:
        return manager.wait(manager.submit("alice", request), timeout)
    finally:
        manager.shutdown()


def saved_files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def wait_for(manager, job_id, condition, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = manager.job(job_id)
        if condition(job):
            return job
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id} never reached the condition; last state {manager.job(job_id).state}")


# --- the callback, in this process -------------------------------------------------------------

def test_reporter_sends_one_message_per_batch_and_per_epoch(small_mnist):
    messages = []
    cfg = ModelConfig("seed", 2)
    originals = small_mnist.x_test[:10] / 255.0
    reporter = Reporter(messages.append, cfg, TINY, originals, small_mnist.x_test[:50] / 255.0)
    result = train(cfg, TINY, small_mnist, callback=reporter)
    kinds = [m[0] for m in messages]
    assert kinds == (["batch"] * 5 + ["epoch"]) * 2
    assert reporter.batches_done == 10
    # Each batch's own loss, recovered from Keras's running mean, averages back to the epoch's loss.
    losses = np.array([m[4] for m in messages if m[0] == "batch"]).reshape(2, 5)
    sizes = np.array([64, 64, 64, 64, 300 - 4 * 64])
    np.testing.assert_allclose((losses * sizes).sum(axis=1) / 300, result.history["loss"], rtol=1e-4)
    epoch = [m for m in messages if m[0] == "epoch"][-1]
    _, logs, val_logs, recon, points = epoch
    assert set(logs) >= {"loss"} and set(val_logs) >= {"loss"}
    assert recon.shape == (10, 28, 28) and recon.dtype == np.uint8
    np.testing.assert_allclose(recon / 255, result.model.reconstruct(originals), atol=1 / 255 + 1e-6)
    assert points.shape == (50, 2)


def test_cancel_inside_the_trainer_stops_after_the_current_batch(small_mnist):
    cancel = threading.Event()
    messages = []

    def send(message):
        messages.append(message)
        if message[0] == "batch" and message[2] == 3:
            cancel.set()  # as if the person pressed Cancel while batch 4 was running

    cfg = ModelConfig("seed", 2)
    reporter = Reporter(send, cfg, TINY, small_mnist.x_test[:10] / 255.0, None)
    with pytest.raises(Cancelled):
        train(cfg, TINY, small_mnist, callback=reporter, cancel=cancel)
    assert [m[2] for m in messages if m[0] == "batch"] == [1, 2, 3]
    assert reporter.batches_done == 3


# --- through worker processes --------------------------------------------------------------------

def test_job_trains_in_a_worker_reports_progress_and_saves(manager, user_dir):
    job_id = manager.submit("alice", JobRequest(ModelConfig("seed", 2), TINY, "tiny"))
    job = manager.wait(job_id, 240)
    assert job.state == DONE, job.error
    assert job.pid and job.pid != os.getpid()
    assert len(job.batch_losses) == job.batches_done == 10 and np.isfinite(job.batch_losses).all()
    assert len(job.history["loss"]) == len(job.history["val_loss"]) == 2 == len(job.epoch_ends)
    assert job.reconstructions.shape == (10, 28, 28) and job.map_points.shape[1] == 2
    assert len(job.map_labels) == len(job.map_points)
    store = ModelStore(SHIPPED_DIR, user_dir)
    entry = store.get(job.model_name)
    assert not entry.shipped and entry.card["training"]["train_size"] == 300
    assert entry.card["test_metrics"] == pytest.approx(job.test_metrics, abs=1e-6)
    model, _ = store.load(job.model_name)
    np.testing.assert_allclose(model.reconstruct(job.originals[:3]), job.reconstructions[:3] / 255, atol=0.01)
    assert [j.id for j in manager.jobs("alice")] == [job_id] and manager.jobs("bob") == []


def test_cancel_stops_within_a_batch_and_saves_nothing(manager, user_dir):
    job_id = manager.submit("alice", JobRequest(ModelConfig("conv", 2), LONG, "cut-short"))
    assert not manager.cancel(job_id, "mallory")  # only the session that started it
    seen = len(wait_for(manager, job_id, lambda j: len(j.batch_losses) >= 2).batch_losses)
    assert manager.cancel(job_id, "alice")
    job = manager.wait(job_id, 120)
    assert job.state == CANCELLED
    assert job.batches_done - seen <= 2  # the batch in flight, plus at most one report still on its way
    assert job.batches_done < LONG.epochs * 8
    assert saved_files(user_dir) == []  # not even a temporary


def test_cancel_while_the_worker_starts_kills_it_at_once(manager, user_dir):
    job_id = manager.submit("alice", JobRequest(ModelConfig("conv", 2), LONG, "never-started"))
    wait_for(manager, job_id, lambda j: j.state == RUNNING and j.pid)
    asked = time.monotonic()
    assert manager.cancel(job_id, "alice")
    job = manager.wait(job_id, 60)
    assert job.state == CANCELLED and job.error is None
    assert time.monotonic() - asked < 20  # not the 30 s grace for a hung worker
    assert saved_files(user_dir) == []


def test_queue_runs_one_job_at_a_time_in_order(manager):
    first = manager.submit("alice", JobRequest(ModelConfig("seed", 2), TINY, "first"))
    wait_for(manager, first, lambda j: j.state == RUNNING)
    second = manager.submit("bob", JobRequest(ModelConfig("seed", 2), TINY, "second"))
    third = manager.submit("carol", JobRequest(ModelConfig("seed", 3), TINY, "third"))
    assert (manager.job(second).state, manager.job(second).position) == (QUEUED, 1)
    assert (manager.job(third).state, manager.job(third).position) == (QUEUED, 2)
    assert manager.cancel(second, "bob")
    assert manager.job(second).state == CANCELLED and manager.job(second).pid is None
    assert manager.job(third).position == 1
    a, c = manager.wait(first, 240), manager.wait(third, 240)
    assert a.state == c.state == DONE
    assert c.started >= a.finished  # never two at once
    assert a.model_name == "first" and c.model_name == "third"


def test_failing_job_reports_its_error_and_saves_nothing(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the user store should be")
    job = run_alone(blocked, JobRequest(ModelConfig("seed", 2), TINY, "doomed"))
    assert job.state == FAILED and job.model_name is None
    assert "not-a-folder" in job.error and "Traceback" not in job.error
    assert blocked.read_text() == "a file where the user store should be"


def test_killed_worker_marks_the_job_failed_and_the_next_job_runs(manager, user_dir):
    doomed = manager.submit("alice", JobRequest(ModelConfig("conv", 2), LONG, "killed"))
    after = manager.submit("bob", JobRequest(ModelConfig("seed", 2), TINY, "after"))
    job = wait_for(manager, doomed, lambda j: len(j.batch_losses) >= 1)
    os.kill(job.pid, signal.SIGKILL)
    job = manager.wait(doomed, 60)
    assert job.state == FAILED and "SIGKILL" in job.error
    nxt = manager.wait(after, 240)
    assert nxt.state == DONE, nxt.error
    assert [f for f in saved_files(user_dir) if not f.startswith(".")] == ["after.json", "after.keras"]
