"""Shared models under concurrent sessions: the fast path gives every thread the right answer."""
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ae.models import ModelConfig, build_model


def test_threads_sharing_one_model_get_their_own_results(rng):
    model = build_model(ModelConfig(family="conv", latent_dim=4, widths=(4, 8)))
    inputs = rng.random((16, 28, 28)).astype(np.float32)
    expected_recon = [model.reconstruct(x[None])[0] for x in inputs]
    expected_codes = model.encode(inputs)
    start = threading.Barrier(8)

    def session(i):
        start.wait()  # all threads hit the model at once
        out = []
        for k in range(25):
            j = (i + k) % len(inputs)
            out.append((j, model.reconstruct(inputs[j][None])[0], model.decode(expected_codes[j][None])[0]))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = [r for rs in pool.map(session, range(8)) for r in rs]
    assert len(results) == 200
    for j, recon, decoded in results:
        np.testing.assert_allclose(recon, expected_recon[j], atol=1e-5)
        np.testing.assert_allclose(decoded, expected_recon[j], atol=1e-5)


def test_first_calls_racing_to_compile_are_safe(rng):
    """The compiled functions are built lazily; eight threads asking first must not trip over each other."""
    model = build_model(ModelConfig(family="deep", latent_dim=3, widths=(16,)))
    x = rng.random((1, 784)).astype(np.float32)
    with ThreadPoolExecutor(8) as pool:
        outs = list(pool.map(lambda _: model.reconstruct(x), range(8)))
    for out in outs:
        np.testing.assert_array_equal(out, outs[0])
