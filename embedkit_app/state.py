"""Every session-state key the app uses, declared in one place, plus the applied model settings.

Widget keys that are bound to the URL (``bind="query-params"``) are also the query-parameter names,
so a view can be reopened from its address, e.g. ``/Explore?alpha=0.3&mode=concat&proj=pca``.
Keys starting with ``_`` hold Python objects and never appear in the URL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

import streamlit as st

from embedkit.defaults import EncoderChoice, bundled_encoder_choice
from embedkit_app.examples import CUSTOM, DEFAULT_EXAMPLE, get_example

# --- Home -----------------------------------------------------------------------------------------
EXAMPLE = "example"  # example-set picker (URL-bound): polysemy / analogy / paragraph / custom
TEXT = "text"  # the sentence text area (one sentence per line)
SENTENCES = "_sentences"  # list[str]: the sentences of the last Embed (or the default example)
EMBEDDED = "_embedded"  # embedkit.embedded_text.EmbeddedText of SENTENCES under MODEL_CONFIG
EMBEDDED_FOR = "_embedded_for"  # (ModelConfig, tuple of sentences) that EMBEDDED was made from
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
MODEL_CONFIG = "_model_config"  # ModelConfig: what the app uses now (set by "Apply" on Models)
MODEL_MESSAGE = "_model_message"  # str | None: success message after Apply / training
M_SOURCE = "m_source"
M_HF_ID = "m_hf_id"
M_FOLDER = "m_folder"
M_LAYERS = "m_layers"
M_POOLING = "m_pooling"
M_DTYPE = "m_dtype"
S_SOURCE = "s_source"
S_UPLOAD = "s_upload"
S_TRAIN_ALGO = "s_train_algo"
S_TRAIN_CORPUS = "s_train_corpus"
S_TRAIN_UPLOAD = "s_train_upload"
S_TRAIN_DIM = "s_train_dim"
S_TRAIN_EPOCHS = "s_train_epochs"
ALIGN = "align"
ALIGN_K = "align_k_widget"

# Query parameters (not widget-bound) that carry the applied model settings.
MODEL_PARAMS = ("model", "layers", "pooling", "dtype", "vectors", "align", "align_k")


@lru_cache(maxsize=1)
def encoder_choice() -> EncoderChoice:
    """The evidence-based encoder options of the bundled encoder (the maps' defaults) and why, read once."""
    return bundled_encoder_choice()


@dataclass(frozen=True)
class ModelConfig:
    """The models the app embeds with. Hashable, so it keys ``st.cache_resource``.

    Attributes:
        model: Hugging Face id or local folder; ``None`` for the bundled all-MiniLM-L6-v2.
        layers: Layer spec for ``ContextualEncoder`` ("last", "-1,-2", "all").
        pooling: Wordpiece pooling: first / last / mean / first_last.
        dtype: float32 / float16 / bfloat16.
        vectors: Path of a static vectors file; ``None`` for the bundled GloVe 6B 50d.
        vectors_name: Name shown for the static vectors (e.g. the uploaded file's name).
        align: Static -> contextual map: procrustes / lstsq / pad.
        align_k: Words the map is fitted on (also the vocabulary of the Neighbours page).
    """

    model: str | None = None
    layers: str = field(default_factory=lambda: encoder_choice().layers)
    pooling: str = field(default_factory=lambda: encoder_choice().pooling)
    dtype: str = "float32"
    vectors: str | None = None
    vectors_name: str | None = None
    align: str = "procrustes"
    align_k: int = 5000

    def to_params(self) -> dict[str, str]:
        """The settings that differ from the defaults, as URL query parameters."""
        default = ModelConfig()
        out: dict[str, str] = {}
        for name in MODEL_PARAMS:
            value = getattr(self, name)
            if value != getattr(default, name) and value is not None:
                out[name] = str(value)
        return out

    @classmethod
    def from_params(cls, params: Any) -> ModelConfig:
        """Build a config from URL query parameters; unknown or missing ones keep their defaults."""
        values: dict[str, Any] = {name: params.get(name) for name in MODEL_PARAMS if params.get(name)}
        if "align_k" in values:
            try:
                values["align_k"] = min(max(int(values["align_k"]), 100), 50_000)
            except ValueError:
                del values["align_k"]
        return replace(cls(), **values)

    def describe(self) -> dict[str, Any]:
        """A plain dict for display."""
        return asdict(self)


def model_config() -> ModelConfig:
    """The applied model settings (from the session, else from the URL, else the defaults)."""
    if MODEL_CONFIG not in st.session_state:
        st.session_state[MODEL_CONFIG] = ModelConfig.from_params(st.query_params)
    cfg: ModelConfig = st.session_state[MODEL_CONFIG]
    return cfg


def set_model_config(cfg: ModelConfig) -> None:
    """Apply new model settings; the current embedding is dropped and made again on demand."""
    st.session_state[MODEL_CONFIG] = cfg
    sync_model_params()
    for key in (EMBEDDED, EMBEDDED_FOR, SELECTED):
        st.session_state.pop(key, None)


def sync_model_params() -> None:
    """Write the applied model settings into the URL (only those that differ from the defaults)."""
    params = model_config().to_params()
    for name in MODEL_PARAMS:
        if name in params:
            if st.query_params.get(name) != params[name]:
                st.query_params[name] = params[name]
        elif name in st.query_params:
            del st.query_params[name]


URL_KEYS = (EXAMPLE, ALPHA, MODE, PROJECTION, LABELS, HIDE_PUNCT, K, SPOTLIGHT, SPOT_WORDNET, SPOT_REST, SPACE)


def url_params() -> dict[str, str]:
    """The query parameters that reopen the current view (for links between pages)."""
    params = {name: str(value) for name, value in st.query_params.to_dict().items()}
    for key in URL_KEYS:
        if key in st.session_state and st.session_state[key] is not None:
            value = st.session_state[key]
            params[key] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    params.update(model_config().to_params())
    return params


def sentences() -> list[str]:
    """The sentences to embed: the last ones entered on Home, else the example set named in the URL."""
    if SENTENCES not in st.session_state and st.session_state.get(TEXT):
        lines = [line.strip() for line in str(st.session_state[TEXT]).splitlines() if line.strip()]
        if lines:
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
