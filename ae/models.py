"""The article's autoencoder and its family, each a short Keras model built from one config.

Every model is an :class:`Autoencoder` with ``encode``, ``decode`` and ``reconstruct`` that take
and return numpy arrays through a compiled, locked fast path (``model.predict`` costs ~100x more
for a single image, and Keras calls on one shared model are not promised to be thread-safe).
"""
from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

import ae  # noqa: F401  (quiet TensorFlow before importing it)
import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ae.preprocess import FLAT, SIDE, for_model

FAMILIES = ("seed", "deep", "conv", "vae")
DEFAULT_WIDTHS = {"seed": (), "deep": (512, 256), "conv": (32, 64), "vae": (512, 256)}
MAX_LATENT = 256
MAX_WIDTH = 4096
FAST_BATCH = 1024  # rows per compiled call; bounds memory for big batches of conv activations


@dataclass(frozen=True)
class ModelConfig:
    """Everything that decides a model's architecture and initial weights."""

    family: str = "seed"
    latent_dim: int = 32
    widths: tuple[int, ...] | None = None  # hidden widths (dense) or filters (conv); None: family default
    noise: float = 0.0  # std of Gaussian input noise while training: denoising when > 0
    seed: int = 0

    def __post_init__(self):
        if self.family not in FAMILIES:
            raise ValueError(f"Unknown model family {self.family!r}; choose one of {', '.join(FAMILIES)}.")
        if isinstance(self.latent_dim, bool) or not isinstance(self.latent_dim, (int, np.integer)):
            raise ValueError(f"Latent size must be a whole number, not {self.latent_dim!r}.")
        if not 1 <= self.latent_dim <= MAX_LATENT:
            raise ValueError(f"Latent size must be between 1 and {MAX_LATENT}, not {self.latent_dim}.")
        widths = DEFAULT_WIDTHS[self.family] if self.widths is None else tuple(int(w) for w in self.widths)
        if self.family == "seed" and widths:
            raise ValueError("The seed model is the article's: it has no hidden layers.")
        if self.family == "conv" and len(widths) != 2:
            raise ValueError("A conv model takes exactly two filter counts, e.g. (32, 64).")
        if any(not 1 <= w <= MAX_WIDTH for w in widths):
            raise ValueError(f"Layer widths must be between 1 and {MAX_WIDTH}: {widths}.")
        object.__setattr__(self, "widths", widths)
        if not (isinstance(self.noise, (int, float)) and np.isfinite(self.noise) and 0.0 <= self.noise <= 1.0):
            raise ValueError(f"Input noise must be a number between 0 and 1, not {self.noise!r}.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or not 0 <= self.seed < 2**31:
            raise ValueError(f"Seed must be a whole number between 0 and 2^31-1, not {self.seed!r}.")

    @property
    def input_shape(self) -> tuple[int, ...]:
        return (SIDE, SIDE, 1) if self.family == "conv" else (FLAT,)

    def to_dict(self) -> dict:
        return {**asdict(self), "widths": list(self.widths)}

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        known = {k: data[k] for k in ("family", "latent_dim", "widths", "noise", "seed") if k in data}
        return cls(**known)


# --- building blocks ------------------------------------------------------------------------

def _dense_stack(widths, name):
    return [layers.Dense(w, activation="relu", name=f"{name}_{i}") for i, w in enumerate(widths)]


def build_encoder(cfg: ModelConfig) -> keras.Model:
    inputs = keras.Input(cfg.input_shape, name="pixels")
    x = inputs
    if cfg.family == "conv":
        for i, filters in enumerate(cfg.widths):
            x = layers.Conv2D(filters, 3, strides=2, padding="same", activation="relu", name=f"conv_{i}")(x)
        x = layers.Flatten()(x)
    else:
        for layer in _dense_stack(cfg.widths, "enc"):
            x = layer(x)
    if cfg.family == "vae":
        outputs = [layers.Dense(cfg.latent_dim, name="z_mean")(x), layers.Dense(cfg.latent_dim, name="z_log_var")(x)]
    else:
        # The article's code is ReLU; deeper models do better with an unconstrained code.
        outputs = layers.Dense(cfg.latent_dim, activation="relu" if cfg.family == "seed" else None, name="code")(x)
    return keras.Model(inputs, outputs, name="encoder")


def build_decoder(cfg: ModelConfig) -> keras.Model:
    inputs = keras.Input((cfg.latent_dim,), name="code")
    x = inputs
    if cfg.family == "conv":
        first, second = cfg.widths
        x = layers.Dense(7 * 7 * second, activation="relu", name="dec_dense")(x)
        x = layers.Reshape((7, 7, second))(x)
        x = layers.Conv2DTranspose(second, 3, strides=2, padding="same", activation="relu", name="deconv_0")(x)
        x = layers.Conv2DTranspose(first, 3, strides=2, padding="same", activation="relu", name="deconv_1")(x)
        outputs = layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="pixels")(x)
    else:
        for layer in _dense_stack(tuple(reversed(cfg.widths)), "dec"):
            x = layer(x)
        outputs = layers.Dense(FLAT, activation="sigmoid", name="pixels")(x)
    return keras.Model(inputs, outputs, name="decoder")


# --- the models -----------------------------------------------------------------------------

@keras.saving.register_keras_serializable(package="ae")
class Autoencoder(keras.Model):
    """encoder -> code -> decoder, with optional Gaussian input noise while training."""

    def __init__(self, config: dict, **kwargs):
        super().__init__(**kwargs)
        self.cfg = ModelConfig.from_dict(config)
        self.encoder = build_encoder(self.cfg)
        self.decoder = build_decoder(self.cfg)
        self.noise = layers.GaussianNoise(self.cfg.noise, name="noise") if self.cfg.noise > 0 else None
        self._infer_lock = threading.Lock()
        self._fast: dict[str, tf.types.experimental.GenericFunction] = {}

    def get_config(self):
        return {**super().get_config(), "config": self.cfg.to_dict()}

    def build(self, input_shape=None):
        self.encoder.build((None, *self.cfg.input_shape))
        self.decoder.build((None, self.cfg.latent_dim))
        self.built = True

    def corrupt(self, x, training):
        return self.noise(x, training=training) if self.noise is not None else x

    def code_of(self, x, training=False):
        """The deterministic code (the mean, for a VAE)."""
        return self.encoder(x, training=training)

    def call(self, x, training=False):
        return self.decoder(self.code_of(self.corrupt(x, training), training), training=training)

    # numpy API through the fast path -------------------------------------------------------
    def _compiled(self, name):
        if name not in self._fast:
            code_spec = tf.TensorSpec((None, self.cfg.latent_dim), tf.float32)
            pixel_spec = tf.TensorSpec((None, *self.cfg.input_shape), tf.float32)
            fns = {"encode": (lambda x: self.code_of(x), pixel_spec),
                   "decode": (lambda z: self.decoder(z, training=False), code_spec),
                   "reconstruct": (lambda x: self(x, training=False), pixel_spec)}
            fn, spec = fns[name]
            self._fast[name] = tf.function(fn, input_signature=[spec], jit_compile=False)
        return self._fast[name]

    def _run(self, name, batch: np.ndarray) -> np.ndarray:
        with self._infer_lock:  # one compiled call at a time per model: shared across sessions
            fn = self._compiled(name)
            chunks = [fn(tf.constant(batch[i:i + FAST_BATCH])).numpy() for i in range(0, len(batch), FAST_BATCH)]
        return np.concatenate(chunks) if chunks else np.zeros((0,), np.float32)

    def encode(self, images: np.ndarray) -> np.ndarray:
        """Images in 0..1, any shape with 784 pixels each -> (n, latent_dim) codes."""
        return self._run("encode", for_model(images, (None, *self.cfg.input_shape)))

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """(n, latent_dim) codes -> (n, 28, 28) images in 0..1."""
        codes = np.asarray(codes, dtype=np.float32).reshape(-1, self.cfg.latent_dim)
        return self._run("decode", codes).reshape(-1, SIDE, SIDE)

    def reconstruct(self, images: np.ndarray) -> np.ndarray:
        """Images -> their (n, 28, 28) reconstructions."""
        return self._run("reconstruct", for_model(images, (None, *self.cfg.input_shape))).reshape(-1, SIDE, SIDE)


@keras.saving.register_keras_serializable(package="ae")
class VariationalAutoencoder(Autoencoder):
    """Kingma & Welling's VAE: reparameterised sampling, reconstruction + KL tracked apart."""

    def __init__(self, config: dict, **kwargs):
        super().__init__(config, **kwargs)
        self.sampler = keras.random.SeedGenerator(self.cfg.seed)
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("loss", "reconstruction", "kl")}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def code_of(self, x, training=False):
        return self.encoder(x, training=training)[0]

    def _elbo_terms(self, x, training):
        z_mean, z_log_var = self.encoder(self.corrupt(x, training), training=training)
        if training:
            eps = keras.random.normal(keras.ops.shape(z_mean), seed=self.sampler)
            z = z_mean + keras.ops.exp(0.5 * z_log_var) * eps
        else:
            z = z_mean  # validation scores the model's best guess, as reconstruct() does
        recon = self.decoder(z, training=training)
        flat_x, flat_r = keras.ops.reshape(x, (-1, FLAT)), keras.ops.reshape(recon, (-1, FLAT))
        rec = keras.ops.mean(keras.losses.binary_crossentropy(flat_x, flat_r))  # per pixel
        kl = keras.ops.mean(keras.ops.sum(
            -0.5 * (1 + z_log_var - keras.ops.square(z_mean) - keras.ops.exp(z_log_var)), axis=1))  # per digit
        return rec, kl

    def _track(self, rec, kl):
        values = {"loss": rec + kl / FLAT, "reconstruction": rec, "kl": kl}
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            rec, kl = self._elbo_terms(x, training=True)
            total = rec * FLAT + kl  # the ELBO per digit; per-pixel reporting is rec + kl/784
        grads = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return self._track(rec, kl)

    def test_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self._track(*self._elbo_terms(x, training=False))

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        """n new digits decoded from the prior N(0, I)."""
        z = np.random.default_rng(seed).standard_normal((n, self.cfg.latent_dim)).astype(np.float32)
        return self.decode(z)


def build_model(cfg: ModelConfig) -> Autoencoder:
    """A fresh, built model; weights are seeded by ``cfg.seed``."""
    keras.utils.set_random_seed(cfg.seed)
    cls = VariationalAutoencoder if cfg.family == "vae" else Autoencoder
    model = cls(cfg.to_dict(), name=f"{cfg.family}_{cfg.latent_dim}d")
    model.build()
    return model


def inference_copy(model: Autoencoder) -> Autoencoder:
    """The same weights in a fresh, uncompiled model: what gets saved, so files carry no optimizer
    state (a third of the size) and no training-only configuration."""
    clean = type(model)(model.cfg.to_dict(), name=model.name)
    clean.build()
    clean.set_weights(model.get_weights())
    return clean


def parameter_count(model: keras.Model) -> int:
    return int(sum(np.prod(w.shape) for w in model.weights if w.trainable))
