"""Training jobs that outlive a page: one worker process per job, one job training at a time.

The app, the tests and the benchmark share this module (it never imports Streamlit). A job is
queued, run in a ``spawn``-ed worker process and watched by one supervisor thread in the server, so
reruns and page switches never touch it, and a worker that dies (killed, out of memory, disk full)
only marks its job failed. The worker saves through :meth:`ModelStore.save`, which is atomic, so a
cancelled, failed or killed job never leaves a model behind.

Progress comes back over a one-way multiprocessing pipe fed by a sender thread in the worker (what a
``multiprocessing.Queue`` is, minus the server's copy of the write end): the training loop never
waits on the server, and a worker killed halfway through a message reads as end-of-file instead of
hanging the supervisor.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import queue
import signal
import sys
import threading
import time
import traceback
import types
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ae.models import ModelConfig
from ae.train import TrainConfig

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINAL = (DONE, FAILED, CANCELLED)
SAMPLES = 10  # test digits shown over their reconstructions (the article's 2x10 grid)
MAP_DIGITS = 2000  # test digits whose codes draw the evolving latent map of a 2-D model
KEEP_FINISHED = 200  # finished jobs remembered by the server (all sessions together)
CANCEL_GRACE_S = 30.0  # a worker that ignores Cancel this long (hung) is killed
# What a running job is doing (Job.phase). Before TRAINING a cancelled worker has nothing to lose.
STARTING, LOADING, BUILDING, TRAINING, SAVING = (
    "starting the worker", "loading MNIST", "building the model", "training", "saving")
BEFORE_TRAINING = (STARTING, LOADING, BUILDING)


@dataclass(frozen=True)
class JobRequest:
    """What to train and the name wanted for the result (made unique when it is saved)."""

    model: ModelConfig
    train: TrainConfig
    name: str

    @property
    def summary(self) -> str:
        m, t = self.model, self.train
        noise = f" · noise {m.noise:g}" if m.noise else ""
        return (f"{m.family} · {m.latent_dim}-D · {t.epochs} epoch{'s' * (t.epochs != 1)} · "
                f"{t.train_size:,} digits · batch {t.batch_size} · lr {t.learning_rate:g}{noise} · seed {m.seed}")


@dataclass
class Job:
    """Everything the server knows about one job. Readers get copies from :class:`JobManager`."""

    id: str
    owner: str
    request: JobRequest
    state: str = QUEUED
    position: int = 0  # 1-based place in line while queued
    phase: str = "waiting for its turn"
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    pid: int | None = None
    cancel_requested: float | None = None  # time.monotonic() of the request
    # live progress
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches: int = 0
    samples_per_s: float = 0.0
    eta_s: float | None = None
    elapsed_s: float = 0.0
    batch_losses: list[float] = field(default_factory=list)  # one per batch, all epochs
    history: dict[str, list[float]] = field(default_factory=dict)  # per epoch, Keras names (val_ prefix)
    epoch_ends: list[float] = field(default_factory=list)  # server clock when each epoch's report arrived
    originals: np.ndarray | None = None  # (10, 28, 28) 0..1
    reconstructions: np.ndarray | None = None  # latest epoch's, same shape
    map_labels: np.ndarray | None = None  # digit labels of the latent-map points (2-D models)
    map_points: np.ndarray | None = None  # latest epoch's (n, 2) codes
    # outcome
    model_name: str | None = None
    test_metrics: dict[str, float] = field(default_factory=dict)
    batches_done: int = 0  # batches the worker finished (reported with the outcome)
    error: str | None = None

    @property
    def active(self) -> bool:
        return self.state in (QUEUED, RUNNING)

    @property
    def fraction(self) -> float:
        if self.state == DONE:
            return 1.0
        if not (self.epoch and self.epochs and self.batches):
            return 0.0
        return ((self.epoch - 1) * self.batches + self.batch) / (self.epochs * self.batches)

    @property
    def seconds(self) -> float | None:
        if self.started is None:
            return None
        return (self.finished or time.time()) - self.started


def _snapshot(job: Job) -> Job:
    """A copy safe to read while the supervisor keeps updating the original (arrays are replaced, never mutated)."""
    return replace(job, batch_losses=list(job.batch_losses), epoch_ends=list(job.epoch_ends),
                   history={k: list(v) for k, v in job.history.items()}, test_metrics=dict(job.test_metrics))


class JobManager:
    """A process-wide, thread-safe job queue with one supervisor thread and one worker process at a time."""

    def __init__(self, shipped_dir: Path, user_dir: Path, start_method: str = "spawn"):
        self.shipped_dir, self.user_dir = Path(shipped_dir), Path(user_dir)
        self._context = multiprocessing.get_context(start_method)
        self._lock = threading.Condition()
        self._jobs: dict[str, Job] = {}
        self._line: deque[str] = deque()
        self._cancels: dict[str, object] = {}  # job id -> the running worker's multiprocessing Event
        self._supervisor: threading.Thread | None = None
        self._closing = False

    # asking ----------------------------------------------------------------------------------
    def submit(self, owner: str, request: JobRequest) -> str:
        """Queue a job for ``owner`` (a session id); returns the job id."""
        with self._lock:
            if self._closing:
                raise RuntimeError("The job manager is shutting down.")
            job = Job(uuid.uuid4().hex[:12], owner, request, epochs=request.train.epochs)
            self._jobs[job.id] = job
            self._line.append(job.id)
            self._renumber()
            self._forget_old()
            if self._supervisor is None:
                self._supervisor = threading.Thread(target=self._supervise_forever, name="ae-jobs", daemon=True)
                self._supervisor.start()
            self._lock.notify_all()
            return job.id

    def cancel(self, job_id: str, owner: str) -> bool:
        """Stop a queued job now or a running one after its current batch; only its owner may."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.owner != owner or not job.active:
                return False
            job.cancel_requested = time.monotonic()
            if job.state == QUEUED:
                self._line.remove(job_id)
                self._finish(job, CANCELLED, phase="cancelled before it started")
                self._renumber()
            elif job_id in self._cancels:
                self._cancels[job_id].set()
            self._lock.notify_all()
            return True

    def job(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return _snapshot(job) if job else None

    def jobs(self, owner: str) -> list[Job]:
        """This owner's jobs, oldest first."""
        with self._lock:
            return [_snapshot(j) for j in self._jobs.values() if j.owner == owner]

    def wait(self, job_id: str, timeout: float) -> Job:
        """Block until the job has an outcome (tests, benchmarks); TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._jobs[job_id].active:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"job {job_id} still {self._jobs[job_id].state} after {timeout:.0f} s")
                self._lock.wait(left)
            return _snapshot(self._jobs[job_id])

    def shutdown(self, timeout: float = 60) -> None:
        """Cancel everything and wait for the supervisor (tests and benchmarks; the server just exits)."""
        with self._lock:
            self._closing = True
            for job_id in list(self._line):
                job = self._jobs[job_id]
                self._finish(job, CANCELLED, phase="cancelled: the server is stopping")
            self._line.clear()
            for event in self._cancels.values():
                event.set()
            self._lock.notify_all()
        if self._supervisor is not None:
            self._supervisor.join(timeout)

    # bookkeeping (callers hold the lock) ---------------------------------------------------------
    def _renumber(self) -> None:
        for place, job_id in enumerate(self._line, start=1):
            self._jobs[job_id].position = place

    def _finish(self, job: Job, state: str, phase: str, error: str | None = None) -> None:
        job.state, job.phase, job.error, job.position = state, phase, error, 0
        job.finished = time.time()
        self._lock.notify_all()

    def _forget_old(self) -> None:
        finished = [j.id for j in self._jobs.values() if not j.active]
        for job_id in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job_id]

    # the supervisor thread ---------------------------------------------------------------------
    def _supervise_forever(self) -> None:
        while True:
            with self._lock:
                while not self._line and not self._closing:
                    self._lock.wait()
                if self._closing:
                    return
                job = self._jobs[self._line.popleft()]
                job.state, job.phase, job.started, job.position = RUNNING, STARTING, time.time(), 0
                self._renumber()
            try:
                self._run(job)
            except Exception as exc:  # the supervisor must survive anything one job does
                with self._lock:
                    if job.active:
                        self._finish(job, FAILED, "failed", f"The job could not be supervised: {exc}")

    def _run(self, job: Job) -> None:
        ctx = self._context
        reader, writer = ctx.Pipe(duplex=False)
        cancel = ctx.Event()
        process = ctx.Process(target=work, name=f"ae-train-{job.id}", daemon=True,
                              args=(job.request, self.shipped_dir, self.user_dir, writer, cancel))
        try:
            with _no_main_module():
                process.start()
        except Exception as exc:
            with self._lock:
                self._finish(job, FAILED, "failed", f"Could not start a training process: {exc}")
            return
        finally:
            writer.close()  # now the worker holds the only write end: its death reads as end-of-file
        with self._lock:
            job.pid = process.pid
            self._cancels[job.id] = cancel
            if job.cancel_requested:
                cancel.set()
        outcome = False
        try:
            while not outcome:
                if not reader.poll(0.5):
                    with self._lock:
                        if _must_kill(job):
                            process.kill()
                    continue
                try:
                    message = reader.recv()
                except (EOFError, OSError):
                    break
                with self._lock:
                    outcome = self._apply(job, message)
        finally:
            reader.close()
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join(5)
            with self._lock:
                self._cancels.pop(job.id, None)
                if job.active and job.cancel_requested:
                    self._finish(job, CANCELLED, "cancelled: nothing was saved")
                elif job.active:
                    self._finish(job, FAILED, "failed", _death_note(process.exitcode))

    def _apply(self, job: Job, message: tuple) -> bool:
        """Fold one worker message into the job; True once it carries the outcome."""
        kind, *rest = message
        if kind == "batch":
            job.epoch, job.batch, job.batches, loss, job.samples_per_s, job.eta_s, job.elapsed_s = rest
            job.batch_losses.append(loss)
            job.phase = TRAINING
        elif kind == "epoch":
            logs, val_logs, job.reconstructions, points = rest
            for key, value in logs.items():
                job.history.setdefault(key, []).append(value)
            for key, value in val_logs.items():
                job.history.setdefault(f"val_{key}", []).append(value)
            if points is not None:
                job.map_points = points
            job.epoch_ends.append(time.perf_counter())
        elif kind == "start":
            job.originals, job.map_labels, job.batches = rest
            job.phase = BUILDING
        elif kind == "phase":
            job.phase = rest[0]
        elif kind == "done":
            job.model_name, job.test_metrics, job.batches_done = rest
            self._finish(job, DONE, "done")
            return True
        elif kind == "cancelled":
            job.batches_done = rest[0]
            self._finish(job, CANCELLED, "cancelled: nothing was saved")
            return True
        elif kind == "failed":
            job.batches_done, error = rest
            self._finish(job, FAILED, "failed", error)
            return True
        self._lock.notify_all()
        return False


def _must_kill(job: Job) -> bool:
    """Cancel normally stops the worker after its batch; one still starting up, or hung, is killed.

    Never while saving: the store's save is atomic, but a finished model is worth keeping.
    """
    if not job.cancel_requested or job.phase == SAVING:
        return False
    return job.phase in BEFORE_TRAINING or time.monotonic() - job.cancel_requested > CANCEL_GRACE_S


@contextlib.contextmanager
def _no_main_module():
    """Start a spawned worker without re-running the parent's ``__main__`` in it.

    ``spawn`` re-executes the parent's main script in every child. Under ``streamlit run`` that is
    app.py itself (Streamlit installs the page script as ``__main__``), which would run the whole app,
    bare, inside each worker. With a placeholder main for the instant of ``start()`` the worker
    imports only what it needs. The original is put back unless a script run replaced it meanwhile.
    """
    original, placeholder = sys.modules.get("__main__"), types.ModuleType("__main__")
    sys.modules["__main__"] = placeholder
    try:
        yield
    finally:
        if sys.modules.get("__main__") is placeholder and original is not None:
            sys.modules["__main__"] = original


def _death_note(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            how = f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"killed by signal {-exitcode}"
    else:
        how = f"exit code {exitcode}"
    return (f"The training process stopped unexpectedly ({how}), perhaps out of memory or killed. "
            "Nothing was saved; the app is unaffected.")


# --- the worker process -------------------------------------------------------------------------

class _Outbox:
    """Send messages from a thread so training never waits for the server to read."""

    def __init__(self, connection):
        self._connection, self._pending = connection, queue.SimpleQueue()
        self._thread = threading.Thread(target=self._pump, name="ae-outbox", daemon=True)
        self._thread.start()

    def put(self, message: tuple) -> None:
        self._pending.put(message)

    def _pump(self) -> None:
        while (message := self._pending.get()) is not None:
            try:
                self._connection.send(message)
            except OSError:  # the server went away; nobody is listening
                return

    def close(self) -> None:
        self._pending.put(None)
        self._thread.join()
        self._connection.close()


class Reporter:
    """A :class:`ae.train.TrainCallback` that turns progress into small messages.

    Per batch: a tuple of numbers, with that batch's own loss recovered from Keras's running mean.
    Per epoch: the logs, the 2x10 reconstructions (uint8) and, for 2-D models, the map's codes.
    """

    def __init__(self, send, model_cfg: ModelConfig, train_cfg: TrainConfig, originals: np.ndarray,
                 map_images: np.ndarray | None):
        self.send, self.originals, self.map_images = send, originals, map_images
        self.batch_size, self.train_size = train_cfg.batch_size, train_cfg.train_size
        # Keras weights its loss mean by batch size; the VAE's own trackers count batches.
        self.weighted = model_cfg.family != "vae"
        self.batches_done = 0
        self._seen, self._mean = 0.0, 0.0

    def on_batch(self, p) -> None:
        self.batches_done += 1
        if p.batch == 1:
            self._seen, self._mean = 0.0, 0.0
        seen = min(p.batch * self.batch_size, self.train_size) if self.weighted else float(p.batch)
        mean = p.logs.get("loss", float("nan"))
        loss = (seen * mean - self._seen * self._mean) / max(seen - self._seen, 1e-9)
        self._seen, self._mean = seen, mean
        self.send(("batch", p.epoch, p.batch, p.batches, float(loss), p.samples_per_s, p.eta_s, p.elapsed_s))

    def on_epoch(self, p, model) -> None:
        recon = np.clip(model.reconstruct(self.originals) * 255 + 0.5, 0, 255).astype(np.uint8)
        points = model.encode(self.map_images).astype(np.float32) if self.map_images is not None else None
        self.send(("epoch", p.logs, p.val_logs, recon, points))


def work(request: JobRequest, shipped_dir: Path, user_dir: Path, connection, cancel) -> None:
    """The worker process: load data, train, save atomically, and report every step."""
    from ae.data import load_mnist
    from ae.preprocess import to_unit
    from ae.store import ModelStore
    from ae.train import Cancelled, card_for, train

    outbox = _Outbox(connection)
    _stop_if_orphaned(cancel)
    reporter = None
    try:
        outbox.put(("phase", LOADING))
        data = load_mnist()
        originals = to_unit(data.x_test[:SAMPLES])
        two_d = request.model.latent_dim == 2
        map_images = to_unit(data.x_test[:MAP_DIGITS]) if two_d else None
        labels = np.asarray(data.y_test[:MAP_DIGITS]) if two_d else None
        batches = -(-request.train.train_size // request.train.batch_size)
        outbox.put(("start", originals, labels, batches))
        reporter = Reporter(outbox.put, request.model, request.train, originals, map_images)
        if cancel.is_set():
            raise Cancelled()
        result = train(request.model, request.train, data, callback=reporter, cancel=cancel)
        if cancel.is_set():
            raise Cancelled()
        outbox.put(("phase", SAVING))
        store = ModelStore(shipped_dir, user_dir)
        name = store.unique_name(request.name)
        entry = store.save(name, result.model, card_for(result, data, name))
        outbox.put(("done", entry.name, result.test_metrics, reporter.batches_done))
    except Cancelled:
        outbox.put(("cancelled", reporter.batches_done if reporter else 0))
    except Exception as exc:  # every failure becomes a message for the person who started the job
        traceback.print_exc()  # the full story goes to the server's log
        outbox.put(("failed", reporter.batches_done if reporter else 0, describe(exc)))
    finally:
        outbox.close()


def _stop_if_orphaned(cancel) -> None:
    """If the server dies (even by SIGKILL), cancel: nobody is left to show or adopt the model."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch():
        multiprocessing.connection.wait([parent.sentinel])
        cancel.set()

    threading.Thread(target=watch, name="ae-orphan-watch", daemon=True).start()


def describe(exc: Exception) -> str:
    """A failure as one readable sentence; our own errors already are."""
    from ae.data import DataUnavailable
    from ae.store import StoreError

    if isinstance(exc, (ValueError, StoreError, DataUnavailable, FloatingPointError)):
        return str(exc)
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"A file could not be written or read: {exc.strerror or exc}{where}. Nothing was saved."
    if isinstance(exc, MemoryError):
        return "Training ran out of memory. Try a smaller batch size or a smaller model."
    return f"Training failed: {type(exc).__name__}: {str(exc)[:300]}"

