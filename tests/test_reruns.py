"""Reruns leak nothing: no new model objects, no new Keras classes registered, pages stay healthy."""
import gc
from pathlib import Path

import keras
from streamlit.testing.v1 import AppTest

from ae.models import Autoencoder

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def live_models() -> int:
    gc.collect()
    return sum(isinstance(o, Autoencoder) for o in gc.get_objects())


def test_reruns_do_not_create_models_or_register_keras_classes():
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    for page in ("draw", "explore", "models", "home"):
        at.switch_page(f"ae/ui/pages/{page}.py")
        at.run()
    registered, models = len(keras.saving.get_custom_objects()), live_models()
    for _ in range(5):
        for page in ("draw", "explore", "models", "home"):
            at.switch_page(f"ae/ui/pages/{page}.py")
            at.run()
            assert not at.exception
    assert len(keras.saving.get_custom_objects()) == registered
    assert live_models() == models  # cached once per model, never rebuilt on a rerun
