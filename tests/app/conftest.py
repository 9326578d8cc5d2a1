"""AppTest fixtures: every page run headless in this process; models are cached across tests.

The app is an ``st.navigation`` app (app.py is the frame, the files in pages/ are the pages); ``at.switch_page`` opens a
page by its file. AppTest, seeing a ``pages/`` folder, runs a switched-to page file directly (without the frame), as
Streamlit does for a fresh server's first visitor of a page's address; so every page sets itself up
(``widgets.page_setup``) and these tests cover that path. The static -> BERT map is fitted on 500 words here
(``?align_k=500``) so the first run stays short.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300.0  # the first run loads the model and fits the map; later runs take well under a second
PAGES = {
    "home": None,
    "explore": "pages/1_Explore.py",
    "presenter": "pages/4_Presenter.py",
    "neighbours": "pages/2_Neighbours.py",
    "fusion_lab": "pages/3_Fusion_lab.py",
    "models": "pages/5_Models.py",
}

MakeApp = Callable[..., AppTest]


@pytest.fixture
def make_app() -> MakeApp:
    """Build an AppTest on ``page`` (a key of PAGES) with URL query parameters, already run once."""

    def make(page: str = "home", *, run: bool = True, **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
        at.query_params["align_k"] = "500"
        for key, value in params.items():
            at.query_params[key] = value
        if PAGES[page] is not None:
            at.switch_page(PAGES[page])
        if run:
            at.run()
        return at

    return make


def texts(at: AppTest, kind: str) -> list[str]:
    """The values of all elements of one kind (markdown, caption, error, …)."""
    return [str(e.value) for e in getattr(at, kind)]


def upload_vectors(make_app: MakeApp, name: str, data: bytes) -> list[str]:
    """Upload a vectors file named ``name`` on the Models page; the errors it shows (the page must not raise)."""
    at = make_app("models")
    at.radio(key="s_source").set_value("upload").run()
    at.file_uploader(key="s_upload").upload(name, data).run()
    no_exception(at)
    return texts(at, "error")


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def plotly_array(value: object) -> list[float]:
    """A plotly data array as a list: plain JSON lists, or plotly's base64 typed arrays (``{"dtype", "bdata"}``)."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value or [])  # type: ignore[call-overload]


def chart_points(at: AppTest, n: int) -> dict[int, tuple[float, float]]:
    """Point id (occurrence index) -> (x, y) of the n-th chart on the page (the selection ring left out)."""
    spec = json.loads(at.get("plotly_chart")[n].proto.spec)
    out: dict[int, tuple[float, float]] = {}
    for trace in spec["data"]:
        if trace.get("name") == "selected":
            continue
        ids, xs, ys = (plotly_array(trace.get(k)) for k in ("customdata", "x", "y"))
        for i, x, y in zip(ids, xs, ys):
            out[int(i)] = (float(x), float(y))
    return out


def chart_title(spec: dict[str, object]) -> str:
    """The title a map shows (the text trace named "title"; a frame's spec works too)."""
    trace = next(t for t in spec["data"] if t.get("name") == "title")  # type: ignore[attr-defined]
    return str(trace["text"][0])


def chart_meta(at: AppTest, n: int) -> dict[str, object]:
    """``layout.meta`` of the n-th chart (space, mode, alpha)."""
    return dict(json.loads(at.get("plotly_chart")[n].proto.spec)["layout"].get("meta", {}))


def sense_numbers(at: AppTest):  # type: ignore[no-untyped-def]
    """The sense numbers on the page as one frame, a column per space (Explore shows one table under each map; the
    neighbour lists are tables too, left out here)."""
    import pandas as pd

    numbers = [t.value for t in at.table if str(t.value.index[0]).startswith(("cosine", "nearest"))]
    return pd.concat(numbers, axis=1)
