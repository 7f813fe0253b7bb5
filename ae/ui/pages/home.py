"""Home: the article's story told from the shipped seed model's card."""
import streamlit as st

from ae import figures
from ae.article import comparison_grid, sample_pairs
from ae.store import StoreError
from ae.ui import resources

st.title("Autoencoder Studio")
st.markdown(
    "An **autoencoder** squeezes each 28×28 MNIST digit (784 numbers) through a small **code**, "
    "then rebuilds the digit from that code alone. Whatever survives the squeeze is what the network "
    "learned about handwriting. Draw your own digit, walk the code space, or train a model and watch it learn."
)

try:
    seed = resources.load("seed")
except StoreError as exc:
    st.error(f"The shipped seed model cannot be loaded: {exc}")
    st.stop()

card = seed.card
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("The original experiment")
    st.markdown(
        f"A single hidden layer: **Dense 784 → {card['latent_dim']} (ReLU) → Dense 784 (sigmoid)**, "
        f"{card['parameters']:,} parameters, trained for {card['training']['epochs']} epochs with batch "
        f"{card['training']['batch_size']} on pixels scaled to 0..1, minimising binary cross-entropy and validated "
        "on the 10,000 test digits."
    )
    st.plotly_chart(figures.loss_curves(card["history"], title="Train vs validation loss"), key="home_loss")
with right:
    st.subheader("Test set, per pixel")
    metrics = card["test_metrics"]
    a, b = st.columns(2)
    a.metric("BCE", f"{metrics['bce']:.4f}", help="Binary cross-entropy, the training loss")
    b.metric("MSE", f"{metrics['mse']:.4f}", help="Mean squared error of the grey levels")
    st.caption(f"The article reported 0.0953. Trained {card['created'][:10]} on "
               f"{card['data']['train']:,} genuine MNIST digits ({card['data']['source']}).")

data = resources.mnist()
if data is not None:
    st.subheader("Ten test digits (top) and how the seed model rebuilds them (bottom)")
    grid = comparison_grid(*sample_pairs(seed.model, data.x_test), scale=4)
    st.image(grid, clamp=True, width="stretch")

st.subheader("Shipped models")
rows = []
for entry in resources.store().entries():
    if entry.shipped:
        m, t = entry.card.get("test_metrics", {}), entry.card.get("training", {})
        rows.append({"model": entry.name, "family": entry.card["family"], "latent": entry.card["latent_dim"],
                     "noise": entry.card["config"].get("noise", 0.0), "epochs": t.get("epochs"),
                     "test BCE": m.get("bce"), "test MSE": m.get("mse"),
                     "parameters": entry.card.get("parameters")})
st.dataframe(rows, hide_index=True, width="stretch",
             column_config={"test BCE": st.column_config.NumberColumn(format="%.4f"),
                            "test MSE": st.column_config.NumberColumn(format="%.4f")})
