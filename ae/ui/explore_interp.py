"""Interpolation on the Explore page: decode the straight line between two codes, as a strip and a GIF."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae import images, latent
from ae.ui import explore_state, resources
from ae.ui.explore_start import your_code
from ae.ui.explore_state import INTERP_FRAGMENT, key
from ae.ui.resources import Loaded

ENDS = {"current": "The current digit", "yours": "Your digit", "test": "A test digit", "mean": "The mean code"}
STRIP_WIDTH = 1200  # px the strip aims for; each frame is at most 4× (112 px)


def _end(loaded: Loaded, side: str, default: str, default_index: int) -> tuple[np.ndarray, str]:
    """One end of the line: the choice of code, and words for it."""
    options = [k for k in ENDS if k != "yours" or your_code(loaded) is not None]
    what_key = key(loaded.name, f"{side}_what")
    if st.session_state.get(what_key) not in options:  # e.g. 'yours' before anything was drawn
        st.session_state[what_key] = default if default in options else options[0]
    choice = st.selectbox(side, options, format_func=ENDS.get, key=what_key)
    if choice == "current":
        return explore_state.current(loaded.name), "the current digit"
    if choice == "yours":
        return your_code(loaded), "your digit"
    if choice == "mean":
        return resources.geometry(loaded).mean, "the mean code"
    index = int(st.number_input("Test digit #", 0, len(loaded.codes()) - 1, value=default_index, step=1,
                                key=key(loaded.name, f"{side}_index")))
    return loaded.codes()[index], f"test digit #{index} (a {int(resources.test_labels()[index])})"


@st.fragment(key=INTERP_FRAGMENT)
def render(loaded: Loaded) -> None:
    st.caption("Decode evenly spaced codes on the straight line between two codes. A smooth morph means the "
               "decoder learned something sensible *between* the digits it saw, not just the digits themselves.")
    a_col, b_col, n_col = st.columns([2, 2, 3], gap="medium")
    with a_col:
        a, a_words = _end(loaded, "From", "current", 0)
    with b_col:
        b, b_words = _end(loaded, "To", "test", 1)
    with n_col:
        steps = st.slider("Steps", 3, 20, 10, key=key(loaded.name, "steps"),
                          help="Number of decoded digits, both ends included.")
        st.button("Refresh", icon=":material/refresh:", key=key(loaded.name, "refresh"),
                  help="Pick up the current digit again after moving the sliders above.")
    frames = latent.walk(loaded.model.decode, a, b, steps)
    scale = int(np.clip(STRIP_WIDTH // (steps * (28 + 2)), 1, 4))
    strip = images.png_bytes(images.tile(frames, columns=steps, scale=scale))
    st.image(strip, width="content")
    st.caption(f"From {a_words} (left) to {b_words} (right), {steps} steps, decoded by **{loaded.name}**.")
    gif = images.gif_bytes(frames, scale=4)
    anim, downloads = st.columns([1, 5], vertical_alignment="center")
    anim.image(gif, width=112, caption="Animated")
    with downloads:
        row = st.container(horizontal=True, gap="small")
        row.download_button("Strip as PNG", strip, file_name=f"{loaded.name}-interpolation.png", mime="image/png",
                            icon=":material/image:", on_click="ignore", key=key(loaded.name, "strip_png"))
        row.download_button("Animated GIF", gif, file_name=f"{loaded.name}-interpolation.gif", mime="image/gif",
                            icon=":material/animation:", on_click="ignore", key=key(loaded.name, "strip_gif"))
