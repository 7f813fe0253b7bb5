"""Draw: a digit in, exactly what the model sees, how it rebuilds it, and how unusual that is.

Only the fragment below reruns on each stroke; the sidebar's model picker reruns the whole page.
"""
import streamlit as st

from ae.diagnostics import ErrorProfile, rebuild
from ae.ui import draw_input, draw_panels, resources, state
from ae.ui.resources import Loaded

FURTHER = {"compare": ":material/view_column: Every model", "denoise": ":material/blur_on: Denoising"}

st.title("Draw a digit")
active = resources.load_or_fallback(state.active_model())
if active is None:
    st.stop()
st.markdown(
    f"The active model, **{active.name}**, squeezes your digit into **{active.latent_dim} numbers** and rebuilds "
    "it from those alone. Follow it from left to right: your input, the 28×28 picture the model actually "
    "receives, its reconstruction, and where the two differ. Everything updates when you lift the pen.")
draw_panels.style()
profile = resources.error_profile(active)  # measured once per model, before the first stroke needs it


@st.fragment
def draw_area(active: Loaded, profile: ErrorProfile | None) -> None:
    source = draw_input.choose_source()
    left, right = st.columns([1.6, 3], gap="large")  # the 280 px canvas fits from 1366 px screens
    with left:
        reading = draw_input.read(source)
    if reading is None:
        right.info(draw_input.PROMPTS[source], icon=":material/gesture:")
        return
    result = rebuild(active.model, reading.digit)
    state.remember_digit(active.name, reading.digit, result.code)
    with right:
        draw_panels.pipeline(reading.digit, reading.framing, reading.notes, result, active)
        scores, code = st.columns([1, 1.1], gap="medium")
        with scores:
            draw_panels.scores(result, profile)
        with code:
            draw_panels.code_chart(result, active)

    st.divider()
    st.subheader("Go further")
    further = st.segmented_control("Go further", list(FURTHER), format_func=FURTHER.get, key="draw_further",
                                   persist_state="session", label_visibility="collapsed")
    if further == "compare":
        st.caption("The same input rebuilt by every available model, each with its own error on this digit.")
        draw_panels.compare_all(reading.digit, active)
    elif further == "denoise":
        st.caption("Corrupt the input with noise and compare a model trained on noisy digits with a plain one.")
        draw_panels.denoise(reading.digit, active)
    else:
        st.caption("**Every model** rebuilds this same digit with each available model, side by side. "
                   "**Denoising** adds noise and shows what a model trained on noisy digits makes of it.")


draw_area(active, profile)
