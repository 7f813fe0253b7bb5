"""Where models live: shipped defaults (read-only) and a user folder, each model a .keras + JSON card.

A model is listed only when its card exists and parses, and the card is renamed into place last,
so a crash or cancel mid-save never shows a half-written model.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import ae  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DIR = ROOT / "models"
MAX_NAME = 64
CARD_FIELDS = ("name", "family", "latent_dim", "config")


class StoreError(Exception):
    """A model cannot be read, written or removed; the message names the file and what to do."""


def user_dir() -> Path:
    """User-trained models: ``AE_USER_MODELS`` or ``./user_models`` (gitignored)."""
    return Path(os.environ.get("AE_USER_MODELS") or ROOT / "user_models")


def sanitize_name(name: str) -> str:
    """A safe file stem: ASCII letters, digits, '-', '_' and '.', never a path, never hidden.

    ``../x`` -> ``x``; ``a/b`` -> ``a-b``; control characters and NUL vanish; accents are folded.
    """
    if not isinstance(name, str):
        raise StoreError("A model name must be text.")
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    folded = "".join(ch for ch in folded if ch.isprintable())
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", folded)
    slug = re.sub(r"\.{2,}", ".", slug).strip(".-_ ")[:MAX_NAME].strip(".-_")
    if not slug:
        raise StoreError(f"{name[:40]!r} has no usable characters; use letters, digits, '-' or '_'.")
    return slug


@dataclass(frozen=True)
class Entry:
    name: str
    card: dict
    path: Path  # the .keras file
    shipped: bool

    @property
    def size_bytes(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    @property
    def label(self) -> str:
        metrics = self.card.get("test_metrics", {})
        bce = f" · BCE {metrics['bce']:.4f}" if "bce" in metrics else ""
        return f"{self.name} ({self.card.get('family', '?')}, {self.card.get('latent_dim', '?')}-D{bce})"


def read_card(path: Path) -> dict:
    """Parse and sanity-check a card; StoreError names the file on any problem."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise StoreError(f"{path.name}: the model card is missing.") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path.name}: the model card is not valid JSON ({exc}).") from exc
    if not isinstance(card, dict) or any(key not in card for key in CARD_FIELDS):
        raise StoreError(f"{path.name}: not an Autoencoder Studio card (needs {', '.join(CARD_FIELDS)}).")
    return card


class ModelStore:
    """Lists, loads, saves and deletes models; safe to share between sessions."""

    def __init__(self, shipped: Path | None = None, user: Path | None = None, with_shipped: bool = True):
        """``with_shipped=False`` makes a store of the user folder alone (how the CLI builds models/)."""
        self.shipped_dir = Path(shipped or SHIPPED_DIR)
        self.user_dir = Path(user or user_dir())
        self.with_shipped = with_shipped
        self._write_lock = threading.Lock()

    # reading ---------------------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        """Every readable model, shipped first; broken ones are skipped (see :meth:`problems`)."""
        return [entry for entry in self._scan() if isinstance(entry, Entry)]

    def problems(self) -> list[str]:
        """Messages for files that look like models but cannot be listed."""
        return [item for item in self._scan() if isinstance(item, str)]

    def _scan(self):
        folders = ((self.shipped_dir, True), (self.user_dir, False)) if self.with_shipped else ((self.user_dir, False),)
        for folder, shipped in folders:
            if not folder.is_dir():
                continue
            for keras_file in sorted(folder.glob("*.keras")):
                if keras_file.name.startswith("."):
                    continue
                try:
                    card = read_card(keras_file.with_suffix(".json"))
                    yield Entry(keras_file.stem, card, keras_file, shipped)
                except StoreError as exc:
                    yield str(exc)

    def names(self) -> list[str]:
        return [entry.name for entry in self.entries()]

    def get(self, name: str) -> Entry:
        for entry in self.entries():
            if entry.name == name:
                return entry
        raise StoreError(f"There is no model called {name[:80]!r}.")

    def load(self, name: str):
        """(model, card). StoreError names the file if it is corrupt, truncated or foreign."""
        entry = self.get(name)
        return load_file(entry.path), entry.card

    # writing ---------------------------------------------------------------------------------
    def unique_name(self, wanted: str) -> str:
        base, taken = sanitize_name(wanted), set(self.names())
        name, n = base, 2
        while name in taken or self._is_shipped_name(name):
            name, n = f"{base[:MAX_NAME - 4]}-{n}", n + 1
        return name

    def save(self, name: str, model, card: dict) -> Entry:
        """Atomically add a user model: both files written to temporaries, the card renamed last."""
        from ae.models import inference_copy

        name = sanitize_name(name)
        with self._write_lock:
            self.user_dir.mkdir(parents=True, exist_ok=True)
            target = self.user_dir / f"{name}.keras"
            if self._is_shipped_name(name):
                raise StoreError(f"{name!r} is a shipped model's name; choose another.")
            tmp_dir = Path(tempfile.mkdtemp(prefix=".saving-", dir=self.user_dir))
            try:
                tmp_model, tmp_card = tmp_dir / "model.keras", tmp_dir / "card.json"
                inference_copy(model).save(tmp_model)
                tmp_card.write_text(json.dumps({**card, "name": name}, indent=1), encoding="utf-8")
                load_file(tmp_model)  # never publish a file we could not read back
                # Listing keys on the .keras file, so it is renamed last: a kill between the two renames
                # leaves only an invisible card, which clean_leftovers() removes.
                os.replace(tmp_card, target.with_suffix(".json"))
                os.replace(tmp_model, target)
            except StoreError:
                target.with_suffix(".json").unlink(missing_ok=True)
                raise
            except OSError as exc:
                target.with_suffix(".json").unlink(missing_ok=True)
                raise StoreError(f"Could not save {name!r} in {self.user_dir}: {exc.strerror or exc}. "
                                 "Other models are unaffected.") from exc
            finally:
                shutil.rmtree(tmp_dir, ignore_errors=True)
        return self.get(name)

    def _is_shipped_name(self, name: str) -> bool:
        return self.with_shipped and (self.shipped_dir / f"{name}.keras").exists()

    def delete(self, name: str) -> None:
        entry = self.get(name)
        if entry.shipped:
            raise StoreError(f"{name!r} is a shipped model and cannot be deleted.")
        with self._write_lock:
            entry.path.unlink(missing_ok=True)  # unlists it
            entry.path.with_suffix(".json").unlink(missing_ok=True)

    def clean_leftovers(self) -> None:
        """Remove temporaries a killed process left behind (never listed, but they take space)."""
        if self.user_dir.is_dir():
            for tmp in self.user_dir.glob(".saving-*"):
                shutil.rmtree(tmp, ignore_errors=True)
            for card in self.user_dir.glob("*.json"):
                if not card.with_suffix(".keras").exists():
                    card.unlink(missing_ok=True)


def load_file(path: Path):
    """Load one .keras file, turning every way it can be broken into a StoreError naming it."""
    import keras

    from ae.models import Autoencoder  # registers the custom classes before deserialising

    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path.name}: the model file is missing.")
    if not zipfile.is_zipfile(path):
        raise StoreError(f"{path.name}: not a Keras model file (corrupt, truncated or from another program).")
    try:
        model = keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for bad archives; all mean the same to a person
        raise StoreError(f"{path.name}: could not be loaded ({type(exc).__name__}: {str(exc)[:160]}).") from exc
    if not isinstance(model, Autoencoder):
        raise StoreError(f"{path.name}: a Keras model, but not an Autoencoder Studio one.")
    return model
