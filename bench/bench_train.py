"""How much does training from the app cost over plain Keras? One run, one ratio (target <= 1.10).

    python -m bench.bench_train [--family deep --latent 2 --epochs 4 --train-size 60000 --repeats 1]

Numerator: an epoch trained through the job manager, exactly as the app does it: a spawned worker
process, a message per batch, and per epoch the 2x10 reconstructions plus (2-D models) the codes of
2,000 test digits for the latent map, timed by when each epoch's report reaches the server.
Denominator: an epoch of bare ``model.fit`` on the same model, data and validation, in this process.
The first epoch (graph tracing) is left out of both; the figure is the median of the rest, and with
``--repeats`` the two are alternated and the best of each kept, which damps a busy machine.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import ae  # noqa: F401  (quiet TensorFlow first)


def bare_epoch_ends(model_cfg, train_cfg, data) -> list[float]:
    """When each epoch of plain ``model.fit`` ended (validation included, as in the app)."""
    import keras

    from ae.models import build_model
    from ae.train import compile_model, prepare

    model = build_model(model_cfg)
    compile_model(model, train_cfg)
    x_train, x_val = prepare(model_cfg, train_cfg, data)
    vae = model_cfg.family == "vae"
    ends: list[float] = []

    class Clock(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(time.perf_counter())

    model.fit(x_train, None if vae else x_train, epochs=train_cfg.epochs, batch_size=train_cfg.batch_size,
              shuffle=True, validation_data=(x_val,) if vae else (x_val, x_val), callbacks=[Clock()], verbose=0)
    return ends


def app_epoch_ends(model_cfg, train_cfg) -> list[float]:
    """When each epoch's report from the app's worker reached the server."""
    from ae.jobs import DONE, JobManager, JobRequest
    from ae.store import SHIPPED_DIR

    with tempfile.TemporaryDirectory(prefix="ae-bench-") as user:
        manager = JobManager(SHIPPED_DIR, Path(user))
        try:
            job = manager.wait(manager.submit("bench", JobRequest(model_cfg, train_cfg, "bench")), timeout=3600)
        finally:
            manager.shutdown()
    if job.state != DONE:
        raise SystemExit(f"the app-side job did not finish: {job.state} {job.error}")
    if len(job.batch_losses) != train_cfg.epochs * job.batches:
        raise SystemExit("the app-side job did not report every batch")
    return job.epoch_ends


def steady_epoch(ends: list[float]) -> float:
    """Median time between epoch ends: epoch 1, with its graph tracing, is never counted."""
    return statistics.median(b - a for a, b in zip(ends, ends[1:]))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--family", default="deep", choices=["seed", "deep", "conv", "vae"])
    p.add_argument("--latent", type=int, default=2, help="2 also sends the latent-map codes every epoch")
    p.add_argument("--epochs", type=int, default=4, help="at least 3: the first epoch is not counted")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--train-size", type=int, default=60000)
    p.add_argument("--val-size", type=int, default=10000)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--out", default=str(ROOT / "bench" / "out" / "bench_train.json"))
    args = p.parse_args(argv)
    if args.epochs < 3:
        p.error("--epochs must be at least 3")

    from ae.data import load_mnist
    from ae.models import ModelConfig
    from ae.train import TrainConfig

    model_cfg = ModelConfig(family=args.family, latent_dim=args.latent)
    train_cfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, train_size=args.train_size,
                            val_size=args.val_size)
    data = load_mnist()
    bare, app = [], []
    for repeat in range(args.repeats):
        bare.append(steady_epoch(bare_epoch_ends(model_cfg, train_cfg, data)))
        print(f"[{repeat + 1}/{args.repeats}] bare model.fit: {bare[-1]:.2f} s/epoch", flush=True)
        app.append(steady_epoch(app_epoch_ends(model_cfg, train_cfg)))
        print(f"[{repeat + 1}/{args.repeats}] app (job manager, live charts): {app[-1]:.2f} s/epoch", flush=True)
    ratio = min(app) / min(bare)
    result = {"benchmark": "train_epoch_app_over_bare", "ratio": round(ratio, 3), "target": 1.10,
              "app_s_per_epoch": round(min(app), 3), "bare_s_per_epoch": round(min(bare), 3),
              "model": model_cfg.to_dict(), "epochs": args.epochs, "batch_size": args.batch_size,
              "train_size": args.train_size, "val_size": args.val_size, "repeats": args.repeats}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result))
    print(f"app / bare epoch time = {ratio:.3f} (target <= 1.10): {'OK' if ratio <= 1.10 else 'over target'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
