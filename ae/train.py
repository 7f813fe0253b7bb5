"""One trainer for the CLI, the app and the benchmarks.

It reports through a plain callback object (no Streamlit), can be cancelled between batches,
and returns everything a model card needs.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Protocol

import ae  # noqa: F401
import keras
import numpy as np

from ae.data import Mnist
from ae.diagnostics import per_digit_errors
from ae.models import Autoencoder, ModelConfig, build_model
from ae.preprocess import for_model, to_unit

MAX_EPOCHS = 200
MAX_BATCH = 8192
SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class TrainConfig:
    """How to train; invalid values fail at construction with a message a person can act on."""

    epochs: int = 50
    batch_size: int = 256
    learning_rate: float = 1e-3
    train_size: int = 60000  # first N training digits
    val_size: int = 10000  # first N test digits used for per-epoch validation
    schedule: str = "constant"  # or "cosine": decay the learning rate to 0 over the run


    def __post_init__(self):
        def whole(name, lo, hi):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
                raise ValueError(f"{name.replace('_', ' ').capitalize()} must be a whole number from {lo} to {hi}, "
                                 f"not {value!r}.")
        whole("epochs", 1, MAX_EPOCHS)
        whole("batch_size", 1, MAX_BATCH)
        whole("train_size", 1, 60000)
        whole("val_size", 1, 10000)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"Schedule must be one of {', '.join(SCHEDULES)}, not {self.schedule!r}.")
        lr = self.learning_rate
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and 1e-6 <= lr <= 1.0):
            raise ValueError(f"Learning rate must be a number from 0.000001 to 1, not {lr!r}.")


@dataclass
class Progress:
    """A snapshot of a running job, sent after every batch and every epoch."""

    epoch: int  # 1-based
    epochs: int
    batch: int  # 1-based within the epoch; equals batches at epoch end
    batches: int
    logs: dict  # latest training metrics (running means within the epoch)
    samples_per_s: float
    eta_s: float
    elapsed_s: float
    val_logs: dict = field(default_factory=dict)  # filled at epoch end

    @property
    def fraction(self) -> float:
        return ((self.epoch - 1) * self.batches + self.batch) / max(1, self.epochs * self.batches)


class TrainCallback(Protocol):
    def on_batch(self, progress: Progress) -> None: ...
    def on_epoch(self, progress: Progress, model: Autoencoder) -> None: ...


class Cancelled(Exception):
    """Training was cancelled; nothing was saved."""


@dataclass
class TrainResult:
    model: Autoencoder
    model_config: ModelConfig
    train_config: TrainConfig
    history: dict[str, list[float]]
    test_metrics: dict[str, float]
    seconds: float


class _Bridge(keras.callbacks.Callback):
    """Keras callbacks -> the plain :class:`TrainCallback`, plus cancellation and timing."""

    def __init__(self, cfg: TrainConfig, callback: TrainCallback | None, cancel):
        super().__init__()
        self.cfg, self.callback, self.cancel = cfg, callback, cancel
        self.batches = math.ceil(cfg.train_size / cfg.batch_size)
        self.cancelled = False

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
        self.epoch_times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.epoch_start = epoch + 1, time.perf_counter()

    def _progress(self, batch, logs, val_logs=None) -> Progress:
        now = time.perf_counter()
        in_epoch = now - self.epoch_start
        rate = batch * self.cfg.batch_size / in_epoch if in_epoch > 0 else 0.0
        per_epoch = (sum(self.epoch_times) / len(self.epoch_times) if self.epoch_times
                     else in_epoch / max(batch, 1) * self.batches)
        done_epochs = self.epoch - 1 + batch / self.batches
        return Progress(self.epoch, self.cfg.epochs, batch, self.batches, logs, rate,
                        max(0.0, (self.cfg.epochs - done_epochs) * per_epoch), now - self.start,
                        val_logs or {})

    def on_train_batch_end(self, batch, logs=None):
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
            self.model.stop_training = True  # Keras 3 checks this after every batch
            return
        if self.callback is not None:
            self.callback.on_batch(self._progress(batch + 1, _floats(logs, train=True)))

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_times.append(time.perf_counter() - self.epoch_start)
        if self.cancelled or self.callback is None:
            return
        logs = logs or {}
        progress = self._progress(self.batches, _floats(logs, train=True), _floats(logs, train=False))
        self.callback.on_epoch(progress, self.model)


def _floats(logs, train: bool) -> dict:
    """Keras logs -> plain floats, split into training (no prefix) and validation (``val_`` stripped)."""
    out = {}
    for key, value in (logs or {}).items():
        if key.startswith("val_") != train:
            out[key.removeprefix("val_")] = float(value)
    return out


def evaluate(model: Autoencoder, images: np.ndarray) -> dict[str, float]:
    """Per-pixel BCE and MSE of the deterministic reconstruction (the code's mean, for a VAE)."""
    images = np.asarray(images)
    x = to_unit(images) if images.dtype == np.uint8 else images.astype(np.float32)
    bce, mse = per_digit_errors(x, model.reconstruct(x))
    return {"bce": float(bce.mean()), "mse": float(mse.mean())}


def prepare(model_cfg: ModelConfig, train_cfg: TrainConfig, data: Mnist):
    """Training and validation arrays, normalised and shaped for this family (one place)."""
    shape = (None, *model_cfg.input_shape)
    x_train = for_model(to_unit(data.x_train[: train_cfg.train_size]), shape)
    x_val = for_model(to_unit(data.x_test[: train_cfg.val_size]), shape)
    return x_train, x_val


def compile_model(model: Autoencoder, train_cfg: TrainConfig) -> None:
    rate = train_cfg.learning_rate
    if train_cfg.schedule == "cosine":
        steps = train_cfg.epochs * math.ceil(train_cfg.train_size / train_cfg.batch_size)
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps)
    optimizer = keras.optimizers.Adam(rate)
    if model.cfg.family == "vae":
        model.compile(optimizer=optimizer)
    else:
        model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["mse"])


def train(model_cfg: ModelConfig, train_cfg: TrainConfig, data: Mnist,
          callback: TrainCallback | None = None, cancel=None) -> TrainResult:
    """Train a fresh model; raise :class:`Cancelled` if ``cancel.is_set()`` becomes true."""
    model = build_model(model_cfg)  # also seeds every RNG from model_cfg.seed
    compile_model(model, train_cfg)
    x_train, x_val = prepare(model_cfg, train_cfg, data)
    bridge = _Bridge(train_cfg, callback, cancel)
    targets = None if model_cfg.family == "vae" else x_train
    val = (x_val,) if model_cfg.family == "vae" else (x_val, x_val)
    start = time.perf_counter()
    fit = model.fit(x_train, targets, epochs=train_cfg.epochs, batch_size=train_cfg.batch_size, shuffle=True,
                    validation_data=val, callbacks=[bridge], verbose=0)
    if bridge.cancelled:
        raise Cancelled("Training was cancelled; no model was saved.")
    seconds = time.perf_counter() - start
    history = {k: [float(v) for v in vals] for k, vals in fit.history.items()}
    if not all(np.isfinite(v).all() for v in history.values()):
        raise FloatingPointError("Training diverged (the loss became NaN or infinite). Try a smaller learning rate.")
    metrics = evaluate(model, data.x_test)
    return TrainResult(model, model_cfg, train_cfg, history, metrics, seconds)


def card_for(result: TrainResult, data: Mnist, name: str) -> dict:
    """The JSON card saved beside every model: enough to know what it is and to reproduce it."""
    import platform
    from datetime import datetime, timezone

    import tensorflow as tf

    from ae.models import parameter_count

    return {
        "format": 1,
        "name": name,
        "family": result.model_config.family,
        "latent_dim": result.model_config.latent_dim,
        "config": result.model_config.to_dict(),
        "parameters": parameter_count(result.model),
        "training": {**asdict(result.train_config), "optimizer": "adam",
                     "loss": "bce + kl" if result.model_config.family == "vae" else "bce",
                     "seconds": round(result.seconds, 2)},
        "data": data.card() | {"train_used": result.train_config.train_size,
                               "validation": f"first {result.train_config.val_size} test digits"},
        "history": result.history,
        "test_metrics": {k: round(v, 6) for k, v in result.test_metrics.items()},
        "versions": {"python": platform.python_version(), "tensorflow": tf.__version__,
                     "keras": keras.__version__, "numpy": np.__version__, "ae": ae.__version__},
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
