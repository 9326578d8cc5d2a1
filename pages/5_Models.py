"""Models: which contextual model and static vectors the app uses, how they are aligned, and their memory."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from embedkit_app import loaders, model_forms, state, widgets

widgets.page_setup("Models")
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
    encoder = loaders.get_encoder(cfg)
    static = loaders.get_static(cfg.vectors)
except (ValueError, OSError) as exc:
    widgets.show_error(exc, "Could not load the models")
if encoder is not None and static is not None:
    rows = loaders.status_rows(cfg, encoder, static, model_forms.ALIGNS[cfg.align], state.vectors_name(cfg))
    st.table(pd.DataFrame(rows).set_index("part")[["name", "dimension", "memory", "details"]])  # wraps long details
    try:
        rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS"))
        st.caption(
            f"The app's process uses {rss / 2**10:,.0f} MiB of memory in all (every loaded model, all users); "
            f"contextual models in memory: {loaders.loaded_models()}."
        )
    except (OSError, StopIteration):
        pass

st.subheader("Choose")
c1, c2 = st.columns(2, gap="large")
with c1:
    st.markdown("#### Contextual model")
    contextual = model_forms.contextual_form(cfg)
with c2:
    st.markdown("#### Static vectors")
    vectors, upload_ok = model_forms.static_form(cfg)

st.divider()
new = contextual.applied_to(cfg, vectors)
changed = new != cfg
blocked = (
    "Upload a vectors file that can be used (or choose other static vectors) first."
    if not upload_ok
    else "Enter a Hugging Face model id first."
    if contextual.source == "hf" and not (contextual.model and contextual.model_ok)
    else None
)
if blocked:
    st.caption(blocked)
elif not changed:
    st.caption("Nothing to apply: the form shows the models in use. Change a setting to apply it.")
if st.button(
    "Apply",
    type="primary",
    disabled=not changed or blocked is not None,
    icon=":material/check:",
    help="Load the chosen models; the sentences are embedded again with them.",
):
    try:
        with st.spinner("Loading the models…"):
            loaders.get_encoder(new)
            loaders.get_static(new.vectors)
    except (ValueError, OSError) as exc:
        widgets.show_error(exc, "Could not load the models; keeping the previous ones")
    else:
        st.session_state.pop(state.TRAINED_PENDING, None)
        state.set_model_config(new)
        st.session_state[state.MODEL_MESSAGE] = "Applied. The maps will embed your sentences again."
        st.rerun()
st.caption(
    "The first embedding with new models fits the static → BERT map on the chosen number of words (about a minute on a "
    "laptop CPU, then cached on disk). The bundled models with the default settings come with their map fitted."
)
