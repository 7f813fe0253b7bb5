"""The sidebar shown on every page: the active-model picker, this session's jobs and the training form."""
from __future__ import annotations

import streamlit as st

from ae.ui import resources, state, training

PICKER = "model_picker"


def model_picker() -> None:
    """Pick this session's active model; other sessions keep their own.

    The session's active model is the truth; the widget is synced to it before it is drawn, so a
    freshly trained model shows up selected.
    """
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
    st.session_state[PICKER] = current
    st.sidebar.selectbox("Active model", names, format_func=labels.get, key=PICKER,
                         on_change=lambda: state.set_active_model(st.session_state[PICKER]),
                         help="Used by every page. Your choice does not affect other people.")


def render() -> None:
    st.sidebar.markdown("### Autoencoder Studio")
    training.settle()  # a model that just finished becomes active before the picker is drawn
    model_picker()
    training.sidebar()
    resources.freeze_heap()  # once per process, now that TensorFlow and the store are loaded
