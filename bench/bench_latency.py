"""Single-image latency: the app's fast path (model.reconstruct) against keras `model.predict`.

Both are timed in the same run, interleaved, on the same digit, so the ratio is meaningful on a
noisy machine. Usage: python -m bench.bench_latency [--repeats 200]
"""
import argparse
import statistics
import time

import ae  # noqa: F401
from ae.data import load_mnist
from ae.preprocess import for_model, to_unit
from ae.store import ModelStore


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    digit = to_unit(load_mnist().x_test[:1])
    store = ModelStore()
    print("| model | fast path (ms) | model.predict (ms) | predict / fast |")
    print("|---|---:|---:|---:|")
    for entry in store.entries():
        if not entry.shipped:
            continue
        model, _ = store.load(entry.name)
        shaped = for_model(digit, (None, *model.cfg.input_shape))
        fast = lambda: model.reconstruct(digit)  # noqa: E731
        slow = lambda: model.predict(shaped, verbose=0)  # noqa: E731
        fast(), slow()  # compile both first
        fast_ms, slow_ms = median_ms(fast, args.repeats), median_ms(slow, max(20, args.repeats // 5))
        print(f"| {entry.name} | {fast_ms:.2f} | {slow_ms:.1f} | {slow_ms / fast_ms:.0f}× |")


if __name__ == "__main__":
    main()
