"""The Explore page's map: the 10,000 test codes coloured by digit, the starting point marked, clickable.

Clicking a test digit loads its code. For 2-D models the map *is* the latent space, so a click on an
empty spot decodes that spot, and the decoded manifold can be laid under the points.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from ae import figures, images
from ae.ui import explore_state, resources
from ae.ui.explore_start import start_spot, start_test
from ae.ui.explore_state import DIGIT_FRAGMENT, INTERP_FRAGMENT, MAP_FRAGMENT, key
from ae.ui.resources import Loaded

CLICK_GRID = 80  # invisible clickable points per axis on 2-D maps (about one every 7 px)
MANIFOLD_SIZE = 15
MANIFOLD_WIDTH = 560  # px on the page, whatever the number of tiles


def _clicked(loaded: Loaded) -> None:
    """Start from the clicked point: a test digit (customdata = its index), or on 2-D maps the spot itself."""
    event = st.session_state.get(key(loaded.name, "map"))
    points = (event or {}).get("selection", {}).get("points", [])
    if not points:
        return  # a click that deselected
    point = points[0]
    index = point.get("customdata")
    index = int(index[0] if isinstance(index, list) else index) if index is not None else -1
    if index >= 0:
        start_test(loaded, index, how=", picked on the map")
    elif resources.geometry(loaded).projection.exact:
        start_spot(loaded, np.array([point["x"], point["y"]], dtype=np.float64))
    else:
        return
    st.rerun([DIGIT_FRAGMENT, MAP_FRAGMENT, INTERP_FRAGMENT])  # the panels that show the code; not the page


def _caption(loaded: Loaded) -> str:
    geometry = resources.geometry(loaded)
    if geometry.projection.exact:
        return ("Each dot is the 2-D code of one test digit: this map *is* the latent space. ★ marks the starting "
                "point. Click a dot to start from that test digit, or click anywhere to decode that very spot.")
    shares = geometry.projection.explained
    if shares is None:  # a 1-D code: the map is a line
        return ("Each dot is the 1-D code of one test digit, spread along z1 (z2 is always 0). ★ marks the "
                "starting point. Click a dot to start from that test digit.")
    return (f"The {loaded.latent_dim}-D codes projected on their two principal directions "
            f"({shares[0] + shares[1]:.0%} of the variance), so nearby dots can still differ in the other "
            f"{loaded.latent_dim - 2} dimensions. ★ marks the starting point. "
            "Click a dot to start from that test digit.")


def _widen(span: tuple[float, float], value: float) -> tuple[float, float]:
    """An axis range that still shows ``value`` (a start far outside the test codes)."""
    margin = 0.04 * (span[1] - span[0])
    return min(span[0], value - margin), max(span[1], value + margin)


@st.fragment(key=MAP_FRAGMENT)
def render(loaded: Loaded) -> None:
    geometry = resources.geometry(loaded)
    projection = geometry.projection
    head = st.container(horizontal=True, vertical_alignment="center")
    head.markdown("**Map of the 10,000 test digits**")
    background = None
    if projection.exact and head.toggle("Decoded digits underneath", key=key(loaded.name, "under"),
                                        help=f"The {MANIFOLD_SIZE}×{MANIFOLD_SIZE} manifold grid, laid over the "
                                             "same axes: each tile is what the decoder draws at that spot."):
        grid = resources.manifold(loaded, MANIFOLD_SIZE)
        background = (images.to_uint8(grid.image), *grid.pixel_extent())
    start = projection.apply(explore_state.origin(loaded.name).start)[0]
    ranges = tuple(_widen(span, value) for span, value in zip(geometry.view, start))
    fig = figures.explore_map(geometry.points, resources.test_labels(), projection.prefix,
                              projection.axis_titles(), start, ranges, background=background,
                              click_grid=(*geometry.map_range, CLICK_GRID) if projection.exact else None)
    st.plotly_chart(fig, key=key(loaded.name, "map"), on_select=partial(_clicked, loaded),
                    selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": True,
                            "modeBarButtonsToRemove": ["select2d", "lasso2d"]})
    st.caption(_caption(loaded))


def manifold_grid(loaded: Loaded) -> None:
    """The classic figure: decoded digits on an even grid over the map's axes (2-D models only)."""
    if not resources.geometry(loaded).projection.exact:
        flat = [e.name for e in resources.store().entries() if e.card.get("latent_dim") == 2]
        pick = f"choose {' or '.join(f'**{name}**' for name in flat)} in the sidebar" if flat else "train one"
        st.info(f"The manifold grid needs a 2-D model, where every spot of the map is a code. **{loaded.name}** "
                f"has {loaded.latent_dim} dimensions: {pick}.")
        return
    picture, controls = st.columns([3, 2], gap="large")
    with controls:
        n = st.slider("Digits per side", 5, 30, MANIFOLD_SIZE, key=key(loaded.name, "manifold_n"))
        grid = resources.manifold(loaded, n)
        (x0, x1), (y0, y1) = grid.x_range, grid.y_range
        st.caption(f"Each tile is what the decoder draws at one spot of an even {n}×{n} grid. z1 runs from "
                   f"{x0:.2f} (left) to {x1:.2f} (right), z2 from {y1:.2f} (top) to {y0:.2f} (bottom): the mean ± 3σ "
                   "of the test codes, the same axes as the map and the sliders.")
        png = images.png_bytes(grid.image)
        st.download_button("Manifold as PNG", png, file_name=f"{loaded.name}-manifold-{n}x{n}.png", mime="image/png",
                           icon=":material/image:", on_click="ignore", key=key(loaded.name, "manifold_png"))
    picture.image(png, width=MANIFOLD_WIDTH)
