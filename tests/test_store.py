"""The model store: round trip, atomic saves, broken files, hostile names, read-only shipped models."""
import json
import os
import zipfile

import numpy as np
import pytest

from ae.models import ModelConfig, build_model
from ae.store import ModelStore, StoreError, load_file, sanitize_name

CARD = {"family": "seed", "latent_dim": 4, "config": ModelConfig(latent_dim=4).to_dict(), "test_metrics": {}}


@pytest.fixture
def tiny_model():
    return build_model(ModelConfig(family="seed", latent_dim=4))


def test_round_trip(user_store, tiny_model, rng):
    entry = user_store.save("mine", tiny_model, CARD)
    assert not entry.shipped and entry.path.parent == user_store.user_dir
    model, card = user_store.load("mine")
    x = rng.random((3, 784)).astype(np.float32)
    np.testing.assert_allclose(model.reconstruct(x), tiny_model.reconstruct(x), atol=1e-6)
    assert card["name"] == "mine" and card["family"] == "seed"
    assert "mine" in user_store.names() and "seed" in user_store.names()  # shipped listed too


def test_crash_mid_save_leaves_nothing_listed(user_store, tiny_model, monkeypatch):
    real_replace = os.replace
    calls = []

    def crash_on_model(src, dst):
        calls.append(dst)
        if str(dst).endswith(".keras"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_model)
    with pytest.raises(StoreError, match="No space left"):
        user_store.save("half", tiny_model, CARD)
    monkeypatch.undo()
    assert "half" not in user_store.names()
    assert not list(user_store.user_dir.glob("half*")) and not list(user_store.user_dir.glob(".saving-*"))


def test_killed_save_leftovers_are_invisible_and_cleaned(user_store, tiny_model):
    user_store.save("ok", tiny_model, CARD)
    leftover = user_store.user_dir / ".saving-dead"
    leftover.mkdir()
    (leftover / "model.keras").write_bytes(b"partial")
    (user_store.user_dir / "lonely.json").write_text("{}")  # killed between the two renames
    (user_store.user_dir / "orphan.keras").write_bytes(b"PK partial")  # a model file whose card was lost
    assert "orphan" not in user_store.names() and "lonely" not in user_store.names()
    assert "ok" in user_store.names()
    assert any("orphan" in p and "missing" in p for p in user_store.problems())
    user_store.clean_leftovers()
    assert not leftover.exists() and not (user_store.user_dir / "lonely.json").exists()
    assert (user_store.user_dir / "ok.json").exists()


@pytest.mark.parametrize("content,match", [
    (b"", "not a Keras model file"),
    (b"garbage" * 100, "not a Keras model file"),
    (None, "could not be loaded|not a Keras"),  # truncated zip, filled below
])
def test_corrupt_files_name_the_file(tmp_path, tiny_model, content, match):
    path = tmp_path / "broken.keras"
    if content is None:
        tiny_model.save(tmp_path / "good.keras")
        content = (tmp_path / "good.keras").read_bytes()[:500]
    path.write_bytes(content)
    with pytest.raises(StoreError, match=match) as err:
        load_file(path)
    assert "broken.keras" in str(err.value)


def test_foreign_keras_model_is_refused(tmp_path):
    import keras

    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    other.save(tmp_path / "foreign.keras")
    with pytest.raises(StoreError, match="not an Autoencoder Studio one"):
        load_file(tmp_path / "foreign.keras")


def test_zip_from_another_program_is_refused(tmp_path):
    with zipfile.ZipFile(tmp_path / "other.keras", "w") as z:
        z.writestr("hello.txt", "not keras")
    with pytest.raises(StoreError, match="other.keras"):
        load_file(tmp_path / "other.keras")


def test_missing_or_bad_card(user_store, tiny_model):
    user_store.save("carded", tiny_model, CARD)
    card = user_store.user_dir / "carded.json"
    card.write_text("{ not json")
    assert "carded" not in user_store.names()
    assert any("carded.json" in p for p in user_store.problems())
    card.write_text(json.dumps({"hello": 1}))
    assert any("not an Autoencoder Studio card" in p for p in user_store.problems())
    with pytest.raises(StoreError, match="no model called"):
        user_store.load("carded")


@pytest.mark.parametrize("hostile,expected", [
    ("../x", "x"), ("../../etc/passwd", "etc-passwd"), ("a/b", "a-b"), ("a\\b", "a-b"),
    ("nul\x00byte", "nulbyte"), ("tab\there", "tabhere"), (".hidden", "hidden"), ("Ünïcödé", "Unicode"),
    ("  spaced  name ", "spaced-name"),
])
def test_hostile_names_are_sanitised(hostile, expected):
    assert sanitize_name(hostile) == expected


@pytest.mark.parametrize("hostile", ["", "../", "/", "\x00", "數字" * 500, "..."])
def test_names_without_usable_characters_are_refused(hostile):
    with pytest.raises(StoreError):
        sanitize_name(hostile)


def test_long_unicode_is_bounded_and_stays_inside(user_store, tiny_model):
    entry = user_store.save("ä" * 5000 + "/../../x", tiny_model, CARD)
    assert len(entry.name) <= 64 and entry.path.parent == user_store.user_dir


def test_shipped_models_are_read_only(user_store, tiny_model):
    with pytest.raises(StoreError, match="shipped"):
        user_store.delete("seed")
    with pytest.raises(StoreError, match="shipped"):
        user_store.save("seed", tiny_model, CARD)
    assert user_store.unique_name("seed") != "seed"


def test_delete_user_model(user_store, tiny_model):
    user_store.save("gone", tiny_model, CARD)
    user_store.delete("gone")
    assert "gone" not in user_store.names() and not (user_store.user_dir / "gone.keras").exists()


def test_unique_names(user_store, tiny_model):
    user_store.save("twin", tiny_model, CARD)
    assert user_store.unique_name("twin") == "twin-2"


def test_shipped_cards_are_complete():
    store = ModelStore()
    entries = [e for e in store.entries() if e.shipped]
    assert {"seed", "best-32d", "vae-2d", "denoise-32d"} <= {e.name for e in entries}
    assert store.problems() == []
    for e in entries:
        card = e.card
        assert card["data"]["sha256"]["train-images-idx3-ubyte"].startswith("ba891046")
        assert len(card["history"]["loss"]) == card["training"]["epochs"]
        assert {"bce", "mse"} <= set(card["test_metrics"])
        assert card["parameters"] > 0 and card["created"]
