"""Is one digit's reconstruction error ordinary for this model, or a sign of an unusual input?

An error means little on its own: 0.15 BCE is poor for one model and good for another. So each
model's errors on the 10,000 test digits are measured once, and a new digit is placed among them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ae.preprocess import FLAT

EPS = 1e-7  # the clipping Keras applies inside binary cross-entropy
UNUSUAL = 0.99  # above this share of test digits: an unusual input
HARD = 0.90  # above this share: harder than most, still plausible


def per_digit_errors(originals: np.ndarray, reconstructions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel BCE and MSE of each digit, as two (n,) arrays.

    :func:`ae.train.evaluate` reports their means, so the test metrics and a drawing's error agree.
    """
    x = np.asarray(originals, dtype=np.float64).reshape(-1, FLAT)
    r = np.asarray(reconstructions, dtype=np.float64).reshape(-1, FLAT)
    clipped = np.clip(r, EPS, 1 - EPS)
    bce = -(x * np.log(clipped) + (1 - x) * np.log(1 - clipped)).mean(axis=1)
    mse = ((x - r) ** 2).mean(axis=1)
    return bce, mse


@dataclass(frozen=True)
class Rebuild:
    """One digit through one model: its code, its reconstruction and how far that is from the target."""

    code: np.ndarray  # (latent_dim,)
    reconstruction: np.ndarray  # (28, 28)
    bce: float
    mse: float


def rebuild(model, digit: np.ndarray, target: np.ndarray | None = None) -> Rebuild:
    """Encode then decode one digit; errors are measured against ``target`` (default: the digit).

    A denoising demo passes the noisy digit and the clean one as target: the error then says how
    much of the noise the model removed.
    """
    code = model.encode(digit)[0]
    reconstruction = model.decode(code[None])[0]
    bce, mse = per_digit_errors(digit if target is None else target, reconstruction)
    return Rebuild(code, reconstruction, float(bce[0]), float(mse[0]))


@dataclass(frozen=True)
class Verdict:
    """Where one digit's error falls among the test digits'."""

    level: str  # "typical", "hard" or "unusual"
    share_below: float  # fraction of test digits rebuilt with a lower error (0..1)


@dataclass(frozen=True)
class ErrorProfile:
    """The distribution of a model's per-digit errors on a reference set (the test set)."""

    bce: np.ndarray  # sorted ascending
    mse: np.ndarray  # sorted ascending

    @classmethod
    def measure(cls, model, images: np.ndarray) -> "ErrorProfile":
        """Reconstruct every reference digit once (float 0..1 images) and keep the sorted errors."""
        bce, mse = per_digit_errors(images, model.reconstruct(images))
        bce, mse = np.sort(bce), np.sort(mse)
        bce.setflags(write=False)
        mse.setflags(write=False)
        return cls(bce, mse)

    @property
    def size(self) -> int:
        return len(self.bce)

    @property
    def typical_bce(self) -> float:
        """The median test digit's BCE."""
        return float(np.median(self.bce))

    @property
    def typical_mse(self) -> float:
        return float(np.median(self.mse))

    def limit(self, share: float = UNUSUAL) -> float:
        """The BCE that this share of test digits stays below (e.g. the 99th percentile)."""
        return float(np.quantile(self.bce, share))

    def share_below(self, bce: float) -> float:
        """Fraction of test digits whose BCE is lower than ``bce``."""
        return float(np.searchsorted(self.bce, bce, side="left") / max(self.size, 1))

    def judge(self, bce: float) -> Verdict:
        share = self.share_below(bce)
        level = "unusual" if bce > self.limit(UNUSUAL) else "hard" if bce > self.limit(HARD) else "typical"
        return Verdict(level, share)
