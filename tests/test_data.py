"""MNIST loading: genuine bytes only, sources in order, a clear error when none works."""
import hashlib

import numpy as np
import pytest

from ae import data
from ae.data import DataMismatch, DataUnavailable, SHA256, load_mnist, parse_idx, to_idx, verify


def test_shapes_and_dtype(mnist):
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28) and mnist.y_test.shape == (10000,)
    assert set(np.unique(mnist.y_train)) == set(range(10))


def test_arrays_hash_to_the_published_idx_files(mnist):
    """Independent check of the loader: re-serialise and hash exactly as the files were published."""
    for key, fname in data.IDX_FILES.items():
        assert hashlib.sha256(to_idx(getattr(mnist, key))).hexdigest() == SHA256[fname]


def test_idx_round_trip():
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = to_idx(arr)
    assert raw[:4] == bytes([0, 0, 8, 3])
    np.testing.assert_array_equal(parse_idx(raw), arr)
    with pytest.raises(DataMismatch):
        parse_idx(raw[:-1])  # truncated payload


def test_a_single_changed_pixel_is_refused(mnist):
    arrays = {k: getattr(mnist, k).copy() for k in data.IDX_FILES}
    arrays["x_test"][0, 14, 14] ^= 1
    with pytest.raises(DataMismatch, match="t10k-images"):
        verify(arrays)


def test_cache_of_idx_files_is_used_first(tmp_path, mnist, monkeypatch):
    for key, fname in data.IDX_FILES.items():
        (tmp_path / fname).write_bytes(to_idx(getattr(mnist, key)))
    monkeypatch.setattr(data, "from_keras", lambda progress: pytest.fail("network tried before cache"))
    got = load_mnist(folder=tmp_path)
    assert got.source == "cache" and (tmp_path / data.CACHE_FILE).exists()
    np.testing.assert_array_equal(got.x_test, mnist.x_test)


def test_corrupt_cache_falls_through_to_next_source(tmp_path, mnist, monkeypatch):
    (tmp_path / data.CACHE_FILE).write_bytes(b"not an npz")
    arrays = {k: getattr(mnist, k) for k in data.IDX_FILES}
    monkeypatch.setattr(data, "from_keras", lambda progress: (_ for _ in ()).throw(OSError("offline")))
    monkeypatch.setattr(data, "from_npm", lambda progress: arrays)
    messages = []
    got = load_mnist(progress=messages.append, folder=tmp_path)
    assert got.source == "npm" and any("npm" in m for m in messages)
    assert load_mnist(folder=tmp_path, allow_download=False).source == "cache"  # repaired cache


def test_a_different_dataset_is_never_returned(tmp_path, mnist, monkeypatch):
    fake = {k: getattr(mnist, k) for k in data.IDX_FILES}
    fake["x_train"] = np.zeros_like(mnist.x_train)  # e.g. a look-alike download
    monkeypatch.setattr(data, "from_keras", lambda progress: fake)
    monkeypatch.setattr(data, "from_npm", lambda progress: fake)
    with pytest.raises(DataUnavailable) as err:
        load_mnist(folder=tmp_path / "empty")
    message = str(err.value)
    assert str(tmp_path / "empty") in message and "train-images-idx3-ubyte" in message
    assert "keras" in message and "npm" in message  # says what was tried


def test_offline_without_files_names_the_folder(tmp_path):
    with pytest.raises(DataUnavailable, match="mnist.npz"):
        load_mnist(folder=tmp_path, allow_download=False)
