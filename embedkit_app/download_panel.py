"""The "Download what you see" box: files of the occurrences on screen, named by space, fusion mode and alpha."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

from embedkit import downloads
from embedkit.embedded_text import EmbeddedText
from embedkit_app import tables
from embedkit_app.maps import MapView
from embedkit_app.plots import figure_html
from embedkit_app.widgets import frame_download


def download_panel(emb: EmbeddedText, view: MapView, alpha: float, figures: dict[str, object]) -> None:
    """Vectors, map coordinates, the figures and the Projector pair of what the maps show now."""
    mode = view.mode
    shown = view.rows[view.rows < len(emb)]  # the text's occurrences on the maps (never WordNet's examples)
    with st.expander("Download what you see", icon=":material/download:"):
        space = st.radio("Space", tables.SPACES, format_func=tables.SPACE_TITLES.get, key="dl_space")
        st.caption(
            f"{len(shown):,} occurrences, as on the maps (the punctuation filter and the spotlight apply); "
            f"fused = {mode} at alpha {alpha:.2f}. File names and columns say which space and alpha they hold."
        )

        def vectors_csv() -> bytes:
            return downloads.vectors_table(emb, shown, mode, alpha).to_csv(index=False).encode("utf-8")

        def vectors_parquet() -> bytes:
            buf = io.BytesIO()
            downloads.vectors_table(emb, shown, mode, alpha, wide=False).to_parquet(buf, index=False)
            return buf.getvalue()

        def coordinates_csv() -> bytes:
            coords = {}
            for s in tables.SPACES:
                points, xy = view.coords(s, alpha)
                keep = np.asarray(points.ids) < len(emb)
                coords[s] = (np.asarray(points.ids)[keep], np.asarray(xy)[keep])
            frame = downloads.coordinates_table(emb, shown, coords, mode, alpha)
            return frame.to_csv(index=False).encode("utf-8")

        def projector(which: int) -> bytes:
            return downloads.projector_pair(emb, shown, space, mode, alpha)[which].encode("utf-8")

        name = lambda kind, ext, s=space: downloads.file_name(kind, s, mode, alpha, ext)  # noqa: E731
        tsv = "text/tab-separated-values"
        frame_download("Vectors (CSV)", vectors_csv, name("vectors", "csv", "all"), "text/csv", "dl_csv")
        frame_download(
            "Vectors (Parquet)",
            vectors_parquet,
            name("vectors", "parquet", "all"),
            "application/octet-stream",
            "dl_parquet",
        )
        frame_download(
            "Map coordinates (CSV)", coordinates_csv, name("coordinates", "csv", "all"), "text/csv", "dl_coords"
        )
        frame_download(
            "Figure (HTML)", lambda: figure_html(figures[space]), name("map", "html"), "text/html", "dl_html"
        )
        frame_download("Projector vectors.tsv", lambda: projector(0), name("vectors", "tsv"), tsv, "dl_tsv_v")
        frame_download("Projector metadata.tsv", lambda: projector(1), name("metadata", "tsv"), tsv, "dl_tsv_m")
        st.caption(
            "The TSV pair loads into projector.tensorflow.org (Load → choose both files). "
            "For a PNG, use the camera icon on the right edge of each map."
        )
