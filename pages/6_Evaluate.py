"""Evaluate: does fusion help? Benchmarks with intervals, alpha (and encoder options) chosen on other data."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from embedkit.config import EmbedderConfig
from embedkit.evaluation.multiplicity import holm_family
from embedkit_app import controls, loaders, state, widgets

TASK_LABELS = {
    "wordsim": "WordSim-353 (word similarity, ~10 s)",
    "simlex": "SimLex-999 (word similarity, ~10 s)",
    "senses": "WordNet senses (12,619 example sentences, every layer; several minutes)",
    "polarity": "Polarity (200 sentences, 10-fold CV over 10 fold seeds + DME; several minutes)",
    "analogy": "Google analogies (30k words, several minutes)",
}
COLORS = {"concat": "#009E73", "weighted": "#CC79A7", "bert": "#0072B2", "static": "#E69F00"}

widgets.page_setup("Evaluate")
st.title("Evaluate: does fusion help?")
widgets.explainer(
    "Mixing BERT's vectors with static vectors is often said to help. Here you can check it on standard "
    "benchmarks.\n\n"
    "- **Word similarity** (SimLex-999, WordSim-353): people rated how similar two words are; we rank the pairs "
    "by cosine similarity and compare the two rankings (Spearman correlation, 1 = same order). Each word is fed "
    "to BERT alone.\n"
    "- **WordNet senses**: each word's WordNet example sentences, labelled by sense. Is an occurrence's nearest "
    "other occurrence of the same word in the same sense? Static vectors give every occurrence one vector, so "
    "they score exactly chance. The layer, pooling and post-processing are chosen on half of the words and "
    "reported on the other half.\n"
    "- **Analogies**: *man : king :: woman : ?* — is the nearest word to king − man + woman *queen*?\n"
    "- **Polarity**: is a movie-review sentence positive or negative? A logistic regression on the mean of the "
    "word vectors, scored by 10-fold cross-validation over 10 fold seeds. *DME* learns per-word weights.\n\n"
    "The **curve** shows the score at every alpha (1 = BERT only, 0 = static only), with a shaded 95% "
    "interval (bootstrap: how much the score moves if we had drawn other *words*, *word pairs* or *lemmas* — the "
    "units the items are built from, since items that share a word are not independent). Dashed lines are the "
    "single sources. Picking the top of this curve would be cheating: it is the best of eleven tries on the test "
    "data. So alpha is **chosen on other data** and **reported here**; the sentence in the box says what that "
    "honest gain is and whether its interval excludes zero."
)

cfg = state.model_config()
st.caption(widgets.model_caption(cfg) + f" · map fitted on {cfg.align_k:,} words minus every benchmark word")

tasks = st.multiselect(
    "Tasks", list(TASK_LABELS), default=["wordsim", "simlex"], format_func=TASK_LABELS.__getitem__, key=state.EVAL_TASKS
)
n_boot = st.select_slider(
    "Bootstrap resamples",
    [200, 500, 1000],
    value=1000,
    key=state.EVAL_BOOT,
    help="More resamples give steadier interval ends; 1000 is the usual choice.",
)
run_clicked = st.button("Run evaluation", type="primary", icon=":material/play_arrow:", disabled=not tasks)


@st.cache_resource(show_spinner="Fitting the evaluation map (no benchmark word used)…", max_entries=2)
def get_resources(cfg: EmbedderConfig) -> Any:
    """The app's encoder and vectors in an Embedder whose map never saw a benchmark word."""
    from embedkit.evaluation.resources import Resources, evaluation_embedder
    from embedkit.evaluation.settings import EvalSettings

    embedder = evaluation_embedder(cfg, encoder=loaders.get_encoder(cfg), static=loaders.get_static(cfg.vectors))
    return Resources(embedder, EvalSettings(embedder=cfg))


def run_task(task: str, cfg: EmbedderConfig, n_boot: int, progress: Any = None) -> Any:
    """One task's typed report, kept per model settings, task and bootstrap size (the most recent 32, shared by all
    sessions; :func:`embedkit_app.loaders.kept`)."""
    from embedkit.evaluation.runners import run

    def make() -> Any:
        res = get_resources(cfg)
        return run(replace(res.settings, n_boot=n_boot), [task], resources=res, progress=progress)[0]

    return loaders.kept("evaluation", (task, cfg, n_boot), make, limit=32)


def curve_figure(cs: Any) -> go.Figure:
    """Score against alpha per fusion mode with interval bands; single sources as dashed lines; ★ chosen alpha."""
    fig = go.Figure()
    for c in cs.curves:
        color = COLORS.get(c.key, "#555555")
        if c.low:
            fig.add_trace(
                go.Scatter(
                    x=c.x + c.x[::-1],
                    y=c.high + c.low[::-1],
                    fill="toself",
                    fillcolor=color,
                    opacity=0.15,
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        name = controls.MODE_LABELS.get(c.key, c.key)
        fig.add_trace(go.Scatter(x=c.x, y=c.y, mode="lines+markers", line=dict(color=color, width=2), name=name))
        if c.chosen is not None:
            fig.add_trace(
                go.Scatter(
                    x=[c.chosen],
                    y=[c.y[c.x.index(c.chosen)]],
                    mode="markers",
                    showlegend=False,
                    marker=dict(symbol="star", size=14, color=color, line=dict(color="black", width=1)),
                    hovertemplate=f"alpha chosen on other data: {c.chosen:.2f}<extra>{name}</extra>",
                )
            )
    for name, value in cs.lines.items():
        fig.add_hline(
            y=value,
            line=dict(color=COLORS.get(name, "#555555"), dash="dash"),
            annotation_text=f"{name} alone {value:.3f}",
            annotation_position="bottom left",
        )
    fig.update_layout(
        height=380,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="alpha (1 = contextual only, 0 = static only)",
        yaxis_title=cs.y_label,
        legend=dict(orientation="h", y=1.1),
        template="plotly_white",
    )
    return fig


if run_clicked:
    st.session_state[state.EVAL_RUN] = (tuple(tasks), cfg, n_boot)

run_spec: Any = st.session_state.get(state.EVAL_RUN)
if not run_spec:
    st.info(
        "Choose tasks and press **Run evaluation**. Results are cached: a second run is instant.",
        icon=":material/info:",
    )
    st.stop()
if run_spec[1] != cfg:
    st.warning("The model settings changed since the last run; press **Run evaluation** again.")
    st.stop()

reports: dict[str, Any] = {}
bar = st.progress(0.0, text="Starting…")
for i, task in enumerate(run_spec[0]):

    def progress(stage: str, done: int, total: int, i: int = i, task: str = task) -> None:
        frac = (i + (done / total if total else 1.0)) / len(run_spec[0])
        bar.progress(min(frac, 1.0), text=f"{task}: {stage} ({done}/{total})")

    try:
        reports[task] = run_task(task, run_spec[1], run_spec[2], progress=progress)
    except (ValueError, OSError, KeyError) as exc:
        widgets.show_error(exc, f"Could not run {task}")
bar.empty()
if reports:
    # Holm over every comparison this page shows: copies, since the reports are shared by all sessions
    reports = {task: copy.copy(report) for task, report in reports.items()}
    family = holm_family(reports.values(), name="this page")
    st.caption(
        f"Verdicts are corrected for multiple comparisons (Holm, over the {len(family.comparisons)} comparisons "
        "of the tasks shown): a gain is called significant only when it survives the correction."
    )

for task, report in reports.items():
    st.subheader(report.title)
    st.info(report.finding(), icon=":material/balance:")
    curves = report.curves()
    st.plotly_chart(curve_figure(curves), width="stretch", key=f"eval_curve_{task}")
    st.table(report.rows(), hide_index=True)  # a static table wraps long cells: no column is cut at 1280 px
    st.caption(curves.note)

if reports:
    st.download_button(
        "Download all results (JSON)",
        json.dumps({t: {**r.to_dict(), "finding": r.finding()} for t, r in reports.items()}, indent=2, default=float),
        file_name="embedkit_evaluation.json",
        mime="application/json",
        icon=":material/download:",
    )
