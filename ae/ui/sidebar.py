"""The sidebar shown on every page: the active-model picker (and, in ae.ui.training, the training form)."""
from __future__ import annotations

import streamlit as st

from ae.ui import resources, state


def model_picker() -> None:
    """Pick this session's active model; other sessions keep their own."""
    entries = resources.store().entries()
    if not entries:
        st.sidebar.error("No models found in models/ or the user store.")
        return
    names = [e.name for e in entries]
    labels = {e.name: e.label + ("" if e.shipped else " · yours") for e in entries}
    current = state.active_model()
    if current not in names:
        current = resources.DEFAULT_MODEL if resources.DEFAULT_MODEL in names else names[0]
        state.set_active_model(current)
    choice = st.sidebar.selectbox("Active model", names, index=names.index(current),
                                  format_func=labels.get, key="model_picker",
                                  help="Used by every page. Your choice does not affect other people.")
    if choice != current:
        state.set_active_model(choice)


def render() -> None:
    st.sidebar.markdown("### Autoencoder Studio")
    model_picker()
