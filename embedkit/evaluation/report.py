"""Tables for people, JSON for machines, and the one sentence that states the finding honestly.

The sentence always reports a gain measured on data the alpha was *not* chosen on, with its 95% interval,
and says "not significant" whenever the interval contains zero.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from embedkit.evaluation.suite import AnalogyReport, PolarityReport, SimilarityReport

    AnyReport = SimilarityReport | AnalogyReport | PolarityReport

__all__ = ["MODE_NAMES", "SOURCE_NAMES", "finding", "format_table", "signed", "to_json", "verdict"]

MODE_NAMES = {"concat": "concatenation", "weighted": "weighted sum", "attention": "attention"}
SOURCE_NAMES = {"contextual": "the contextual model alone", "static": "the static vectors alone"}


def signed(x: float, digits: int = 3) -> str:
    """``+0.013`` / ``-0.002``."""
    return f"{x:+.{digits}f}"


def interval(d: Mapping[str, float], digits: int = 3, sign: bool = False) -> str:
    """``0.750 [0.695, 0.796]`` from a score dict (``value``, ``low``, ``high``)."""
    f = (lambda x: signed(x, digits)) if sign else (lambda x: f"{x:.{digits}f}")
    return f"{f(d['value'])} [{f(d['low'])}, {f(d['high'])}]"


def verdict(gain: Mapping[str, float]) -> str:
    """``significant`` when the 95% interval excludes 0, else ``not significant``."""
    if gain["low"] > 0:
        return "significant gain (the 95% interval excludes 0)"
    if gain["high"] < 0:
        return "significant loss (the 95% interval excludes 0)"
    return "not significant"


def _best_mode(choices: Mapping[str, Mapping[str, Any]]) -> str:
    """The mode whose chosen alpha scored highest on the *selection* data (never the reporting data)."""
    return max(choices, key=lambda m: max(choices[m]["selection_scores"].values()))


def _choice_sentence(c: Mapping[str, Any], metric: str) -> str:
    mode = MODE_NAMES.get(c["mode"], c["mode"])
    gain = c["gain"]
    no_fusion = ""
    if c["alpha"] >= 1.0 and c["baseline_name"] == "contextual":
        no_fusion = " (= no fusion)"
    elif c["alpha"] <= 0.0 and c["mode"] == "concat" and c["baseline_name"] == "static":
        no_fusion = " (= no fusion)"
    base = SOURCE_NAMES.get(c["baseline_name"], c["baseline_name"])
    return (
        f"{interval(gain, sign=True)} {metric} on {c['reported_on']} over {base} "
        f"({c['baseline']['value']:.3f} → {c['fused']['value']:.3f}), {mode} with alpha={c['alpha']:.2f}{no_fusion} "
        f"chosen on {c['selected_on']}: {verdict(gain)}."
    )


def finding(report: AnyReport | Mapping[str, Any]) -> str:
    """The one honest sentence of a task report (or of its ``to_dict()``)."""
    d = report if isinstance(report, Mapping) else report.to_dict()
    task = d["task"]
    if task in ("simlex", "wordsim"):
        mode = _best_mode(d["cross"])
        return _choice_sentence(d["cross"][mode], "Spearman")
    if task == "analogy":
        mode = _best_mode(d["choice"])
        return _choice_sentence(d["choice"][mode], "accuracy")
    if task == "polarity":
        res, tests = d["results"], d["mcnemar"]
        fused = [k for k in res if k not in ("contextual", "static")]
        # a fixed, data-free order: the learned DME first if present, then the alpha modes
        parts = []
        base = res["contextual"]
        for k in fused:
            p = tests[k]["p_value"]
            sig = "significant" if p < 0.05 else "not significant"
            parts.append(
                f"{_space_label(k)} {res[k]['accuracy']:.3f} ± {res[k]['spread']:.3f} (McNemar p={p:.2f}, {sig})"
            )
        text = (
            f"Polarity ({d['n_sentences']} sentences, {d['folds']}-fold CV, alpha chosen inside each training fold): "
            f"contextual alone {base['accuracy']:.3f} ± {base['spread']:.3f}; " + "; ".join(parts) + "."
        )
        ft = d.get("finetune")
        if ft:
            p = ft["mcnemar"]["p_value"]
            text += (
                f" Fine-tuning the encoder with static input ({ft['settings']['folds']}-fold, "
                f"{ft['settings']['epochs']} epochs): {ft['finetuned']['accuracy']:.3f} ± {ft['finetuned']['spread']:.3f} "
                f"vs frozen {ft['frozen']['accuracy']:.3f} ± {ft['frozen']['spread']:.3f} "
                f"(McNemar p={p:.2f}, {'significant' if p < 0.05 else 'not significant'})."
            )
        return text
    raise ValueError(f"unknown task {task!r}")


def _space_label(key: str) -> str:
    if key.startswith("dme_"):
        return f"DME ({key[4:]})"
    return MODE_NAMES.get(key, key)


def _rows_to_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *[line(r) for r in rows]])


SELECTION_HEADER = ["mode", "alpha chosen on", "alpha", "reported on", "fused", "vs", "gain"]


def _selection_row(mode: str, c: dict[str, Any]) -> list[str]:
    """One row of an alpha-selection table: where alpha was chosen, where it is reported, the gain."""
    return [
        MODE_NAMES.get(mode, mode),
        c["selected_on"],
        f"{c['alpha']:.2f}",
        c["reported_on"],
        interval(c["fused"]),
        c["baseline_name"],
        interval(c["gain"], sign=True),
    ]


def format_table(report: AnyReport | Mapping[str, Any]) -> str:
    """A plain-text table of every score of a task report, then its honest sentence."""
    d = report if isinstance(report, Mapping) else report.to_dict()
    task = d["task"]
    out: list[str] = []
    if task in ("simlex", "wordsim"):
        r = d["result"]
        out.append(
            f"{r['dataset']}: Spearman with bootstrap 95% interval, {r['n_scored']}/{r['n_pairs']} pairs "
            f"(OOV ratio {r['oov_ratio']:.3f})"
        )
        modes = list(r["fused"])
        rows = [
            ["contextual", "", interval(r["contextual"])] + [""] * (len(modes) - 1),
            ["static", "", interval(r["static"])] + [""] * (len(modes) - 1),
        ]
        for i, a in enumerate(r["alphas"]):
            rows.append(["fused", f"{a:.2f}", *[interval(r["fused"][m][i]) for m in modes]])
        out.append(_rows_to_text(["space", "alpha", *[MODE_NAMES.get(m, m) for m in modes]], rows))
        out.append("(the curve above scores every alpha on the same pairs; it is not a selection)")
        sel_rows = [_selection_row(m, c) for kind in ("cross", "split") for m, c in d[kind].items()]
        out.append(_rows_to_text(SELECTION_HEADER, sel_rows))
    elif task == "analogy":
        r = d["result"]
        out.append(
            f"Google analogies (3CosAdd), vocabulary = first {r['restrict']:,} static words: "
            f"{r['n_answered']:,} of {r['n_questions']:,} questions answered"
        )
        rows = [[k, interval(v)] for k, v in r["accuracy"].items()]
        out.append(_rows_to_text(["space", "accuracy"], rows))
        sel_rows = [_selection_row(m, c) for m, c in d["choice"].items()]
        out.append(_rows_to_text(SELECTION_HEADER, sel_rows))
    elif task == "polarity":
        out.append(
            f"Polarity: {d['n_sentences']} sentences, {d['folds']}-fold CV logistic regression on mean-pooled word vectors"
        )
        rows = []
        for k, r in d["results"].items():
            t = d["mcnemar"].get(k)
            alphas = ",".join(f"{a:.1f}" for a in r.get("alphas", []))
            rows.append(
                [
                    _space_label(k),
                    f"{r['accuracy']:.3f} ± {r['spread']:.3f}",
                    "" if t is None else f"{t['only_a']}/{t['only_b']}",
                    "" if t is None else f"{t['p_value']:.3f}",
                    alphas,
                ]
            )
        out.append(
            _rows_to_text(
                ["space", "accuracy ± sd over folds", "only it/only ctx right", "McNemar p", "alpha per fold"], rows
            )
        )
        curve_rows = [[f"{a:.2f}", *[f"{d['curve'][m][i]:.3f}" for m in d["curve"]]] for i, a in enumerate(d["alphas"])]
        out.append("Accuracy at each fixed alpha (a curve, not a selection):")
        out.append(_rows_to_text(["alpha", *[MODE_NAMES.get(m, m) for m in d["curve"]]], curve_rows))
        if d.get("dme_weights"):
            w = d["dme_weights"]
            out.append(f"DME (softmax) mean learned weight per word: contextual {w[0]:.3f}, static {w[1]:.3f}")
        ft = d.get("finetune")
        if ft:
            out.append(
                f"Fine-tuning with static input ({ft['settings']['folds']}-fold, {ft['settings']['epochs']} epochs, "
                f"{ft['settings']['device']}): frozen {ft['frozen']['accuracy']:.3f} ± {ft['frozen']['spread']:.3f}, "
                f"fine-tuned {ft['finetuned']['accuracy']:.3f} ± {ft['finetuned']['spread']:.3f}, "
                f"McNemar p={ft['mcnemar']['p_value']:.3f}"
            )
    else:
        raise ValueError(f"unknown task {task!r}")
    out.append("Finding: " + finding(d))
    return "\n\n".join(out)


def to_json(reports: Sequence[AnyReport], *, settings: Mapping[str, Any], resources: Mapping[str, str]) -> str:
    """Every score and interval of every task, with the settings and the honest sentences."""
    payload = {
        "settings": dict(settings),
        "resources": dict(resources),
        "tasks": {r.task: {**r.to_dict(), "finding": finding(r)} for r in reports},
    }
    return json.dumps(payload, indent=2, default=float)
