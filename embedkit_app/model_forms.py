"""The Models page's two forms: the contextual model (source, layers, pooling, post-processing, dtype, the map) and
the static vectors (bundled, an upload, or trained with gensim). Models and vectors are named by references, never
server paths (see :mod:`embedkit_app.sources`)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from embedkit import training
from embedkit.config import EmbedderConfig
from embedkit.options import is_hub_id
from embedkit.postprocess import POSTPROCESS_LABELS
from embedkit_app import loaders, sources, state, widgets

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


@dataclass(frozen=True)
class ContextualChoice:
    """What the contextual form holds now (not yet applied)."""

    source: str  # bundled / hf / folder
    model: str | None  # a reference: hub id or local:NAME; None for the bundled model
    model_ok: bool  # whether a typed hub id has the form of one
    layers: str
    pooling: str
    postprocess: str
    dtype: str
    runtime: str
    align: str
    align_k: int

    def applied_to(self, cfg: EmbedderConfig, vectors: str | None) -> EmbedderConfig:
        """``cfg`` with this form's model and options and the static form's ``vectors`` reference."""
        return cfg.replace(
            model=(self.model or None) if self.source != "bundled" else None,
            layers=self.layers,
            pooling=self.pooling,
            postprocess=self.postprocess,
            dtype=self.dtype,
            runtime=self.runtime,
            vectors=vectors,
            align=self.align,
            align_k=self.align_k,
        )


RUNTIME_LABELS = {
    "torch": "PyTorch",
    "onnx": "ONNX Runtime (about 2x faster here; equal within 1e-5)",
    "onnx_int8": "ONNX Runtime, int8 weights (faster, not equal)",
}


def runtime_picker(cfg: EmbedderConfig, dtype: str) -> str:
    """What runs the forward pass: the ONNX choices only when ONNX Runtime is installed, and for float32 only (the
    export is float32, on the CPU)."""
    from embedkit.onnx_runtime import installed

    offered = list(state.RUNTIME_CHOICES) if installed() and dtype == "float32" else ["torch"]
    choice = st.selectbox(
        "Runtime",
        offered,
        index=offered.index(cfg.runtime) if cfg.runtime in offered else 0,
        format_func=lambda v: RUNTIME_LABELS.get(v, v),
        key=state.M_RUNTIME,
        help="The first use of ONNX Runtime exports the model once (seconds to a minute) and keeps it on disk. "
        "int8 moves the vectors (cosine to float32 about 0.97 on average); see bench/README.md."
        + ("" if installed() else " ONNX Runtime is not installed here: pip install onnxruntime onnx."),
    )
    return str(choice)


def contextual_form(cfg: EmbedderConfig) -> ContextualChoice:
    """The contextual model's source and options, and the static -> BERT map, prefilled from ``cfg``."""
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
    postprocess = st.selectbox(
        "Post-processing",
        state.POSTPROCESS_CHOICES,
        index=state.POSTPROCESS_CHOICES.index(cfg.postprocess),
        format_func=lambda v: POSTPROCESS_LABELS[v],
        key=state.M_POSTPROCESS,
        help="Applied to every contextual vector: remove the mean of a reference text (center) or of the word's "
        "sentence, or also the dominant directions (all-but-the-top, Mu & Viswanath 2018).",
    )
    dtype = st.selectbox(
        "dtype",
        DTYPES,
        index=DTYPES.index(cfg.dtype) if cfg.dtype in DTYPES else 0,
        key=state.M_DTYPE,
        help="bfloat16 halves the memory; results move slightly.",
    )
    runtime = runtime_picker(cfg, str(dtype))
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
    return ContextualChoice(
        source=str(source),
        model=model,
        model_ok=model_ok,
        layers=str(layers),
        pooling=str(pooling),
        postprocess=str(postprocess),
        dtype=str(dtype),
        runtime=runtime,
        align=str(align),
        align_k=int(align_k),
    )


def static_form(cfg: EmbedderConfig) -> tuple[str | None, bool]:
    """The static vectors' source: bundled, an upload, or training; returns ``(reference, usable)`` (the session
    keeps each reference's name, see :func:`embedkit_app.state.vectors_name`)."""
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
            "keep": f"keep {state.vectors_name(cfg)}",
        }.get,
    )
    vectors = cfg.vectors if s_source == "keep" else None
    upload_ok = s_source != "upload"
    if s_source == "upload":
        vectors, upload_ok = _upload_form(cfg)
    elif s_source == "train":
        _train_form(cfg)
        vectors = cfg.vectors
    return vectors, upload_ok


def _upload_form(cfg: EmbedderConfig) -> tuple[str | None, bool]:
    """A vectors file, checked before it is kept; ``(reference, usable)``. Says whether it is in use (``cfg``) or
    waits for Apply."""
    vectors: str | None = None
    upload_ok = False
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
            about = f"{widgets.md_escape(upload.name)}: {len(loaded.words):,} words, {loaded.dim}-d."
            if ref == cfg.vectors:
                st.success(f"{about} In use now.", icon=":material/check_circle:")
            else:
                st.success(f"{about} Press Apply to use it.", icon=":material/check_circle:")
            vectors, upload_ok = ref, True
    return vectors, upload_ok


def _train_form(cfg: EmbedderConfig) -> None:
    """word2vec / fastText trained with gensim on the Lee corpus or an upload; applied at once unless flagged."""
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
                progress=lambda d, n: widgets.show_progress(bar, d, n, f"Training {algo}: epoch {d} / {n}"),
            )
            check = training.check_trained(sentences, trained)
        except (ValueError, OSError) as exc:
            bar.empty()
            widgets.show_error(exc, "Training failed")
        else:
            bar.empty()
            state.uploads()[ref] = name
            new = cfg.replace(vectors=ref)
            if check.ok:
                state.set_model_config(new)
                st.session_state[state.MODEL_MESSAGE] = f"Trained and applied: {widgets.md_escape(name)}."
                st.rerun()
            st.session_state[state.TRAINED_PENDING] = (new, check)
    if pending := st.session_state.get(state.TRAINED_PENDING):
        trained_cfg, check = pending
        st.warning(
            widgets.md_escape(
                f"{state.vectors_name(trained_cfg)}: these vectors were trained on too little text, so "
                "their neighbours mean little: " + "; ".join(check.problems) + "."
            )
            + "  \nThey are not applied; apply them anyway, or train on a larger corpus.",
            icon=":material/warning:",
        )
        if st.button("Apply anyway", key="s_train_apply_anyway"):
            st.session_state.pop(state.TRAINED_PENDING, None)
            state.set_model_config(trained_cfg)
            st.session_state[state.MODEL_MESSAGE] = (
                f"Applied despite the warning: {widgets.md_escape(str(state.vectors_name(trained_cfg)))}."
            )
            st.rerun()
