"""Autoencoder Studio core: data, preprocessing, models, training, store, latent tools, figures.

Nothing here imports Streamlit except ``ae.ui``. TensorFlow's start-up chatter is silenced
before any module gets a chance to import it.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "1.0.0"
