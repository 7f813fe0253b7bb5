"""The Draw page's output panels: the model's view, its rebuild and error, then every model, then noise.

Every digit is shown the same way (:func:`picture`): 28x28 enlarged to 196 px with crisp square
pixels, a short title above and a caption that says what the panel means.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from ae import figures, images, preprocess
from ae.diagnostics import ErrorProfile, Rebuild, rebuild
from ae.store import StoreError
from ae.ui import resources
from ae.ui.resources import Loaded

SCALE = 7  # 28 px -> 196 px: one size for every digit on the page, shown 1:1 wherever a column is wide enough
# The browser must not smooth enlarged pixels when a column is narrower than that.
STYLE = "<style>[class*='st-key-px_'] img { image-rendering: pixelated; }</style>"
NOISE_KINDS = {"gaussian": "Gaussian", "salt-and-pepper": "Salt & pepper"}


def style() -> None:
    st.html(STYLE)


def picture(key: str, title: str, image: np.ndarray, caption: str | None = None) -> None:
    """A titled digit (grey 28x28) or heatmap (RGB 28x28x3) with crisp pixels; ``key`` names its container."""
    with st.container(key=f"px_{key}", gap="small"):
        st.markdown(f"**{title}**")
        st.image(images.png_bytes(images.enlarge(image, SCALE)), width=SCALE * preprocess.SIDE,
                 output_format="PNG")
        if caption:
            st.caption(caption)


def describe(loaded: Loaded) -> str:
    cfg = loaded.model.cfg
    noise = f", trained on noise {cfg.noise:g}" if cfg.noise > 0 else ""
    return f"{cfg.family}, {cfg.latent_dim}-D{noise}"


# --- the main row: seen -> rebuilt -> error, then scores and code ------------------------------

def pipeline(digit: np.ndarray, framing: str, notes: list[str], result: Rebuild, loaded: Loaded) -> None:
    seen, rebuilt, diff = st.columns(3, gap="medium")
    with seen:
        picture("seen", "What the model sees", digit, f"{framing} These 784 grey levels are all it gets.")
        for note in notes:
            st.caption(f":material/warning: {note}")
    with rebuilt:
        picture("rebuilt", f"Rebuilt by {loaded.name}", result.reconstruction,
                f"Decoded from the {loaded.latent_dim} numbers of the code alone ({describe(loaded)}).")
    with diff:
        picture("error", "Where they differ", images.colormap(images.error_map(digit, result.reconstruction)),
                "|seen − rebuilt| for each pixel: black is exact, yellow is off by the full grey range.")


def _vs_typical(value: float, typical: float | None) -> str | None:
    return None if typical is None else f"{value - typical:+.3f}"


def scores(result: Rebuild, profile: ErrorProfile | None) -> None:
    """BCE and MSE of this digit, compared with a typical test digit, and a plain-words verdict."""
    bce, mse = st.columns(2)
    bce.metric("BCE", f"{result.bce:.4f}", _vs_typical(result.bce, profile and profile.typical_bce),
               delta_color="inverse", delta_description="vs typical" if profile else None,
               help="Binary cross-entropy per pixel, the loss the model was trained to minimise. Lower is better. "
                    "The arrow compares it with the median test digit's.")
    mse.metric("MSE", f"{result.mse:.4f}", _vs_typical(result.mse, profile and profile.typical_mse),
               delta_color="inverse", delta_description="vs typical" if profile else None,
               help="Mean squared difference of the grey levels (0..1), per pixel. Lower is better.")
    if profile is None:
        st.caption("Without MNIST there is no test set to compare this error with.")
        return
    verdict = profile.judge(result.bce)
    better = f"{verdict.share_below:.0%}" if 0.01 <= verdict.share_below <= 0.99 else f"{verdict.share_below:.1%}"
    if verdict.level == "unusual":
        st.warning(f"**Unusual input.** {better} of the {profile.size:,} test digits are rebuilt better "
                   f"(typical BCE {profile.typical_bce:.3f}, this one {result.bce:.3f}). The model has rarely seen "
                   "anything like it: is it one digit, drawn large, with a medium brush?", icon=":material/warning:")
    elif verdict.level == "hard":
        st.info(f"**Harder than most.** {better} of the {profile.size:,} test digits are rebuilt better, "
                "but a few real digits are this hard too.", icon=":material/info:")
    else:
        st.success(f"**An ordinary digit for this model.** {better} of the {profile.size:,} test digits "
                   "are rebuilt better.", icon=":material/check_circle:")


def code_chart(result: Rebuild, loaded: Loaded) -> None:
    st.markdown(f"**The code: {loaded.latent_dim} numbers**")
    figure = figures.latent_bars(result.code, height=190)
    figure.update_xaxes(nticks=9)  # a narrow column: label every few bars, hover names them all
    st.plotly_chart(figure, key="draw_code", config={"displayModeBar": False})
    st.caption("Everything the decoder knows about the digit. It is kept as *your digit* for the Explore page.")
    st.page_link("ae/ui/pages/explore.py", label="Explore the space around your digit", icon=":material/explore:")


# --- every model at once ------------------------------------------------------------------------

def compare_all(digit: np.ndarray, active: Loaded, per_row: int = 4) -> None:
    models, problems = resources.every_model()
    results = [(loaded, rebuild(loaded.model, digit)) for loaded in models]
    best = min((r.bce for _, r in results), default=None)
    tiles = [("input", "Input", digit, "The same 28×28 digit goes into every model.")]
    tiles += [(f"cmp_{loaded.name}", loaded.name + (" (active)" if loaded.name == active.name else ""),
               r.reconstruction,
               f"{describe(loaded)} · BCE **{r.bce:.4f}** · MSE {r.mse:.4f}"
               + (" · :material/trophy: lowest error" if r.bce == best and len(results) > 1 else ""))
              for loaded, r in results]
    for start in range(0, len(tiles), per_row):
        for column, tile in zip(st.columns(per_row, gap="medium"), tiles[start:start + per_row]):
            with column:
                picture(*tile)
    for problem in problems:
        st.warning(problem, icon=":material/error:")


# --- denoising ----------------------------------------------------------------------------------

def _noise_of(entry) -> float:
    return float(entry.card.get("config", {}).get("noise", 0.0) or 0.0)


def _new_noise() -> None:
    st.session_state["draw_noise_seed"] = st.session_state.get("draw_noise_seed", 0) + 1


def denoise(digit: np.ndarray, active: Loaded) -> None:
    """Noisy input -> a denoising model and a plain one, both scored against the clean digit."""
    entries = resources.store().entries()
    denoisers = [e.name for e in entries if _noise_of(e) > 0]
    plains = [e.name for e in entries if _noise_of(e) == 0]
    if not denoisers or not plains:
        st.info("This needs a denoising model (trained with input noise above 0) and a plain one. Train one on "
                "the Train page with some input noise.", icon=":material/info:")
        return
    kind_col, amount_col, model_col, button_col = st.columns([1.6, 2, 1.5, 1], vertical_alignment="bottom")
    kind = kind_col.segmented_control("Noise", list(NOISE_KINDS), format_func=NOISE_KINDS.get, default="gaussian",
                                      required=True, key="draw_noise_kind", persist_state="session")
    amount = amount_col.slider("Amount", 0.0, 1.0, 0.5, 0.05, key="draw_noise_amount", persist_state="session",
                               help="Gaussian: the standard deviation added to every pixel. "
                                    "Salt and pepper: the share of pixels set to pure black or white.")
    preferred = active.name if active.name in denoisers else denoisers[0]
    name = model_col.selectbox("Denoising model", denoisers, index=denoisers.index(preferred),
                               key="draw_denoiser", disabled=len(denoisers) == 1)
    button_col.button("New noise", icon=":material/refresh:", on_click=_new_noise, key="draw_new_noise")
    try:
        plain = active if active.name in plains else resources.load(
            resources.DEFAULT_MODEL if resources.DEFAULT_MODEL in plains else plains[0])
        denoiser = resources.load(name)
    except StoreError as exc:
        st.warning(f"Cannot show the denoising comparison: {exc}", icon=":material/error:")
        return
    noisy = preprocess.add_noise(digit, amount, kind, seed=st.session_state.get("draw_noise_seed", 0))
    cleaned, untrained = rebuild(denoiser.model, noisy, target=digit), rebuild(plain.model, noisy, target=digit)
    clean_col, noisy_col, den_col, plain_col = st.columns(4, gap="medium")
    with clean_col:
        picture("clean", "Clean input", digit, "What the model sees without noise: the target for both models.")
    with noisy_col:
        picture("noisy", "Noisy input", noisy, f"{NOISE_KINDS[kind]} noise, amount {amount:g}: both models get "
                "exactly this picture.")
    with den_col:
        picture("denoised", f"Rebuilt by {denoiser.name}", cleaned.reconstruction,
                f"{describe(denoiser)} · MSE vs clean **{cleaned.mse:.4f}**")
    with plain_col:
        picture("plain", f"Rebuilt by {plain.name}", untrained.reconstruction,
                f"{describe(plain)} · MSE vs clean **{untrained.mse:.4f}**")
    if cleaned.mse < untrained.mse:
        st.markdown(f"**{denoiser.name}** removed more of the noise: its output is "
                    f"**{untrained.mse / max(cleaned.mse, 1e-12):.1f}×** closer to the clean digit (by MSE) than "
                    f"**{plain.name}**'s. It learned to ignore noise because it only ever saw noisy inputs.")
    else:
        st.markdown(f"At this setting **{plain.name}** rebuilds the clean digit at least as well as "
                    f"**{denoiser.name}** (by MSE). Raise the noise to see what training on noise buys.")
