"""Training from the app: the sidebar form, live progress, and adopting a finished model.

Jobs run in :mod:`ae.jobs` (a worker process per job); this module only asks it things and draws
the answers. Live parts are fragments that poll once a second while a job is active, so nothing
ever blocks a script run.
"""
from __future__ import annotations

import uuid
from datetime import datetime

import streamlit as st

from ae import figures
from ae.article import comparison_grid
from ae.jobs import CANCELLED, DONE, FAILED, QUEUED, RUNNING, TRAINING, Job, JobRequest
from ae.models import FAMILIES, MAX_LATENT, ModelConfig
from ae.preprocess import to_unit
from ae.train import MAX_BATCH, MAX_EPOCHS, TrainConfig
from ae.ui import resources, state

POLL_S = 1.0
MAX_ACTIVE_PER_SESSION = 3
MAX_VALIDATION = 10000
SESSION = "training_session_id"
SETTLED = "training_settled"  # ids of this session's finished jobs already acted on
FAMILY_LABELS = {"seed": "seed (the article's)", "deep": "deep (512-256)", "conv": "convolutional",
                 "vae": "variational (VAE)"}
OUTCOME = {QUEUED: "queued", RUNNING: "training", DONE: "done", FAILED: "failed", CANCELLED: "cancelled"}


# --- who is asking ------------------------------------------------------------------------------

def session_id() -> str:
    """A random id for this browser session: jobs belong to the session that started them."""
    if SESSION not in st.session_state:
        st.session_state[SESSION] = uuid.uuid4().hex
    return st.session_state[SESSION]


def my_jobs() -> list[Job]:
    return resources.jobs().jobs(session_id())


def focus(jobs: list[Job]) -> Job | None:
    """The job to show: the one training, else the next in line, else the latest."""
    for wanted in (RUNNING, QUEUED):
        for job in jobs:
            if job.state == wanted:
                return job
    return jobs[-1] if jobs else None


def settle() -> None:
    """Act once on each job that finished: a trained model becomes this session's active model."""
    settled = st.session_state.setdefault(SETTLED, set())
    for job in my_jobs():
        if job.active or job.id in settled:
            continue
        settled.add(job.id)
        if job.state == DONE and job.model_name:
            state.set_active_model(job.model_name)
            st.toast(f"**{job.model_name}** is trained and is now your active model.", icon=":material/check_circle:")
        elif job.state == FAILED:
            st.toast("A training job failed; see the sidebar.", icon=":material/error:")


def _rerun_when_finished(jobs: list[Job]) -> None:
    """From a fragment: once a job has an outcome, rerun the whole app so every part sees it."""
    settled = st.session_state.get(SETTLED, set())
    if any(not job.active and job.id not in settled for job in jobs):
        st.rerun()


# --- the sidebar ----------------------------------------------------------------------------------

def request_from(family, latent, epochs, batch_size, learning_rate, noise, train_size, seed) -> JobRequest:
    """Form values -> a validated request; ValueError with a readable message otherwise."""
    model = ModelConfig(family=family, latent_dim=latent, noise=noise, seed=seed)
    # Validation costs as much as training on as many digits, so a quick run validates on a slice.
    val_size = min(MAX_VALIDATION, train_size) if isinstance(train_size, int) else train_size
    train = TrainConfig(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                        train_size=train_size, val_size=val_size)
    return JobRequest(model, train, name=f"{family}-{latent}d")


def form() -> None:
    """The training form; bounds in the widgets, the real checks in ModelConfig and TrainConfig."""
    with st.sidebar.form("train_form"):
        st.markdown("**Train a model**")
        family = st.selectbox("Family", FAMILIES, index=FAMILIES.index("deep"), format_func=FAMILY_LABELS.get,
                              key="train_family")
        left, right = st.columns(2)
        latent = left.number_input("Latent size", 1, MAX_LATENT, 2, key="train_latent",
                                   help="Size of the code. 2 draws a live map of the digits.")
        epochs = right.number_input("Epochs", 1, MAX_EPOCHS, 5, key="train_epochs")
        batch_size = left.number_input("Batch size", 1, MAX_BATCH, 256, step=32, key="train_batch")
        learning_rate = right.number_input("Learning rate", 0.000001, 1.0, 0.001, step=0.0005, format="%g",
                                           key="train_lr", help="Adam's step size, 0.000001 to 1.")
        noise = left.number_input("Noise", 0.0, 1.0, 0.0, step=0.05, key="train_noise",
                                  help="Std of Gaussian noise added to the inputs while training: "
                                       "above 0 makes a denoising autoencoder.")
        train_size = right.number_input("Digits", 1, 60000, 10000, step=1000, key="train_size",
                                        help="Train on the first N of the 60,000 training digits; validate on "
                                             f"as many test digits (at most {MAX_VALIDATION:,}).")
        seed = st.number_input("Seed", 0, 2**31 - 1, 0, key="train_seed", help="Same seed, same starting weights.")
        submitted = st.form_submit_button("Train", type="primary", icon=":material/model_training:",
                                          width="stretch")
    if submitted:
        submit(family, latent, epochs, batch_size, learning_rate, noise, train_size, seed)


def submit(*values) -> None:
    try:
        request = request_from(*values)
    except (ValueError, TypeError) as exc:
        st.sidebar.error(f"Not started: {exc}")
        return
    if sum(job.active for job in my_jobs()) >= MAX_ACTIVE_PER_SESSION:
        st.sidebar.warning(f"You already have {MAX_ACTIVE_PER_SESSION} jobs waiting or training; "
                           "cancel one or let it finish first.")
        return
    resources.jobs().submit(session_id(), request)
    st.rerun()  # so the progress line above the form starts polling


def _status_line(job: Job) -> None:
    """One job, compactly: where it is and how far along."""
    if job.state == QUEUED:
        st.caption(f"**{job.request.name}**: {_ordinal(job.position)} in line for training")
    elif job.state == RUNNING:
        st.progress(job.fraction, text=f"**{job.request.name}**: {_progress_text(job, short=True)}")


def _progress_text(job: Job, short: bool = False) -> str:
    if job.cancel_requested:
        return "cancelling after this batch …"
    if job.phase != TRAINING or not job.batch_losses:
        return job.phase + " …"
    text = f"epoch {job.epoch}/{job.epochs} · {job.fraction:.0%}"
    if job.eta_s is not None and job.batch_losses:
        text += f" · ETA {_duration(job.eta_s)}"
    if not short:
        text += f" · batch {job.batch}/{job.batches} · {job.samples_per_s:,.0f} samples/s"
    return text


def _outcome_line(job: Job) -> None:
    if job.state == DONE:
        bce = job.test_metrics.get("bce")
        st.success(f"Trained **{job.model_name}**" + (f" (test BCE {bce:.4f})" if bce is not None else "")
                   + "; it is now your active model.", icon=":material/check_circle:")
    elif job.state == FAILED:
        st.error(f"**{job.request.name}** failed: {job.error}", icon=":material/error:")
    elif job.state == CANCELLED:
        st.info(f"**{job.request.name}** was cancelled; nothing was saved.", icon=":material/stop_circle:")


def _sidebar_jobs() -> None:
    jobs = my_jobs()
    _rerun_when_finished(jobs)
    active = [job for job in jobs if job.active]
    for job in active:
        _status_line(job)
    if active:
        target = focus(active)
        if st.button("Cancel" if len(active) == 1 else f"Cancel {target.request.name}",
                     icon=":material/stop_circle:", key="cancel_job", width="stretch",
                     disabled=bool(target.cancel_requested)):
            resources.jobs().cancel(target.id, session_id())
            st.rerun()
    elif jobs:
        _outcome_line(jobs[-1])


def sidebar() -> None:
    """The live job lines (a fragment that polls only while a job is active), then the form."""
    polling = any(job.active for job in my_jobs())
    with st.sidebar:
        st.fragment(_sidebar_jobs, run_every=POLL_S if polling else None)()
    form()


# --- the Train page -------------------------------------------------------------------------------

def live_view(job_id: str) -> None:
    """Progress, loss chart, reconstructions and latent map of one job, refreshed while it runs."""
    job = resources.jobs().job(job_id)
    polling = job is not None and job.active
    st.fragment(_live, run_every=POLL_S if polling else None)(job_id)


def _live(job_id: str) -> None:
    job = resources.jobs().job(job_id)
    if job is None:
        st.info("This job is no longer remembered by the server.")
        return
    _rerun_when_finished([job])
    st.markdown(f"#### {job.model_name or job.request.name}  \n<small>{job.request.summary}</small>",
                unsafe_allow_html=True)
    if job.state == QUEUED:
        st.info(f"Waiting: {_ordinal(job.position)} in line. One job trains at a time on this server.",
                icon=":material/hourglass_top:")
    elif job.state == RUNNING:
        st.progress(job.fraction, text=_progress_text(job))
    else:
        _outcome_line(job)
    chart, pictures = st.columns([3, 2], gap="large")
    with chart:
        if job.batch_losses or job.history:
            title = "Loss: per batch and per epoch" + (" (VAE: total, reconstruction, KL)"
                                                     if job.request.model.family == "vae" else "")
            st.plotly_chart(figures.live_loss(job.history, job.batch_losses, job.batches, title=title),
                            key=f"live_loss_{job.id}", config={"displayModeBar": False})
        else:
            st.caption("The loss chart appears with the first batch.")
    with pictures:
        if job.originals is not None and job.reconstructions is not None:
            epoch = len(job.history.get("loss", []))
            st.markdown(f"**Test digits (top) and reconstructions (bottom)**, after epoch {epoch}")
            grid = comparison_grid(job.originals, to_unit(job.reconstructions), scale=3)
            st.image(grid, clamp=True, width="stretch")
        else:
            st.caption("Reconstructions of ten test digits appear after the first epoch.")
        if job.map_points is not None and job.map_labels is not None:
            st.markdown(f"**Latent map** of {len(job.map_points):,} test digits")
            st.plotly_chart(figures.latent_map(job.map_points, job.map_labels, height=340),
                            key=f"live_map_{job.id}", config={"displayModeBar": False})
        elif job.request.model.latent_dim == 2:
            st.caption("The latent map appears after the first epoch.")


def job_label(job: Job) -> str:
    return f"{job.request.name} · {OUTCOME.get(job.state, job.state)} · {_clock(job.submitted)}"


def history_table(jobs: list[Job]) -> list[dict]:
    """One row per job of this session, newest first."""
    rows = []
    for job in reversed(jobs):
        rows.append({
            "started": _clock(job.submitted),
            "job": job.request.name,
            "outcome": OUTCOME.get(job.state, job.state),
            "saved as": job.model_name or "",
            "test BCE": job.test_metrics.get("bce"),
            "time": _duration(job.seconds) if job.finished and job.started else "",
            "settings": job.request.summary,
            "error": job.error or "",
        })
    return rows


# --- small words -----------------------------------------------------------------------------------

def _clock(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%H:%M:%S")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"
