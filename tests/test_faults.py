"""Faults: a full disk under the user store. (The killed worker and the server restart are in
tests/browser/test_faults_browser.py, against a real server.)"""
import subprocess

import numpy as np
import pytest

from ae.jobs import FAILED, JobRequest
from ae.models import ModelConfig
from ae.store import ModelStore
from ae.train import TrainConfig
from tests.test_jobs import run_alone

TINY = TrainConfig(epochs=1, batch_size=100, train_size=300, val_size=100)


@pytest.fixture
def full_disk(tmp_path):
    """A real 1 MB file system (tmpfs) for the user store, or the test cannot say what it claims."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_save_clearly_and_other_models_survive(full_disk, rng):
    store = ModelStore(user=full_disk)
    small = ModelConfig(family="seed", latent_dim=2)  # ~80 kB on disk: fits
    from ae.models import build_model

    kept = build_model(small)
    store.save("kept", kept, {"family": "seed", "latent_dim": 2, "config": small.to_dict()})
    x = rng.random((2, 784)).astype(np.float32)
    expected = kept.reconstruct(x)
    # Fill the disk but for a little, then ask for a model that cannot fit.
    filler = full_disk / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 16384)
                fh.flush()
        except OSError:
            pass
    filler.write_bytes(filler.read_bytes()[: max(0, filler.stat().st_size - 50_000)])

    job = run_alone(full_disk, JobRequest(ModelConfig("deep", 2), TINY, "too-big"))
    assert job.state == FAILED and job.model_name is None
    assert "No space left on device" in job.error and "Traceback" not in job.error
    assert store.names().count("kept") == 1 and "too-big" not in store.names()
    assert not list(full_disk.glob(".saving-*")) and not list(full_disk.glob("too-big*"))
    model, _ = store.load("kept")
    np.testing.assert_allclose(model.reconstruct(x), expected, atol=1e-6)
