"""The frame of the app: the navigation. ``streamlit run app.py`` runs this file on every rerun and ``st.navigation``
then runs the current page from ``pages/`` (each page sets itself up with ``widgets.page_setup``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent

#: The pages, in menu order: (file, title, icon). A page whose file is missing is left out.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("pages/0_Home.py", "Home", ":material/home:"),
    ("pages/1_Explore.py", "Explore", ":material/scatter_plot:"),
    ("pages/4_Presenter.py", "Presenter", ":material/co_present:"),
    ("pages/2_Neighbours.py", "Neighbours", ":material/hub:"),
    ("pages/3_Fusion_lab.py", "Fusion lab", ":material/science:"),
    ("pages/5_Models.py", "Models", ":material/tune:"),
    ("pages/6_Evaluate.py", "Evaluate", ":material/analytics:"),
    ("pages/7_Corpus.py", "Corpus", ":material/library_books:"),
)

st.set_page_config(page_title="embedkit", page_icon="🧭", layout="wide")
page = st.navigation(
    [
        st.Page(path, title=title, icon=icon, default=n == 0)
        for n, (path, title, icon) in enumerate(PAGES)
        if (ROOT / path).exists()
    ]
)
page.run()
