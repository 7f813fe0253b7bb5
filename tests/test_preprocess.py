"""Preprocessing: canvas and upload pixels become exactly what the models see, framed as MNIST was."""
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ae import preprocess as pp
from ae.preprocess import BOX, CENTRE, SIDE, InputProblem

CANVAS = 280


def blank(size: int = CANVAS) -> Image.Image:
    """An opaque black canvas, as the Draw page's canvas returns it."""
    return Image.new("RGBA", (size, size), (0, 0, 0, 255))


def rgba(img: Image.Image) -> np.ndarray:
    return np.asarray(img)


def draw_seven(img: Image.Image, left: int, top: int, size: int, width: int) -> Image.Image:
    pen = ImageDraw.Draw(img)
    pen.line([(left, top), (left + size * 0.8, top), (left + size * 0.35, top + size)], fill="white", width=width)
    return img


def ink_box(digit: np.ndarray) -> tuple[int, int]:
    top, bottom, left, right = pp.bounding_box(digit)
    return bottom - top, right - left


def png(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def corr(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


# --- framing --------------------------------------------------------------------------------------

def test_centre_of_mass_lands_on_mnists_centre_wherever_the_ink_was():
    for left, top in ((10, 10), (150, 40), (60, 170)):
        digit = pp.canvas_to_digit(rgba(draw_seven(blank(), left, top, 100, 14)))
        cy, cx = pp.centre_of_mass(digit)
        assert abs(cy - CENTRE) <= 0.5 and abs(cx - CENTRE) <= 0.5, (left, top, cy, cx)


@pytest.mark.parametrize("width, height", [(40, 160), (160, 40), (100, 100)])
def test_longer_side_becomes_20_pixels_and_aspect_ratio_is_kept(width, height):
    img = blank()
    ImageDraw.Draw(img).rectangle([50, 60, 50 + width - 1, 60 + height - 1], fill="white")
    h, w = ink_box(pp.canvas_to_digit(rgba(img)))
    assert max(h, w) == BOX
    assert abs(min(h, w) - BOX * min(width, height) / max(width, height)) <= 1


def test_output_is_the_models_input_shape_and_range():
    digit = pp.canvas_to_digit(rgba(draw_seven(blank(), 60, 40, 180, 20)))
    assert digit.shape == (SIDE, SIDE) and digit.dtype == np.float32
    assert 0.0 <= digit.min() and digit.max() <= 1.0 and digit.max() > 0.9


def test_genuine_mnist_digits_survive_a_trip_through_a_280px_canvas(mnist):
    """Upscaled to the canvas size and framed again, a test digit comes back as itself.

    MNIST centres with whole-pixel shifts, so a digit whose centre of mass sits near a half pixel may
    land one pixel over; allowing that, every digit matches, and without it the typical one does.
    """
    originals = pp.to_unit(mnist.x_test[:20])
    plain, aligned = [], []
    for original in originals:
        back = pp.canvas_to_digit(pp.digit_to_canvas(original, CANVAS))
        plain.append(corr(back, original))
        aligned.append(max(corr(pp._shift(back, dy, dx), original) for dy in (-1, 0, 1) for dx in (-1, 0, 1)))
    assert plain[0] > 0.9  # the first test digit, a 7
    assert np.median(plain) > 0.9
    assert min(aligned) > 0.9


# --- canvas edge cases ----------------------------------------------------------------------------

def test_empty_canvas_is_a_friendly_problem_not_a_crash():
    with pytest.raises(InputProblem, match="blank|empty"):
        pp.canvas_to_digit(rgba(blank()))
    with pytest.raises(InputProblem):
        pp.canvas_to_digit(None)
    transparent = np.zeros((CANVAS, CANVAS, 4), np.uint8)  # a canvas with no background at all
    with pytest.raises(InputProblem):
        pp.canvas_to_digit(transparent)


def test_a_single_dot_becomes_a_centred_blob_with_a_warning():
    img = blank()
    ImageDraw.Draw(img).ellipse([200, 30, 205, 35], fill="white")
    grey = pp.grey_from_rgba(rgba(img))
    digit = pp.mnistify(grey)
    assert np.isfinite(digit).all() and digit.max() > 0.5
    assert max(ink_box(digit)) == BOX
    assert any("tiny" in note for note in pp.framing_notes(grey))


def test_a_full_white_canvas_becomes_a_centred_square_with_a_warning():
    grey = pp.grey_from_rgba(np.full((CANVAS, CANVAS, 4), 255, np.uint8))
    digit = pp.mnistify(grey)
    assert ink_box(digit) == (BOX, BOX)
    margin = (SIDE - BOX) // 2
    assert digit[margin:-margin, margin:-margin].min() > 0.99 and digit[:margin].max() == 0
    notes = " ".join(pp.framing_notes(grey))
    assert "solid" in notes and "edge" in notes


def test_a_stroke_touching_every_edge_keeps_all_its_ink_inside_the_field():
    img = blank()
    pen = ImageDraw.Draw(img)
    pen.line([(0, 0), (CANVAS - 1, CANVAS - 1)], fill="white", width=24)
    pen.line([(0, CANVAS - 1), (CANVAS - 1, 0)], fill="white", width=24)
    grey = pp.grey_from_rgba(rgba(img))
    digit = pp.mnistify(grey)
    assert ink_box(digit) == (BOX, BOX)
    # nothing was pushed off the field: the 28x28 border stays dark and all the ink is there
    assert digit[0].max() == 0 and digit[-1].max() == 0 and digit[:, 0].max() == 0 and digit[:, -1].max() == 0
    assert any("edge" in note for note in pp.framing_notes(grey))


def test_a_tiny_digit_in_a_corner_reads_like_the_same_digit_drawn_large():
    tiny = pp.canvas_to_digit(rgba(draw_seven(blank(), 2, 2, 24, 3)))
    large = pp.canvas_to_digit(rgba(draw_seven(blank(), 50, 40, 200, 25)))
    assert max(ink_box(tiny)) == BOX
    cy, cx = pp.centre_of_mass(tiny)
    assert abs(cy - CENTRE) <= 0.5 and abs(cx - CENTRE) <= 0.5
    assert corr(tiny, large) > 0.7


def test_sensible_drawings_get_no_framing_warnings():
    assert pp.framing_notes(pp.grey_from_rgba(rgba(draw_seven(blank(), 60, 40, 180, 22)))) == []


# --- uploads --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"",  # zero bytes
    b"definitely not an image",  # text
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,  # a PNG signature and garbage
], ids=["zero-byte", "text", "png-signature-only"])
def test_unreadable_uploads_are_an_input_problem(data):
    with pytest.raises(InputProblem):
        pp.upload_to_digit(data)


def test_truncated_png_is_an_input_problem():
    whole = png(draw_seven(Image.new("L", (200, 200), 255), 40, 30, 140, 18).convert("RGB"))
    for cut in (len(whole) // 2, 60, 20):
        with pytest.raises(InputProblem):
            pp.upload_to_digit(whole[:cut])


def test_a_10000_by_10000_image_is_refused_before_its_pixels_are_decoded():
    huge = png(Image.new("1", (10_000, 10_000)))  # tiny file, huge picture: a decompression bomb
    assert len(huge) < pp.MAX_UPLOAD_BYTES
    with pytest.raises(InputProblem, match="10000x10000"):
        pp.upload_to_digit(huge)


def test_other_formats_and_oversized_files_are_refused():
    with pytest.raises(InputProblem, match="PNG and JPEG"):
        pp.upload_to_digit(png(Image.new("RGB", (50, 50)), "GIF"))
    with pytest.raises(InputProblem, match="MB"):
        pp.upload_to_digit(b"\x89PNG" + b"\x00" * pp.MAX_UPLOAD_BYTES)


def test_a_blank_page_upload_says_so():
    with pytest.raises(InputProblem, match="blank"):
        pp.upload_to_digit(png(Image.new("RGB", (300, 300), "white"), "JPEG"))


def test_dark_ink_on_light_paper_is_inverted_like_mnist(mnist):
    original = pp.to_unit(mnist.x_test[0])
    paper = Image.fromarray(255 - (pp.digit_to_canvas(original)[..., 0])).convert("RGB")  # black on white
    for fmt in ("PNG", "JPEG"):
        digit = pp.upload_to_digit(png(paper, fmt))
        assert corr(digit, original) > 0.85, fmt
        assert digit[0, 0] == 0  # the paper became MNIST's black background


def test_transparent_png_with_dark_ink_is_read_on_contrasting_paper():
    img = Image.new("RGBA", (200, 200), (0, 0, 0, 0))  # fully transparent, "black" underneath
    ImageDraw.Draw(img).line([(100, 20), (100, 180)], fill=(0, 0, 0, 255), width=16)
    digit = pp.upload_to_digit(png(img))
    h, w = ink_box(digit)
    assert h == BOX and w < 8  # the stroke, not the (transparent) page


# --- noise for the denoising demo -----------------------------------------------------------------

def test_noise_kinds_amounts_and_range():
    digit = np.full((SIDE, SIDE), 0.5, np.float32)
    assert np.array_equal(pp.add_noise(digit, 0.0), digit)
    noisy = pp.add_noise(digit, 0.3, "gaussian", seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 1  # a picture: clipped to the grey range
    assert 0.2 < float(np.std(noisy - digit)) < 0.35  # roughly the asked-for sigma, trimmed by clipping
    assert np.array_equal(noisy, pp.add_noise(digit, 0.3, "gaussian", seed=1))  # seeded: stable while drawing
    digit = np.zeros((SIDE, SIDE), np.float32)
    salted = pp.add_noise(digit, 0.3, "salt-and-pepper", seed=2)
    assert set(np.unique(salted)) <= {0.0, 1.0} and 0.08 < salted.mean() < 0.22  # ~half of 30% set to white
    with pytest.raises(ValueError):
        pp.add_noise(digit, 0.3, "speckle")
