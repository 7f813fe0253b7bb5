"""Digits as pictures: crisp enlargements, grids, strips, error heatmaps, PNG and GIF bytes."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ae.preprocess import SIDE

# A perceptual dark-to-bright colour ramp (approximating matplotlib's "magma").
_MAGMA = np.array([[0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66],
                   [245, 125, 21], [250, 193, 39], [252, 253, 191]], dtype=np.float64)


def to_uint8(image: np.ndarray) -> np.ndarray:
    return (np.clip(np.asarray(image, dtype=np.float32), 0, 1) * 255 + 0.5).astype(np.uint8)


def enlarge(image: np.ndarray, scale: int = 8) -> np.ndarray:
    """Nearest-neighbour upscaling: every model pixel stays a crisp square."""
    img = np.asarray(image)
    if img.ndim == 1:
        img = img.reshape(SIDE, SIDE)
    return np.repeat(np.repeat(img, scale, axis=0), scale, axis=1)


def colormap(values: np.ndarray, vmax: float = 1.0) -> np.ndarray:
    """0..vmax -> RGB uint8 with the magma-like ramp."""
    t = np.clip(np.asarray(values, dtype=np.float64) / max(vmax, 1e-9), 0, 1) * (len(_MAGMA) - 1)
    lo = np.floor(t).astype(int)
    hi = np.minimum(lo + 1, len(_MAGMA) - 1)
    frac = (t - lo)[..., None]
    return (_MAGMA[lo] * (1 - frac) + _MAGMA[hi] * frac).astype(np.uint8)


def error_map(original: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """Absolute per-pixel error, 0..1, shaped 28×28."""
    return np.abs(np.asarray(original, np.float32).reshape(SIDE, SIDE)
                  - np.asarray(reconstruction, np.float32).reshape(SIDE, SIDE))


def tile(images, columns: int, gap: int = 2, scale: int = 1, background: float = 0.25) -> np.ndarray:
    """A grid of 28×28 digits (float 0..1) with thin separating lines, as one float image."""
    images = [np.asarray(im, dtype=np.float32).reshape(SIDE, SIDE) for im in images]
    rows = max(1, -(-len(images) // columns))
    cell = SIDE + gap
    out = np.full((rows * cell + gap, columns * cell + gap), background, dtype=np.float32)
    for i, im in enumerate(images):
        r, c = divmod(i, columns)
        out[gap + r * cell: gap + r * cell + SIDE, gap + c * cell: gap + c * cell + SIDE] = im
    return enlarge(out, scale) if scale > 1 else out


def png_bytes(image: np.ndarray) -> bytes:
    """PNG of a float 0..1 (grey) or uint8 RGB image."""
    arr = np.asarray(image)
    arr = arr if arr.dtype == np.uint8 else to_uint8(arr)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def gif_bytes(frames, scale: int = 4, ms_per_frame: int = 80, bounce: bool = True) -> bytes:
    """An animated GIF of digits; ``bounce`` plays forward then back so the loop is seamless."""
    frames = [to_uint8(enlarge(np.asarray(f).reshape(SIDE, SIDE), scale)) for f in frames]
    if bounce and len(frames) > 2:
        frames = frames + frames[-2:0:-1]
    pictures = [Image.fromarray(f, mode="L") for f in frames]
    buf = io.BytesIO()
    pictures[0].save(buf, format="GIF", save_all=True, append_images=pictures[1:], duration=ms_per_frame,
                     loop=0, disposal=2, optimize=False)
    return buf.getvalue()


def gif_frame_count(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as gif:
        return gif.n_frames
