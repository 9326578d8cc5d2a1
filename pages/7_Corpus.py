"""Corpus: every occurrence of a word in an indexed corpus, its sense map, and neighbours across the corpus."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedkit.corpus.search import SpaceChoice
from embedkit_app import controls, corpus_data, state, widgets, word_maps

widgets.page_setup("Corpus", "📚")
st.title("Corpus")
widgets.explainer(
    "A **corpus index** holds the BERT vector of every word occurrence of a whole corpus (built once with "
    "`embedkit index`, or here from a small upload). Pick a word: the map shows **all its occurrences**, one dot "
    "each, laid out by UMAP so that occurrences used alike sit together; colours are clusters (k-means, with the "
    "number of clusters chosen by the silhouette score). Moving **alpha** mixes in the static vector, which is the "
    "same for every occurrence of the word: clusters and neighbours are recomputed exactly, nothing is re-embedded. "
    "Click a dot to list its nearest occurrences **across the whole corpus**, with their sentences."
)
mode, alpha = controls.fusion_controls()

corpus_data.check_link(state.CORPUS)  # an index name this session may not open is dropped, with a notice
names = corpus_data.list_indexes()
with st.expander("Build a small index from a .txt upload", expanded=not names):
    up = st.file_uploader("Text file (one sentence or paragraph per line)", type=["txt"], key=state.CORPUS_UPLOAD,
                          max_upload_size=corpus_data.MAX_UPLOAD_MB)  # fmt: skip
    new_name = st.text_input("Index name", value="my-corpus", key=state.CORPUS_NEW_NAME, max_chars=41)
    st.caption(
        f"Up to {corpus_data.MAX_UPLOAD_MB} MB, with the bundled model and GloVe vectors and this session's encoder "
        "options (the Models page), as Explore embeds. The index is yours: other "
        "visitors neither see it nor open it. Larger corpora: `python -m embedkit index FILE -o FOLDER`."
    )
    if st.button("Build index", disabled=up is None, icon=":material/build:") and up is not None:
        bar = st.progress(0.0, text="Checking the input…")
        try:
            built = corpus_data.build_from_upload(
                new_name.strip(), up, corpus_data.build_progress(bar), state.model_config()
            )
        except corpus_data.READ_ERRORS as exc:
            widgets.show_error(exc, "Could not build the index")
        else:
            st.session_state[state.CORPUS] = built
            names = corpus_data.list_indexes()
        bar.empty()

if not names:
    st.info(
        "No index yet: build one above from a .txt upload (only you will see it), or, on the server, with "
        "`python -m embedkit index FILE -o FOLDER` inside the corpus folder (EMBEDKIT_CORPUS_DIR) to publish it."
    )
    st.stop()
if st.session_state.get(state.CORPUS) not in names:
    st.session_state.pop(state.CORPUS, None)
left, mid, right = st.columns([1, 2, 1])
with left:
    name = st.selectbox("Index", names, key=state.CORPUS, bind="query-params", persist_state="session")
try:
    index = corpus_data.open_index(str(name))
    counts = index.manifest["counts"]
    about = [index.manifest["model"]["describe"], index.manifest.get("map", {}).get("describe", "")]
    vocab = [w for w, _ in index.word_counts[:20_000]]
except corpus_data.READ_ERRORS as exc:
    widgets.show_error(exc, "Could not open the index")
    st.stop()
st.caption(  # manifest text is data, never markdown
    f"{counts['occurrences']:,} occurrences of {counts['types']:,} word forms in {counts['sentences']:,} "
    f"sentences · {widgets.md_escape(str(about[0]))} · {widgets.md_escape(str(about[1]))}"
    + (" · built in this session, private to it" if corpus_data.is_own(str(name)) else "")
)

with mid:
    word = st.selectbox(
        "Word (most frequent first: type to search)",
        vocab,
        index=None,
        key=state.CORPUS_WORD,
        placeholder="type a word",
        bind="query-params",
        persist_state="session",
    )
with right:
    space = st.segmented_control(
        "Space",
        ["fused", "bert", "static"],
        default="fused",
        key=state.CORPUS_SPACE,
        bind="query-params",
        persist_state="session",
        required=True,
    )
if not word:
    st.info("Pick a word to see all its occurrences.")
    st.stop()

try:
    with st.spinner(
        f"Laying out every occurrence of “{widgets.md_escape(str(word))}” (UMAP; once per word, space and mode)…"
    ):
        senses = corpus_data.sense_map(str(name), str(word), str(space), mode, alpha)
except corpus_data.READ_ERRORS as exc:
    widgets.show_error(exc, "Could not map the word")
    st.stop()

fused = f" — {controls.MODE_LABELS[mode]}, α={alpha:.2f}" if space == "fused" else ""
sil = f", silhouette {senses.silhouette:.2f}" if np.isfinite(senses.silhouette) else ""
st.markdown(
    f"**{len(senses):,} occurrences of “{widgets.md_escape(str(word))}”** · {space}{fused} · {senses.k} cluster(s){sil}"
)
selected = st.session_state.get(state.CORPUS_SELECTED)
if selected is not None and selected not in set(senses.rows.tolist()):
    selected = None


def _on_select() -> None:
    event = st.session_state.get(state.CORPUS_MAP)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    cd = points[0].get("customdata") if points else None
    if isinstance(cd, (list, tuple)):
        cd = cd[0] if cd else None
    if cd is not None:
        st.session_state[state.CORPUS_SELECTED] = int(cd)


labels = {c.cluster: f"{c.cluster}: {', '.join(c.words[:3]) or '-'} ({c.size:,})" for c in senses.clusters}
try:
    hovers = corpus_data.hover_texts(str(name), str(word))
except corpus_data.READ_ERRORS as exc:
    widgets.show_error(exc, "Could not read the occurrences")
    st.stop()
fig = word_maps.cluster_figure(  # drawn like the word maps of Explore and Presenter
    senses.coords,
    senses.labels,
    labels,
    hovers,
    senses.rows,
    title=f"{word} · {space}{fused}",
    selected=selected,
    height=520,
)
st.plotly_chart(
    fig,
    key=state.CORPUS_MAP,
    on_select=_on_select,
    selection_mode="points",
    config={"displaylogo": False, "scrollZoom": True},
)
if space == "static":
    st.caption("Static vectors give every occurrence of a word form the same vector: one spot per form.")

tab_n, tab_c, tab_k = st.tabs(["Nearest occurrences", "Clusters", "All occurrences"])
with tab_n:
    query = st.session_state.get(state.CORPUS_SELECTED)
    if query is None or query not in set(senses.rows.tolist()):
        query = int(senses.clusters[0].typical_rows[0]) if senses.clusters else int(senses.rows[0])
        st.caption("Click a dot on the map to choose the occurrence; showing the most typical one of cluster 0.")
    try:
        st.markdown(f"> {widgets.md_escape(index.context(query))}")
        table = index.table(*index.search(query, SpaceChoice(str(space), mode, alpha), k=10))
    except corpus_data.READ_ERRORS as exc:
        widgets.show_error(exc, "No neighbours")
    else:
        st.dataframe(
            table[["rank", "cosine", "word", "context"]],
            hide_index=True,
            width="stretch",
            key="corpus_neighbours",
            column_config={
                "cosine": st.column_config.ProgressColumn(
                    "cosine", min_value=0.0, max_value=1.0, format="%.3f", width="small"
                )
            },
        )
with tab_c:
    st.dataframe(
        [
            {
                "cluster": c.cluster,
                "size": c.size,
                "distinctive neighbouring words": ", ".join(c.words),
                "most typical context": c.typical[0] if c.typical else "",
            }
            for c in senses.clusters
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Distinctive words: words within 5 of the occurrence, far more frequent near this cluster than "
        "near the others. Typical context: the occurrence nearest the cluster's centre."
    )
with tab_k:
    try:
        kwic = index.occurrences(str(word), limit=500)[["left", "word", "right"]]
    except corpus_data.READ_ERRORS as exc:
        widgets.show_error(exc, "Could not list the occurrences")
    else:
        st.dataframe(kwic, hide_index=True, width="stretch")
        st.caption("Keyword in context (first 500 occurrences in corpus order).")
