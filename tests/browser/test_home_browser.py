"""Smoke test in a real browser: the app opens on Home with the title and the 2x10 grid."""
from tests.browser.conftest import screenshot, wait_idle


def test_home_renders_title_and_grid(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    page.locator("h1", has_text="Autoencoder Studio").wait_for()
    page.get_by_text("Ten test digits (top)").wait_for()
    grid = page.locator('[data-testid="stImage"] img').first
    grid.wait_for()
    box = grid.bounding_box()
    assert box and box["width"] > 300 and box["width"] > 1.5 * box["height"]  # a wide 2x10 grid
    assert page.locator('[data-testid="stException"]').count() == 0
    assert screenshot(page, "home").stat().st_size > 10_000
