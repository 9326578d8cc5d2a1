"""Models: which contextual model and static vectors the app uses, how they are aligned, and their memory."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from embedkit import training
from embedkit.options import is_hub_id
from embedkit_app import loaders, sources, state, widgets
from embedkit_app.state import ModelConfig

LAYERS = state.LAYER_CHOICES
LAYER_LABELS = {
    "last": "last layer",
    "second_last": "second-to-last layer",
    "last4": "mean of the last four",
    "all": "mean of all layers",
}
POOLINGS = state.POOLING_CHOICES
DTYPES = state.DTYPE_CHOICES
ALIGNS = {
    "procrustes": "Procrustes (rotation; keeps static geometry)",
    "lstsq": "least squares (ridge)",
    "pad": "zero-padding (baseline)",
}
VECTOR_TYPES = ["txt", "vec", "bin", "gz", "w2v", "glove"]

widgets.page_setup("Models", "⚙️")
st.title("Models")
widgets.explainer(
    "The app needs two models.\n\n"
    "- A **contextual** model (BERT family) reads a whole sentence and gives every word a vector that depends "
    "on its neighbours. A word split into pieces (*em ##bed ##ding*) is **pooled** back into one vector: the "
    "first piece, the last, their mean, or first and last side by side.\n"
    "- **Static** vectors (GloVe, word2vec, fastText) are a lookup table: one vector per word, whatever the "
    "sentence. You can train your own on a text with gensim.\n"
    "- The two have different sizes (e.g. 384 and 50), so the static side is **mapped** into BERT's space, "
    "fitted on 5,000 frequent words both know. Procrustes only rotates (keeps the static geometry); least "
    "squares may stretch it; zero-padding just appends zeros (the naive baseline)."
)

cfg = state.model_config()
if msg := st.session_state.pop(state.MODEL_MESSAGE, None):
    st.success(msg, icon=":material/check_circle:")  # its names were escaped when it was made


# --- what is loaded ---------------------------------------------------------------------------------
st.subheader("Loaded now")
encoder: Any = None
static: Any = None
try:
    encoder = loaders.get_encoder(cfg.model, cfg.layers, cfg.pooling, cfg.dtype)
    static = loaders.get_static(cfg.vectors, cfg.vectors_name)
except (ValueError, OSError) as exc:
    widgets.show_error(exc, "Could not load the models")
if encoder is not None and static is not None:
    rows = loaders.status_rows(cfg, encoder, static, ALIGNS[cfg.align])
    st.dataframe(pd.DataFrame(rows).set_index("part")[["name", "dimension", "memory", "details"]], width="stretch")
    try:
        rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
        st.caption(
            f"The app's process uses {rss / 2**10:,.0f} MiB of memory in all (every loaded model, all users); "
            f"contextual models in memory: {loaders.loaded_models()}."
        )
    except (OSError, StopIteration):
        pass

# --- contextual --------------------------------------------------------------------------------------
st.subheader("Choose")
c1, c2 = st.columns(2, gap="large")
with c1:
    st.markdown("#### Contextual model")
    offered = sources.local_models()  # folders the operator allow-listed (EMBEDKIT_MODEL_DIRS); never typed paths
    kinds = ["bundled", "hf", "folder"] if offered else ["bundled", "hf"]
    current_source = "bundled" if cfg.model is None else ("folder" if cfg.model.startswith("local:") else "hf")
    source = st.radio(
        "Source",
        kinds,
        index=kinds.index(current_source) if current_source in kinds else 0,
        key=state.M_SOURCE,
        format_func={
            "bundled": "bundled all-MiniLM-L6-v2 (offline)",
            "hf": "Hugging Face model id",
            "folder": "a model folder on this server",
        }.get,
    )
    model: str | None = None
    model_ok = True
    if source == "hf":
        model = (
            st.text_input(
                "Model id",
                value=cfg.model if current_source == "hf" else "bert-base-uncased",
                key=state.M_HF_ID,
                help="Needs the model in the local Hugging Face cache or a network.",
            )
            or ""
        ).strip()
        model_ok = is_hub_id(model)
        if model and not model_ok:
            st.error("Not a Hugging Face model id (name or owner/name).", icon=":material/error:")
    elif source == "folder":
        names = sorted(offered)
        current = cfg.model[6:] if current_source == "folder" and cfg.model else names[0]
        folder = st.selectbox(
            "Model folder", names, index=names.index(current) if current in names else 0, key=state.M_FOLDER
        )
        model = f"local:{folder}"
    layers = st.selectbox(
        "Layers",
        list(LAYERS),
        index=LAYERS.index(cfg.layers) if cfg.layers in LAYERS else 0,
        format_func=lambda v: LAYER_LABELS[v],
        key=state.M_LAYERS,
    )
    pooling = st.selectbox(
        "Wordpiece pooling",
        POOLINGS,
        index=POOLINGS.index(cfg.pooling),
        key=state.M_POOLING,
        help="first_last concatenates the first and last piece, so the dimension doubles.",
    )
    dtype = st.selectbox(
        "dtype",
        DTYPES,
        index=DTYPES.index(cfg.dtype) if cfg.dtype in DTYPES else 0,
        key=state.M_DTYPE,
        help="bfloat16 halves the memory; results move slightly.",
    )
    align = st.radio(
        "Static → BERT map", list(ALIGNS), index=list(ALIGNS).index(cfg.align), key=state.ALIGN, format_func=ALIGNS.get
    )
    align_k = st.select_slider(
        "Map fitted on (most frequent words)",
        state.ALIGN_K_CHOICES,
        value=cfg.align_k,
        key=state.ALIGN_K,
        help="More words: a steadier map, a longer first fit (words are encoded once, then cached on disk).",
    )

with c2:
    st.markdown("#### Static vectors")
    s_sources = ["bundled", "upload", "train", "keep"] if cfg.vectors else ["bundled", "upload", "train"]
    s_source = st.radio(
        "Source",
        s_sources,
        index=len(s_sources) - 1 if cfg.vectors else 0,
        key=state.S_SOURCE,
        format_func={
            "bundled": "bundled GloVe 6B 50d (offline)",
            "upload": "upload a vectors file",
            "train": "train word2vec / fastText on a text",
            "keep": f"keep {cfg.vectors_name}",
        }.get,
    )
    vectors, vectors_name = (cfg.vectors, cfg.vectors_name) if s_source == "keep" else (None, None)
    upload_ok = s_source != "upload"
    if s_source == "upload":
        upload = st.file_uploader(
            "word2vec (text or binary), GloVe text, or fastText .bin",
            type=VECTOR_TYPES,
            key=state.S_UPLOAD,
            help="Pickled files (.model, .kv, .pkl) are refused: loading them could run code.",
        )
        if upload is not None:
            try:
                ref, loaded = loaders.accept_upload(upload.name, upload.getvalue())
            except (ValueError, OSError) as exc:
                widgets.show_error(exc, "Cannot use this vectors file")
            else:
                state.uploads()[ref] = upload.name
                st.success(
                    f"{widgets.md_escape(upload.name)}: {len(loaded.words):,} words, {loaded.dim}-d. Press Apply to "
                    "use it.",
                    icon=":material/check_circle:",
                )
                vectors, vectors_name, upload_ok = ref, upload.name, True
    elif s_source == "train":
        algo = st.segmented_control(
            "Algorithm", training.ALGORITHMS, default="word2vec", key=state.S_TRAIN_ALGO, required=True
        )
        corpus = st.radio(
            "Corpus",
            ["lee", "upload"],
            key=state.S_TRAIN_CORPUS,
            horizontal=True,
            format_func={"lee": "gensim's Lee corpus (300 news texts)", "upload": "upload a .txt"}.get,
        )
        corpus_file = None
        if corpus == "upload":
            corpus_file = st.file_uploader(
                "Corpus (.txt, UTF-8, one sentence or paragraph per line)",
                type=["txt"],
                key=state.S_TRAIN_UPLOAD,
                max_upload_size=50,
            )
        t1, t2 = st.columns(2)
        dim = t1.select_slider("Dimension", [25, 50, 100, 200, 300], value=100, key=state.S_TRAIN_DIM)
        epochs = t2.slider("Epochs", 1, 50, 10, key=state.S_TRAIN_EPOCHS)
        if st.button("Train", icon=":material/model_training:"):
            bar = st.progress(0.0, text="Reading the corpus…")
            try:
                if corpus == "lee":
                    sentences, corpus_name = training.lee_corpus(), "Lee corpus"
                else:
                    if corpus_file is None:
                        raise ValueError("upload a .txt corpus first")
                    try:
                        text = corpus_file.getvalue().decode("utf-8-sig")
                    except UnicodeDecodeError:
                        raise ValueError(f"{corpus_file.name} is not UTF-8 text") from None
                    sentences, corpus_name = training.tokenize_corpus(text.splitlines()), corpus_file.name
                name = f"{algo} {dim}d on {corpus_name}"
                ref, trained = loaders.train_vectors(
                    sentences,
                    str(algo),
                    int(dim),
                    int(epochs),
                    name,
                    progress=lambda d, n: widgets.show_progress(bar, d, n, f"Training {algo}: epoch {d} / {n}"),
                )
                check = training.check_trained(sentences, trained)
            except (ValueError, OSError) as exc:
                bar.empty()
                widgets.show_error(exc, "Training failed")
            else:
                bar.empty()
                state.uploads()[ref] = name
                new = replace(cfg, vectors=ref, vectors_name=name)
                if check.ok:
                    state.set_model_config(new)
                    st.session_state[state.MODEL_MESSAGE] = f"Trained and applied: {widgets.md_escape(name)}."
                    st.rerun()
                st.session_state[state.TRAINED_PENDING] = (new, check)
        if pending := st.session_state.get(state.TRAINED_PENDING):
            trained_cfg, check = pending
            st.warning(
                widgets.md_escape(
                    f"{trained_cfg.vectors_name}: these vectors were trained on too little text, so "
                    "their neighbours mean little: " + "; ".join(check.problems) + "."
                )
                + "  \nThey are not applied; apply them anyway, or train on a larger corpus.",
                icon=":material/warning:",
            )
            if st.button("Apply anyway", key="s_train_apply_anyway"):
                st.session_state.pop(state.TRAINED_PENDING, None)
                state.set_model_config(trained_cfg)
                st.session_state[state.MODEL_MESSAGE] = (
                    f"Applied despite the warning: {widgets.md_escape(str(trained_cfg.vectors_name))}."
                )
                st.rerun()
        vectors, vectors_name = cfg.vectors, cfg.vectors_name

st.divider()
new = ModelConfig(
    model=(model or None) if source != "bundled" else None,
    layers=str(layers),
    pooling=str(pooling),
    dtype=str(dtype),
    vectors=vectors,
    vectors_name=vectors_name,
    align=align,
    align_k=int(align_k),
)
changed = new != cfg
blocked = (
    "Upload a vectors file that can be used (or choose other static vectors) first."
    if not upload_ok
    else "Enter a Hugging Face model id first."
    if source == "hf" and not (model and model_ok)
    else None
)
if blocked:
    st.caption(blocked)
if st.button(
    "Apply",
    type="primary",
    disabled=not changed or blocked is not None,
    icon=":material/check:",
    help="Load the chosen models; the sentences are embedded again with them.",
):
    try:
        with st.spinner("Loading the models…"):
            loaders.get_encoder(new.model, new.layers, new.pooling, new.dtype)
            loaders.get_static(new.vectors, new.vectors_name)
    except (ValueError, OSError) as exc:
        widgets.show_error(exc, "Could not load the models; keeping the previous ones")
    else:
        st.session_state.pop(state.TRAINED_PENDING, None)
        state.set_model_config(new)
        st.session_state[state.MODEL_MESSAGE] = "Applied. The maps will embed your sentences again."
        st.rerun()
st.caption(
    "The first embedding with new models fits the static → BERT map on the chosen number of words (about a minute on a "
    "laptop CPU, then cached on disk)."
)
