"""Autoencoder Studio: the frame only (navigation and sidebar); pages live in ae/ui/pages."""
import ae  # noqa: F401  (quiet TensorFlow first)
import streamlit as st

from ae.ui import sidebar

st.set_page_config(page_title="Autoencoder Studio", page_icon="🔁", layout="wide")
page = st.navigation([
    st.Page("ae/ui/pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("ae/ui/pages/draw.py", title="Draw", icon=":material/draw:"),
    st.Page("ae/ui/pages/explore.py", title="Explore", icon=":material/explore:"),
    st.Page("ae/ui/pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("ae/ui/pages/models.py", title="Models", icon=":material/inventory_2:"),
])
sidebar.render()
page.run()
