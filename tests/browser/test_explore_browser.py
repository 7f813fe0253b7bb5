"""The Explore page in a real browser: a slider redraws the digit, a click on the map loads a code.

The context is tall so one screenshot shows the whole page (Streamlit scrolls inside its own container).
"""
import re

import pytest

from tests.browser.conftest import dismiss_page_not_found, screenshot, wait_idle

DECODED = ".st-key-explore_decoded img"


@pytest.fixture
def tall_page(page):
    """Tall enough for one screenshot to show the whole page (Streamlit scrolls inside its container)."""
    page.set_viewport_size({"width": 1440, "height": 2300})
    page.set_default_timeout(120_000)
    return page


def open_explore(page, app_url, model):
    page.goto(f"{app_url}/explore?model={model}")
    wait_idle(page, 180_000)
    page.locator(DECODED).wait_for(timeout=180_000)
    dismiss_page_not_found(page)
    page.locator(f"{map_selector(model)} .nsewdrag").first.wait_for()  # the map is drawn
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0


def wait_for_new_src(page, old):
    page.wait_for_function("([sel, old]) => { const i = document.querySelector(sel);"
                           " return i && i.src !== old && i.complete && i.naturalWidth > 0; }",
                           arg=[DECODED, old], timeout=30_000)


# Page coordinates of a map spot, found from plotly's own data and axes (so retrained models still work):
# "empty" is the clickable grid point farthest from every test digit, "digit" is a test digit itself.
SPOT = """([sel, kind]) => {
  const g = document.querySelector(sel + ' .js-plotly-plot');
  const xa = g._fullLayout.xaxis, ya = g._fullLayout.yaxis;
  const px = (t, i) => [xa.d2p(t.x[i]), ya.d2p(t.y[i])];
  const digits = [];
  g._fullData.forEach(t => {
    if (t.customdata && t.customdata[0] >= 0) for (let i = 0; i < t.x.length; i++) digits.push(px(t, i));
  });
  let best = digits[Math.floor(digits.length / 2)];
  if (kind === 'empty') {
    const grid = g._fullData.find(t => t.name === 'decode here');
    let far = -1;
    for (let j = 0; j < grid.x.length; j += 3) {
      const [gx, gy] = px(grid, j);
      let near = Infinity;
      for (const [dx, dy] of digits) near = Math.min(near, (dx - gx) ** 2 + (dy - gy) ** 2);
      if (near > far) { far = near; best = [gx, gy]; }
    }
  }
  const box = g.querySelector('.nsewdrag').getBoundingClientRect();
  return [box.left + best[0], box.top + best[1]];
}"""
STAR = """(sel) => { const t = document.querySelector(sel + ' .js-plotly-plot')._fullData.find(t => t.name === 'start');
                    return [t.x[0], t.y[0]]; }"""


def map_selector(model):
    return f".st-key-explore-{model}-map"  # the chart's key explore:MODEL:map, as a CSS class


def click_map(page, model, kind):
    """Hover, then click the map: on an empty spot or on a test digit."""
    x, y = page.evaluate(SPOT, [map_selector(model), kind])
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


def wait_for_star_to_move(page, model, old):
    page.wait_for_function(f"([sel, old]) => JSON.stringify(({STAR})(sel)) !== JSON.stringify(old)",
                           arg=[map_selector(model), old], timeout=30_000)


def click_and_check(page, model, kind, caption):
    """Click the map; the digit, its caption and the star must all follow. Saves a screenshot."""
    old, star = page.locator(DECODED).get_attribute("src"), page.evaluate(STAR, map_selector(model))
    click_map(page, model, kind)
    wait_for_new_src(page, old)
    page.get_by_text(re.compile(caption)).wait_for()
    wait_for_star_to_move(page, model, star)
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert screenshot(page, f"explore-{model}").stat().st_size > 50_000


def test_a_slider_redraws_the_digit_and_a_map_click_decodes_that_spot(tall_page, app_url):
    page = tall_page
    open_explore(page, app_url, "vae-2d")
    image = page.locator(DECODED)
    first = image.get_attribute("src")
    box = image.bounding_box()
    assert box["width"] == pytest.approx(224, abs=2)  # the digit at its full, crisp size

    thumb = page.locator('[data-testid="stSlider"]').first.get_by_role("slider")
    thumb.focus()
    page.keyboard.press("End")
    wait_for_new_src(page, first)
    page.get_by_text(re.compile("then moved with the sliders")).wait_for()
    assert "z=" in page.url and "model=vae-2d" in page.url
    wait_idle(page)

    # a 2-D map is the latent space: any spot decodes
    click_and_check(page, "vae-2d", "empty", r"Started from the spot \(-?[\d.]+, -?[\d.]+\) clicked on the map")


def test_a_click_on_a_dot_of_the_pca_map_loads_that_test_digit(tall_page, app_url):
    page = tall_page
    open_explore(page, app_url, "seed")
    assert page.get_by_text("PC 1", exact=True).count() == 1  # principal sliders for the 32-D code
    click_and_check(page, "seed", "digit", r"test digit #\d+ \(a \d\), picked on the map")
