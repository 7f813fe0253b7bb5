"""Where the Draw page's digit comes from: the canvas, a random test digit, or an uploaded picture.

Each source renders its own controls and returns a :class:`DigitInput`, or None when there is
nothing to read yet. The canvas's latest drawing is kept in session state under :data:`DRAWING`,
which is also how tests inject a drawing (custom components do not render in AppTest).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from ae import images, preprocess
from ae.preprocess import InputProblem
from ae.ui import resources

CANVAS_PX = 280
SOURCE = "draw_source"
DRAWING = "draw_rgba"  # the canvas's latest RGBA array, (h, w, 4) uint8
DRAWING_JSON = "draw_json"  # its Fabric.js objects, to restore the canvas when the page is revisited
CANVAS_GEN = "draw_canvas_gen"  # bumped by Clear: a new key is a truly empty canvas
CANVAS_INITIAL = "draw_canvas_initial"  # what the current canvas was mounted with; constant while it lives
RANDOM_INDEX = "draw_random_index"
UPLOAD = "draw_upload"  # (file name, bytes) of the last file chosen, kept while other sources are shown
UPLOADER = "draw_uploader"

TITLES = {"draw": "Your drawing", "random": "A real MNIST test digit", "upload": "Your picture"}
SOURCES = {"draw": ":material/draw: Draw", "random": ":material/casino: Random test digit",
           "upload": ":material/upload: Upload a picture"}
PROMPTS = {"draw": "**Draw a digit** in the black square, as large as the square allows. "
                   "The model's view, its reconstruction and its error appear here as soon as you lift the pen.",
           "random": "Pick a random test digit to see how the model rebuilds a real MNIST digit.",
           "upload": "**Upload a PNG or JPEG** of one handwritten digit (dark ink on light paper is fine: "
                     "it is inverted to MNIST's light-on-dark)."}


@dataclass(frozen=True)
class DigitInput:
    """A digit ready for a model, with what the page should say about where it came from."""

    digit: np.ndarray  # 28x28 float 0..1, exactly the model's input
    framing: str  # how the 28x28 view was obtained
    notes: list[str] = field(default_factory=list)  # warnings about odd ink (tiny, solid, cut off)


def choose_source() -> str:
    return st.segmented_control("Where the digit comes from", list(SOURCES), format_func=SOURCES.get,
                                default="draw", required=True, key=SOURCE, persist_state="session",
                                label_visibility="collapsed")


def read(source: str) -> DigitInput | None:
    """Render the chosen source's controls (in the current column) and return its digit, if any."""
    st.markdown(f"**{TITLES[source]}**")
    return {"draw": _canvas, "random": _random_test_digit, "upload": _upload}[source]()


def _from_grey(grey: np.ndarray) -> DigitInput:
    return DigitInput(preprocess.mnistify(grey), "Cropped to the ink, scaled into a 20×20 box and centred by mass "
                      "in 28×28, the way MNIST was made.", preprocess.framing_notes(grey))


# --- the canvas ---------------------------------------------------------------------------------

def _clear() -> None:
    st.session_state[CANVAS_GEN] = st.session_state.get(CANVAS_GEN, 0) + 1
    for key in (DRAWING, DRAWING_JSON, CANVAS_INITIAL):
        st.session_state.pop(key, None)


def _canvas() -> DigitInput | None:
    # Imported here: registering the component needs a running Streamlit, and tests import this module.
    from streamlit_drawable_canvas import st_canvas

    key = f"draw_canvas_{st.session_state.get(CANVAS_GEN, 0)}"
    if key not in st.session_state:  # (re)mounted, e.g. back from another page: restore the last drawing
        st.session_state[CANVAS_INITIAL] = st.session_state.get(DRAWING_JSON)
    brush = st.session_state.get("draw_brush", 22)
    result = st_canvas(stroke_width=brush, stroke_color="#FFFFFF", background_color="#000000",
                       width=CANVAS_PX, height=CANVAS_PX, drawing_mode="freedraw", return_image_data=True,
                       initial_drawing=st.session_state.get(CANVAS_INITIAL), key=key)
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    left.slider("Brush width", 6, 40, 22, step=2, key="draw_brush", persist_state="session",
                help="MNIST strokes are about a tenth of the digit's height: 18–26 px suits this canvas.")
    right.button("Clear", icon=":material/delete:", on_click=_clear, width="stretch", key="draw_clear")
    st.caption("Draw one digit, large, the way you would on paper. The canvas's own toolbar (top right, on "
               "hover) has undo and redo.")
    if result.image_data is not None:  # None until the first stroke (and always in AppTest)
        st.session_state[DRAWING] = result.image_data
        st.session_state[DRAWING_JSON] = result.json_data
    rgba = st.session_state.get(DRAWING)
    if rgba is None:
        return None
    try:
        return _from_grey(preprocess.grey_from_rgba(rgba))
    except InputProblem:  # blank, e.g. after the canvas toolbar's own reset
        return None


# --- a random test digit ------------------------------------------------------------------------

def _another_digit() -> None:
    st.session_state[RANDOM_INDEX] = int(np.random.default_rng().integers(10_000))


def _random_test_digit() -> DigitInput | None:
    data = resources.mnist()
    if data is None:
        return None
    if st.session_state.get(RANDOM_INDEX) is None:
        _another_digit()
    index = st.session_state[RANDOM_INDEX] % len(data.x_test)
    digit = resources.test_images()[index]
    label = int(data.y_test[index])
    st.image(images.png_bytes(images.enlarge(digit, CANVAS_PX // preprocess.SIDE)), width=CANVAS_PX,
             output_format="PNG")
    st.markdown(f"Test digit **#{index}**, labelled **{label}**")
    st.button("Another test digit", icon=":material/casino:", on_click=_another_digit, key="draw_another")
    return DigitInput(digit, "MNIST's test digits are already framed this way, so this is the digit itself.")


# --- an upload ----------------------------------------------------------------------------------

def _keep_upload() -> None:
    """Copy the chosen file into session state: the uploader forgets it when it is not shown."""
    chosen = st.session_state.get(UPLOADER)
    st.session_state[UPLOAD] = None if chosen is None else (chosen.name, chosen.getvalue())


def _upload() -> DigitInput | None:
    st.file_uploader("A picture of one digit (PNG or JPEG, up to 2 MB)", type=["png", "jpg", "jpeg"], key=UPLOADER,
                     on_change=_keep_upload, max_upload_size=preprocess.MAX_UPLOAD_BYTES // (1024 * 1024))
    kept = st.session_state.get(UPLOAD)
    if kept is None:
        return None
    name, data = kept
    try:
        reading = _from_grey(preprocess.upload_to_grey(data))
    except InputProblem as problem:
        st.warning(f"**{name}**: {problem}", icon=":material/image_not_supported:")
        return None
    st.image(data, width=CANVAS_PX, caption=name)  # safe to show: it decoded as a PNG/JPEG of bounded size
    return reading
