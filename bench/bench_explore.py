"""Explore page latency: from a slider change to the new decoded digit on screen, in headless chromium.

Starts `streamlit run app.py` (as the browser tests do), opens /explore for a model, then moves the
first slider from one end to the other (End / Home keys on its thumb) ``--repeats`` times. Each time
the page itself records the keydown's timestamp and the first animation frame after the new decoded
image has loaded, so Playwright's own round trips are not counted. Target: median ≤ 150 ms.

Usage: python -m bench.bench_explore [--model vae-2d] [--repeats 20]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, dismiss_page_not_found, start_server, wait_idle

DECODED = ".st-key-explore_decoded"  # ae.ui.explore_digit.DECODED
TARGET_MS = 150

# Arms one measurement: the next keydown's time, then the first frame after a new decoded image loaded.
ARM = """(sel) => {
  const state = window.__explore = {key: null, shown: null};
  document.addEventListener('keydown', e => { if (state.key === null) state.key = e.timeStamp; },
                            {capture: true, once: true});
  const before = document.querySelector(sel + ' img').src;
  const shown = () => requestAnimationFrame(() => { if (state.shown === null) state.shown = performance.now(); });
  const check = () => {
    const img = document.querySelector(sel + ' img');
    if (!img || img.src === before) return false;
    if (img.complete && img.naturalWidth > 0) shown(); else img.addEventListener('load', shown, {once: true});
    return true;
  };
  const watcher = new MutationObserver(() => { if (check()) watcher.disconnect(); });
  watcher.observe(document.body, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}"""


def open_explore(page, url: str, model: str) -> None:
    page.goto(f"{url}/explore?model={model}")
    wait_idle(page, 180_000)
    page.locator(f"{DECODED} img").wait_for(timeout=180_000)
    dismiss_page_not_found(page)
    wait_idle(page)


def measure(page, repeats: int, warmup: int = 3) -> list[float]:
    thumb = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    times = []
    for i in range(warmup + repeats):
        thumb.focus()
        page.evaluate(ARM, DECODED)
        page.keyboard.press("End" if i % 2 == 0 else "Home")
        page.wait_for_function("window.__explore.shown !== null", timeout=15_000)
        ms = page.evaluate("window.__explore.shown - window.__explore.key")
        if i >= warmup:
            times.append(ms)
        wait_idle(page)  # let the rest of the fragment (the map) finish before the next change
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="vae-2d")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    proc, url = start_server(tempfile.mkdtemp(prefix="ae-bench-user-"))
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
            page.set_default_timeout(60_000)
            open_explore(page, url, args.model)
            times = measure(page, args.repeats)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
    median = statistics.median(times)
    print(f"Explore slider -> decoded image visible, {args.model}, {len(times)} changes (headless chromium):")
    print(f"  median {median:.0f} ms · p90 {sorted(times)[int(0.9 * (len(times) - 1))]:.0f} ms · "
          f"min {min(times):.0f} ms · max {max(times):.0f} ms  (target ≤ {TARGET_MS} ms: "
          f"{'met' if median <= TARGET_MS else 'NOT met'})")


if __name__ == "__main__":
    main()
