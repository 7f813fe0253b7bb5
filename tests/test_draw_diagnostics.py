"""Core statistics behind the Draw page: per-digit errors, one digit's rebuild, and the unusual-input signal."""
import numpy as np
import pytest

from ae import diagnostics as dx
from ae.preprocess import BOX, SIDE, to_unit
from ae.train import evaluate


@pytest.fixture(scope="module")
def profile(seed_model, small_mnist):
    return dx.ErrorProfile.measure(seed_model, to_unit(small_mnist.x_test))


def solid_square() -> np.ndarray:
    digit = np.zeros((SIDE, SIDE), np.float32)
    lo = (SIDE - BOX) // 2
    digit[lo:lo + BOX, lo:lo + BOX] = 1.0
    return digit


def test_per_digit_errors_average_to_the_trainers_evaluation(seed_model, small_mnist):
    images = to_unit(small_mnist.x_test[:200])
    bce, mse = dx.per_digit_errors(images, seed_model.reconstruct(images))
    assert bce.shape == mse.shape == (200,)
    expected = evaluate(seed_model, images)
    assert bce.mean() == pytest.approx(expected["bce"], rel=1e-5)
    assert mse.mean() == pytest.approx(expected["mse"], rel=1e-5)


def test_a_perfect_rebuild_has_zero_squared_error_and_the_inputs_own_entropy():
    digit = np.array([[0.0, 1.0], [0.5, 0.25]] * 196, np.float32).reshape(1, SIDE, SIDE)
    bce, mse = dx.per_digit_errors(digit, digit)
    assert mse[0] == 0
    x = digit.astype(np.float64)
    r = np.clip(x, dx.EPS, 1 - dx.EPS)  # the prediction is clipped as Keras does, the target is not
    assert bce[0] == pytest.approx(float(-(x * np.log(r) + (1 - x) * np.log(1 - r)).mean()), rel=1e-9)


def test_rebuild_is_encode_then_decode_and_scores_against_the_target(seed_model, small_mnist):
    digit = to_unit(small_mnist.x_test[7])
    result = dx.rebuild(seed_model, digit)
    assert result.code.shape == (seed_model.cfg.latent_dim,)
    assert result.reconstruction.shape == (SIDE, SIDE)
    np.testing.assert_allclose(result.reconstruction, seed_model.reconstruct(digit)[0], atol=1e-5)
    bce, mse = dx.per_digit_errors(digit, result.reconstruction)
    assert (result.bce, result.mse) == pytest.approx((bce[0], mse[0]))
    noisy = np.clip(digit + 0.3, 0, 1)
    against_clean = dx.rebuild(seed_model, noisy, target=digit)
    _, mse_clean = dx.per_digit_errors(digit, against_clean.reconstruction)
    assert against_clean.mse == pytest.approx(mse_clean[0])


def test_profile_is_sorted_and_ranks_errors_among_the_reference_digits(profile, small_mnist):
    assert profile.size == len(small_mnist.x_test)
    assert np.all(np.diff(profile.bce) >= 0) and np.all(np.diff(profile.mse) >= 0)
    assert profile.share_below(profile.bce[0] - 1e-9) == 0.0
    assert profile.share_below(profile.bce[-1] + 1e-9) == 1.0
    assert profile.share_below(profile.typical_bce) == pytest.approx(0.5, abs=0.01)
    shares = [profile.share_below(v) for v in np.linspace(profile.bce[0], profile.bce[-1], 25)]
    assert shares == sorted(shares)
    assert profile.limit(dx.HARD) <= profile.limit(dx.UNUSUAL) <= profile.bce[-1]


def test_judge_levels_follow_the_percentile_thresholds(profile):
    assert profile.judge(profile.typical_bce).level == "typical"
    between = (profile.limit(dx.HARD) + profile.limit(dx.UNUSUAL)) / 2
    assert profile.judge(between).level == "hard"
    assert profile.judge(profile.limit(dx.UNUSUAL) * 1.01 + 1e-6).level == "unusual"
    assert profile.bce.flags.writeable is False  # shared between sessions: never mutated


@pytest.mark.parametrize("make", [solid_square, lambda: np.random.default_rng(0).random((SIDE, SIDE))],
                         ids=["solid-square", "uniform-noise"])
def test_inputs_unlike_any_digit_are_flagged_unusual(seed_model, profile, make):
    result = dx.rebuild(seed_model, make().astype(np.float32))
    verdict = profile.judge(result.bce)
    assert verdict.level == "unusual" and verdict.share_below > dx.UNUSUAL


def test_a_real_digit_outside_the_reference_set_is_not_unusual(seed_model, profile, mnist):
    """Most genuine digits the profile never saw land below the 99th percentile."""
    others = to_unit(mnist.x_test[-200:])
    levels = [profile.judge(dx.rebuild(seed_model, digit).bce).level for digit in others[:40]]
    assert levels.count("unusual") <= 4
