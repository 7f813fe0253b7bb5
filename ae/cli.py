"""``python -m ae``: fetch data, train, evaluate, list models, and redraw the article's figures."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ae.store import ModelStore, StoreError


def _print_progress(epoch_only: bool = True):
    class Printer:
        def on_batch(self, p):
            pass

        def on_epoch(self, p, model):
            val = " ".join(f"val_{k} {v:.4f}" for k, v in p.val_logs.items())
            train = " ".join(f"{k} {v:.4f}" for k, v in p.logs.items())
            print(f"epoch {p.epoch:>3}/{p.epochs}  {train}  {val}  "
                  f"({p.samples_per_s:,.0f} samples/s, ETA {p.eta_s:,.0f}s)", flush=True)
    return Printer()


def cmd_data(args) -> int:
    from ae.data import load_mnist

    data = load_mnist(progress=print)
    print(f"MNIST: {len(data.x_train)} train, {len(data.x_test)} test digits, from {data.source}; hashes verified.")
    return 0


def cmd_train(args) -> int:
    from ae.data import load_mnist
    from ae.models import ModelConfig
    from ae.train import TrainConfig, card_for, train

    widths = tuple(int(w) for w in args.widths.split(",")) if args.widths else None
    model_cfg = ModelConfig(family=args.family, latent_dim=args.latent, widths=widths, noise=args.noise,
                            seed=args.seed)
    train_cfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.lr,
                            train_size=args.train_size, val_size=args.val_size, schedule=args.schedule)
    store = ModelStore(user=Path(args.dest), with_shipped=False) if args.dest else ModelStore()
    name = store.unique_name(args.name or f"{args.family}-{args.latent}d")
    data = load_mnist(progress=print)
    print(f"Training {name}: {model_cfg} {train_cfg}", flush=True)
    result = train(model_cfg, train_cfg, data, callback=_print_progress())
    entry = store.save(name, result.model, card_for(result, data, name))
    metrics = result.test_metrics
    print(f"Saved {entry.path}  test BCE {metrics['bce']:.4f}  MSE {metrics['mse']:.4f}  ({result.seconds:.0f}s)")
    return 0


def cmd_evaluate(args) -> int:
    from ae.data import load_mnist
    from ae.train import evaluate

    model, card = ModelStore().load(args.name)
    metrics = evaluate(model, load_mnist().x_test)
    print(f"{args.name}: test BCE {metrics['bce']:.4f}  MSE {metrics['mse']:.4f}  "
          f"(card: BCE {card['test_metrics']['bce']:.4f}  MSE {card['test_metrics']['mse']:.4f})")
    return 0


def cmd_list(args) -> int:
    store = ModelStore()
    print(f"{'name':<24} {'where':<8} {'family':<6} {'latent':>6} {'epochs':>6} {'test BCE':>9} {'test MSE':>9}")
    for e in store.entries():
        m = e.card.get("test_metrics", {})
        print(f"{e.name:<24} {'shipped' if e.shipped else 'user':<8} {e.card['family']:<6} {e.card['latent_dim']:>6} "
              f"{e.card.get('training', {}).get('epochs', '?'):>6} {m.get('bce', float('nan')):>9.4f} "
              f"{m.get('mse', float('nan')):>9.4f}")
    for problem in store.problems():
        print(f"(skipped) {problem}")
    return 0


def cmd_figures(args) -> int:
    from ae.article import save_figures
    from ae.data import load_mnist

    model, card = ModelStore().load(args.name)
    for path in save_figures(model, card, load_mnist().x_test, Path(args.out)):
        print(f"wrote {path}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ae", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("data", help="fetch and verify MNIST into the local cache").set_defaults(run=cmd_data)
    t = sub.add_parser("train", help="train a model and save it with its card")
    t.add_argument("--family", default="seed", choices=["seed", "deep", "conv", "vae"])
    t.add_argument("--latent", type=int, default=32)
    t.add_argument("--widths", help="hidden widths (dense) or filters (conv), e.g. 512,256")
    t.add_argument("--noise", type=float, default=0.0, help="input noise std for a denoising model")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--epochs", type=int, default=50)
    t.add_argument("--batch-size", type=int, default=256)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--schedule", default="constant", choices=["constant", "cosine"])
    t.add_argument("--train-size", type=int, default=60000, help="use the first N training digits")
    t.add_argument("--val-size", type=int, default=10000, help="validate on the first N test digits")
    t.add_argument("--name", help="model name (sanitised; made unique)")
    t.add_argument("--dest", help="save into this folder alone (default: the user store; models/ for shipped ones)")
    t.set_defaults(run=cmd_train)
    e = sub.add_parser("evaluate", help="recompute a model's test metrics")
    e.add_argument("name")
    e.set_defaults(run=cmd_evaluate)
    sub.add_parser("list", help="list shipped and user models").set_defaults(run=cmd_list)
    f = sub.add_parser("figures", help="the article's two figures as PNGs")
    f.add_argument("name", nargs="?", default="seed")
    f.add_argument("--out", default="artifacts")
    f.set_defaults(run=cmd_figures)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # DataUnavailable and friends: a message, not a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
