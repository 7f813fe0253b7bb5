"""Turn pixels into exactly what the models see, the way MNIST itself was made.

MNIST digits were size-normalised to fit a 20x20 box (keeping aspect ratio, with antialiasing)
and then centred by centre of mass in a 28x28 field. Doing the same to a drawing is what makes
a hand-drawn digit look like the training data.
"""
from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps

SIDE = 28
BOX = 20
FLAT = SIDE * SIDE
CENTRE = SIDE / 2  # MNIST's centres of mass sit at (14.0, 14.0) +- 0.3 (measured), not at 13.5
INK_THRESHOLD = 0.05  # grey level below which a pixel counts as background
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_PIXELS = 4096 * 4096


class InputProblem(ValueError):
    """The input cannot become a digit; the message is meant for the person who gave it."""


# --- normalisation and shapes: the one place that knows them --------------------------------

def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 0..255 -> float32 0..1 (the article's ``/255``)."""
    return np.asarray(images, dtype=np.float32) / 255.0


def as_flat(images: np.ndarray) -> np.ndarray:
    """Any (..., 28, 28[, 1]) or (784,) batch -> (n, 784) float32, the dense models' input."""
    return np.asarray(images, dtype=np.float32).reshape(-1, FLAT)


def as_image(images: np.ndarray) -> np.ndarray:
    """Any batch -> (n, 28, 28, 1) float32, the convolutional models' input."""
    return np.asarray(images, dtype=np.float32).reshape(-1, SIDE, SIDE, 1)


def for_model(images: np.ndarray, input_shape: tuple) -> np.ndarray:
    """Shape a batch for a model whose input shape is ``(None, 784)`` or ``(None, 28, 28, 1)``."""
    return as_flat(images) if len(input_shape) == 2 else as_image(images)


# --- canvas / upload -> 28x28 ----------------------------------------------------------------

def grey_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """White strokes on black, as the canvas returns them -> grey level 0..1.

    The canvas may be transparent where nothing was drawn, so luminance is weighted by alpha.
    """
    rgba = np.asarray(rgba)
    if rgba.ndim == 2:
        return rgba.astype(np.float32) / (255.0 if rgba.dtype == np.uint8 or rgba.max() > 1 else 1.0)
    if rgba.ndim != 3 or rgba.shape[2] not in (3, 4):
        raise InputProblem(f"Expected an RGB(A) image, got an array of shape {rgba.shape}.")
    px = rgba.astype(np.float32) / 255.0
    grey = 0.299 * px[..., 0] + 0.587 * px[..., 1] + 0.114 * px[..., 2]
    if rgba.shape[2] == 4:
        grey = grey * px[..., 3]
    return grey


def bounding_box(grey: np.ndarray, threshold: float = INK_THRESHOLD) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), exclusive ends, of the ink; None for a blank image."""
    rows = np.flatnonzero((grey > threshold).any(axis=1))
    cols = np.flatnonzero((grey > threshold).any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def centre_of_mass(grey: np.ndarray) -> tuple[float, float]:
    total = grey.sum()
    if total <= 0:
        return (grey.shape[0] - 1) / 2, (grey.shape[1] - 1) / 2
    rows, cols = np.indices(grey.shape)
    return float((rows * grey).sum() / total), float((cols * grey).sum() / total)


def _shift(img: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Integer translation with zero fill (np.roll would wrap ink around the edges)."""
    out = np.zeros_like(img)
    h, w = img.shape
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[yd, xd] = img[ys, xs]
    return out


def mnistify(grey: np.ndarray) -> np.ndarray:
    """Grey image of any size (ink bright) -> 28x28 float32 in MNIST's framing.

    Raises :class:`InputProblem` for a blank image.
    """
    grey = np.clip(np.asarray(grey, dtype=np.float32), 0.0, 1.0)
    box = bounding_box(grey)
    if box is None:
        raise InputProblem("Nothing to read yet: the image is blank. Draw a digit.")
    top, bottom, left, right = box
    crop = grey[top:bottom, left:right]
    h, w = crop.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    # Float ("F" mode) resampling: no 8-bit rounding, and LANCZOS antialiases when shrinking.
    small = np.asarray(Image.fromarray(np.ascontiguousarray(crop)).resize((new_w, new_h), Image.LANCZOS))
    small = np.clip(small, 0.0, 1.0)  # LANCZOS rings slightly outside 0..1
    field = np.zeros((SIDE, SIDE), dtype=np.float32)
    y0, x0 = (SIDE - new_h) // 2, (SIDE - new_w) // 2
    field[y0:y0 + new_h, x0:x0 + new_w] = small
    cy, cx = centre_of_mass(field)
    dy, dx = int(round(CENTRE - cy)), int(round(CENTRE - cx))  # whole pixels, as MNIST was made
    # Never push ink off the field: limit the shift to the free margin.
    box = bounding_box(field)
    if box is not None:
        t, b, l, r = box
        dy = int(np.clip(dy, -t, SIDE - b))
        dx = int(np.clip(dx, -l, SIDE - r))
    return np.clip(_shift(field, dy, dx), 0.0, 1.0)


def canvas_to_digit(rgba: np.ndarray | None) -> np.ndarray:
    """The drawable canvas's RGBA array -> the model's 28x28 input (InputProblem if empty)."""
    if rgba is None:
        raise InputProblem("Nothing to read yet: the canvas is empty. Draw a digit.")
    return mnistify(grey_from_rgba(rgba))


def framing_notes(grey: np.ndarray, threshold: float = INK_THRESHOLD) -> list[str]:
    """Plain-words warnings about ink that MNIST's framing will treat oddly (empty when fine).

    ``grey`` is the picture before framing (canvas or upload), where size and edges still mean something.
    """
    box = bounding_box(grey, threshold)
    if box is None:
        return []
    top, bottom, left, right = box
    height, width = grey.shape
    notes = []
    if max(bottom - top, right - left) < 0.1 * max(height, width):
        notes.append("Your drawing is tiny, so it was magnified a lot: its strokes became thick blobs. "
                     "Draw the digit bigger.")
    if (grey[top:bottom, left:right] > 0.5).mean() > 0.6:
        notes.append("This is mostly solid ink rather than pen strokes, unlike any handwritten digit.")
    if top == 0 or left == 0 or bottom == height or right == width:
        notes.append("The ink touches the edge of the picture, so part of the digit may be cut off.")
    return notes


def upload_to_digit(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> np.ndarray:
    """An uploaded PNG/JPEG -> 28x28 input. Dark-on-light photos are inverted to MNIST's light-on-dark."""
    return mnistify(upload_to_grey(data, max_bytes))


def upload_to_grey(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> np.ndarray:
    """Validate and decode an upload into ink-bright grey 0..1, at its own size.

    Size and format are checked from the header, before any pixel is decoded, so a small file
    claiming a huge picture costs nothing. Every decoding failure becomes an :class:`InputProblem`.
    """
    if not data:
        raise InputProblem("The file is empty (0 bytes).")
    if len(data) > max_bytes:
        raise InputProblem(f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.")
    try:
        with warnings.catch_warnings():  # Pillow warns about huge pictures; the size check below refuses them
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
        with img:
            if img.format not in ("PNG", "JPEG"):
                raise InputProblem(f"Only PNG and JPEG images are accepted (this is {img.format or 'unknown'}).")
            if img.width * img.height > MAX_UPLOAD_PIXELS:
                raise InputProblem(f"The image is {img.width}x{img.height} pixels; the limit is "
                                   f"{MAX_UPLOAD_PIXELS // 4096}x4096. Please send a smaller picture.")
            img = ImageOps.exif_transpose(img)
            grey = _flatten_alpha(img)
    except InputProblem:
        raise
    except Exception as exc:  # noqa: BLE001  a damaged file can fail in many ways inside Pillow; all mean the same
        raise InputProblem(f"That file is not a readable PNG or JPEG image ({type(exc).__name__}).") from exc
    # MNIST is light ink on dark paper; a photo of pen on paper is the opposite.
    if np.median(grey) > 0.5:
        grey = 1.0 - grey
    grey = np.where(grey > 0.2, grey, 0.0)  # drop paper texture and JPEG noise
    if grey.max() <= 0:
        raise InputProblem("No digit found in that picture: it looks like a blank page.")
    return grey / grey.max()  # faint pencil becomes full-strength ink, as in MNIST


def _flatten_alpha(img: Image.Image) -> np.ndarray:
    """Grey 0..1; a transparent background becomes the paper colour that contrasts with the ink."""
    if img.mode not in ("RGBA", "LA", "PA") and not (img.mode == "P" and "transparency" in img.info):
        return np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    rgba = img.convert("RGBA")
    grey = np.asarray(rgba.convert("L"), dtype=np.float32) / 255.0
    alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
    opaque = alpha > 0.5
    paper = 1.0 if opaque.any() and grey[opaque].mean() < 0.5 else 0.0  # dark ink: white paper
    return grey * alpha + paper * (1.0 - alpha)


def digit_to_canvas(digit: np.ndarray, size: int = 280) -> np.ndarray:
    """Upscale a 28x28 digit to an opaque RGBA canvas image, as if drawn (tests use it to inject drawings)."""
    img = Image.fromarray((np.clip(digit.reshape(SIDE, SIDE), 0, 1) * 255).astype(np.uint8))
    grey = np.asarray(img.resize((size, size), Image.BICUBIC), dtype=np.uint8)
    return np.dstack([grey, grey, grey, np.full_like(grey, 255)])


# --- noise, for the denoising demo ----------------------------------------------------------

def add_noise(digit: np.ndarray, amount: float, kind: str = "gaussian", seed: int = 0) -> np.ndarray:
    """Corrupt a 0..1 image: Gaussian (sigma = amount) or salt-and-pepper (fraction = amount).

    The result is clipped to 0..1 like any real picture, so what the page shows is exactly the input.
    """
    rng = np.random.default_rng(seed)
    digit = np.asarray(digit, dtype=np.float32)
    if amount <= 0:
        return digit.copy()
    if kind == "gaussian":
        noisy = digit + rng.normal(0.0, amount, digit.shape)
    elif kind == "salt-and-pepper":
        noisy = digit.copy()
        hit = rng.random(digit.shape) < amount
        noisy[hit] = rng.integers(0, 2, int(hit.sum())).astype(np.float32)
    else:
        raise ValueError(f"unknown noise kind {kind!r}")
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)
