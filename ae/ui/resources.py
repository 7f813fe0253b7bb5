"""Shared, cached resources: data, the store, models and their test-set codes.

Cached objects are shared by every session, so they are never mutated after creation; the models'
numpy API takes a per-model lock around its compiled calls.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ae.data import DataUnavailable, Mnist, load_mnist
from ae.models import Autoencoder
from ae.preprocess import to_unit
from ae.store import ModelStore, StoreError

DEFAULT_MODEL = "seed"


@st.cache_resource(show_spinner=False)
def store() -> ModelStore:
    s = ModelStore()
    s.clean_leftovers()
    return s


@st.cache_resource(show_spinner="Loading MNIST (verified against its SHA-256 hashes) …")
def _mnist() -> Mnist:
    return load_mnist()


def mnist() -> Mnist | None:
    """The data set, or None after showing why it is unavailable (never a traceback)."""
    try:
        return _mnist()
    except DataUnavailable as exc:
        st.error(f"MNIST is not available.\n\n{exc}")
        return None


@st.cache_resource(show_spinner=False)
def test_images() -> np.ndarray:
    """The 10k test digits as float 0..1, computed once for every session."""
    return to_unit(_mnist().x_test)


@st.cache_resource(max_entries=16, show_spinner="Loading model …")
def _load(name: str, stamp: float) -> tuple[Autoencoder, dict]:
    """``stamp`` (the file's mtime) makes a re-saved model load afresh."""
    return store().load(name)


@st.cache_resource(max_entries=16, show_spinner="Encoding the 10,000 test digits …")
def _codes(name: str, stamp: float) -> np.ndarray:
    model, _ = _load(name, stamp)
    codes = model.encode(test_images())
    codes.setflags(write=False)
    return codes


@dataclass(frozen=True)
class Loaded:
    name: str
    model: Autoencoder
    card: dict
    stamp: float

    @property
    def latent_dim(self) -> int:
        return self.model.cfg.latent_dim

    @property
    def is_vae(self) -> bool:
        return self.model.cfg.family == "vae"

    def codes(self) -> np.ndarray:
        """Codes of the 10k test digits (cached per model)."""
        return _codes(self.name, self.stamp)


def load(name: str) -> Loaded:
    """Load a model by name; raises StoreError with a message naming the file."""
    entry = store().get(name)
    stamp = entry.path.stat().st_mtime
    model, card = _load(name, stamp)
    return Loaded(name, model, card, stamp)


def load_or_fallback(name: str | None) -> Loaded | None:
    """The wanted model, or the shipped default with a visible explanation if it cannot be loaded."""
    tried = []
    for candidate in dict.fromkeys([name, DEFAULT_MODEL, *store().names()]):
        if not candidate:
            continue
        try:
            loaded = load(candidate)
        except StoreError as exc:
            tried.append(str(exc))
            continue
        if tried:
            st.warning("Could not load the chosen model, so this page uses "
                       f"**{loaded.name}** instead.\n\n" + "\n\n".join(tried))
        return loaded
    st.error("No model could be loaded. " + " ".join(tried))
    return None
