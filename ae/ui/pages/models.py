"""Models: every model with its card, side-by-side comparison, download, and deleting your own."""
import streamlit as st

from ae import figures
from ae.article import sample_pairs
from ae.images import tile
from ae.store import Entry, StoreError
from ae.ui import resources, state

MAX_COMPARED = 4


def card_rows(entry: Entry) -> dict:
    """The facts a person compares models by, from the card and the file."""
    card = entry.card
    training, data, metrics = card.get("training", {}), card.get("data", {}), card.get("test_metrics", {})
    return {"model": entry.name, "where": "shipped" if entry.shipped else "yours",
            "family": card.get("family"), "latent": card.get("latent_dim"),
            "noise": card.get("config", {}).get("noise", 0.0), "epochs": training.get("epochs"),
            "digits": data.get("train_used"), "data": f"{data.get('name', '?')} ({data.get('source', '?')})",
            "test BCE": metrics.get("bce"), "test MSE": metrics.get("mse"),
            "parameters": card.get("parameters"), "size (MB)": round(entry.size_bytes / 1e6, 2),
            "created": str(card.get("created", ""))[:16].replace("T", " ")}


NUMBERS = {"test BCE": st.column_config.NumberColumn(format="%.4f"),
           "test MSE": st.column_config.NumberColumn(format="%.4f"),
           "parameters": st.column_config.NumberColumn(format="localized"),
           "digits": st.column_config.NumberColumn(format="localized")}


def _count(value) -> str:
    return f"{value:,}" if isinstance(value, int) else "?"


def delete(entry: Entry) -> None:
    try:
        resources.store().delete(entry.name)
    except StoreError as exc:
        st.error(str(exc))
        return
    if state.active_model() == entry.name:
        state.set_active_model(resources.DEFAULT_MODEL)
    st.toast(f"Deleted **{entry.name}**.", icon="🗑️")
    st.rerun()


def details(entry: Entry) -> None:
    card, row = entry.card, card_rows(entry)
    facts, chart = st.columns([2, 3], gap="large")
    with facts:
        metrics = card.get("test_metrics", {})
        a, b = st.columns(2)
        a.metric("Test BCE", f"{metrics['bce']:.4f}" if "bce" in metrics else "–")
        b.metric("Test MSE", f"{metrics['mse']:.4f}" if "mse" in metrics else "–")
        training = card.get("training", {})
        noise = f", noise {row['noise']:g}" if row["noise"] else ""
        st.markdown(
            f"- **Family** {row['family']}, **latent size** {row['latent']}{noise}\n"
            f"- **Trained** {row['epochs']} epochs on {_count(row['digits'])} {row['data']} digits, "
            f"batch {training.get('batch_size', '?')}, learning rate {training.get('learning_rate', '?')}\n"
            f"- **Parameters** {_count(row['parameters'])} · **on disk** {row['size (MB)']:.2f} MB\n"
            f"- **Created** {row['created'] or '?'}")
        download, remove = st.columns(2)
        download.download_button("Download .keras", data=entry.path.read_bytes, file_name=f"{entry.name}.keras",
                                 mime="application/zip", key=f"download_{entry.name}",
                                 icon=":material/download:", on_click="ignore", width="stretch")
        if entry.shipped:
            remove.caption("Shipped models cannot be deleted.")
        else:
            with remove.popover("Delete", icon=":material/delete:", width="stretch"):
                st.markdown(f"Delete **{entry.name}** for everyone on this server? This cannot be undone.")
                if st.button("Yes, delete it", type="primary", key=f"delete_{entry.name}"):
                    delete(entry)
    with chart:
        history = card.get("history") or {}
        if history.get("loss"):
            st.plotly_chart(figures.loss_curves(history, height=280), key=f"curves_{entry.name}")
        else:
            st.caption("This card has no training history.")


def strips(picked: list[Entry], x_test) -> None:
    """The same ten test digits, then each model's reconstructions of them, one labelled row each."""
    rows = []
    for entry in picked:
        try:
            originals, recons = sample_pairs(resources.load(entry.name).model, x_test)
        except StoreError as exc:
            st.warning(str(exc))
            continue
        rows.append((entry.name, recons))
    if not rows:
        return
    for label, images in [("test digits", originals), *rows]:
        name, strip = st.columns([1, 5], vertical_alignment="center")
        name.markdown(f"**{label}**")
        strip.image(tile(images, columns=len(images), scale=2), clamp=True)


def comparison(entries: list[Entry]) -> None:
    names = [e.name for e in entries]
    yours = [e.name for e in entries if not e.shipped]
    wanted = [state.active_model(), resources.DEFAULT_MODEL, *yours[-1:]]
    default = [n for n in dict.fromkeys(wanted) if n in names][:2]
    chosen = st.multiselect("Models to compare", names, default=default, max_selections=MAX_COMPARED,
                            key="compare_models")
    if not chosen:
        st.caption("Pick up to four models.")
        return
    by_name = {e.name: e for e in entries}
    picked = [by_name[n] for n in chosen]
    st.dataframe([card_rows(e) for e in picked], hide_index=True, width="stretch", column_config=NUMBERS)
    data = resources.mnist()
    if data is not None:
        strips(picked, data.x_test)
    histories = {e.name: e.card.get("history") or {} for e in picked}
    bars, curves = st.columns([2, 3], gap="large")
    with bars:
        bce = [e.card.get("test_metrics", {}).get("bce", float("nan")) for e in picked]
        st.plotly_chart(figures.metric_bars([e.name for e in picked], bce, "test BCE"), key="compare_bce")
    with curves:
        st.plotly_chart(figures.compare_losses(histories), key="compare_curves")


st.title("Models")
store = resources.store()
for problem in store.problems():
    st.warning(f"Skipped a file that does not list as a model: {problem}", icon=":material/warning:")
entries = store.entries()
if not entries:
    st.info("No models yet. Train one from the sidebar.")
    st.stop()

st.dataframe([card_rows(e) for e in entries], hide_index=True, width="stretch", column_config=NUMBERS)

st.subheader("Compare side by side")
comparison(entries)

st.subheader("Every model")
for entry in entries:
    with st.expander(entry.label + ("" if entry.shipped else " · yours"), expanded=False):
        details(entry)
