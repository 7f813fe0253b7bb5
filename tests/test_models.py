"""Model family: the seed is the article's model, configs validate, the fast path matches Keras."""
import keras
import numpy as np
import pytest

from ae.models import FAMILIES, ModelConfig, VariationalAutoencoder, build_model, parameter_count
from ae.preprocess import for_model


def test_seed_is_the_articles_model():
    model = build_model(ModelConfig(family="seed", latent_dim=32))
    assert parameter_count(model) == 50_992  # 784*32+32 + 32*784+784
    dense = [l for l in model.encoder.layers + model.decoder.layers if isinstance(l, keras.layers.Dense)]
    assert [(l.units, l.activation.__name__) for l in dense] == [(32, "relu"), (784, "sigmoid")]


@pytest.mark.parametrize("bad", [
    dict(latent_dim=0), dict(latent_dim=-3), dict(latent_dim=10_000), dict(latent_dim=2.5),
    dict(family="transformer"), dict(noise=-0.1), dict(noise=float("nan")), dict(noise=3),
    dict(family="seed", widths=(128,)), dict(family="conv", widths=(8,)), dict(family="deep", widths=(0,)),
    dict(seed=-1), dict(latent_dim=True),
])
def test_invalid_configs_raise_clear_errors(bad):
    with pytest.raises(ValueError) as err:
        ModelConfig(**bad)
    assert len(str(err.value)) > 15


def test_config_round_trip():
    cfg = ModelConfig(family="deep", latent_dim=8, widths=(64, 32), noise=0.3, seed=7)
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize("family", FAMILIES)
def test_fast_path_matches_keras(family, rng):
    model = build_model(ModelConfig(family=family, latent_dim=3, noise=0.2))
    x = rng.random((7, 28, 28)).astype(np.float32)
    shaped = for_model(x, (None, *model.cfg.input_shape))
    reference = keras.ops.convert_to_numpy(model(shaped, training=False)).reshape(-1, 28, 28)
    np.testing.assert_allclose(model.reconstruct(x), reference, atol=1e-5)
    np.testing.assert_allclose(model.reconstruct(x[:1]), reference[:1], atol=1e-5)  # single image
    codes = model.encode(x)
    assert codes.shape == (7, 3)
    np.testing.assert_allclose(model.decode(codes), reference, atol=1e-5)  # deterministic code path


def test_dense_forward_matches_numpy_reference(rng):
    """An independent forward pass in numpy agrees with the model."""
    model = build_model(ModelConfig(family="seed", latent_dim=32, seed=3))
    (w1, b1), (w2, b2) = [l.get_weights() for l in model.encoder.layers[1:]] + \
                         [l.get_weights() for l in model.decoder.layers[1:]]
    x = rng.random((5, 784)).astype(np.float32)
    code = np.maximum(x @ w1 + b1, 0)
    recon = 1 / (1 + np.exp(-(code @ w2 + b2)))
    np.testing.assert_allclose(model.encode(x), code, atol=1e-5)
    np.testing.assert_allclose(model.reconstruct(x).reshape(5, -1), recon, atol=1e-5)


def test_seeded_builds_are_identical():
    a = build_model(ModelConfig(family="deep", latent_dim=4, seed=5))
    b = build_model(ModelConfig(family="deep", latent_dim=4, seed=5))
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_vae_samples_from_its_prior():
    model = build_model(ModelConfig(family="vae", latent_dim=2))
    assert isinstance(model, VariationalAutoencoder)
    samples = model.sample(16, seed=1)
    assert samples.shape == (16, 28, 28) and 0 <= samples.min() and samples.max() <= 1
    np.testing.assert_array_equal(samples, model.sample(16, seed=1))
    assert not np.allclose(samples, model.sample(16, seed=2))


def test_noise_only_while_training(rng):
    model = build_model(ModelConfig(family="deep", latent_dim=4, noise=0.5))
    x = rng.random((3, 784)).astype(np.float32)
    np.testing.assert_array_equal(model.reconstruct(x), model.reconstruct(x))
    train_out = keras.ops.convert_to_numpy(model(x, training=True))
    assert not np.allclose(train_out.reshape(3, 28, 28), model.reconstruct(x), atol=1e-4)
