"""Explore: the BERT, static and fused maps side by side, linked by selection."""

from __future__ import annotations

import io
from functools import partial

import numpy as np
import streamlit as st

from embedkit import export
from embedkit.fusion import fused_dim
from embedkit.neighbours import neighbour_table
from embedkit.text import content_indices
from embedkit_app import plots, state, tables, widgets

widgets.page_setup("Explore", "🗺️")
st.title("Explore the three spaces")
widgets.explainer(
    "Each dot is one **word occurrence**; words that are close on a map have similar vectors.\n\n"
    "- **BERT** (left): every occurrence gets its own vector, so *bank* by a river and *bank* with money "
    "land in different places.\n"
    "- **Static** (middle): one vector per word *type*, so every *bank* sits on the same spot. Words missing "
    "from the static vocabulary (OOV) are left out here.\n"
    "- **Fused** (right): both combined. Move **alpha** in the sidebar: at 1 the fused map is the BERT map, at 0 "
    "it is the static map (mapped into BERT's space).\n\n"
    "A map squeezes hundreds of dimensions into two, so only *neighbourhoods* mean something — not the axes, "
    "not the distances between far-apart groups. Click a dot to ring the same occurrence in all three maps "
    "and list its nearest neighbours below."
)

mode, alpha = widgets.fusion_controls()
view = widgets.view_controls()
emb = widgets.require_embedding()
rows = content_indices(emb.words, view["hide_punct"])
dims = 3 if view["dims"] == "3-D" else 2
method = widgets.projection_method(view["proj"])

dh, de = emb.h.shape[1], emb.e.shape[1]
df = fused_dim(mode, dh, de)
st.caption(
    f"{widgets.model_caption(state.model_config())}  \n"
    f"Dimensions: BERT **{dh}** · static **{de}** · fused **{df}** ({widgets.MODE_LABELS[mode]}, alpha {alpha:.2f}) · "
    f"{len(rows)} occurrences, {int(np.asarray(emb.oov)[rows].sum())} OOV · projection {method.upper()} {dims}-D"
)

try:
    layouts = widgets.map_layouts(emb, rows, mode, alpha, method, dims)
except (ValueError, RuntimeError) as exc:
    widgets.show_error(exc, "Could not draw the maps")
    st.stop()

hovers = widgets.hover_texts(emb)
styles = plots.word_styles([emb.words[int(i)] for i in rows])
selected = widgets.default_selection(emb, rows)


def _on_select(key: str) -> None:
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    if not points:
        return
    cd = points[0].get("customdata")
    if isinstance(cd, (list, tuple)):
        cd = cd[0] if cd else None
    if cd is not None:
        state.select(int(cd))
        st.session_state[state.OCCURRENCE] = int(cd)


titles = {
    "bert": "BERT (contextual)",
    "static": "Static",
    "fused": f"Fused — {widgets.MODE_LABELS[mode]}, α={alpha:.2f}",
}
figures = {}
for col, (space, key) in zip(st.columns(3, gap="small"), zip(tables.SPACES, state.MAP_KEYS)):
    occ, coords = layouts[space]
    fig = plots.map_figure(
        coords,
        [emb.words[int(i)] for i in occ],
        [hovers[int(i)] for i in occ],
        title=titles[space],
        point_ids=occ,
        styles=styles,
        selected=selected,
        labels=view["labels"],
    )
    figures[space] = fig
    with col:
        if dims == 2:
            st.plotly_chart(
                fig, key=key, on_select=partial(_on_select, key), selection_mode="points", config={"displaylogo": False}
            )
        else:
            st.plotly_chart(fig, key=key, config={"displaylogo": False})

st.subheader("Nearest neighbours of one occurrence")
left, right = st.columns([2, 1])
with left:
    query = widgets.occurrence_picker(emb, rows, label="Occurrence (or click a dot on a map)")
with right:
    k = st.slider("Neighbours", 3, 15, 8, key=state.K, bind="query-params", persist_state="session")

table = neighbour_table(emb, [query], mode=mode, alpha=alpha, k=k, candidates=rows)
for col, space in zip(st.columns(3, gap="small"), tables.SPACES):
    with col:
        st.markdown(f"**{tables.SPACE_TITLES[space]}**")
        if space == "static" and bool(emb.oov[query]):
            st.info(f"“{emb.words[query]}” is not in the static vocabulary.")
            continue
        widgets.neighbour_table(tables.shown_neighbours(table, space), key=f"nb_{space}")

with st.expander("Download what you see", icon=":material/download:"):
    space = st.radio("Space", tables.SPACES, horizontal=True, format_func=tables.SPACE_TITLES.get, key="dl_space")
    X_all = emb.space(space, mode=mode, alpha=alpha)

    def _csv() -> bytes:  # every space side by side, one row per occurrence
        return export.vectors_frame(emb, emb.fuse(mode, alpha), wide=True).to_csv(index=False).encode("utf-8")

    def _parquet() -> bytes:
        buf = io.BytesIO()
        export.vectors_frame(emb, emb.fuse(mode, alpha), wide=False).to_parquet(buf, index=False)
        return buf.getvalue()

    def _coords() -> bytes:
        frame = export.coordinates_frame(emb, {s: layouts[s][1] for s in ("bert", "fused")}, rows)
        static_occ, static_xy = layouts["static"]
        where = {int(o): n for n, o in enumerate(static_occ)}
        for c, axis in enumerate("xyz"[:dims]):
            frame[f"static_{axis}"] = [static_xy[where[int(o)], c] if int(o) in where else np.nan for o in rows]
        return frame.to_csv(index=False).encode("utf-8")

    b = st.columns(3)
    with b[0]:
        widgets.frame_download("Vectors (CSV)", _csv, "vectors.csv", "text/csv", "dl_csv")
        widgets.frame_download(
            "Vectors (Parquet)", _parquet, "vectors.parquet", "application/octet-stream", "dl_parquet"
        )
    with b[1]:
        widgets.frame_download(
            "Map coordinates (CSV)", _coords, f"coordinates_{method}_{dims}d.csv", "text/csv", "dl_coords"
        )
        widgets.frame_download(
            "Figure (HTML)", lambda: plots.figure_html(figures[space]), f"{space}_map.html", "text/html", "dl_html"
        )
    with b[2]:
        widgets.frame_download(
            "Projector vectors.tsv",
            lambda: export.projector_tsv(emb, X_all)[0],
            "vectors.tsv",
            "text/tab-separated-values",
            "dl_tsv_v",
        )
        widgets.frame_download(
            "Projector metadata.tsv",
            lambda: export.projector_tsv(emb, X_all)[1],
            "metadata.tsv",
            "text/tab-separated-values",
            "dl_tsv_m",
        )
    st.caption(
        "The TSV pair loads into projector.tensorflow.org (Load → choose both files). "
        "For a PNG, use the camera icon at the top right of each map."
    )
