"""The Streamlit layer: the only part of ``ae`` that imports Streamlit. Pages compose core calls."""
