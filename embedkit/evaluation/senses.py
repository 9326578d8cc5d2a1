"""The senses benchmark: how well does each space separate the senses of a word among that word's occurrences?

For every scorable WordNet lemma (:mod:`embedkit.evaluation.sense_data`), its example sentences are encoded in
context; per lemma the metrics of :mod:`embedkit.senses` (the ones the word spotlight shows) are computed among
that lemma's occurrences only, then averaged over lemmas:

- tie-aware leave-one-out nearest-neighbour sense accuracy (chance = the tie baseline, which the static space
  scores exactly, since every occurrence of a word gets the same static vector);
- cluster agreement: ARI of an average-linkage clustering with k = the number of senses (chance 0);
- the same-sense minus cross-sense mean cosine.

The lemmas are split at random (``seed``) into a selection half and a reporting half. The encoder option (layer,
pooling, post-processing; :mod:`embedkit.evaluation.sense_grid`) and, per fusion mode, alpha are chosen by the
nearest-neighbour accuracy on the selection half only; every number is reported on the other half with a
bootstrap interval that resamples lemmas (the independent unit).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.evaluation.intervals import Score, mean_ci
from embedkit.evaluation.sense_data import SenseOccurrences, load_sense_occurrences, split_units
from embedkit.evaluation.sense_grid import DEFAULT_OPTION, EncoderOption
from embedkit.evaluation.senses_report import SensesReport
from embedkit.evaluation.settings import EvalSettings, StageProgress, stage
from embedkit.senses import cluster_agreement, group_sense_cosines, nn_sense_accuracy, tie_baseline

if TYPE_CHECKING:
    from embedkit.embedder import Embedder
    from embedkit.evaluation.resources import Resources
    from embedkit.evaluation.selection import AlphaChoice
    from embedkit.wordvectors import WordVectors

__all__ = ["alpha_choice", "choose_option", "group_accuracy", "run_senses", "senses_report", "space_scores"]

logger = logging.getLogger(__name__)

#: builds the aligned vectors of the occurrences (static lookup of the lemma, the option's map) from their h
MakeVectors = Callable[[np.ndarray, EncoderOption], "WordVectors"]


def _group_mean(values: np.ndarray, occ: SenseOccurrences) -> np.ndarray:
    ok = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(occ.group[ok], values[ok], occ.n_groups) / np.bincount(occ.group[ok], minlength=occ.n_groups)


def group_accuracy(X: np.ndarray, occ: SenseOccurrences) -> np.ndarray:
    """Per lemma group, the mean tie-aware nearest-neighbour sense accuracy of its occurrences."""
    return _group_mean(nn_sense_accuracy(X, occ.sense, occ.group), occ)


def space_scores(X: np.ndarray, occ: SenseOccurrences) -> dict[str, np.ndarray]:
    """Per lemma group: ``accuracy``, ``ari`` (cluster agreement) and ``gap`` (same- minus cross-sense cosine)."""
    same, cross = group_sense_cosines(X, occ.sense, occ.group)
    return {"accuracy": group_accuracy(X, occ), "ari": cluster_agreement(X, occ.sense, occ.group), "gap": same - cross}


def choose_option(scores: Mapping[EncoderOption, np.ndarray], selection: np.ndarray) -> EncoderOption:
    """The option with the highest mean score over the ``selection`` groups only (ties: the first listed)."""
    means = {o: float(np.nanmean(v[selection])) for o, v in scores.items()}
    return max(means, key=lambda o: means[o])


def _score(
    values: np.ndarray, occ: SenseOccurrences, rows: np.ndarray, settings: EvalSettings, *, difference: bool = False
) -> Score:
    """Mean of the per-group ``values`` of the groups ``rows`` with an interval resampling lemmas (the unit)."""
    keep = rows & ~np.isnan(values)
    return mean_ci(values[keep], occ.unit[keep], difference=difference, n_boot=settings.n_boot, seed=settings.seed)


def alpha_choice(
    mode: str,
    fused: dict[float, np.ndarray],
    single: dict[str, np.ndarray],
    occ: SenseOccurrences,
    selection: np.ndarray,
    settings: EvalSettings,
) -> AlphaChoice:
    from embedkit.evaluation.selection import AlphaChoice, choose_alpha, choose_source

    scores = {a: float(np.nanmean(v[selection])) for a, v in fused.items()}
    alpha = choose_alpha(scores)
    base = choose_source({k: float(np.nanmean(v[selection])) for k, v in single.items()})
    rep = ~selection
    return AlphaChoice(
        mode=mode,
        alpha=alpha,
        selected_on=f"{len(np.unique(occ.unit[selection]))} selection lemmas",
        reported_on=f"{len(np.unique(occ.unit[rep]))} other lemmas",
        selection_scores=scores,
        fused=_score(fused[alpha], occ, rep, settings),
        baseline_name=base,
        baseline=_score(single[base], occ, rep, settings),
        gain=_score(fused[alpha] - single[base], occ, rep, settings, difference=True),
    )


def senses_report(
    grid: Any,
    occ: SenseOccurrences,
    settings: EvalSettings,
    make_vectors: MakeVectors,
    *,
    progress: StageProgress | None = None,
) -> SensesReport:
    """Choose the option and alpha on the selection lemmas, report everything on the others.

    Args:
        grid: gives ``options`` (the default first) and ``vectors(option)`` for every occurrence
            (a :class:`~embedkit.evaluation.sense_grid.SenseGrid`).
        occ: the occurrences.
        settings: alphas, modes, bootstrap size and the split seed.
        make_vectors: the aligned vectors of the occurrences for one option's contextual vectors.
        progress: ``progress(stage, done, total)``.
    """
    s = settings
    selection = split_units(occ.n_units, s.seed)[occ.unit[occ.group]]  # per occurrence
    sel_groups = split_units(occ.n_units, s.seed)[occ.unit]  # per group
    accuracy: dict[EncoderOption, np.ndarray] = {}
    for k, option in enumerate(grid.options):
        accuracy[option] = group_accuracy(grid.vectors(option), occ)
        if progress:
            progress("scoring every encoder option", k + 1, len(grid.options))
    chosen = choose_option(accuracy, sel_groups)
    wv = make_vectors(grid.vectors(chosen), chosen)
    per_space = {
        "static": space_scores(wv.e, occ),
        "bert_default": space_scores(grid.vectors(DEFAULT_OPTION), occ),
        "bert": space_scores(wv.h, occ),
    }
    tie = _group_mean(tie_baseline(occ.sense, occ.group), occ)
    choices, curve = {}, {}
    for mode in s.modes:
        fused = {float(a): group_accuracy(wv.space("fused", mode, a), occ) for a in s.alphas}
        single = {"bert": per_space["bert"]["accuracy"], "static": per_space["static"]["accuracy"]}
        choices[mode] = alpha_choice(mode, fused, single, occ, sel_groups, s)
        curve[mode] = [_score(v, occ, ~sel_groups, s) for v in fused.values()]
        per_space[mode] = space_scores(wv.space("fused", mode, choices[mode].alpha), occ)
    rep = ~sel_groups
    return SensesReport(
        task="senses",
        note=occ.note,
        n_occurrences=len(occ),
        n_sentences=occ.n_sentences,
        shared_sentences=occ.shared_sentences,
        n_groups=occ.n_groups,
        n_lemmas=(len(np.unique(occ.unit[sel_groups])), len(np.unique(occ.unit[rep]))),
        n_layers=grid.n_layers,
        selection_scores={o.key(): float(np.nanmean(v[sel_groups])) for o, v in accuracy.items()},
        options={o.key(): o for o in grid.options},
        chosen=chosen,
        scores={name: {m: _score(v, occ, rep, s) for m, v in sc.items()} for name, sc in per_space.items()},
        tie_baseline=_score(tie, occ, rep, s),
        static_is_tie=bool(np.array_equal(per_space["static"]["accuracy"], tie, equal_nan=True)),
        gain_over_default=_score(
            per_space["bert"]["accuracy"] - per_space["bert_default"]["accuracy"], occ, rep, s, difference=True
        ),
        alphas=[float(a) for a in s.alphas],
        fused=choices,
        curve=curve,
        n_selected_occurrences=int(selection.sum()),
    )


def _option_embedder(res: Resources, option: EncoderOption) -> Embedder:
    """The Embedder of one encoder option (the resources' own when they match): the map is fitted for it."""
    from embedkit.evaluation.resources import evaluation_embedder

    s = res.settings
    config = s.embedder.replace(layers=option.layers, pooling=option.pooling, postprocess=option.postprocess)
    if config == s.embedder:
        return res.embedder
    return evaluation_embedder(config, static=res.static, device=s.device)


def run_senses(res: Resources, *, progress: StageProgress | None = None) -> SensesReport:
    """The senses benchmark on the shipped WordNet extract with the resources' model and static vectors."""
    from embedkit.evaluation.sense_grid import build_sense_grid
    from embedkit.wordvectors import WordVectors

    t0 = time.perf_counter()
    s = res.settings
    occ = load_sense_occurrences(max_lemmas=s.senses_lemmas, seed=s.seed)
    grid = build_sense_grid(res.encoder, occ, progress=stage(progress, "encoding WordNet examples (all layers)"))
    encode_seconds = time.perf_counter() - t0

    def make_vectors(h: np.ndarray, option: EncoderOption) -> WordVectors:
        emb = _option_embedder(res, option)
        emb.fit_map(progress=stage(progress, "fitting the map of the chosen option"))
        return WordVectors.build(occ.words(), h, emb.static, emb.static_map, sentence_id=occ.sentence)

    report = senses_report(grid, occ, s, make_vectors, progress=progress)
    report.encode_seconds = encode_seconds
    report.seconds = time.perf_counter() - t0
    return report
