"""The user-facing layer: the Streamlit pages and the ``cnnquiz`` command line."""
