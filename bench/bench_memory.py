"""Memory over reruns: each page run N times in one process (AppTest), RSS measured as it goes.

A page that leaks (a model rebuilt per rerun, Keras classes registered again, figures kept) shows up
as RSS climbing after warm-up. Usage: python -m bench.bench_memory [--reruns 300]
"""
from __future__ import annotations

import argparse
import gc
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ae import preprocess as pp
from ae.data import load_mnist
from ae.ui import draw_input

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["home", "draw", "explore", "train", "models"]
WARMUP = 10


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def page_state(page: str, i: int) -> dict:
    """Something for the page to chew on that changes every run, as a person's input would."""
    if page == "draw":
        digits = load_mnist().x_test
        return {draw_input.DRAWING: pp.digit_to_canvas(pp.to_unit(digits[i % 50]))}
    return {}


def measure(page: str, reruns: int) -> tuple[float, float, float]:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(f"ae/ui/pages/{page}.py")
    start = after_warmup = None
    for i in range(reruns):
        for key, value in page_state(page, i).items():
            at.session_state[key] = value
        at.run()
        assert not at.exception, at.exception
        if i == 0:
            start = rss_mb()
        if i == WARMUP:
            gc.collect()
            after_warmup = rss_mb()
    gc.collect()
    return start, after_warmup, rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reruns", type=int, default=300)
    args = parser.parse_args()
    print(f"| page | RSS after 1st run (MB) | after {WARMUP} | after {args.reruns} | drift after warm-up (MB) |")
    print("|---|---:|---:|---:|---:|")
    for page in PAGES:
        first, warm, last = measure(page, args.reruns)
        print(f"| {page} | {first:.0f} | {warm:.0f} | {last:.0f} | {last - warm:+.1f} |", flush=True)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
