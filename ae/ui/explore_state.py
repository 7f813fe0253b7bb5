"""The Explore page's place in each model's latent space: the current code, where it came from, the link.

The code is the one source of truth: every control that moves it calls ``set_code``, and the sliders
are re-synced from it before they are drawn, so the sliders, the digit, the small map and the link agree.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from ae import latent
from ae.ui import resources, state

CODES = "explore_codes"  # model name -> current code
ORIGINS = "explore_origins"  # model name -> Origin
LINK = "explore_link"  # the query params this session last applied or wrote
NOTICE = "explore_notice"  # a message about a link, shown once
LINK_KEYS = ("model", "z")
# fragment keys, so a callback can rerun exactly the panels a change affects
DIGIT_FRAGMENT, MAP_FRAGMENT, INTERP_FRAGMENT = "explore_digit", "explore_map", "explore_interp"


@dataclass(frozen=True)
class Origin:
    """Where the current code came from, in words, and the input digit when there was one."""

    words: str
    image: np.ndarray | None = None
    moved: bool = False
    start: np.ndarray | None = None  # the code as it arrived, before any slider moved it

    def caption(self) -> str:
        return f"Started from {self.words}" + (", then moved with the sliders." if self.moved else ".")


def key(model: str, what: str) -> str:
    """A widget key of the Explore page, one set per model so switching models keeps each place."""
    return f"explore:{model}:{what}"


def has_code(model: str, latent_dim: int) -> bool:
    """True when this session has a place for the model (of the right size: a model file can be replaced)."""
    code = st.session_state.get(CODES, {}).get(model)
    return code is not None and code.size == latent_dim


def current(model: str) -> np.ndarray:
    return st.session_state[CODES][model]


def origin(model: str) -> Origin:
    return st.session_state[ORIGINS][model]


def set_code(model: str, code, where: Origin) -> None:
    code = np.asarray(code, dtype=np.float32).ravel().copy()
    st.session_state.setdefault(CODES, {})[model] = code
    st.session_state.setdefault(ORIGINS, {})[model] = where if where.start is not None else replace(where, start=code)


def move(model: str, code) -> None:
    """A new code from the sliders: the origin stays, marked as moved."""
    set_code(model, code, replace(origin(model), moved=True))


# --- the link: the URL carries the model and the code --------------------------------------------

def _link_params() -> dict[str, str]:
    return {k: st.query_params[k] for k in LINK_KEYS if k in st.query_params}


def apply_link() -> bool:
    """Adopt a link's model and code once; True when the active model changed (the page should rerun).

    A link is applied only when the address differs from what this session last wrote, so choosing
    another model in the sidebar is not undone by the old address.
    """
    params = _link_params()
    if not params or params == st.session_state.get(LINK):
        return False
    st.session_state[LINK] = params
    entries = {e.name: e for e in resources.store().entries()}

    def latent_dim_of(name: str) -> int | None:
        entry = entries.get(name)
        return entry.card.get("latent_dim") if entry else None

    model, code, notice = latent.decode_state(params, list(entries), latent_dim_of,
                                              default_model=state.active_model())
    if notice:
        st.session_state[NOTICE] = notice
    changed = model is not None and model != state.active_model()
    if changed:
        state.set_active_model(model)
    if code is not None:
        set_code(model or state.active_model(), code, Origin("a shared link"))
    return changed


def pop_notice() -> str | None:
    return st.session_state.pop(NOTICE, None)


def publish_link(model: str, code) -> None:
    """Write the model and code into the address bar, so copying it shares this very digit."""
    params = latent.encode_state(model, code)
    if st.session_state.get(LINK) != params or _link_params() != params:
        st.query_params.update(params)
        st.session_state[LINK] = params
