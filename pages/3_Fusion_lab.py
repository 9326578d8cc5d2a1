"""Fusion lab: attention weights per word, cosine matrices per space, and the polysemy demo."""

from __future__ import annotations

import numpy as np
import streamlit as st

from embedkit.alpha_curves import pair_cosine_curves
from embedkit.cosine import cosine_matrix
from embedkit.text import repeated_types
from embedkit_app import controls, embedding, loaders, plots, selection, state, widgets

MAX_MATRIX_WORDS = 40

widgets.page_setup("Fusion lab", "🧪")
st.title("Fusion lab")
widgets.explainer(
    "Three small experiments on how the two sources mix.\n\n"
    "1. **Which source does each word lean on?** The attention fusion scores BERT's vector and the static "
    "vector of each word against the rest of its sentence and mixes them with softmax weights that sum to 1. "
    "Blue = share from BERT, orange = share from the static vector. Alpha still tilts the mix (0.5 is neutral).\n"
    "2. **Cosine matrices**: every cell is the cosine similarity of two words (red = similar, blue = opposite). "
    "Compare how the same words relate in each space.\n"
    "3. **Polysemy**: two occurrences of the same word (river *bank*, money *bank*). The static table gives them "
    "the same vector (cosine 1); BERT tells them apart. The fused line shows where alpha puts you in between.\n"
    "4. **Learned weights**: instead of a fixed rule, Dynamic Meta-Embeddings (Kiela et al. 2018) *learn* how to "
    "score each source, by training together with a small sentiment classifier. Which words does it trust BERT on?"
)

mode, alpha, emb, rows = embedding.table_page_top()
sid = np.asarray(emb.sentence_id)
picked = selection.default_selection(emb, rows)  # the occurrence chosen on any page


def sentence_label(s: int) -> str:
    text = emb.sentences[s]
    return f"s{s + 1}: {text if len(text) <= 80 else text[:77] + '…'}"


# 1. attention weights ------------------------------------------------------------------------------
st.subheader("1 · Which source does each word lean on?")
sentence = st.selectbox(
    "Sentence",
    list(range(len(emb.sentences))),
    index=int(sid[picked]),
    format_func=sentence_label,
    key=state.LAB_SENTENCE,
)
weights = emb.fuse("attention", alpha).weights
assert weights is not None  # attention always returns its per-word weights
in_sentence = rows[sid[rows] == sentence]
c1, c2 = st.columns([3, 2])
with c1:
    st.plotly_chart(
        plots.attention_figure(
            [emb.words[int(i)] for i in in_sentence],
            weights[in_sentence],
            title=f"Attention weights at alpha = {alpha:.2f}",
        ),
        key="attention",
        config={"displaylogo": False},
    )
with c2:
    w = weights[rows, 0]
    st.metric("Attention's mean share from BERT (all your words)", f"{float(w.mean()):.2f}")
    lean = rows[np.argsort(w)]
    st.markdown("**Leans most on static:** " + ", ".join(widgets.md_escape(emb.words[int(i)]) for i in lean[:5]))
    st.markdown("**Leans most on BERT:** " + ", ".join(widgets.md_escape(emb.words[int(i)]) for i in lean[::-1][:5]))
    if mode != "attention":
        st.caption(
            f"These are attention's weights at alpha = {alpha:.2f}, not what the maps use now: "
            f"{controls.alpha_meaning(mode, alpha)} Switch the fusion mode to attention to use these per-word "
            "weights everywhere."
        )
    if np.asarray(emb.oov)[in_sentence].any():
        st.caption("Words missing from the static table take everything from BERT (weight 1).")

# 2. cosine matrices --------------------------------------------------------------------------------
st.subheader("2 · Word-by-word cosine in each space")
default = sorted({int(sid[i]) for i in next(iter(repeated_types(emb.words, rows).values()), [int(rows[0])])})
chosen = st.multiselect(
    "Sentences",
    list(range(len(emb.sentences))),
    default=default[:3] or [0],
    format_func=sentence_label,
    key="lab_matrix_sentences",
)
words_idx = rows[np.isin(sid[rows], chosen)][:MAX_MATRIX_WORDS]
if len(words_idx) < 2:
    st.info("Pick sentences with at least two words.")
else:
    if len(rows[np.isin(sid[rows], chosen)]) > MAX_MATRIX_WORDS:
        st.caption(f"Showing the first {MAX_MATRIX_WORDS} words.")
    labels = [f"{emb.words[int(i)]} ·{int(sid[i]) + 1}" for i in words_idx]
    spaces = {
        "bert": emb.space("bert"),
        "static": emb.space("static"),
        "fused": emb.space("fused", mode=mode, alpha=alpha),
    }
    titles = {"bert": "BERT", "static": "Static", "fused": f"Fused (α={alpha:.2f})"}
    for n, (col, (space, X)) in enumerate(zip(st.columns([1.25, 1, 1.15], gap="small"), spaces.items())):
        with col:
            fig = plots.cosine_heatmap(
                cosine_matrix(X[words_idx]), labels, title=titles[space], colorbar=n == 2, y_labels=n == 0
            )
            st.plotly_chart(fig, key=f"cos_{space}", config={"displaylogo": False})
    st.caption(
        "Rows and columns are the same words (word ·sentence number); hover a cell for the pair. OOV words have a zero static vector, so their static row is 0."
    )

# 3. polysemy ---------------------------------------------------------------------------------------
st.subheader("3 · Polysemy: one word, two senses")
repeated = repeated_types(emb.words, rows)
if not repeated:
    st.info("None of your words occurs twice. Try the **polysemy** example on Home (bank, bat, spring).")
else:
    words = list(repeated)
    spot = state.spotlight_word()
    start = emb.words[picked].lower() if emb.words[picked].lower() in repeated else spot
    word = st.selectbox("Word", words, index=words.index(start) if start in repeated else 0, key=state.LAB_WORD)
    occ = repeated[word]
    pair_options = [(a, b) for n, a in enumerate(occ) for b in occ[n + 1 :]]
    with_picked = [n for n, p in enumerate(pair_options) if picked in p]
    pair = (
        st.selectbox(
            "Two occurrences",
            pair_options,
            index=with_picked[0] if with_picked else 0,
            key=f"{state.LAB_PAIR}_{word}",
            format_func=lambda p: f"s{int(sid[p[0]]) + 1} vs s{int(sid[p[1]]) + 1}",
        )
        or pair_options[0]
    )
    i, j = pair
    st.markdown(f"- **A**: {widgets.md_escape(emb.context(i))}\n- **B**: {widgets.md_escape(emb.context(j))}")
    alphas, curves = pair_cosine_curves(emb, i, j, mode)
    c1, c2 = st.columns([3, 1])
    with c1:
        st.plotly_chart(
            plots.polysemy_figure(
                alphas,
                curves,
                alpha_now=alpha,
                title=f"cos(A, B) for “{plots.escape(emb.words[i])}” — {controls.MODE_LABELS[mode]}",
            ),
            key="polysemy",
            config={"displaylogo": False},
        )
    with c2:
        st.metric("BERT", f"{curves['bert'][0]:.2f}")
        st.metric("Static", f"{curves['static'][0]:.2f}")
        st.metric(f"Fused at α={alpha:.2f}", f"{float(np.interp(alpha, alphas, curves['fused'])):.2f}")

# 4. learned weights (DME) --------------------------------------------------------------------------
st.subheader("4 · Learned weights: Dynamic Meta-Embeddings")
st.caption(
    "Each source is projected to a common size, scored by a learned vector (a · w′ + b) and mixed by a softmax over "
    "the two sources; the scorer is trained jointly with a sentiment classifier on gensim's 200 polarity sentences. "
    "The rule above is fixed; these weights are learned. See the Evaluate page for whether it helps."
)
if st.button("Train DME and show its weights", key="lab_dme_button", icon=":material/model_training:"):
    st.session_state[state.LAB_DME] = True
if st.session_state.get(state.LAB_DME):
    from embedkit.evaluation.dme_weights import dme_word_weights

    cfg = state.model_config()
    classifier = loaders.get_dme(cfg)
    embedder = loaders.get_embedder(cfg)
    all_in_sentence = np.flatnonzero(sid == sentence)
    learned = dme_word_weights(classifier, embedder, [[emb.words[int(i)] for i in all_in_sentence]])[0]
    shown = np.isin(all_in_sentence, in_sentence)
    c1, c2 = st.columns([3, 2])
    with c1:
        st.plotly_chart(
            plots.attention_figure(
                [emb.words[int(i)] for i in all_in_sentence[shown]],
                learned[shown],
                title=f"Learned DME weights (s{sentence + 1})",
            ),
            key="dme",
            config={"displaylogo": False},
        )
    with c2:
        st.metric("Mean learned share from BERT (this sentence)", f"{float(learned[shown, 0].mean()):.2f}")
        st.caption("Same sentence as in section 1; compare the learned mix with the fixed rule there.")
