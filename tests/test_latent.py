"""ae.latent: slider axes and ranges, sampling, interpolation, the map, the manifold, exports and links.

References are computed independently (numpy covariance eigenvectors, plain loops), never copied from
the code under test.
"""
import csv
import io
import json

import numpy as np
import pytest

from ae import images, latent
from ae.models import ModelConfig, build_model


@pytest.fixture(scope="module")
def codes():
    """Correlated 12-D codes with clearly separated variances, so principal directions are well defined."""
    rng = np.random.default_rng(1)
    mixing = rng.standard_normal((12, 12))
    scales = np.linspace(6.0, 0.5, 12)
    return (rng.standard_normal((4000, 12)) * scales) @ np.linalg.qr(mixing)[0].T + rng.standard_normal(12)


@pytest.fixture(scope="module")
def decoder():
    """A real (untrained) model's decoder: deterministic, which is all interpolation needs."""
    return build_model(ModelConfig(family="deep", latent_dim=3, widths=(16,), seed=3)).decode


def eig_reference(values, k):
    """Top-k eigenvectors and standard deviations of the sample covariance, largest first."""
    eigvals, eigvecs = np.linalg.eigh(np.cov(values, rowvar=False))
    order = np.argsort(eigvals)[::-1][:k]
    return eigvecs[:, order].T, np.sqrt(eigvals[order])


# --- principal directions and sliders -------------------------------------------------------

def test_principal_directions_match_covariance_eigenvectors(codes):
    mean, components, std = latent.principal_directions(codes, 5)
    ref_components, ref_std = eig_reference(codes, 5)
    np.testing.assert_allclose(mean, codes.mean(axis=0), atol=1e-10)
    np.testing.assert_allclose(np.abs(np.sum(components * ref_components, axis=1)), 1.0, atol=1e-6)  # same axes
    np.testing.assert_allclose(std, ref_std, rtol=1e-6)
    np.testing.assert_allclose(components @ components.T, np.eye(5), atol=1e-10)
    again = latent.principal_directions(codes[::-1], 5)[1]  # the sign convention is stable
    np.testing.assert_allclose(again, components, atol=1e-6)


def test_small_codes_get_one_slider_per_dimension_with_mean_plus_minus_3_sigma():
    rng = np.random.default_rng(2)
    values = rng.normal([1.0, -2.0, 0.0], [0.5, 2.0, 1.0], size=(3000, 3))
    values[:, 2] = 0.7  # a dead unit: constant
    space = latent.slider_space(values)
    assert not space.principal and space.size == 3 and space.labels() == ["z1", "z2", "z3"]
    for j in range(2):
        column = values[:, j]
        assert space.low[j] == pytest.approx(column.mean() - 3 * column.std())
        assert space.high[j] == pytest.approx(column.mean() + 3 * column.std())
    assert space.low[2] < 0.7 < space.high[2]  # still a usable range
    np.testing.assert_allclose(space.to_code([0.1, 0.2, 0.3]), [0.1, 0.2, 0.3], rtol=1e-6)


def test_big_codes_get_principal_sliders_with_ranges_from_the_projected_spread(codes):
    space = latent.slider_space(codes)
    assert space.principal and space.size == latent.MAX_RAW_SLIDERS
    assert space.labels()[0] == "PC 1"
    ref_components, ref_std = eig_reference(codes, space.size)
    np.testing.assert_allclose(np.abs(np.sum(space.basis * ref_components, axis=1)), 1.0, atol=1e-6)
    coords = (codes - codes.mean(axis=0)) @ space.basis.T
    np.testing.assert_allclose(space.high, coords.mean(axis=0) + 3 * coords.std(axis=0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(space.high - space.low, 6 * ref_std * np.sqrt((len(codes) - 1) / len(codes)),
                               rtol=1e-6)


def test_moving_one_slider_changes_only_that_coordinate(codes):
    space = latent.slider_space(codes)
    code = codes[7].astype(np.float32)
    moved = space.move(code, 2, 1.25)
    coords_before = (code - space.center) @ space.basis.T
    coords_after = (moved - space.center) @ space.basis.T
    assert coords_after[2] == pytest.approx(1.25, abs=1e-4)
    np.testing.assert_allclose(np.delete(coords_after, 2), np.delete(coords_before, 2), atol=1e-4)
    # what the 8 sliders cannot see (the residual outside their directions) is kept
    residual = lambda z: z - space.center - ((z - space.center) @ space.basis.T) @ space.basis  # noqa: E731
    np.testing.assert_allclose(residual(moved), residual(code), atol=1e-4)

    raw = latent.raw_slider_space(codes)
    moved_raw = raw.move(code, 4, -3.0)
    assert moved_raw[4] == pytest.approx(-3.0)
    np.testing.assert_array_equal(np.delete(moved_raw, 4), np.delete(code, 4))


def test_slider_positions_are_clipped_to_the_ranges(codes):
    space = latent.slider_space(codes)
    far = space.center + 1000 * space.basis[0]
    coords = space.to_coords(far)
    assert coords[0] == pytest.approx(space.high[0])
    assert np.all(coords >= space.low - 1e-9) and np.all(coords <= space.high + 1e-9)


# --- sampling ---------------------------------------------------------------------------------

def test_random_codes_follow_the_prior_or_the_fitted_gaussian(codes):
    prior = latent.random_codes(codes, 20000, seed=4, prior=True)
    assert prior.shape == (20000, 12)
    np.testing.assert_allclose(prior.mean(axis=0), 0, atol=0.05)
    np.testing.assert_allclose(np.cov(prior, rowvar=False), np.eye(12), atol=0.06)
    fitted = latent.random_codes(codes, 20000, seed=4, prior=False)
    np.testing.assert_allclose(fitted.mean(axis=0), codes.mean(axis=0), atol=0.15)
    np.testing.assert_allclose(np.cov(fitted, rowvar=False), np.cov(codes, rowvar=False), atol=1.2)
    np.testing.assert_array_equal(latent.random_codes(codes, 3, seed=9, prior=False),
                                  latent.random_codes(codes, 3, seed=9, prior=False))


# --- interpolation ------------------------------------------------------------------------------

def test_interpolation_is_the_straight_line_between_the_two_codes():
    a, b = np.array([0.0, 2.0, -1.0]), np.array([1.0, -2.0, 3.0])
    path = latent.interpolate(a, b, 5)
    assert path.shape == (5, 3)
    np.testing.assert_allclose(path[0], a)
    np.testing.assert_allclose(path[-1], b)
    np.testing.assert_allclose(path[2], (a + b) / 2)
    np.testing.assert_allclose(np.diff(path, axis=0), np.tile((b - a) / 4, (4, 1)), atol=1e-6)


@pytest.mark.parametrize("steps", [1, 0, latent.MAX_STEPS + 1])
def test_interpolation_refuses_a_bad_number_of_steps(steps):
    with pytest.raises(ValueError, match="steps"):
        latent.interpolate(np.zeros(2), np.ones(2), steps)


def test_interpolation_refuses_codes_of_different_sizes():
    with pytest.raises(ValueError, match="same size"):
        latent.interpolate(np.zeros(2), np.ones(3), 4)


def test_walk_endpoints_are_the_two_decoded_codes(decoder):
    a, b = np.array([1.5, -0.5, 0.2], np.float32), np.array([-2.0, 1.0, 0.7], np.float32)
    frames = latent.walk(decoder, a, b, 7)
    assert frames.shape == (7, 28, 28)
    np.testing.assert_allclose(frames[0], decoder(a[None])[0], atol=1e-6)
    np.testing.assert_allclose(frames[-1], decoder(b[None])[0], atol=1e-6)
    assert not np.allclose(frames[0], frames[-1])


@pytest.mark.parametrize("steps", [2, 5, 12])
def test_interpolation_gif_has_one_frame_per_step_and_back(decoder, steps):
    frames = latent.walk(decoder, np.zeros(3), np.ones(3), steps)
    assert images.gif_frame_count(images.gif_bytes(frames, bounce=False)) == steps
    assert images.gif_frame_count(images.gif_bytes(frames)) == (2 * steps - 2 if steps > 2 else steps)


# --- the map ------------------------------------------------------------------------------------

def test_projection_of_2d_codes_is_the_identity_and_lifts_back():
    rng = np.random.default_rng(5)
    values = rng.standard_normal((500, 2)) * [1.0, 3.0]
    projection = latent.fit_projection(values)
    assert projection.exact and projection.prefix == "z" and projection.axis_titles() == ("z1", "z2")
    np.testing.assert_allclose(projection.apply(values), values)
    np.testing.assert_allclose(projection.lift([[0.3, -1.2]]), [[0.3, -1.2]], rtol=1e-6)
    points, prefix = latent.project_2d(values)
    np.testing.assert_allclose(points, values)
    assert prefix == "z"


def test_projection_of_big_codes_uses_the_top_two_principal_directions(codes):
    projection = latent.fit_projection(codes)
    assert not projection.exact and projection.prefix == "PC"
    ref_components, ref_std = eig_reference(codes, 2)
    ref_points = (codes - codes.mean(axis=0)) @ ref_components.T
    np.testing.assert_allclose(np.abs(projection.apply(codes)), np.abs(ref_points), atol=1e-6)
    total = np.trace(np.cov(codes, rowvar=False))
    np.testing.assert_allclose(projection.explained, ref_std ** 2 / total, rtol=1e-6)
    assert projection.axis_titles()[0].startswith("PC 1 (")
    # a later code lands where the same projection puts it
    points, prefix = latent.project_2d(codes[:3], reference=codes)
    np.testing.assert_allclose(points, projection.apply(codes[:3]))
    assert prefix == "PC"


def test_grid_codes_run_left_to_right_then_top_to_bottom():
    grid = latent.grid_codes((-1.0, 1.0), (0.0, 4.0), 3)
    expected = [[x, y] for y in (4.0, 2.0, 0.0) for x in (-1.0, 0.0, 1.0)]
    np.testing.assert_allclose(grid, expected)


def test_manifold_tiles_sit_where_their_codes_are():
    def stamp(z):  # a fake decoder that writes each code's coordinates into its picture
        out = np.zeros((len(z), 28, 28), np.float32)
        out[:, :, :14] = z[:, :1, None]
        out[:, :, 14:] = z[:, 1:2, None]
        return out

    grid = latent.manifold(stamp, (-2.0, 2.0), (-1.0, 3.0), 5)
    assert grid.image.shape == (140, 140)
    for row, y in enumerate(np.linspace(3.0, -1.0, 5)):  # top row is the highest y
        for col, x in enumerate(np.linspace(-2.0, 2.0, 5)):
            tile = grid.image[row * 28:(row + 1) * 28, col * 28:(col + 1) * 28]
            assert tile[0, 0] == pytest.approx(x) and tile[0, 27] == pytest.approx(y)
    (x0, x1), (y0, y1) = grid.pixel_extent()
    centres = np.linspace(x0, x1, 140)  # how a heatmap places the pixels
    np.testing.assert_allclose(centres.reshape(5, 28).mean(axis=1), np.linspace(-2.0, 2.0, 5), atol=1e-9)
    np.testing.assert_allclose(np.linspace(y0, y1, 140).reshape(5, 28).mean(axis=1), np.linspace(-1, 3, 5),
                               atol=1e-9)
    with pytest.raises(ValueError, match="grid"):
        latent.manifold(stamp, (0, 1), (0, 1), latent.MAX_MANIFOLD + 1)


def test_raster_map_puts_points_and_marks_where_they_belong():
    points = np.array([[0.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    raster = latent.raster_map(points, np.array([0, 1, 2]), ["#ff0000", "#00ff00", "#0000ff"],
                               (0.0, 10.0), (0.0, 10.0), size=50)
    assert raster.image.shape == (50, 50, 3)
    assert tuple(raster.image[49, 0]) == (255, 0, 0)  # (0, 0): bottom left
    assert tuple(raster.image[0, 49]) == (0, 255, 0)  # (10, 10): top right
    assert tuple(raster.image[0, 0]) == (0, 0, 255)  # (0, 10): top left
    assert raster.pixel((100.0, -100.0)) == (49, 49)  # far away: clamped to the edge
    marked = raster.marked((5.0, 5.0))
    assert tuple(marked[raster.pixel((5.0, 5.0))]) == (255, 255, 255)
    assert tuple(raster.image[raster.pixel((5.0, 5.0))]) != (255, 255, 255)  # the cached picture is untouched
    assert latent.padded_range(np.array([0.0, 10.0]), pad=0.1) == pytest.approx((-1.0, 11.0))


# --- exports and links ----------------------------------------------------------------------------

def test_code_exports_read_back_exactly():
    code = np.array([0.125, -3.5, 1e-7, 42.0], np.float32)
    data = json.loads(latent.code_json("vae-2d", code, "test digit #3"))
    assert data["model"] == "vae-2d" and data["latent_dim"] == 4 and data["origin"] == "test digit #3"
    np.testing.assert_array_equal(np.array(data["code"], np.float32), code)
    rows = list(csv.DictReader(io.StringIO(latent.code_csv(code))))
    assert [int(r["dimension"]) for r in rows] == [1, 2, 3, 4]
    np.testing.assert_array_equal(np.array([float(r["value"]) for r in rows], np.float32), code)


MODELS = {"seed": 32, "vae-2d": 2}


def test_url_state_round_trip():
    code = np.random.default_rng(6).standard_normal(32).astype(np.float32) * 5
    params = latent.encode_state("seed", code)
    model, back, notice = latent.decode_state(params, list(MODELS), MODELS.get)
    assert model == "seed" and notice is None
    np.testing.assert_allclose(back, code, rtol=1e-5, atol=1e-6)


def test_url_without_model_is_checked_against_the_model_it_will_be_shown_with():
    model, code, notice = latent.decode_state({"z": "0.5,-1"}, list(MODELS), MODELS.get, default_model="vae-2d")
    assert model is None and notice is None
    np.testing.assert_allclose(code, [0.5, -1.0])
    model, code, notice = latent.decode_state({"z": "0.5,-1"}, list(MODELS), MODELS.get, default_model="seed")
    assert code is None and "needs 32" in notice


@pytest.mark.parametrize("params, problem", [
    ({"model": "nope", "z": "1,2"}, "unknown model"),
    ({"model": "../../etc/passwd"}, "unknown model"),
    ({"model": "vae-2d", "z": "1,two"}, "not a list of numbers"),
    ({"model": "vae-2d", "z": "1,,2"}, "not a list of numbers"),
    ({"model": "vae-2d", "z": "nan,1"}, "not a list of numbers"),
    ({"model": "vae-2d", "z": "inf,1"}, "not a list of numbers"),
    ({"model": "vae-2d", "z": "1e300,1"}, "not a list of numbers"),
    ({"model": "vae-2d", "z": ",".join(["1"] * (latent.MAX_URL_DIMS + 1))}, "not a list of numbers"),
    ({"model": "vae-2d", "z": "1,2,3"}, "has 3 numbers, the model needs 2"),
])
def test_malformed_urls_fall_back_with_a_notice(params, problem):
    model, code, notice = latent.decode_state(params, list(MODELS), MODELS.get)
    assert code is None
    assert problem in notice and "defaults" in notice
    assert model == (params["model"] if params["model"] in MODELS else None)
