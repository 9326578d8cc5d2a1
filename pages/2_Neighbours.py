"""Neighbours: top-k lists of one occurrence under BERT, static and fused, and their overlap as alpha moves."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedkit.neighbours import neighbour_table
from embedkit_app import controls, embedding, loaders, plots, selection, state, tables, widgets

widgets.page_setup("Neighbours")
st.title("Nearest neighbours")
widgets.explainer(
    "Pick one word **in one sentence**. Each table lists the words whose vectors point in the most similar "
    "direction (cosine similarity: 1 = same direction, 0 = unrelated).\n\n"
    "- **Among your words** compares the occurrence with every other word you entered.\n"
    "- **From the vocabulary** compares it with the most frequent words of the static table (the ones the "
    "static → BERT map was fitted on), each encoded by BERT *alone*, without a sentence.\n"
    "- The chart at the bottom shows how much the fused list agrees with the BERT list and with the static "
    "list (Jaccard overlap: shared words ÷ all words in either list) as alpha goes from 0 to 1. At alpha = 1 "
    "the fused list *is* the BERT list."
)

mode, alpha, emb, rows = embedding.table_page_top()

left, right = st.columns([2, 1])
with left:
    query = selection.occurrence_picker(emb, rows)
with right:
    k = st.slider("Neighbours (k)", 3, 15, 8, key=state.K, **controls.BOUND)
st.markdown(f"> {widgets.md_escape(emb.context(query))}")

oov = np.asarray(emb.oov, dtype=bool)
fused_title = f"Fused ({controls.MODE_LABELS[mode]}, α={alpha:.2f})"
titles = {"bert": "BERT (contextual)", "static": "Static", "fused": fused_title}
cfg = state.model_config()
bar = st.empty()


def _progress(done: int, total: int) -> None:
    bar.progress(
        min(1.0, done / max(total, 1)), text=f"Encoding the vocabulary once (cached on disk): {done:,} / {total:,}"
    )


try:
    vocab = loaders.get_vocabulary(cfg, cfg.align_k, _progress)
except (ValueError, OSError, RuntimeError) as exc:
    widgets.show_error(exc, "Could not build the vocabulary")
    vocab = None
bar.empty()
table = neighbour_table(emb, [query], mode=mode, alpha=alpha, k=k, candidates=rows, vocabulary=vocab)

shown: dict[str, object] = {}
for among, heading in (("input", "Among your words"), ("vocab", "From the vocabulary")):
    if among == "vocab" and vocab is None:
        continue
    st.subheader(heading)
    if among == "vocab" and vocab is not None:
        st.caption(
            f"{len(vocab.words):,} most frequent words of {emb.settings.get('static', 'the static table')}; "
            "BERT vectors of words encoded alone."
        )
    for col, space in zip(st.columns(3, gap="small"), tables.SPACES):
        with col:
            st.markdown(f"**{titles[space]}**")
            if space == "static" and oov[query]:
                st.info(f"“{emb.words[query]}” is not in the static vocabulary.")
                continue
            frame = tables.shown_neighbours(table, space, among)
            if among == "input":
                shown[space] = frame
            widgets.show_neighbours(frame, key=f"{'words' if among == 'input' else 'vocab'}_{space}")

st.subheader("How the fused list overlaps the others as alpha moves")
alphas, vs_bert, vs_static = loaders.jaccard_curves(
    emb, embedding.embed_key(), query, mode, k, tuple(int(r) for r in rows)
)
c1, c2 = st.columns([3, 1])
with c1:
    st.plotly_chart(
        plots.jaccard_figure(alphas, vs_bert, vs_static, alpha_now=alpha), key="jaccard", config={"displaylogo": False}
    )
with c2:
    st.metric("Overlap with BERT at this alpha", f"{np.interp(alpha, alphas, vs_bert):.2f}")
    st.metric("Overlap with static at this alpha", f"{np.interp(alpha, alphas, vs_static):.2f}")
    st.caption(f"Among your words, top {k}. Computed at alpha = 0, 0.1, …, 1.")

if shown:
    import pandas as pd

    frame = pd.concat(shown, names=["space"]).reset_index()
    widgets.frame_download(
        "Neighbour tables (CSV)",
        frame.to_csv(index=False).encode("utf-8"),
        "neighbours.csv",
        "text/csv",
        "dl_neighbours",
    )
