"""Models: which contextual model and static vectors the app uses, how they are aligned, and their memory."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from embedkit import training
from embedkit_app import loaders, state, widgets
from embedkit_app.state import ModelConfig

LAYERS = ("last", "second_last", "last4", "all")
LAYER_LABELS = {
    "last": "last layer",
    "second_last": "second-to-last layer",
    "last4": "mean of the last four",
    "all": "mean of all layers",
}
POOLINGS = ("mean", "first", "last", "first_last")
DTYPES = ("float32", "bfloat16")
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
    st.success(msg, icon=":material/check_circle:")


def _uploads_dir() -> Path:
    from embedkit.cache import cache_dir

    return cache_dir() / "app_vectors"


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-80:] or "vectors"


# --- what is loaded ---------------------------------------------------------------------------------
st.subheader("Loaded now")
try:
    encoder = loaders.get_encoder(cfg.model, cfg.layers, cfg.pooling, cfg.dtype)
    static = loaders.get_static(cfg.vectors, cfg.vectors_name)
except (ValueError, OSError) as exc:
    widgets.show_error(exc, "Could not load the models")
    encoder = static = None
if encoder is not None and static is not None:
    params, param_bytes = encoder.size()
    vec_bytes = int(static.vectors.nbytes)
    mapped = isinstance(static.vectors, np.memmap)
    rows = [
        {
            "part": "contextual model",
            "name": encoder.name,
            "dimension": encoder.dim,
            "details": f"layers {cfg.layers} · pooling {cfg.pooling} · {encoder.dtype} on {encoder.device} · "
            f"{params / 1e6:.1f} M parameters · max {encoder.max_length} wordpieces",
            "memory": f"{param_bytes / 2**20:,.0f} MiB",
        },
        {
            "part": "static vectors",
            "name": static.name,
            "dimension": static.dim,
            "details": f"{len(static.words):,} words" + (" · fastText subwords for OOV" if static.subword_fn else ""),
            "memory": f"{vec_bytes / 2**20:,.0f} MiB" + (" (memory-mapped)" if mapped else ""),
        },
        {
            "part": "static → BERT map",
            "name": ALIGNS[cfg.align],
            "dimension": encoder.dim,
            "details": loaders.get_embedder(cfg).settings()["map"],
            "memory": "–",
        },
    ]
    st.dataframe(pd.DataFrame(rows).set_index("part")[["name", "dimension", "memory", "details"]], width="stretch")
    try:
        rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
        st.caption(f"The app's process uses {rss / 2**10:,.0f} MiB of memory in all (every loaded model, all users).")
    except (OSError, StopIteration):
        pass

# --- contextual --------------------------------------------------------------------------------------
st.subheader("Choose")
c1, c2 = st.columns(2, gap="large")
with c1:
    st.markdown("#### Contextual model")
    sources = ["bundled", "hf", "folder"]
    current_source = "bundled" if cfg.model is None else ("folder" if Path(cfg.model).exists() else "hf")
    source = st.radio(
        "Source",
        sources,
        index=sources.index(current_source),
        key=state.M_SOURCE,
        format_func={
            "bundled": "bundled all-MiniLM-L6-v2 (offline)",
            "hf": "Hugging Face model id",
            "folder": "local folder",
        }.get,
    )
    model: str | None = None
    if source == "hf":
        model = st.text_input(
            "Model id",
            value=cfg.model if current_source == "hf" else "bert-base-uncased",
            key=state.M_HF_ID,
            help="Needs the model in the local Hugging Face cache or a network.",
        )
    elif source == "folder":
        model = st.text_input(
            "Folder",
            value=cfg.model if current_source == "folder" else "",
            key=state.M_FOLDER,
            placeholder="/path/to/model (config.json, tokenizer, weights)",
        )
    layers = st.selectbox(
        "Layers",
        LAYERS,
        index=LAYERS.index(cfg.layers) if cfg.layers in LAYERS else 0,
        format_func=LAYER_LABELS.get,
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
    sizes = sorted({1000, 2000, 5000, 10000, cfg.align_k})
    align_k = st.select_slider(
        "Map fitted on (most frequent words)",
        sizes,
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
    if s_source == "upload":
        upload = st.file_uploader(
            "word2vec (text or binary), GloVe text, or fastText .bin",
            type=VECTOR_TYPES,
            key=state.S_UPLOAD,
            help="Pickled files (.model, .kv, .pkl) are refused: loading them could run code.",
        )
        if upload is not None:
            data = upload.getvalue()
            digest = hashlib.sha256(data).hexdigest()[:16]
            path = _uploads_dir() / f"{digest}_{_safe_name(upload.name)}"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            try:
                loaded = loaders.get_static(str(path), upload.name)
            except (ValueError, OSError) as exc:
                widgets.show_error(exc, "Cannot use this vectors file")
            else:
                st.success(
                    f"{upload.name}: {len(loaded.words):,} words, {loaded.dim}-d. Press Apply to use it.",
                    icon=":material/check_circle:",
                )
                vectors, vectors_name = str(path), upload.name
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
                key = hashlib.sha256(repr((algo, dim, epochs, sentences)).encode()).hexdigest()[:16]
                path = training.train_static(
                    sentences,
                    _uploads_dir() / key,
                    algorithm=str(algo),
                    dim=int(dim),
                    epochs=int(epochs),
                    progress=lambda d, n: bar.progress(d / n, text=f"Training {algo}: epoch {d} / {n}"),
                )
                name = f"{algo} {dim}d on {corpus_name}"
                loaders.get_static(str(path), name)
            except (ValueError, OSError) as exc:
                bar.empty()
                widgets.show_error(exc, "Training failed")
            else:
                bar.empty()
                new = replace(cfg, vectors=str(path), vectors_name=name)
                state.set_model_config(new)
                st.session_state[state.MODEL_MESSAGE] = f"Trained and applied: {name}."
                st.rerun()
        vectors, vectors_name = cfg.vectors, cfg.vectors_name

st.divider()
new = ModelConfig(
    model=(model or None) if source != "bundled" else None,
    layers=layers,
    pooling=pooling,
    dtype=dtype,
    vectors=vectors,
    vectors_name=vectors_name,
    align=align,
    align_k=int(align_k),
)
changed = new != cfg
if st.button(
    "Apply",
    type="primary",
    disabled=not changed,
    icon=":material/check:",
    help="Load the chosen models; the sentences are embedded again with them.",
):
    if source != "bundled" and not model:
        st.error("Enter a model id or folder first.", icon=":material/error:")
    else:
        try:
            with st.spinner("Loading the models…"):
                loaders.get_encoder(new.model, new.layers, new.pooling, new.dtype)
                loaders.get_static(new.vectors, new.vectors_name)
        except (ValueError, OSError) as exc:
            widgets.show_error(exc, "Could not load the models; keeping the previous ones")
        else:
            state.set_model_config(new)
            st.session_state[state.MODEL_MESSAGE] = "Applied. The maps will embed your sentences again."
            st.rerun()
st.caption(
    "The first embedding with new models fits the static → BERT map on the chosen number of words (about a minute on a "
    "laptop CPU, then cached on disk)."
)
