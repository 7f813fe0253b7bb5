"""Train: watch this session's training jobs live; start them from the sidebar form."""
import streamlit as st

from ae.ui import training

st.title("Train")
jobs = training.my_jobs()
if not jobs:
    st.info("Choose a family and settings in the sidebar form and press **Train**. Training runs in the "
            "background: switch pages freely and come back. The finished model is saved to your models and "
            "becomes your active model (other people keep theirs).", icon=":material/arrow_back:")
    st.markdown("A quick first run: **deep**, latent size **2**, **5** epochs on **10,000** digits takes about "
                "a minute and draws the digits' map as it learns.")
    st.stop()

shown = training.focus(jobs)
if len(jobs) > 1:
    labels = {job.id: training.job_label(job) for job in jobs}
    ids = [job.id for job in reversed(jobs)]
    chosen = st.selectbox("Job", ids, index=ids.index(shown.id), format_func=labels.get)
    shown = next(job for job in jobs if job.id == chosen)
training.live_view(shown.id)

st.subheader("Your jobs in this session")
st.dataframe(training.history_table(jobs), hide_index=True, width="stretch",
             column_config={"test BCE": st.column_config.NumberColumn(format="%.4f"),
                            "settings": st.column_config.TextColumn(width="large"),
                            "error": st.column_config.TextColumn(width="large")})
