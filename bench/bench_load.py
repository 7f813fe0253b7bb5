"""Load: N browser sessions draw, move sliders and switch pages while one more session trains.

First one session alone (idle baseline), then N at once plus a trainer, against one real server.
Reports sessions held, errors, p95 latency (stroke -> reconstruction, slider -> decoded digit) idle and
under load with their ratio (target <= 2x), and whether any session's active model changed.

Usage: python -m bench.bench_load [--sessions 8] [--seconds 150]
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from bench.load import p95, run_load
from tests.browser.conftest import start_server

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--idle-seconds", type=float, default=60)
    args = parser.parse_args()
    proc, url = start_server(tempfile.mkdtemp(prefix="ae-load-"))
    try:
        idle = run_load(url, 1, args.idle_seconds, train=False)
        load = run_load(url, args.sessions, args.seconds, epochs=2, digits=10000)
    finally:
        proc.kill()
    rows = {
        "sessions held": f"{len(load.active_after)}/{args.sessions} + 1 training",
        "actions under load (draws, slides, page switches)": f"{len(load.draws_ms)}, {len(load.slides_ms)}, "
                                                              f"{load.page_switches}",
        "errors": str(len(idle.errors) + len(load.errors)),
        "draw p95 idle / load (ms)": f"{p95(idle.draws_ms):.0f} / {p95(load.draws_ms):.0f} "
                                     f"(×{p95(load.draws_ms) / p95(idle.draws_ms):.1f})",
        "slider p95 idle / load (ms)": f"{p95(idle.slides_ms):.0f} / {p95(load.slides_ms):.0f} "
                                       f"(×{p95(load.slides_ms) / p95(idle.slides_ms):.1f})",
        "draw median idle / load (ms)": f"{statistics.median(idle.draws_ms):.0f} / "
                                        f"{statistics.median(load.draws_ms):.0f}",
        "active models changed by another's training": str(load.models_changed() or "none"),
        "training job finished, trainer's model became active": str(load.trained),
    }
    print("| measure | value |\n|---|---|")
    for key, value in rows.items():
        print(f"| {key} | {value} |")
    for error in idle.errors + load.errors:
        print("error:", error)
    OUT.mkdir(exist_ok=True)
    (OUT / "load.json").write_text(json.dumps({"idle": idle.__dict__, "load": load.__dict__}, indent=1, default=str))


if __name__ == "__main__":
    main()
