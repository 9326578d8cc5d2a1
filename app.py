"""The frame of the app: the navigation. ``streamlit run app.py`` runs this file on every rerun and ``st.navigation``
then runs the current page from ``pages/`` (each page sets itself up with ``widgets.page_setup``)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from embedkit_app.widgets import APP_ICON, PAGE_ICONS

ROOT = Path(__file__).resolve().parent

#: The pages, in menu order: (file, title). A page whose file is missing is left out. Icons: widgets.PAGE_ICONS.
PAGES: tuple[tuple[str, str], ...] = (
    ("pages/0_Home.py", "Home"),
    ("pages/1_Explore.py", "Explore"),
    ("pages/4_Presenter.py", "Presenter"),
    ("pages/2_Neighbours.py", "Neighbours"),
    ("pages/3_Fusion_lab.py", "Fusion lab"),
    ("pages/5_Models.py", "Models"),
    ("pages/6_Evaluate.py", "Evaluate"),
    ("pages/7_Corpus.py", "Corpus"),
)

st.set_page_config(page_title="embedkit", page_icon=APP_ICON, layout="wide")
page = st.navigation(
    [
        st.Page(path, title=title, icon=PAGE_ICONS[title], default=n == 0)
        for n, (path, title) in enumerate(PAGES)
        if (ROOT / path).exists()
    ]
)
page.run()
