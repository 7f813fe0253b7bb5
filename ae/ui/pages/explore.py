"""Explore: walk the active model's latent space with sliders, a map, interpolations and new digits."""
import streamlit as st

from ae.ui import explore_digit, explore_interp, explore_map, explore_start, explore_state, resources, state

if explore_state.apply_link():  # a shared link named another model: make it this session's active model
    st.rerun()
if resources.mnist() is None:
    st.stop()
loaded = resources.load_or_fallback(state.active_model())
if loaded is None:
    st.stop()
explore_start.ensure_start(loaded)

st.html("<style>[data-testid='stImage'] img {image-rendering: pixelated}</style>")  # digits stay crisp squares
st.title("Explore the latent space")
KINDS = {"seed": "one-layer autoencoder (the article's)", "deep": "deep autoencoder",
         "conv": "convolutional autoencoder", "vae": "variational autoencoder"}
kind = KINDS.get(loaded.model.cfg.family, "autoencoder")
st.markdown(
    f"**{loaded.name}** is a {kind} with a **{loaded.latent_dim}-D code**: every digit it sees becomes "
    f"{loaded.latent_dim} numbers, and its decoder draws a digit from any {loaded.latent_dim} numbers you give it. "
    "Move the sliders, click the map, or pick a starting point, and watch what the decoder draws.")
notice = explore_state.pop_notice()
if notice:
    st.warning(notice, icon=":material/link_off:")
explore_start.start_row(loaded)

left, right = st.columns([1, 1], gap="large")
with left:
    explore_digit.render(loaded)
with right:
    explore_map.render(loaded)

st.divider()
interpolate, generate, grid = st.tabs(["Interpolate", "Generate new digits", "Manifold grid"])
with interpolate:
    explore_interp.render(loaded)
with generate:
    explore_start.gallery(loaded)
with grid:
    explore_map.manifold_grid(loaded)
