"""Every session-state key the app uses, declared in one place, plus the applied configuration (an
:class:`~embedkit.config.EmbedderConfig` whose ``model`` and ``vectors`` are references, never paths).

Widget keys that are bound to the URL (``bind="query-params"``) are also the query-parameter names,
so a view can be reopened from its address, e.g. ``/Explore?alpha=0.3&mode=concat&proj=pca``.
Keys starting with ``_`` hold Python objects and never appear in the URL.

The model settings in a URL are read through :func:`model_param_problem`: only values the Models page itself
offers are taken (a hub id, an allow-listed ``local:`` model, this session's ``upload:`` / ``trained:``
vectors, the listed layers, poolings, dtypes, maps and ``align_k`` sizes); never a server path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import streamlit as st

from embedkit.config import EmbedderConfig
from embedkit.options import AlignMethod, DType, Pooling, Postprocess, Runtime, choices, is_hub_id
from embedkit_app.examples import CUSTOM, DEFAULT_EXAMPLE, get_example

# --- Limits of the interactive app ------------------------------------------------------------------
MAX_WORDS = 5_000  # word occurrences the interactive maps stay fluid with (longer texts: the command line)
MAX_TEXT_CHARS = 100_000  # characters of text the app takes (typed, uploaded or from a link)

# --- Home -----------------------------------------------------------------------------------------
EXAMPLE = "example"  # example-set picker (URL-bound): polysemy / analogy / paragraph / custom
TEXT = "text"  # the sentence text area (one sentence per line)
SENTENCES = "_sentences"  # list[str]: the sentences of the last Embed (or the default example)
EMBEDDED = "_embedded"  # embedkit.embedded_text.EmbeddedText of SENTENCES under MODEL_CONFIG
EMBEDDED_FOR = "_embedded_for"  # (EmbedderConfig, tuple of sentences) that EMBEDDED was made from
UPLOAD_TEXT = "upload_text"  # .txt uploader on Home

# --- Fusion view (shared sidebar on Explore / Neighbours / Fusion lab; all URL-bound) ------------
ALPHA = "alpha"  # weight of the contextual side, 0..1
MODE = "mode"  # fusion mode: concat / weighted / attention
PROJECTION = "proj"  # umap / pca
LABELS = "labels"  # show word labels on the maps
HIDE_PUNCT = "hide_punct"  # leave punctuation out of maps and tables
K = "k"  # neighbours per table

# --- Selection (follows the user across pages) ------------------------------------------------------
SELECTED = "_selected"  # int | None: the occurrence selected on any map (index into EmbeddedText)
OCCURRENCE = "occ"  # occurrence picker widget (Explore, Neighbours), value = occurrence index
MAP_KEYS = ("map_bert", "map_static", "map_fused")  # plotly charts with selection events
SPOTLIGHT = "spot"  # the spotlight button picked (URL-bound): a repeated content word or "every word"
SPOT_TYPED = "spot_typed"  # a word typed instead (any content word of the text)
SPOT_WORD = "_spot_word"  # str: the spotlighted word in effect ("" = every word), for the other pages
SPOT_WORDNET = "wordnet"  # also show WordNet's examples of the spotlighted word's senses (URL-bound)
SPOT_REST = "rest"  # the other words around a spotlight: "faded" / "hidden" (URL-bound)
MAP_KIND = "map"  # a spotlighted word's own map ("word map") or the map of all the text's words (URL-bound)
SPOT_FOLLOWED = "_spot_followed"  # str: the spotlight the selection last followed (a new one moves the selection)
SPACE = "space"  # the presenter's map: bert / static / fused (URL-bound)
DRAWN_SELECTION = "_drawn_selection"  # int: the occurrence the maps outside a fragment were last drawn with

# --- Fusion lab ------------------------------------------------------------------------------------
LAB_SENTENCE = "lab_sentence"
LAB_WORD = "lab_word"
LAB_PAIR = "lab_pair"
LAB_DME = "lab_dme"  # the learned (DME) weights were asked for

# --- Evaluate --------------------------------------------------------------------------------------
EVAL_TASKS = "eval_tasks"  # benchmark picker
EVAL_BOOT = "eval_boot"  # bootstrap resamples
EVAL_RUN = "_eval_run"  # the evaluation run in progress / last run

# --- Models ----------------------------------------------------------------------------------------
MODEL_CONFIG = "_model_config"  # EmbedderConfig: what the app uses now (set by "Apply" on Models)
MODEL_MESSAGE = "_model_message"  # str | None: success message after Apply / training
M_SOURCE = "m_source"
M_HF_ID = "m_hf_id"
M_FOLDER = "m_folder"
M_LAYERS = "m_layers"
M_POOLING = "m_pooling"
M_POSTPROCESS = "m_postprocess"
M_DTYPE = "m_dtype"
M_RUNTIME = "m_runtime"
S_SOURCE = "s_source"
S_UPLOAD = "s_upload"
S_TRAIN_ALGO = "s_train_algo"
S_TRAIN_CORPUS = "s_train_corpus"
S_TRAIN_UPLOAD = "s_train_upload"
S_TRAIN_DIM = "s_train_dim"
S_TRAIN_EPOCHS = "s_train_epochs"
ALIGN = "align"
ALIGN_K = "align_k_widget"
UPLOADS = "_uploads"  # dict[str, str]: vectors references this session uploaded or trained -> names shown
TRAINED_PENDING = "_trained_pending"  # (EmbedderConfig, TrainingCheck): trained vectors flagged, not yet applied

# --- Links (see embedkit_app/links.py) ---------------------------------------------------------------
NOTICES = "_url_notices"  # list[str]: what a link asked for that could not be used, shown once
NOTICED = "_url_noticed"  # set of (param, value) already reported
TEXT_PARAM = "t"  # query parameter: the sentences, compressed (short texts)
TEXT_ID_PARAM = "tid"  # query parameter: opaque id of the sentences in the server's text store (long texts)
LINK_TEXT_SEEN = "_link_text_seen"  # the text parameter already restored in this session

# Query parameters (not widget-bound) that carry the applied model settings.
MODEL_PARAMS = ("model", "layers", "pooling", "postprocess", "dtype", "runtime", "vectors", "align", "align_k")

# What the Models page offers; a URL may carry only these.
LAYER_CHOICES = ("last", "second_last", "last4", "all")
POOLING_CHOICES = choices(Pooling)
POSTPROCESS_CHOICES = choices(Postprocess)
DTYPE_CHOICES = (DType.FLOAT32.value, DType.BFLOAT16.value)  # float16 needs a GPU
RUNTIME_CHOICES = choices(Runtime)
ALIGN_CHOICES = choices(AlignMethod)
ALIGN_K_CHOICES = (500, 1000, 2000, 5000, 10000)
_VECTORS_REF = re.compile(r"^(upload|trained):[0-9a-f]{24}$")


def model_param_problem(name: str, value: str, uploads: Mapping[str, str]) -> str | None:
    """Why a model setting from a URL cannot be used, or None when it can.

    Args:
        name: One of ``MODEL_PARAMS``.
        value: The value in the URL.
        uploads: This session's uploaded / trained vectors references.
    """
    choices: dict[str, tuple[Any, ...]] = {
        "layers": LAYER_CHOICES,
        "pooling": POOLING_CHOICES,
        "postprocess": POSTPROCESS_CHOICES,
        "dtype": DTYPE_CHOICES,
        "runtime": RUNTIME_CHOICES,
        "align": ALIGN_CHOICES,
        "align_k": tuple(str(k) for k in ALIGN_K_CHOICES),
    }
    if name in choices:
        return None if value in choices[name] else f"choose one of {', '.join(map(str, choices[name]))}"
    if name == "model":
        if value.startswith("local:"):
            from embedkit_app.sources import local_models

            return None if value[6:] in local_models() else "not one of the model folders this server offers"
        return None if is_hub_id(value) else "not a Hugging Face model id; a link cannot name a folder on the server"
    if name == "vectors":
        if _VECTORS_REF.match(value) is None:
            return "a link cannot name a file on the server; upload the file on the Models page"
        if value not in uploads:
            return "those vectors were uploaded or trained in another session; upload or train them again"
        return None
    return "not a model setting"


def config_params(cfg: EmbedderConfig) -> dict[str, str]:
    """The settings of ``cfg`` that differ from the defaults, as URL query parameters (references, never paths)."""
    default = EmbedderConfig()
    out: dict[str, str] = {}
    for name in MODEL_PARAMS:
        value = getattr(cfg, name)
        if value != getattr(default, name) and value is not None:
            out[name] = str(value)
    return out


def config_from_params(params: Any, uploads: Mapping[str, str] | None = None) -> EmbedderConfig:
    """The configuration in URL query parameters; missing or unusable ones keep their defaults.

    Args:
        params: The query parameters.
        uploads: This session's vectors references -> names (only these are taken from ``vectors``).
    """
    uploads = uploads or {}
    values: dict[str, Any] = {}
    for name in MODEL_PARAMS:
        value = params.get(name)
        if value and model_param_problem(name, str(value), uploads) is None:
            values[name] = str(value)
    return EmbedderConfig(**values)


def uploads() -> dict[str, str]:
    """This session's uploaded and trained vectors: reference -> name shown."""
    value: dict[str, str] = st.session_state.setdefault(UPLOADS, {})
    return value


def vectors_name(cfg: EmbedderConfig) -> str | None:
    """The name shown for the configuration's static vectors (an upload's file name); None for the bundled ones."""
    return None if cfg.vectors is None else uploads().get(cfg.vectors, "your vectors")


def model_config() -> EmbedderConfig:
    """The applied configuration (from the session, else from the URL, else the defaults)."""
    if MODEL_CONFIG not in st.session_state:
        st.session_state[MODEL_CONFIG] = config_from_params(st.query_params, uploads())
    cfg: EmbedderConfig = st.session_state[MODEL_CONFIG]
    return cfg


def set_model_config(cfg: EmbedderConfig) -> None:
    """Apply new model settings; the current embedding is dropped and made again on demand."""
    st.session_state[MODEL_CONFIG] = cfg
    sync_model_params()
    for key in (EMBEDDED, EMBEDDED_FOR, SELECTED):
        st.session_state.pop(key, None)


def sync_model_params() -> None:
    """Write the applied model settings into the URL (only those that differ from the defaults)."""
    params = config_params(model_config())
    for name in MODEL_PARAMS:
        if name in params:
            if st.query_params.get(name) != params[name]:
                st.query_params[name] = params[name]
        elif name in st.query_params:
            del st.query_params[name]


URL_KEYS = (
    EXAMPLE,
    ALPHA,
    MODE,
    PROJECTION,
    LABELS,
    HIDE_PUNCT,
    K,
    SPOTLIGHT,
    SPOT_WORDNET,
    SPOT_REST,
    SPACE,
    MAP_KIND,
)


def url_params() -> dict[str, str]:
    """The query parameters that reopen the current view (for links between pages)."""
    params = {name: str(value) for name, value in st.query_params.to_dict().items()}
    for key in URL_KEYS:
        if key in st.session_state and st.session_state[key] is not None:
            value = st.session_state[key]
            params[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    params.update(config_params(model_config()))
    return params


def text_problem(lines: list[str]) -> str | None:
    """Why the app cannot embed these sentences (too long for the app, too many words for the maps, no word at all),
    or None. Embed, and the pages that embed, take exactly what passes this check; the text area, a .txt upload and
    a link take any text of at most ``MAX_TEXT_CHARS`` characters (Home then says why it cannot be embedded)."""
    from embedkit.errors import EmbedkitError
    from embedkit.text import check_text, segment

    try:
        check_text(lines, max_chars=MAX_TEXT_CHARS)
    except EmbedkitError as exc:
        return str(exc)
    n_words = sum(len(segment(line)) for line in lines)
    if n_words > MAX_WORDS:
        return (
            f"the text has {n_words:,} words; the interactive maps take at most {MAX_WORDS:,}. "
            "Use the command line (python -m embedkit embed) for longer texts"
        )
    return None


def sentences() -> list[str]:
    """The sentences to embed: the last ones entered on Home (when the app can embed them), else the example set
    named in the URL."""
    if SENTENCES not in st.session_state and st.session_state.get(TEXT):
        lines = [line.strip() for line in str(st.session_state[TEXT]).splitlines() if line.strip()]
        if lines and text_problem(lines) is None:
            st.session_state[SENTENCES] = lines
    if SENTENCES not in st.session_state:
        name = st.session_state.get(EXAMPLE) or st.query_params.get(EXAMPLE) or DEFAULT_EXAMPLE
        if name == CUSTOM:
            name = DEFAULT_EXAMPLE
        st.session_state[SENTENCES] = get_example(name).lines
    value: list[str] = st.session_state[SENTENCES]
    return value


def set_sentences(lines: list[str]) -> None:
    """Remember the sentences entered on Home (they are embedded when Embed is pressed)."""
    st.session_state[SENTENCES] = list(lines)


def selected() -> int | None:
    """The selected occurrence index, or ``None``."""
    value = st.session_state.get(SELECTED)
    return int(value) if value is not None else None


def select(index: int | None) -> None:
    """Select an occurrence (shared by all maps and the neighbour lists)."""
    st.session_state[SELECTED] = index


def spotlight_word() -> str:
    """The spotlighted word ("" when every word is shown), as chosen on Explore or Presenter, else in the URL."""
    value = st.session_state.get(SPOT_WORD)
    if value is None:
        value = st.query_params.get(SPOTLIGHT, "")
    return "" if value == "every word" else str(value or "")


# --- Corpus ----------------------------------------------------------------------------------------
CORPUS = "corpus"  # the index picked from the corpus folder (URL-bound: its folder name)
CORPUS_WORD = "cword"  # the word whose occurrences are mapped (URL-bound)
CORPUS_SPACE = "cspace"  # bert / static / fused (URL-bound)
CORPUS_SELECTED = "_corpus_selected"  # int | None: the clicked occurrence (a row of the index)
CORPUS_MAP = "corpus_map"  # the sense map chart (selection events)
CORPUS_UPLOAD = "corpus_upload"  # .txt uploader for a small index
CORPUS_NEW_NAME = "corpus_new_name"  # the name of the index built from the upload
CORPUS_OWN = "_corpus_own"  # dict[str, str]: indexes this session built -> the secret that proves it (corpus_data)
CORPUS_TEXTS = "_corpus_texts"  # dict[str, str]: SHA-256 of each text this session indexed -> the index's name
