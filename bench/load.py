"""Many people at once: browser sessions draw, move sliders and switch pages while one more trains.

Used at a small setting by tests/browser/test_load.py and at full size by bench/bench_load.py. All
sessions share one Chromium (one context each, like separate people) and run concurrently on one
asyncio loop. Every action's latency is measured in the page, from the input event to the new image
being loaded, so the figures are what a person would see.
"""
from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field

from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, RUNNING_JS

REBUILT = ".st-key-px_rebuilt img"  # the Draw page's reconstruction
DECODED = ".st-key-explore_decoded img"  # the Explore page's decoded digit
VIEWPORT = {"width": 1440, "height": 1900}


@dataclass
class Report:
    sessions: int
    seconds: float
    draws_ms: list[float] = field(default_factory=list)  # stroke end -> reconstruction shown
    slides_ms: list[float] = field(default_factory=list)  # slider key -> decoded digit shown
    page_switches: int = 0
    errors: list[str] = field(default_factory=list)
    active_before: dict[int, str] = field(default_factory=dict)
    active_after: dict[int, str] = field(default_factory=dict)
    trainer_before: str = ""
    trainer_after: str = ""
    trained: bool = False

    @property
    def actions(self) -> int:
        return len(self.draws_ms) + len(self.slides_ms) + self.page_switches

    def models_changed(self) -> list[int]:
        """Sessions whose active model changed although they never touched the picker."""
        return [i for i, name in self.active_before.items() if self.active_after.get(i) != name]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else (values[0] if values else float("nan"))


# --- page helpers -----------------------------------------------------------------------------------

async def settle(page) -> None:
    """Until no script run is in progress, and any start-up 'Page not found' dialog is closed."""
    await page.wait_for_selector('[data-testid="stApp"]')
    for _ in range(2):  # as tests.browser.conftest.wait_idle, in the async API
        await page.wait_for_function(f"() => !({RUNNING_JS})()")
        await page.wait_for_timeout(300)
    dialog = page.get_by_role("dialog").filter(has_text="Page not found")
    if await dialog.count():
        await page.keyboard.press("Escape")
        await dialog.wait_for(state="detached")


async def active_model(page, timeout: float | None = None) -> str:
    picker = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Active model")
    return (await picker.input_value(timeout=timeout)).split(" (")[0]


async def go(page, title: str) -> None:
    await page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    await settle(page)


CHANGED = ("([s, old]) => { const i = document.querySelector(s); return i && i.src !== old && i.complete"
           " && i.naturalWidth > 0; }")


async def timed_change(page, selector: str, act, retry_after_ms: int = 20_000) -> float:
    """Run ``act`` and return ms until the image at ``selector`` shows a new, loaded picture.

    If nothing changed after ``retry_after_ms`` the input is given once more (a canvas that has just
    mounted can drop a stroke); the time still counts from the first try.
    """
    old = await page.evaluate("s => document.querySelector(s)?.src || ''", selector)
    start = time.perf_counter()
    await act()
    try:
        await page.wait_for_function(CHANGED, arg=[selector, old], timeout=retry_after_ms)
    except Exception:
        await act()
        await page.wait_for_function(CHANGED, arg=[selector, old], timeout=120_000)
    return (time.perf_counter() - start) * 1000


async def stroke(page, n: int) -> None:
    """A stroke across the canvas, at a different slant each time so the digit really changes."""
    box = await page.locator("canvas.upper-canvas").bounding_box()
    x0, y0 = box["x"] + box["width"] * (0.3 + 0.05 * (n % 5)), box["y"] + box["height"] * 0.2
    await page.mouse.move(x0, y0)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.85, steps=8)
    await page.mouse.up()


async def draw_once(page, n: int) -> float:
    if n % 3 == 0 and await page.locator(REBUILT).count():  # start afresh now and then
        await page.get_by_role("button", name="Clear").click()
        await page.locator(REBUILT).wait_for(state="detached")
    return await timed_change(page, REBUILT, lambda: stroke(page, n))


async def slide_once(page, n: int) -> float:
    thumb = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    await thumb.focus()
    return await timed_change(page, DECODED, lambda: page.keyboard.press("End" if n % 2 == 0 else "Home"))


async def exception_text(page) -> str | None:
    """The first exception box on the page, if any (there should never be one)."""
    boxes = page.locator('[data-testid="stException"]')
    return (await boxes.first.inner_text())[:300].replace("\n", " ") if await boxes.count() else None


# --- the people -----------------------------------------------------------------------------------

async def person(browser, url: str, index: int, deadline: float, report: Report) -> None:
    """Draws, moves a slider and switches pages until the deadline."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(120_000)
    page.on("pageerror", lambda exc: report.errors.append(f"session {index}: page error {exc}"))
    try:
        await page.goto(url + "/draw")
        await settle(page)
        await page.locator("canvas.upper-canvas").wait_for()
        report.active_before[index] = await active_model(page)
        await draw_once(page, 1)  # warm-up, not counted: a freshly mounted canvas may drop a first stroke
        n = 0
        while time.monotonic() < deadline:
            report.draws_ms.append(await draw_once(page, n))
            await go(page, "Explore")
            await page.locator(DECODED).wait_for()
            report.slides_ms.append(await slide_once(page, n))
            await go(page, "Draw")
            await page.locator("canvas.upper-canvas").wait_for()
            report.page_switches += 2
            if shown := await exception_text(page):
                report.errors.append(f"session {index}: an exception on the page: {shown}")
            n += 1
        report.active_after[index] = await active_model(page)
    except Exception as exc:  # a timeout or a crash is an error of the app under load, not of the driver
        report.errors.append(f"session {index}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()


async def trainer(browser, url: str, deadline: float, report: Report, epochs: int, digits: int) -> None:
    """Starts one training job from the sidebar and waits for it to finish."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(120_000)
    try:
        await page.goto(url + "/train")
        await settle(page)
        report.trainer_before = await active_model(page)
        side = page.locator('[data-testid="stSidebar"]')
        await side.get_by_role("spinbutton", name="Epochs").fill(str(epochs))
        await side.get_by_role("spinbutton", name="Digits").fill(str(digits))
        await side.get_by_role("button", name="Train").click()
        while time.monotonic() < deadline + 600:
            try:  # the sidebar redraws every second while a job runs; a miss is not a failure
                if report.trainer_before != await active_model(page, timeout=10_000):
                    report.trained = True
                    break
            except PlaywrightTimeout:
                pass
            await page.wait_for_timeout(1000)
        report.trainer_after = await active_model(page)
    except Exception as exc:
        report.errors.append(f"trainer: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()


async def run(url: str, sessions: int, seconds: float, train: bool = True, epochs: int = 2,
              digits: int = 5000) -> Report:
    from playwright.async_api import async_playwright

    report = Report(sessions, seconds)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deadline = time.monotonic() + seconds
        tasks = [person(browser, url, i, deadline, report) for i in range(sessions)]
        if train:
            tasks.append(trainer(browser, url, deadline, report, epochs, digits))
        await asyncio.gather(*tasks)
        await browser.close()
    return report


def run_load(url: str, sessions: int, seconds: float, **kw) -> Report:
    """Blocking entry point. Its own thread, because Playwright's sync API (the other browser tests)
    keeps an event loop running in the main thread, where asyncio.run() is refused."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run(url, sessions, seconds, **kw)).result()
