"""The CLI: a 1-epoch train on a slice lands in the store with a card; list, evaluate, figures work."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, env_dir):
    import os

    env = {**os.environ, "AE_USER_MODELS": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "ae", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def test_train_list_evaluate_figures(tmp_path, mnist):
    done = run_cli("train", "--family", "seed", "--latent", "8", "--epochs", "1", "--train-size", "500",
                   "--val-size", "200", "--batch-size", "100", "--name", "../cli test", env_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "epoch   1/1" in done.stdout
    card = json.loads((tmp_path / "cli-test.json").read_text())
    assert card["training"]["train_size"] == 500 and card["latent_dim"] == 8
    assert len(card["history"]["val_loss"]) == 1

    listing = run_cli("list", env_dir=tmp_path)
    assert listing.returncode == 0 and "cli-test" in listing.stdout and "seed" in listing.stdout

    evaluated = run_cli("evaluate", "cli-test", env_dir=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert f"{card['test_metrics']['bce']:.4f}" in evaluated.stdout

    out = tmp_path / "figs"
    figs = run_cli("figures", "cli-test", "--out", str(out), env_dir=tmp_path)
    assert figs.returncode == 0, figs.stderr
    from PIL import Image

    with Image.open(out / "cli-test-reconstructions.png") as grid:
        assert grid.width > 4 * grid.height  # 2 rows of 10 digits
    assert (out / "cli-test-loss.png").stat().st_size > 5000


@pytest.mark.parametrize("args,needle", [
    (["train", "--latent", "0"], "Latent size"),
    (["train", "--epochs", "0"], "Epochs"),
    (["train", "--lr", "nan"], "Learning rate"),
    (["evaluate", "no-such-model"], "no model called"),
])
def test_bad_arguments_give_a_message_not_a_traceback(tmp_path, args, needle):
    done = run_cli(*args, env_dir=tmp_path)
    assert done.returncode != 0
    assert needle in done.stderr and "Traceback" not in done.stderr
