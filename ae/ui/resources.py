"""Shared, cached resources: data, the store, models and their test-set codes.

Cached objects are shared by every session, so they are never mutated after creation; the models'
numpy API takes a per-model lock around its compiled calls.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ae import figures, latent
from ae.data import DataUnavailable, Mnist, load_mnist
from ae.diagnostics import ErrorProfile
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


# --- Draw page: how unusual is a digit, and every model at once --------------------------------

@st.cache_resource(max_entries=16, show_spinner="Measuring this model's error on each of the 10,000 test digits …")
def _error_profile(name: str, stamp: float) -> ErrorProfile:
    model, _ = _load(name, stamp)
    return ErrorProfile.measure(model, test_images())


def error_profile(loaded: Loaded) -> ErrorProfile | None:
    """The model's per-digit test-set errors (computed once per model), or None without MNIST."""
    try:
        return _error_profile(loaded.name, loaded.stamp)
    except DataUnavailable:
        return None


def every_model() -> tuple[list[Loaded], list[str]]:
    """Every listed model that loads, in store order, and a message for each one that does not."""
    loaded, problems = [], []
    for name in store().names():
        try:
            loaded.append(load(name))
        except StoreError as exc:
            problems.append(str(exc))
    return loaded, problems


@st.cache_resource(show_spinner=False)
def jobs():
    """The server's one job manager: every session's training jobs, one training at a time."""
    from ae.jobs import JobManager

    s = store()
    return JobManager(s.shipped_dir, s.user_dir)


# --- the Explore page: per-model geometry of the latent space, shared by every session ------------

@st.cache_resource(show_spinner=False)
def test_labels() -> np.ndarray:
    labels = np.asarray(_mnist().y_test).copy()
    labels.setflags(write=False)
    return labels


@dataclass(frozen=True)
class LatentGeometry:
    """What the Explore page derives from a model's 10k test codes; computed once per model file."""

    sliders: latent.SliderSpace  # the main sliders (raw dims, or principal directions for big codes)
    raw: latent.SliderSpace  # one slider per dimension
    projection: latent.Projection  # codes -> map coordinates
    points: np.ndarray  # (10k, 2) the test codes on the map
    map_range: tuple[tuple[float, float], tuple[float, float]]  # mean ± 3σ of the points, per axis
    view: tuple[tuple[float, float], tuple[float, float]]  # the points' extent, padded: the map's axes
    mean: np.ndarray  # the mean test code
    slider_share: tuple[float, ...] | None  # share of the variance along each principal slider


@st.cache_resource(max_entries=16, show_spinner="Measuring how the 10,000 test codes spread …")
def _geometry(name: str, stamp: float) -> LatentGeometry:
    codes = _codes(name, stamp)
    sliders = latent.slider_space(codes)
    projection = latent.fit_projection(codes)
    points = projection.apply(codes)
    low, high = latent.slider_ranges(points)
    share = None
    if sliders.principal:
        _, _, std = latent.principal_directions(codes, sliders.size)
        share = latent.variance_shares(codes, std)
    mean = codes.mean(axis=0).astype(np.float32)
    for array in (points, mean):
        array.setflags(write=False)
    return LatentGeometry(sliders, latent.raw_slider_space(codes), projection, points,
                          ((float(low[0]), float(high[0])), (float(low[1]), float(high[1]))),
                          (latent.padded_range(points[:, 0]), latent.padded_range(points[:, 1])), mean, share)


def geometry(loaded: Loaded) -> LatentGeometry:
    return _geometry(loaded.name, loaded.stamp)


@st.cache_resource(max_entries=16, show_spinner=False)
def _map_raster(name: str, stamp: float) -> latent.MapRaster:
    geometry = _geometry(name, stamp)
    return latent.raster_map(geometry.points, test_labels(), figures.DIGIT_COLORS, *geometry.view)


def map_raster(loaded: Loaded) -> latent.MapRaster:
    """The map as a small picture, for marking the current code on every slider move."""
    return _map_raster(loaded.name, loaded.stamp)


@st.cache_resource(max_entries=32, show_spinner="Decoding the manifold grid …")
def _manifold(name: str, stamp: float, n: int) -> latent.Manifold:
    model, _ = _load(name, stamp)
    (x_range, y_range) = _geometry(name, stamp).map_range
    result = latent.manifold(model.decode, x_range, y_range, n)
    result.image.setflags(write=False)
    return result


def manifold(loaded: Loaded, n: int = 15) -> latent.Manifold:
    """The decoded n×n grid over the map's axes (2-D models only)."""
    return _manifold(loaded.name, loaded.stamp, n)


@st.cache_resource(show_spinner=False)
def freeze_heap() -> bool:
    """Move everything alive after the first full run (TensorFlow, Keras, the models) out of the
    garbage collector's sight, once per process: Streamlit collects after every run, and walking
    TensorFlow's millions of objects each time delayed a third of the Draw page's updates by ~300 ms."""
    import gc

    gc.collect()
    gc.freeze()
    return True
