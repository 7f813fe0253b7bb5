"""The article's two figures, as PNG files: train vs validation loss, and digits over reconstructions."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ae.images import png_bytes, tile
from ae.preprocess import to_unit


def sample_pairs(model, x_test: np.ndarray, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The first n test digits (0..1) and their reconstructions, as the article shows them."""
    originals = to_unit(x_test[:n])
    return originals, model.reconstruct(originals)


def comparison_grid(originals: np.ndarray, reconstructions: np.ndarray, scale: int = 4) -> np.ndarray:
    """2×n image: real digits on top, reconstructions below."""
    return tile(list(originals) + list(reconstructions), columns=len(originals), scale=scale)


def save_loss_png(history: dict, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax.plot(epochs, history["loss"], label="train")
    if "val_loss" in history:
        ax.plot(epochs, history["val_loss"], label="validation (test set)")
    ax.set(xlabel="epoch", ylabel="loss (BCE per pixel)", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def save_figures(model, card: dict, x_test: np.ndarray, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    loss_path, grid_path = out_dir / f"{card['name']}-loss.png", out_dir / f"{card['name']}-reconstructions.png"
    save_loss_png(card["history"], loss_path, f"{card['name']}: train vs validation loss")
    grid_path.write_bytes(png_bytes(comparison_grid(*sample_pairs(model, x_test))))
    return [loss_path, grid_path]
