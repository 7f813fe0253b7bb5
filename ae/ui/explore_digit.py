"""The live part of the Explore page: sliders over the latent space and the digit they decode.

It is a fragment, so moving a slider reruns only this panel: decoding one code on the model's compiled
fast path takes well under a millisecond. The big plotly map is not redrawn on slider moves (a redraw
of 10,000 WebGL points costs the browser far more than the 150 ms budget); a small picture of the same
map, marked with the current code, follows the sliders instead.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae import figures, images, latent
from ae.ui import explore_state, resources
from ae.ui.explore_state import DIGIT_FRAGMENT, key
from ae.ui.resources import Loaded

DIGIT_SCALE = 8  # 28 px -> 224 px, every model pixel a crisp 8×8 square (twice a strip frame)
SLIDER_STEPS = 200
RAW_COLUMNS = 3
MINIMAP = 200  # px, the small live map
FEW_SLIDERS = 4  # up to this many, the small map fits under the sliders
DECODED = "explore_decoded"  # the decoded image's container (the benchmark and browser tests find it by this)


def _spaces(loaded: Loaded) -> dict[str, latent.SliderSpace]:
    geometry = resources.geometry(loaded)
    return {"s": geometry.sliders, "z": geometry.raw}


def _moved(loaded: Loaded, kind: str, i: int) -> None:
    space = _spaces(loaded)[kind]
    code = space.move(explore_state.current(loaded.name), i, st.session_state[key(loaded.name, f"{kind}{i}")])
    explore_state.move(loaded.name, code)


def _sliders(loaded: Loaded, kind: str, code: np.ndarray, labels: list[str], helps: list[str | None],
             columns: int = 1) -> None:
    """One slider per axis of a slider space, set from the code just before it is drawn."""
    space = _spaces(loaded)[kind]
    coords = space.to_coords(code)
    cells = st.columns(columns) if columns > 1 else [st.container()]
    for i in range(space.size):
        k = key(loaded.name, f"{kind}{i}")
        st.session_state[k] = float(coords[i])
        low, high = float(space.low[i]), float(space.high[i])
        cells[i % columns].slider(labels[i], low, high, step=(high - low) / SLIDER_STEPS, format="%.2f", key=k,
                                  on_change=_moved, args=(loaded, kind, i), help=helps[i])


def _slider_panel(loaded: Loaded, code: np.ndarray) -> None:
    geometry = resources.geometry(loaded)
    space = geometry.sliders
    if space.principal:
        st.markdown(f"**Top {space.size} principal directions** of the {loaded.latent_dim}-D code")
        helps = [f"Principal direction {i + 1} of the test codes: {share:.0%} of their variance lies along it."
                 for i, share in enumerate(geometry.slider_share)]
        _sliders(loaded, "s", code, space.labels(), helps)
    else:
        st.markdown(f"**The {loaded.latent_dim} numbers of the code**")
        _sliders(loaded, "s", code, space.labels(), ["Range: the mean ± 3σ of the 10,000 test codes."] * space.size)


def _digit_panel(loaded: Loaded, code: np.ndarray, where: explore_state.Origin) -> None:
    digit = loaded.model.decode(code[None])[0]
    png = images.png_bytes(images.enlarge(digit, DIGIT_SCALE))
    st.markdown("**Decoded digit**")
    st.container(key=DECODED).image(png, width=28 * DIGIT_SCALE)
    st.caption(where.caption())
    row = st.container(horizontal=True, gap="small")
    row.download_button("PNG", png, file_name=f"{loaded.name}-digit.png", mime="image/png", on_click="ignore",
                        help=f"The decoded digit, {28 * DIGIT_SCALE}×{28 * DIGIT_SCALE} px.",
                        key=key(loaded.name, "png"))
    row.download_button("JSON", latent.code_json(loaded.name, code, where.caption()),
                        file_name=f"{loaded.name}-code.json", mime="application/json", on_click="ignore",
                        help="The latent vector, with the model it belongs to.",
                        key=key(loaded.name, "json"))
    row.download_button("CSV", latent.code_csv(code), file_name=f"{loaded.name}-code.csv", mime="text/csv",
                        on_click="ignore", help="The latent vector, one row per dimension.",
                        key=key(loaded.name, "csv"))


def _input_digit(where: explore_state.Origin) -> None:
    """The digit the code was encoded from, when there was one."""
    if where.image is not None:
        with st.expander("The input digit"):
            st.image(images.png_bytes(images.enlarge(where.image, DIGIT_SCALE // 2)), width=14 * DIGIT_SCALE)
            st.caption("What the encoder saw; the decoded digit is the model's rebuild of it from the code.")


def _where(loaded: Loaded, code: np.ndarray, where: explore_state.Origin) -> None:
    """The small live map: a crosshair on the current code, a ring where it started."""
    geometry = resources.geometry(loaded)
    project = geometry.projection.apply
    picture = resources.map_raster(loaded).marked(project(code)[0], project(where.start)[0])
    st.markdown("**Where it lies**")
    st.image(images.png_bytes(picture), width=MINIMAP)
    st.caption("The map on the right in small: ✚ is the current code, ○ where it started.")


@st.fragment(key=DIGIT_FRAGMENT)
def render(loaded: Loaded) -> None:
    code, where = explore_state.current(loaded.name), explore_state.origin(loaded.name)
    geometry = resources.geometry(loaded)
    sliders, digit = st.columns([4, 5], gap="medium")  # the digit column fits the 224 px digit
    with digit:  # drawn first, so the new digit reaches the browser before anything else
        _digit_panel(loaded, code, where)
    with sliders:
        _slider_panel(loaded, code)
    with sliders if geometry.sliders.size <= FEW_SLIDERS else digit:  # wherever there is room
        _where(loaded, code, where)
    with digit:
        _input_digit(where)
    if geometry.sliders.principal:
        st.plotly_chart(figures.latent_bars(code, height=150), key=key(loaded.name, "bars"),
                        config={"displayModeBar": False})
        st.caption(f"The {loaded.latent_dim} numbers of the current code. A principal slider moves many at once.")
        raw = st.expander(f"All {loaded.latent_dim} raw dimensions, one slider each", key=key(loaded.name, "raw"),
                          on_change="rerun")
        if raw.open:  # drawn only while open: dozens of hidden sliders would slow every change
            raw.caption("Ranges are the mean ± 3σ of each dimension over the test codes.")
            with raw:
                _sliders(loaded, "z", code, geometry.raw.labels(), [None] * geometry.raw.size, columns=RAW_COLUMNS)
    explore_state.publish_link(loaded.name, code)
