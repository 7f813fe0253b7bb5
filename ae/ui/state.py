"""Per-session state, behind named helpers so pages never spell session keys themselves."""
from __future__ import annotations

import numpy as np
import streamlit as st

ACTIVE = "active_model"
YOUR_CODES = "your_codes"  # model name -> latent code of the last digit drawn on the Draw page
YOUR_DIGIT = "your_digit"  # the 28x28 input of that digit


def active_model() -> str | None:
    return st.session_state.get(ACTIVE)


def set_active_model(name: str) -> None:
    st.session_state[ACTIVE] = name


def remember_digit(model_name: str, digit: np.ndarray, code: np.ndarray) -> None:
    """Hand a drawing to the Explore page as 'your digit'."""
    st.session_state.setdefault(YOUR_CODES, {})[model_name] = np.asarray(code, np.float32).ravel()
    st.session_state[YOUR_DIGIT] = np.asarray(digit, np.float32).reshape(28, 28)


def your_code(model_name: str) -> np.ndarray | None:
    return st.session_state.get(YOUR_CODES, {}).get(model_name)


def your_digit() -> np.ndarray | None:
    return st.session_state.get(YOUR_DIGIT)
