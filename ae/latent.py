"""Tools for walking a model's latent space: slider axes, ranges, sampling, interpolation, URL state."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MAX_RAW_SLIDERS = 8
SPREAD = 3.0  # slider ranges cover mean ± 3σ of the real codes


def principal_directions(codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, components (k, d) orthonormal, std along each component), largest variance first."""
    codes = np.asarray(codes, dtype=np.float64)
    mean = codes.mean(axis=0)
    _, singular, vt = np.linalg.svd(codes - mean, full_matrices=False)
    k = min(k, vt.shape[0])
    # Fix each direction's sign so the axes do not flip between runs.
    signs = np.sign(vt[:k][np.arange(k), np.abs(vt[:k]).argmax(axis=1)])
    components = vt[:k] * signs[:, None]
    std = singular[:k] / math.sqrt(max(len(codes) - 1, 1))
    return mean, components, std


@dataclass(frozen=True)
class SliderSpace:
    """Maps slider positions to codes: the raw dimensions, or principal directions for big codes."""

    center: np.ndarray  # (d,) origin of the slider coordinates
    basis: np.ndarray  # (k, d) one row per slider
    low: np.ndarray  # (k,) slider minimums
    high: np.ndarray  # (k,) slider maximums
    principal: bool

    @property
    def size(self) -> int:
        return len(self.basis)

    def to_code(self, coords) -> np.ndarray:
        return (self.center + np.asarray(coords, dtype=np.float64) @ self.basis).astype(np.float32)

    def to_coords(self, code) -> np.ndarray:
        """Slider positions for a code (its projection, for principal sliders), clipped to the ranges."""
        coords = (np.asarray(code, dtype=np.float64) - self.center) @ self.basis.T
        return np.clip(coords, self.low, self.high)

    def labels(self) -> list[str]:
        return [f"PC {i + 1}" if self.principal else f"z{i + 1}" for i in range(self.size)]


def slider_ranges(values: np.ndarray, spread: float = SPREAD) -> tuple[np.ndarray, np.ndarray]:
    """mean ± spread·σ per column; a constant column (a dead ReLU unit) still gets a usable range."""
    values = np.asarray(values, dtype=np.float64)
    mean, std = values.mean(axis=0), values.std(axis=0)
    std = np.where(std > 1e-6, std, 1.0)
    return mean - spread * std, mean + spread * std


def slider_space(codes: np.ndarray, max_raw: int = MAX_RAW_SLIDERS, k: int = MAX_RAW_SLIDERS) -> SliderSpace:
    codes = np.asarray(codes, dtype=np.float64)
    d = codes.shape[1]
    if d <= max_raw:
        low, high = slider_ranges(codes)
        return SliderSpace(np.zeros(d), np.eye(d), low, high, principal=False)
    mean, components, _ = principal_directions(codes, k)
    low, high = slider_ranges((codes - mean) @ components.T)
    return SliderSpace(mean, components, low, high, principal=True)


def fit_gaussian(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes = np.asarray(codes, dtype=np.float64)
    return codes.mean(axis=0), np.cov(codes, rowvar=False).reshape(codes.shape[1], codes.shape[1])


def random_codes(codes: np.ndarray, n: int, seed: int, prior: bool) -> np.ndarray:
    """New codes: from N(0, I) for a VAE's prior, else from a Gaussian fitted to the real codes."""
    rng = np.random.default_rng(seed)
    d = np.asarray(codes).shape[1]
    if prior:
        return rng.standard_normal((n, d)).astype(np.float32)
    mean, cov = fit_gaussian(codes)
    return rng.multivariate_normal(mean, cov, size=n, method="eigh").astype(np.float32)


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` codes from a to b inclusive, evenly spaced."""
    if steps < 2:
        raise ValueError("An interpolation needs at least 2 steps.")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return ((1 - t) * a + t * b).astype(np.float32)


def project_2d(codes: np.ndarray, reference: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Codes as 2-D points: themselves for 2-D models, else the first two principal components.

    ``reference`` (the test-set codes) fixes the projection so a new point lands on the same map.
    """
    codes = np.asarray(codes, dtype=np.float64)
    if codes.shape[1] == 2:
        return codes, "z"
    if codes.shape[1] == 1:
        return np.column_stack([codes[:, 0], np.zeros(len(codes))]), "z"
    mean, components, _ = principal_directions(codes if reference is None else reference, 2)
    return (codes - mean) @ components.T, "PC"


def grid_codes(x_range: tuple[float, float], y_range: tuple[float, float], n: int) -> np.ndarray:
    """n×n codes over a 2-D rectangle, rows from top (high y) to bottom, as the classic manifold plot."""
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)[::-1]
    return np.array([[x, y] for y in ys for x in xs], dtype=np.float32)


# --- sharing a point by URL ---------------------------------------------------------------------

MAX_URL_DIMS = 256


def encode_state(model: str, code: np.ndarray) -> dict[str, str]:
    return {"model": model, "z": ",".join(f"{v:.4g}" for v in np.asarray(code, dtype=np.float64).ravel())}


def decode_state(params: dict, models: list[str], latent_dim_of) -> tuple[str | None, np.ndarray | None, str | None]:
    """(model, code, notice) from query params; anything malformed is dropped with a notice.

    ``latent_dim_of(name)`` gives a model's code size so a vector of the wrong length is refused.
    """
    model, code, problems = None, None, []
    wanted = params.get("model")
    if wanted:
        if wanted in models:
            model = wanted
        else:
            problems.append(f"the link names an unknown model ({str(wanted)[:40]!r})")
    raw = params.get("z")
    if raw:
        try:
            parts = str(raw).split(",")
            if len(parts) > MAX_URL_DIMS:
                raise ValueError
            values = np.array([float(p) for p in parts], dtype=np.float64)
            if not np.isfinite(values).all() or np.abs(values).max() > 1e4:
                raise ValueError
            dim = latent_dim_of(model) if model else None
            if dim is not None and len(values) != dim:
                problems.append(f"the link's latent vector has {len(values)} numbers, the model needs {dim}")
            else:
                code = values.astype(np.float32)
        except ValueError:
            problems.append("the link's latent vector is not a list of numbers")
    notice = ("Ignored part of the link: " + "; ".join(problems) + ". Showing defaults instead.") if problems else None
    return model, code, notice
