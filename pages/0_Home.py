"""Home: what embedkit shows, the fusion formulas, the sentences to embed, and the models in use."""

from __future__ import annotations

import streamlit as st

from embedkit.errors import EmbedkitError
from embedkit.text import segment, split_lines
from embedkit_app import embedding, links, loaders, state, text_input, widgets
from embedkit_app.examples import CUSTOM, DEFAULT_EXAMPLE, EXAMPLES, get_example

widgets.page_setup("Home", tight=True, warm_up=False)  # started below, once the first screen is drawn


st.title("embedkit — words as vectors")
st.markdown(
    "A **static** table such as GloVe gives every word *type* one vector, so *bank* is the same in "
    "“river bank” and “bank loan”. A **contextual** encoder such as BERT gives every word *occurrence* its "
    "own vector, computed from the whole sentence. embedkit lines both up word by word, fuses them with a "
    "weight **alpha** you move live, and shows the three spaces as maps and neighbour lists."
)
widgets.explainer(
    "Type or pick a few sentences, press **Embed**, then open **Explore** in the sidebar.\n\n"
    "- Each line is one sentence. Every word gets two vectors: one from BERT (depends on the sentence) and "
    "one from the static table (the same for every occurrence of the word).\n"
    "- *OOV* (out of vocabulary) words are missing from the static table; they get a zero static vector and "
    "are marked in the plots.\n"
    "- The **polysemy** example has *bank*, *bat* and *spring* in different senses: watch them split apart "
    "in the BERT map and sit on one point in the static map.\n"
    "- Below the sentences: the three ways embedkit fuses the two vectors of a word."
)

left, right = st.columns([3, 2], gap="large")
with left:
    names = [*EXAMPLES, CUSTOM]
    if state.EXAMPLE not in st.session_state:  # first visit: the example set named in the URL
        from_url = st.query_params.get(state.EXAMPLE)
        st.session_state[state.EXAMPLE] = from_url if from_url in EXAMPLES else DEFAULT_EXAMPLE
    current = (
        st.selectbox(
            "Sentences: an example set or your own",
            names,
            key=state.EXAMPLE,
            persist_state="session",
            format_func=lambda n: EXAMPLES[n].title if n in EXAMPLES else "Your own text",
            on_change=text_input.use_example,
        )
        or DEFAULT_EXAMPLE
    )
    if state.TEXT not in st.session_state:
        st.session_state[state.TEXT] = get_example(current if current != CUSTOM else None).text
    text = (
        st.text_area(
            "One sentence per line",
            key=state.TEXT,
            height=150,
            max_chars=state.MAX_TEXT_CHARS,
            persist_state="session",
            on_change=text_input.typed,
            placeholder="I sat on the river bank.\nThe bank raised its interest rates.",
            help=EXAMPLES[current].description if current in EXAMPLES else None,
        )
        or ""
    )
    embed_clicked = st.button("Embed", type="primary", icon=":material/play_arrow:")
    result = st.container()
    if st.query_params.get(state.TEXT_ID_PARAM):
        st.caption(links.STORED_NOTE)
    st.file_uploader(
        "…or upload a .txt file (UTF-8, one sentence per line)",
        type=["txt"],
        key=state.UPLOAD_TEXT,
        on_change=text_input.uploaded,
        max_upload_size=5,
    )
    if msg := st.session_state.pop(text_input.UPLOAD_ERROR, None):
        st.error(msg, icon=":material/error:")

lines = split_lines(text)
words = [w.text for line in lines for w in segment(line)]
cfg = state.model_config()


with right:
    st.subheader("Models")
    st.markdown(widgets.model_caption(cfg))
    status = st.container()  # filled last: the models may still be loading
    st.caption(
        f"{len(lines)} sentences · {len(words)} words · pooling **{cfg.pooling}** · layers "
        f"**{cfg.layers}** · post-processing **{cfg.postprocess}** · change them on the Models page."
    )
    if why := widgets.encoder_why(cfg):
        st.caption(f"Why these encoder options: {why}")

st.subheader("How the two vectors of a word are fused")
c1, c2, c3 = st.columns(3)
with c1:
    st.markdown("**Concatenation** (dimension adds up)")
    st.latex(r"v_i = \left[\sqrt{\alpha}\,\hat h_i \,;\, \sqrt{1-\alpha}\,\hat e_i\right]")
with c2:
    st.markdown("**Weighted sum** (static mapped into BERT's space by $P$)")
    st.latex(r"v_i = \alpha\,h_i + (1-\alpha)\,P e_i")
with c3:
    st.markdown("**Attention** (in the style of Kiela et al. 2018, no learned weights)")
    st.latex(r"v_i = w_i\,h_i + (1-w_i)\,P e_i")
st.markdown("**The attention weight** of BERT for word *i*:")
st.latex(
    r"w_i = \frac{\alpha\, e^{\cos(h_i, c_i)/T}}"
    r"{\alpha\, e^{\cos(h_i, c_i)/T} + (1-\alpha)\, e^{\cos(P e_i, c_i)/T}}"
)
st.caption(
    "h: the word's BERT vector, e: its static vector (a hat: scaled to length 1), P: the map from the static "
    "space into BERT's space. "
    "Attention scores each source by its agreement with c, the mean direction of the sentence's other words "
    "(both sources), at temperature T = 0.1; alpha = 0.5 is neutral. The learned DME is on the Fusion lab page."
)

# Everything above is on screen at once; what follows may wait for the models, which load in the background from the
# first page's first run (loaders.start_model_warm_up). Pressing Embed meanwhile starts a new run that waits for them.
widgets.warm_ups()
with result:
    if embed_clicked:
        if problem := state.text_problem(lines):
            widgets.show_error(EmbedkitError(problem), "Cannot embed this text")
        else:
            state.set_sentences(lines)
            links.remember_text(text)
            emb = embedding.embed_now(lines)
            if emb is not None:
                st.success(
                    f"Embedded {len(emb.words):,} words in {len(emb.sentences)} sentences.",
                    icon=":material/check_circle:",
                )
    emb = st.session_state.get(state.EMBEDDED)
    if emb is not None and st.session_state.get(state.EMBEDDED_FOR) == (cfg, tuple(lines)):
        st.page_link(
            "pages/1_Explore.py",
            label="Open the maps (Explore)",
            icon=":material/scatter_plot:",
            query_params=state.url_params(),
        )
    elif emb is not None:
        st.info("The sentences or models changed since the last Embed; press **Embed** to update the maps.")

with status:
    note = st.empty()
    loaders.wait_for_warm_up(
        cfg,
        lambda s: note.info(
            f"Loading the models (once per server; **Embed** works meanwhile)… {s:.0f} s",
            icon=":material/hourglass_top:",
        ),
    )
    note.empty()
    try:
        encoder = loaders.get_encoder(cfg)
        static = loaders.get_static(cfg.vectors)
    except (ValueError, OSError) as exc:
        widgets.show_error(exc, "Could not load the models")
        st.page_link(
            "pages/5_Models.py",
            label="Choose other models",
            icon=":material/settings:",
            query_params=state.url_params(),
        )
    else:
        m1, m2 = st.columns(2)
        m1.metric("BERT dimension", encoder.dim)
        m2.metric("Static dimension", static.dim)
        m3, m4 = st.columns(2)
        m3.metric("Static vocabulary", f"{len(static.words):,}")
        if words:
            _, oov = static.lookup(words)
            m4.metric(
                "OOV rate",
                f"{float(oov.mean()):.0%}",
                help=f"Words of your text missing from the static vocabulary: {int(oov.sum())} of {len(words)}.",
            )
        else:
            m4.metric("OOV rate", "–", help="Words of your text missing from the static vocabulary.")
