"""In a real browser: train from the sidebar and watch the live chart grow until the job finishes; then
switch pages while a job runs, come back to it still running, and cancel it."""
import re
import time

from tests.browser.conftest import SHOTS, screenshot, wait_idle

TALL = {"width": 1440, "height": 1700}  # the main area scrolls inside the app, so show it all at once
EPOCH = re.compile(r"epoch (\d+)/(\d+)")


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def go(page, name: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()
    wait_idle(page)


def start_job(page, epochs: int, digits: int) -> None:
    """Deep, 2-D (the form's defaults) so the latent map is drawn too."""
    form = sidebar(page)
    form.get_by_role("spinbutton", name="Epochs").fill(str(epochs))
    form.get_by_role("spinbutton", name="Digits").fill(str(digits))
    form.get_by_role("button", name="Train").click()


# Points of the live loss chart's per-batch line (its first trace), as plotly drew them.
BATCH_POINTS = """() => {
    const plot = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const trace = plot && plot._fullData && plot._fullData[0];
    return trace && trace.x ? trace.x.length : 0; }"""


def batch_points(page) -> int:
    return page.evaluate(BATCH_POINTS)


def wait_for_more_points(page, than: int, timeout_ms: int) -> int:
    page.wait_for_function(f"(than) => ({BATCH_POINTS})() > than", arg=than, timeout=timeout_ms)
    return batch_points(page)


def job_outcomes(page) -> list[str]:
    """The outcome column of the session's job table (the data grid keeps an accessible copy of its cells)."""
    cells = page.locator('[data-testid="stDataFrame"] [data-testid^="glide-cell-"]').all_inner_texts()
    return [c for c in cells if c in ("queued", "training", "done", "failed", "cancelled")]


def outcomes_become(page, wanted: list[str], timeout_s: float = 60) -> bool:
    """The table is redrawn by the rerun that follows the outcome; give that rerun time to land."""
    deadline = time.monotonic() + timeout_s
    while job_outcomes(page) != wanted and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    return job_outcomes(page) == wanted


def your_models(page) -> int:
    """On the Models page: how many user models its overview table lists."""
    table = page.locator('[data-testid="stDataFrame"]').first
    table.locator('[data-testid^="glide-cell-"]', has_text="shipped").first.wait_for(state="attached")
    return table.locator('[data-testid^="glide-cell-"]', has_text="yours").count()


def sidebar_epoch(page) -> int:
    text = sidebar(page).locator('[data-testid="stProgress"]').first.inner_text(timeout=30_000)
    match = EPOCH.search(text)
    assert match, text
    return int(match.group(1))


def test_a_job_started_in_the_sidebar_draws_a_live_chart_and_finishes(page, app_url):
    page.set_viewport_size(TALL)
    page.goto(app_url)
    wait_idle(page)
    go(page, "Train")
    page.get_by_text("Choose a family and settings").wait_for()
    start_job(page, epochs=15, digits=10000)
    first = wait_for_more_points(page, 0, timeout_ms=180_000)  # the worker started and reported batches
    sidebar(page).get_by_role("button", name="Cancel").wait_for()
    screenshot(page, "train-running")
    assert wait_for_more_points(page, first, timeout_ms=120_000) > first  # the chart updates by itself
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text(re.compile(r"Trained deep-2d.*now your active model")).wait_for(timeout=240_000)
    sidebar(page).get_by_role("button", name="Cancel").wait_for(state="detached")
    assert outcomes_become(page, ["done"])  # the session's job table
    wait_idle(page)
    picker = sidebar(page).locator('[data-testid="stSelectbox"]').first.locator("input")
    assert picker.input_value().startswith("deep-2d")  # the new model is this session's active model
    assert main.locator('[data-testid="stImage"] img').count() >= 1  # the 2x10 grid
    assert main.locator('[data-testid="stPlotlyChart"]').count() == 2  # loss chart and latent map
    assert batch_points(page) == 15 * 40  # every batch of every epoch: 10,000 digits in batches of 256
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "train-done")


def test_a_running_job_survives_page_switches_and_can_be_cancelled(page, app_url):
    page.set_viewport_size(TALL)
    page.goto(app_url)
    wait_idle(page)
    go(page, "Models")
    yours_before = your_models(page)
    go(page, "Train")
    start_job(page, epochs=200, digits=5000)
    wait_for_more_points(page, 0, timeout_ms=180_000)

    go(page, "Home")
    page.locator("h1", has_text="Autoencoder Studio").wait_for()
    progress = sidebar(page).locator('[data-testid="stProgress"]').first
    before = progress.inner_text()
    page.wait_for_function("""(before) => {
        const bar = document.querySelector('[data-testid="stSidebar"] [data-testid="stProgress"]');
        return bar && bar.innerText !== before; }""", arg=before, timeout=120_000)  # live on another page
    screenshot(page, "train-progress-on-home")

    go(page, "Models")
    go(page, "Train")
    assert sidebar_epoch(page) < 200  # still running, not restarted
    points = wait_for_more_points(page, 0, timeout_ms=90_000)
    assert wait_for_more_points(page, points, timeout_ms=90_000) > points
    screenshot(page, "train-back-after-switching")

    sidebar(page).get_by_role("button", name="Cancel").click()
    page.locator('[data-testid="stMain"]').get_by_text("was cancelled; nothing was saved").wait_for(timeout=60_000)
    wait_idle(page)
    assert outcomes_become(page, ["cancelled"])
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "train-cancelled")

    go(page, "Models")  # the cancelled job left nothing behind
    page.locator("h1", has_text="Models").wait_for()
    page.get_by_text("Compare side by side").wait_for()
    assert your_models(page) == yours_before
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "models")
    card = page.locator('[data-testid="stExpander"]').last
    card.locator("summary").click()  # one model's card in full (a user model's, if the other test ran)
    card.get_by_role("button", name="Download .keras").wait_for()
    card.screenshot(path=str(SHOTS / "models-card.png"))
