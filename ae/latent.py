"""Tools for walking a model's latent space: slider axes, ranges, sampling, interpolation, maps, sharing.

Pure numpy: a model enters only as a ``decode`` callable, so every function here is testable alone.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ae.preprocess import SIDE

Decode = Callable[[np.ndarray], np.ndarray]  # (n, d) codes -> (n, 28, 28) images

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


def variance_shares(codes: np.ndarray, std: np.ndarray) -> tuple[float, ...]:
    """The share of the codes' total variance along each principal direction (std from principal_directions)."""
    total = float(np.asarray(codes, dtype=np.float64).var(axis=0, ddof=1).sum())
    return tuple(float(s) ** 2 / total if total > 0 else 0.0 for s in std)


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

    def move(self, code, i: int, value: float) -> np.ndarray:
        """The code with slider ``i`` set to ``value``; whatever the other sliders cannot see is kept.

        Along a principal direction this keeps the code's residual outside the top directions, so a
        loaded test digit stays itself while one of its principal coordinates changes.
        """
        code = np.asarray(code, dtype=np.float64).ravel()
        now = (code - self.center) @ self.basis[i]
        return (code + (float(value) - now) * self.basis[i]).astype(np.float32)


def slider_ranges(values: np.ndarray, spread: float = SPREAD) -> tuple[np.ndarray, np.ndarray]:
    """mean ± spread·σ per column; a constant column (a dead ReLU unit) still gets a usable range."""
    values = np.asarray(values, dtype=np.float64)
    mean, std = values.mean(axis=0), values.std(axis=0)
    std = np.where(std > 1e-6, std, 1.0)
    return mean - spread * std, mean + spread * std


def raw_slider_space(codes: np.ndarray) -> SliderSpace:
    """One slider per raw code dimension."""
    codes = np.asarray(codes, dtype=np.float64)
    d = codes.shape[1]
    low, high = slider_ranges(codes)
    return SliderSpace(np.zeros(d), np.eye(d), low, high, principal=False)


def slider_space(codes: np.ndarray, max_raw: int = MAX_RAW_SLIDERS, k: int = MAX_RAW_SLIDERS) -> SliderSpace:
    """Raw dimensions for small codes, else the top ``k`` principal directions of the real codes."""
    codes = np.asarray(codes, dtype=np.float64)
    if codes.shape[1] <= max_raw:
        return raw_slider_space(codes)
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


MAX_STEPS = 64


def interpolate(a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` codes from a to b inclusive, evenly spaced."""
    if not 2 <= steps <= MAX_STEPS:
        raise ValueError(f"An interpolation takes between 2 and {MAX_STEPS} steps, not {steps}.")
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"Both ends need codes of the same size ({a.size} vs {b.size}).")
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return ((1 - t) * a + t * b).astype(np.float32)


def walk(decode: Decode, a: np.ndarray, b: np.ndarray, steps: int) -> np.ndarray:
    """The decoded digits along the straight line from code a to code b: (steps, 28, 28)."""
    return np.asarray(decode(interpolate(a, b, steps))).reshape(steps, SIDE, SIDE)


# --- the map: every test code as a 2-D point ----------------------------------------------------

@dataclass(frozen=True)
class Projection:
    """Codes -> map coordinates: the code itself for 2-D models, else its first two principal components.

    Fitted once on the test-set codes, so any later code (the current one) lands on the same map.
    """

    mean: np.ndarray  # (d,)
    components: np.ndarray  # (2, d)
    prefix: str  # axis names: "z" (the code itself) or "PC"
    explained: tuple[float, float] | None  # share of the codes' variance along each PC axis

    @property
    def exact(self) -> bool:
        """True when the map *is* the latent space, so any spot on it is a code."""
        return self.prefix == "z" and self.components.shape[1] == 2

    def apply(self, codes: np.ndarray) -> np.ndarray:
        codes = np.asarray(codes, dtype=np.float64).reshape(-1, self.components.shape[1])
        return (codes - self.mean) @ self.components.T

    def lift(self, points: np.ndarray) -> np.ndarray:
        """Map coordinates back to codes (exact only for 2-D models)."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        return (self.mean + points @ self.components).astype(np.float32)

    def axis_titles(self) -> tuple[str, str]:
        if self.explained is None:
            return f"{self.prefix}1", f"{self.prefix}2"
        return tuple(f"PC {i + 1} ({share:.0%} of variance)" for i, share in enumerate(self.explained))


def fit_projection(codes: np.ndarray) -> Projection:
    codes = np.asarray(codes, dtype=np.float64)
    d = codes.shape[1]
    if d <= 2:
        return Projection(np.zeros(d), np.eye(2, d), "z", None)
    mean, components, std = principal_directions(codes, 2)
    return Projection(mean, components, "PC", variance_shares(codes, std))


def project_2d(codes: np.ndarray, reference: np.ndarray | None = None) -> tuple[np.ndarray, str]:
    """Codes as 2-D points: themselves for 2-D models, else the first two principal components.

    ``reference`` (the test-set codes) fixes the projection so a new point lands on the same map.
    """
    projection = fit_projection(codes if reference is None else reference)
    return projection.apply(codes), projection.prefix


def grid_codes(x_range: tuple[float, float], y_range: tuple[float, float], n: int) -> np.ndarray:
    """n×n codes over a 2-D rectangle, rows from top (high y) to bottom, as the classic manifold plot."""
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)[::-1]
    return np.array([[x, y] for y in ys for x in xs], dtype=np.float32)


def padded_range(values: np.ndarray, pad: float = 0.04) -> tuple[float, float]:
    """min..max of the values, widened by ``pad`` of the span on each side (a map's axis range)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    lo, hi = float(values.min()), float(values.max())
    margin = pad * (hi - lo) if hi > lo else 1.0
    return lo - margin, hi + margin


@dataclass(frozen=True)
class MapRaster:
    """The map as a small picture: marking the current code on it costs a PNG, not a chart redraw."""

    image: np.ndarray  # (size, size, 3) uint8, top row = highest y
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def pixels(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of map points, clamped to the picture's edge."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        last = self.image.shape[0] - 1
        fx = (points[:, 0] - self.x_range[0]) / (self.x_range[1] - self.x_range[0])
        fy = (points[:, 1] - self.y_range[0]) / (self.y_range[1] - self.y_range[0])
        return (np.clip(np.rint((1 - fy) * last), 0, last).astype(int),
                np.clip(np.rint(fx * last), 0, last).astype(int))

    def pixel(self, point) -> tuple[int, int]:
        rows, cols = self.pixels(point)
        return int(rows[0]), int(cols[0])

    def marked(self, current, start=None, radius: int = 6) -> np.ndarray:
        """A copy with a white crosshair on ``current`` and a grey ring on ``start``."""
        out = self.image.copy()
        size = out.shape[0]
        rows, cols = np.ogrid[:size, :size]
        if start is not None:
            r, c = self.pixel(start)
            ring = np.abs(np.hypot(rows - r, cols - c) - radius) < 1.0
            out[ring] = 170
        r, c = self.pixel(current)
        arm = radius + 4
        out[max(r - arm, 0):r + arm + 1, max(c - 1, 0):c + 2] = 255
        out[max(r - 1, 0):r + 2, max(c - arm, 0):c + arm + 1] = 255
        return out


def raster_map(points: np.ndarray, labels: np.ndarray, colors: list[str], x_range: tuple[float, float],
               y_range: tuple[float, float], size: int = 200) -> MapRaster:
    """Each point as a 2×2 dot in its digit's colour (hex), on a dark square."""
    image = np.full((size, size, 3), 14, dtype=np.uint8)
    raster = MapRaster(image, x_range, y_range)
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colors], dtype=np.uint8)
    rows, cols = raster.pixels(points)
    dots = rgb[np.asarray(labels, dtype=int) % len(rgb)]
    for dr in (0, 1):
        for dc in (0, 1):
            image[np.minimum(rows + dr, size - 1), np.minimum(cols + dc, size - 1)] = dots
    image.setflags(write=False)
    return raster


MAX_MANIFOLD = 30


@dataclass(frozen=True)
class Manifold:
    """The classic picture: the digits decoded on an n×n grid of a 2-D latent space, edge to edge."""

    image: np.ndarray  # (n·28, n·28) floats 0..1, top row = highest y
    x_range: tuple[float, float]  # codes of the first and last column
    y_range: tuple[float, float]  # codes of the bottom and top row
    n: int

    def pixel_extent(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """Latent coordinates of the first and last pixel centres, to lay the image over the map's axes."""
        def extent(lo, hi):
            cell = (hi - lo) / max(self.n - 1, 1)
            half = cell / 2 - cell / SIDE / 2
            return lo - half, hi + half
        return extent(*self.x_range), extent(*self.y_range)


def manifold(decode: Decode, x_range: tuple[float, float], y_range: tuple[float, float], n: int = 15) -> Manifold:
    if not 2 <= n <= MAX_MANIFOLD:
        raise ValueError(f"A manifold grid is between 2 and {MAX_MANIFOLD} digits wide, not {n}.")
    digits = np.asarray(decode(grid_codes(x_range, y_range, n))).reshape(n, n, SIDE, SIDE)
    image = digits.transpose(0, 2, 1, 3).reshape(n * SIDE, n * SIDE)
    return Manifold(image, (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1])), n)


# --- sharing a point by URL ---------------------------------------------------------------------

MAX_URL_DIMS = 256
MAX_URL_VALUE = 1e4


def format_code(code: np.ndarray) -> str:
    """The code as short comma-separated numbers (6 significant digits: the same picture, a short link)."""
    return ",".join(f"{v:.6g}" for v in np.asarray(code, dtype=np.float64).ravel())


def encode_state(model: str, code: np.ndarray) -> dict[str, str]:
    return {"model": model, "z": format_code(code)}


def decode_state(params: dict, models: list[str], latent_dim_of,
                 default_model: str | None = None) -> tuple[str | None, np.ndarray | None, str | None]:
    """(model, code, notice) from query params; anything malformed is dropped with a notice.

    ``latent_dim_of(name)`` gives a model's code size so a vector of the wrong length is refused;
    a link without a model is checked against ``default_model``, the one it will be shown with, and a
    vector for an unknown model is dropped with it.
    """
    model, code, problems = None, None, []
    wanted = params.get("model")
    if wanted:
        if wanted in models:
            model = wanted
        else:
            problems.append(f"the link names an unknown model ({str(wanted)[:40]!r})")
    raw = params.get("z")
    if raw and wanted and model is None:
        raw = None  # a vector meant for a model we do not have means nothing to the others
    if raw:
        try:
            parts = str(raw).split(",")
            if len(parts) > MAX_URL_DIMS:
                raise ValueError
            values = np.array([float(p) for p in parts], dtype=np.float64)
            if not np.isfinite(values).all() or np.abs(values).max() > MAX_URL_VALUE:
                raise ValueError
            target = model or default_model
            dim = latent_dim_of(target) if target else None
            if dim is not None and len(values) != dim:
                problems.append(f"the link's latent vector has {len(values)} numbers, the model needs {dim}")
            else:
                code = values.astype(np.float32)
        except ValueError:
            problems.append("the link's latent vector is not a list of numbers")
    notice = ("Ignored part of the link: " + "; ".join(problems) + ". Showing defaults instead.") if problems else None
    return model, code, notice


# --- exporting a code -----------------------------------------------------------------------------

def code_json(model: str, code: np.ndarray, origin: str | None = None) -> str:
    """The code as JSON that names its model, so it can be decoded again later."""
    values = [float(v) for v in np.asarray(code, dtype=np.float64).ravel()]
    return json.dumps({"model": model, "latent_dim": len(values), "origin": origin, "code": values}, indent=1)


def code_csv(code: np.ndarray) -> str:
    """One row per latent dimension: ``dimension,value`` (dimensions counted from 1, as the sliders)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dimension", "value"])
    writer.writerows([i + 1, repr(float(v))] for i, v in enumerate(np.asarray(code, dtype=np.float64).ravel()))
    return out.getvalue()
