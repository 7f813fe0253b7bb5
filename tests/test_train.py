"""The trainer: callbacks, cancellation, determinism, metrics and the card."""
import threading

import numpy as np
import pytest

from ae.models import ModelConfig
from ae.train import Cancelled, TrainConfig, card_for, evaluate, train

TINY = dict(epochs=2, batch_size=100, train_size=600, val_size=200)


class Recorder:
    def __init__(self, cancel_after=None, event=None):
        self.batches, self.epochs, self.cancel_after, self.event = [], [], cancel_after, event

    def on_batch(self, p):
        self.batches.append(p)
        if self.cancel_after and len(self.batches) == self.cancel_after:
            self.event.set()

    def on_epoch(self, p, model):
        self.epochs.append(p)


def test_callbacks_fire_every_batch_and_epoch(small_mnist):
    rec = Recorder()
    result = train(ModelConfig(family="seed", latent_dim=8), TrainConfig(**TINY), small_mnist, rec)
    assert [p.batch for p in rec.batches] == list(range(1, 7)) * 2
    assert [p.epoch for p in rec.epochs] == [1, 2]
    assert {"loss", "mse"} <= set(rec.epochs[0].logs) and "loss" in rec.epochs[0].val_logs
    assert all(p.samples_per_s > 0 for p in rec.batches)
    assert rec.batches[-1].fraction == pytest.approx(1.0) and rec.batches[-1].eta_s == pytest.approx(0, abs=1e-6)
    assert len(result.history["val_loss"]) == 2


def test_cancel_stops_within_one_batch(small_mnist):
    event = threading.Event()
    rec = Recorder(cancel_after=2, event=event)
    with pytest.raises(Cancelled):
        train(ModelConfig(family="seed", latent_dim=8), TrainConfig(**TINY), small_mnist, rec, cancel=event)
    assert len(rec.batches) == 2 and rec.epochs == []


def test_same_seed_same_result(small_mnist):
    cfg, tcfg = ModelConfig(family="deep", latent_dim=4, widths=(32,), seed=11), TrainConfig(**TINY)
    a, b = train(cfg, tcfg, small_mnist), train(cfg, tcfg, small_mnist)
    assert a.history["loss"] == pytest.approx(b.history["loss"], rel=1e-5)


def test_vae_tracks_reconstruction_and_kl(small_mnist):
    result = train(ModelConfig(family="vae", latent_dim=2, widths=(64,)), TrainConfig(**TINY), small_mnist)
    assert {"reconstruction", "kl", "val_reconstruction", "val_kl"} <= set(result.history)
    loss, rec, kl = (result.history[k][-1] for k in ("loss", "reconstruction", "kl"))
    assert loss == pytest.approx(rec + kl / 784, rel=1e-4)


def test_evaluate_matches_an_independent_computation(small_mnist):
    result = train(ModelConfig(family="seed", latent_dim=8), TrainConfig(**TINY), small_mnist)
    x = small_mnist.x_test.reshape(-1, 784) / 255.0
    r = np.clip(result.model.reconstruct(x).reshape(len(x), -1), 1e-7, 1 - 1e-7)
    bce = -np.mean(x * np.log(r) + (1 - x) * np.log(1 - r))
    assert result.test_metrics["bce"] == pytest.approx(bce, rel=1e-4)
    assert result.test_metrics == evaluate(result.model, small_mnist.x_test)
    assert result.test_metrics["bce"] < 0.69  # better than predicting 0.5 everywhere


def test_card_records_what_reproduces_the_model(small_mnist):
    result = train(ModelConfig(family="seed", latent_dim=8), TrainConfig(**TINY), small_mnist)
    card = card_for(result, small_mnist, "tiny")
    assert card["config"] == result.model_config.to_dict()
    assert card["training"]["epochs"] == 2 and card["training"]["batch_size"] == 100
    assert card["data"]["sha256"]["t10k-images-idx3-ubyte"].startswith("0fa7898d")
    assert set(card["versions"]) >= {"tensorflow", "keras", "numpy"}
    assert card["history"]["loss"] == result.history["loss"]


@pytest.mark.parametrize("bad", [dict(epochs=0), dict(epochs=10_000), dict(batch_size=0), dict(learning_rate=0.0),
                                 dict(learning_rate=float("inf")), dict(learning_rate=5.0), dict(train_size=0),
                                 dict(train_size=70000), dict(schedule="warp"), dict(epochs=1.5)])
def test_silly_hyperparameters_raise_clear_errors(bad):
    with pytest.raises(ValueError):
        TrainConfig(**bad)


def test_divergence_is_reported_not_evaluated(small_mnist, monkeypatch):
    import ae.train as t

    real_prepare = t.prepare

    def poisoned(*args):
        x_train, x_val = real_prepare(*args)
        x_train = x_train.copy()
        x_train[::7] = np.nan  # what an exploding run looks like from the outside: NaN losses
        return x_train, x_val

    monkeypatch.setattr(t, "prepare", poisoned)
    monkeypatch.setattr(t, "evaluate", lambda *a: pytest.fail("a diverged model must not be evaluated"))
    with pytest.raises(FloatingPointError, match="learning rate"):
        train(ModelConfig(family="seed", latent_dim=4), TrainConfig(**TINY), small_mnist)
