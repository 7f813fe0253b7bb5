"""Shared fixtures. Tests never write into the repo: the user store is a temporary folder."""
import os
import tempfile

os.environ.setdefault("AE_USER_MODELS", tempfile.mkdtemp(prefix="ae-test-user-"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ae.data import Mnist, load_mnist  # noqa: E402


@pytest.fixture(scope="session")
def mnist() -> Mnist:
    """Full, verified MNIST (``.ci/run`` fetches it through the loader first)."""
    return load_mnist(progress=print)


@pytest.fixture(scope="session")
def small_mnist(mnist) -> Mnist:
    """A slice for fast training in tests: 2,000 train and 500 test digits."""
    return Mnist(mnist.x_train[:2000], mnist.y_train[:2000], mnist.x_test[:500], mnist.y_test[:500],
                 source="slice of " + mnist.source)


@pytest.fixture(scope="session")
def seed_model():
    """The shipped seed model (the article's), loaded once."""
    from ae.store import ModelStore

    model, _ = ModelStore().load("seed")
    return model


@pytest.fixture
def user_store(tmp_path):
    """An empty user store over the real shipped models."""
    from ae.store import ModelStore

    return ModelStore(user=tmp_path / "user_models")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
