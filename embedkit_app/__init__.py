"""The Streamlit side of embedkit: session keys, cached loaders, shared widgets and plotly figures.

Only the app (``app.py``, ``pages/``) imports this package; the core library ``embedkit`` never does.
"""
