"""Starting points for the Explore page: your drawn digit, any test digit, the mean code, a random draw,
and a gallery of new digits. Each is a callback, so the new code is in place before anything is drawn."""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae import images, latent
from ae.ui import resources, state
from ae.ui.explore_state import Origin, has_code, key, set_code
from ae.ui.resources import Loaded

SEED = "explore_seed"  # a per-session counter: every random draw differs, and says which seed it used
GALLERY_SIZE = 16
GALLERY_COLUMNS = 8


def _next_seed() -> int:
    st.session_state[SEED] = st.session_state.get(SEED, 0) + 1
    return st.session_state[SEED]


def your_code(loaded: Loaded) -> np.ndarray | None:
    """The code of the digit drawn on the Draw page, encoded with this model if it was drawn under another."""
    code, digit = state.your_code(loaded.name), state.your_digit()
    if code is None and digit is not None:
        code = loaded.model.encode(digit)[0]
        state.remember_digit(loaded.name, digit, code)
    return code


def random_source(loaded: Loaded) -> str:
    return "the prior N(0, I)" if loaded.is_vae else "a Gaussian fitted to the test codes"


# --- callbacks ------------------------------------------------------------------------------------

def start_yours(loaded: Loaded) -> None:
    code = your_code(loaded)
    if code is not None:
        set_code(loaded.name, code, Origin("your digit from the Draw page", state.your_digit()))


def start_test(loaded: Loaded, index: int, how: str = "") -> None:
    """Start from a test digit's code; ``how`` says how it was chosen (e.g. on the map)."""
    index = int(np.clip(index, 0, len(loaded.codes()) - 1))
    st.session_state[key(loaded.name, "test")] = index
    label = int(resources.test_labels()[index])
    set_code(loaded.name, loaded.codes()[index],
             Origin(f"test digit #{index} (a {label}){how}", resources.test_images()[index]))


def start_spot(loaded: Loaded, spot: np.ndarray) -> None:
    """Start from a spot clicked on a 2-D map, which is itself a code."""
    code = resources.geometry(loaded).projection.lift(spot)[0]
    set_code(loaded.name, code, Origin(f"the spot ({spot[0]:.2f}, {spot[1]:.2f}) clicked on the map"))


def _start_typed_test(loaded: Loaded) -> None:
    start_test(loaded, st.session_state[key(loaded.name, "test")])


def _start_random_test(loaded: Loaded) -> None:
    start_test(loaded, np.random.default_rng(_next_seed()).integers(len(loaded.codes())))


def start_mean(loaded: Loaded) -> None:
    set_code(loaded.name, resources.geometry(loaded).mean, Origin("the mean code of the 10,000 test digits"))


def start_random(loaded: Loaded) -> None:
    seed = _next_seed()
    code = latent.random_codes(loaded.codes(), 1, seed, prior=loaded.is_vae)[0]
    set_code(loaded.name, code, Origin(f"a random draw from {random_source(loaded)} (seed {seed})"))


def _generate(loaded: Loaded) -> None:
    seed = _next_seed()
    st.session_state[key(loaded.name, "gallery")] = (seed, latent.random_codes(loaded.codes(), GALLERY_SIZE, seed,
                                                                               prior=loaded.is_vae))
    st.session_state.pop(key(loaded.name, "pick"), None)


def _start_generated(loaded: Loaded) -> None:
    pick = st.session_state.get(key(loaded.name, "pick"))
    seed, codes = st.session_state[key(loaded.name, "gallery")]
    if pick is not None:
        set_code(loaded.name, codes[pick - 1], Origin(f"new digit {pick} of the gallery (seed {seed})"))


def ensure_start(loaded: Loaded) -> None:
    """A first place for this model: your digit if you drew one, else the first test digit."""
    if not has_code(loaded.name, loaded.latent_dim):
        start_yours(loaded)
    if not has_code(loaded.name, loaded.latent_dim):
        start_test(loaded, 0)


# --- what the page shows ------------------------------------------------------------------------

def start_row(loaded: Loaded) -> None:
    """One row of buttons: each replaces the current code (and so the sliders, the image and the map)."""
    row = st.container(horizontal=True, vertical_alignment="bottom", gap="small")
    drawn = state.your_digit() is not None
    row.button("Your digit", icon=":material/draw:", on_click=start_yours, args=(loaded,), disabled=not drawn,
               help="The digit you drew on the Draw page." if drawn else "Draw a digit on the Draw page first.")
    row.number_input("Test digit #", min_value=0, max_value=len(loaded.codes()) - 1, step=1,
                     key=key(loaded.name, "test"), on_change=_start_typed_test, args=(loaded,), width=150,
                     help="Any of the 10,000 test digits: type its number and press Enter.")
    row.button("Random test digit", icon=":material/shuffle:", on_click=_start_random_test, args=(loaded,))
    row.button("Mean code", icon=":material/functions:", on_click=start_mean, args=(loaded,),
               help="The average of the 10,000 test codes: often a blurry blend of every digit.")
    row.button("Random draw", icon=":material/casino:", on_click=start_random, args=(loaded,),
               help=f"A new code drawn from {random_source(loaded)}, so a digit no one drew.")


def gallery(loaded: Loaded) -> None:
    """'Generate 16': new codes decoded side by side; any of them can become the current digit."""
    st.button(f"Generate {GALLERY_SIZE} new digits", icon=":material/auto_awesome:", on_click=_generate,
              args=(loaded,), type="primary")
    drawn = st.session_state.get(key(loaded.name, "gallery"))
    if drawn is None:
        st.caption(f"Each one decodes a fresh code drawn from {random_source(loaded)}.")
        return
    seed, codes = drawn
    digits = loaded.model.decode(codes)
    st.image(images.png_bytes(images.tile(digits, columns=GALLERY_COLUMNS, scale=4, gap=2)), width="stretch")
    st.caption(f"{GALLERY_SIZE} codes drawn from {random_source(loaded)} with seed {seed}, decoded by "
               f"**{loaded.name}**. Numbered left to right, top to bottom.")
    st.pills("Continue from one of them", list(range(1, GALLERY_SIZE + 1)), key=key(loaded.name, "pick"),
             on_change=_start_generated, args=(loaded,))
