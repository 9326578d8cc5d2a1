"""Evaluate: does fusion help? Benchmarks with intervals, alpha chosen on data it is not reported on."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from embedkit_app import loaders, state, widgets

# session keys (kept here until embedkit_app/state.py declares them)
EVAL_TASKS = state.EVAL_TASKS
EVAL_BOOT = state.EVAL_BOOT
EVAL_RUN = state.EVAL_RUN

TASK_LABELS = {
    "wordsim": "WordSim-353 (word similarity, ~10 s)",
    "simlex": "SimLex-999 (word similarity, ~10 s)",
    "polarity": "Polarity (200 sentences, 10-fold CV + DME, ~1 min)",
    "analogy": "Google analogies (30k words, several minutes)",
}
COLORS = {"concat": "#009E73", "weighted": "#CC79A7", "contextual": "#0072B2", "static": "#E69F00"}
MODE_NAMES = {"concat": "concatenation", "weighted": "weighted sum"}

widgets.page_setup("Evaluate", "📊")
st.title("Evaluate: does fusion help?")
widgets.explainer(
    "Mixing BERT's vectors with static vectors is often said to help. Here you can check it on standard "
    "benchmarks.\n\n"
    "- **Word similarity** (SimLex-999, WordSim-353): people rated how similar two words are; we rank the pairs "
    "by cosine similarity and compare the two rankings (Spearman correlation, 1 = same order). Each word is fed "
    "to BERT alone.\n"
    "- **Analogies**: *man : king :: woman : ?* — is the nearest word to king − man + woman *queen*?\n"
    "- **Polarity**: is a movie-review sentence positive or negative? A logistic regression on the mean of the "
    "word vectors, scored by 10-fold cross-validation. *DME* learns per-word weights for the two sources.\n\n"
    "The **curve** shows the score at every alpha (1 = BERT only, 0 = static only), with a shaded 95% "
    "interval (bootstrap: how much the score moves if we had drawn other pairs). Dashed lines are the single "
    "sources. Picking the top of this curve would be cheating: it is the best of eleven tries on the test "
    "data. So alpha is **chosen on another data set** (or another half) and **reported here**; the sentence "
    "in the box says what that honest gain is and whether its interval excludes zero."
)

cfg = state.model_config()
st.caption(widgets.model_caption(cfg) + f" · map fitted on {cfg.align_k:,} words minus every benchmark word")

tasks = st.multiselect(
    "Tasks", list(TASK_LABELS), default=["wordsim", "simlex"], format_func=TASK_LABELS.__getitem__, key=EVAL_TASKS
)
n_boot = st.select_slider(
    "Bootstrap resamples",
    [200, 500, 1000],
    value=1000,
    key=EVAL_BOOT,
    help="More resamples give steadier interval ends; 1000 is the usual choice.",
)
run_clicked = st.button("Run evaluation", type="primary", icon=":material/play_arrow:", disabled=not tasks)


@st.cache_resource(show_spinner="Fitting the evaluation map (no benchmark word used)…", max_entries=2)
def get_resources(
    model: str | None,
    vectors: str | None,
    layers: str,
    pooling: str,
    dtype: str,
    align: str,
    align_k: int,
    vectors_name: str | None = None,
) -> Any:
    """Encoder and vectors from the app's loaders, and a map fitted without any benchmark word."""
    from embedkit.evaluation.suite import EvalSettings, Resources, fit_evaluation_map

    encoder = loaders.get_encoder(model, layers, pooling, dtype)
    static = loaders.get_static(vectors, vectors_name)
    static_map, excluded = fit_evaluation_map(encoder, static, align, k=align_k)
    settings = EvalSettings(model=model, vectors=vectors, layers=layers, pooling=pooling, align=align, align_k=align_k)
    return Resources(encoder, static, static_map, excluded, settings)


@st.cache_data(show_spinner=False, max_entries=32)
def run_task(task: str, cfg_key: tuple, n_boot: int, _progress: Any = None) -> dict[str, Any]:
    """One task's report as a plain dict (cached per model settings, task and bootstrap size)."""
    from embedkit.evaluation.report import finding
    from embedkit.evaluation.suite import run_task as run

    res = get_resources(*cfg_key)
    res = replace(res, settings=replace(res.settings, n_boot=n_boot))
    report = run(task, res, progress=_progress)
    return {**report.to_dict(), "finding": finding(report), "resources": res.describe()}


def curve_figure(d: dict[str, Any]) -> go.Figure:
    """Score against alpha per fusion mode with interval bands; single sources as dashed lines."""
    fig = go.Figure()
    task = d["task"]
    if task in ("simlex", "wordsim"):
        r = d["result"]
        alphas, curves = r["alphas"], r["fused"]
        base = {"contextual": r["contextual"]["value"], "static": r["static"]["value"]}
        chosen = {m: c["alpha"] for m, c in d["cross"].items()}
        ytitle = "Spearman"
    elif task == "analogy":
        acc = d["result"]["accuracy"]
        alphas = d["alphas"]
        curves = {m: [acc[f"{m}@{a:.4g}"] for a in alphas] for m in d["choice"]}
        base = {"contextual": acc["contextual"]["value"], "static": acc["static"]["value"]}
        chosen = {m: c["alpha"] for m, c in d["choice"].items()}
        ytitle = "accuracy"
    else:
        alphas = d["alphas"]
        curves = {m: [{"value": v} for v in vals] for m, vals in d["curve"].items()}
        base = {k: d["results"][k]["accuracy"] for k in ("contextual", "static")}
        chosen = {}
        ytitle = "CV accuracy"
    for mode, scores in curves.items():
        color = COLORS.get(mode, "#555555")
        if "low" in scores[0]:
            fig.add_trace(
                go.Scatter(
                    x=list(alphas) + list(alphas)[::-1],
                    y=[s["high"] for s in scores] + [s["low"] for s in scores][::-1],
                    fill="toself",
                    fillcolor=color,
                    opacity=0.15,
                    line=dict(width=0),
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"{mode} 95% interval",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=alphas,
                y=[s["value"] for s in scores],
                mode="lines+markers",
                line=dict(color=color, width=2),
                name=MODE_NAMES.get(mode, mode),
            )
        )
        if mode in chosen:
            i = list(alphas).index(chosen[mode])
            fig.add_trace(
                go.Scatter(
                    x=[chosen[mode]],
                    y=[scores[i]["value"]],
                    mode="markers",
                    showlegend=False,
                    marker=dict(symbol="star", size=14, color=color, line=dict(color="black", width=1)),
                    hovertemplate=f"alpha chosen elsewhere: {chosen[mode]:.2f}<extra>{MODE_NAMES.get(mode, mode)}</extra>",
                )
            )
    for name, value in base.items():
        fig.add_hline(
            y=value,
            line=dict(color=COLORS[name], dash="dash"),
            annotation_text=f"{name} alone {value:.3f}",
            annotation_position="bottom left",
        )
    fig.update_layout(
        height=380,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis_title="alpha (1 = contextual only, 0 = static only)",
        yaxis_title=ytitle,
        legend=dict(orientation="h", y=1.1),
        template="plotly_white",
    )
    return fig


def selection_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per honest selection: where alpha was chosen, where it is reported, the gain."""
    choices = list(d.get("cross", {}).values()) + list(d.get("split", {}).values()) + list(d.get("choice", {}).values())
    return [
        {
            "mode": MODE_NAMES.get(c["mode"], c["mode"]),
            "alpha chosen on": c["selected_on"],
            "alpha": c["alpha"],
            "reported on": c["reported_on"],
            "fused": round(c["fused"]["value"], 3),
            "single source": c["baseline_name"],
            "gain": round(c["gain"]["value"], 3),
            "gain 95% low": round(c["gain"]["low"], 3),
            "gain 95% high": round(c["gain"]["high"], 3),
        }
        for c in choices
    ]


cfg_key = (cfg.model, cfg.vectors, cfg.layers, cfg.pooling, cfg.dtype, cfg.align, cfg.align_k, cfg.vectors_name)
if run_clicked:
    st.session_state[EVAL_RUN] = (tuple(tasks), cfg_key, n_boot)

run_spec = st.session_state.get(EVAL_RUN)
if not run_spec:
    st.info(
        "Choose tasks and press **Run evaluation**. Results are cached: a second run is instant.",
        icon=":material/info:",
    )
    st.stop()
if run_spec[1] != cfg_key:
    st.warning("The model settings changed since the last run; press **Run evaluation** again.")
    st.stop()

results: dict[str, dict[str, Any]] = {}
bar = st.progress(0.0, text="Starting…")
for i, task in enumerate(run_spec[0]):

    def progress(stage: str, done: int, total: int, i: int = i, task: str = task) -> None:
        frac = (i + (done / total if total else 1.0)) / len(run_spec[0])
        bar.progress(min(frac, 1.0), text=f"{task}: {stage} ({done}/{total})")

    try:
        results[task] = run_task(task, run_spec[1], run_spec[2], _progress=progress)
    except (ValueError, OSError, KeyError) as exc:
        widgets.show_error(exc, f"Could not run {task}")
bar.empty()

for task, d in results.items():
    st.subheader(TASK_LABELS[task].split(" (")[0])
    st.info(d["finding"], icon=":material/balance:")
    st.plotly_chart(curve_figure(d), width="stretch", key=f"eval_curve_{task}")
    if task == "polarity":
        rows = [
            {
                "space": k,
                "accuracy": r["accuracy"],
                "± sd over folds": r["spread"],
                "McNemar p vs contextual": d["mcnemar"].get(k, {}).get("p_value"),
            }
            for k, r in d["results"].items()
        ]
        st.dataframe(rows, hide_index=True)
        if d.get("dme_weights"):
            w = d["dme_weights"]
            st.caption(
                f"DME (softmax) leans on the contextual vector with mean weight {w[0]:.2f} and on the "
                f"static vector with {w[1]:.2f}. The curve scores every alpha on the test folds; the "
                "table's fused rows choose alpha inside each training fold."
            )
    else:
        st.dataframe(selection_rows(d), hide_index=True)
        st.caption("★ on the curve: the alpha chosen on the other data set. The curve itself is not a selection.")

if results:
    st.download_button(
        "Download all results (JSON)",
        json.dumps(results, indent=2, default=float),
        file_name="embedkit_evaluation.json",
        mime="application/json",
        icon=":material/download:",
    )
