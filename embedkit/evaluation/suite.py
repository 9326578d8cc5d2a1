"""The evaluation tasks end to end: load the model and vectors once, run simlex/wordsim/analogy/polarity.

Used by ``python -m embedkit evaluate``, the Evaluate page and ``scripts/write_results.py``. Each task returns
a report object with ``to_dict()`` (every score and interval) that :mod:`embedkit.evaluation.report`
turns into a table and the one honest sentence.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.errors import EmbedkitError
from embedkit.evaluation.datasets import (
    LabelledSentences,
    WordPairs,
    evaluation_words,
    load_analogies,
    load_polarity,
    load_word_pairs,
)

if TYPE_CHECKING:
    from embedkit.alignment import StaticMap
    from embedkit.contextual import ContextualEncoder
    from embedkit.evaluation.analogy import AnalogyResult
    from embedkit.evaluation.classification import CVResult, McNemar
    from embedkit.evaluation.selection import AlphaChoice
    from embedkit.evaluation.similarity import SimilarityResult
    from embedkit.evaluation.spaces import WordTable
    from embedkit.static import StaticVectors

__all__ = [
    "TASKS",
    "AnalogyReport",
    "EvalSettings",
    "fit_evaluation_map",
    "PolarityReport",
    "Resources",
    "SimilarityReport",
    "load_resources",
    "parse_alphas",
    "run_analogy",
    "run_polarity",
    "run_similarity",
    "run_task",
]

logger = logging.getLogger(__name__)

TASKS = ("simlex", "wordsim", "analogy", "polarity")
#: stage name, done, total
StageProgress = Callable[[str, int, int], None]


def parse_alphas(spec: str | Sequence[float]) -> tuple[float, ...]:
    """``"0:1:0.1"`` (start:stop:step, stop included) or ``"0,0.5,1"`` or a sequence -> sorted alphas.

    Raises:
        EmbedkitError: (a ``ValueError``) for a malformed spec or an alpha outside [0, 1].
    """
    if isinstance(spec, str):
        text = spec.strip()
        try:
            if ":" in text:
                parts = [float(p) for p in text.split(":")]
                if len(parts) != 3 or parts[2] <= 0:
                    raise ValueError
                start, stop, step = parts
                n = int(np.floor((stop - start) / step + 1e-9)) + 1
                values = [start + i * step for i in range(max(n, 0))]
            else:
                values = [float(p) for p in text.split(",") if p.strip()]
        except ValueError:
            raise EmbedkitError(
                f"bad alphas {spec!r}; use start:stop:step like 0:1:0.1 or a list like 0,0.5,1"
            ) from None
    else:
        values = [float(a) for a in spec]
    alphas = tuple(sorted({round(a, 6) for a in values}))
    if not alphas or alphas[0] < 0 or alphas[-1] > 1:
        raise EmbedkitError(f"alphas must be a non-empty set in [0, 1], got {spec!r}")
    return alphas


@dataclass(frozen=True)
class EvalSettings:
    """Everything that changes an evaluation result.

    Attributes:
        model: Hugging Face id or folder; None = bundled all-MiniLM-L6-v2.
        vectors: static vectors file or folder; None = bundled GloVe 6B 50d.
        layers: contextual layers (last, second_last, last4, all, "-1,-2").
        pooling: wordpiece pooling (first, last, mean, first_last).
        align: static -> contextual map (procrustes, lstsq, pad).
        align_k: words the map is fitted on (evaluation words excluded).
        alphas: fusion weights (1 = contextual only).
        modes: fusion modes scored over alpha.
        n_boot: bootstrap resamples per interval.
        seed: seed of bootstrap, splits and folds.
        folds: k of the k-fold cross-validation (polarity).
        analogy_vocab: vocabulary size for analogies.
        dme: also train Dynamic Meta-Embeddings on polarity.
        finetune: also fine-tune the encoder on polarity (slow on a CPU).
        device: torch device for the encoder (auto, cpu, cuda).
    """

    model: str | None = None
    vectors: str | None = None
    layers: str = "last"
    pooling: str = "mean"
    align: str = "procrustes"
    align_k: int = 5000
    alphas: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
    modes: tuple[str, ...] = ("concat", "weighted")
    n_boot: int = 1000
    seed: int = 0
    folds: int = 10
    analogy_vocab: int = 30000
    dme: bool = True
    finetune: bool = False
    device: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)


@dataclass
class Resources:
    """The loaded encoder, static vectors and the map fitted without any evaluation word."""

    encoder: ContextualEncoder
    static: StaticVectors
    static_map: StaticMap
    excluded: frozenset[str]
    settings: EvalSettings

    def describe(self) -> dict[str, str]:
        """What was used, for people and for JSON."""
        return {
            "model": self.encoder.describe(),
            "vectors": f"{self.static.name} ({self.static.dim}-d, {len(self.static):,} words)",
            "map": self.static_map.describe() + f", {len(self.excluded):,} evaluation words excluded",
        }


def _stage(progress: StageProgress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def fit_evaluation_map(
    encoder: ContextualEncoder,
    static: StaticVectors,
    method: str = "procrustes",
    *,
    k: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[StaticMap, frozenset[str]]:
    """Fit the static -> contextual map on the top ``k`` static words minus every benchmark word.

    Returns:
        The map and the excluded words.
    """
    from embedkit.alignment import fit_static_map

    excluded = frozenset(evaluation_words())
    static_map = fit_static_map(encoder, static, method, k=k, exclude=sorted(excluded), progress=progress)
    return static_map, excluded


def load_resources(settings: EvalSettings, *, progress: StageProgress | None = None) -> Resources:
    """Load the encoder and vectors and fit the map on ``align_k`` words minus every evaluation word."""
    from embedkit.contextual import ContextualEncoder
    from embedkit.static import load_static

    encoder = ContextualEncoder(
        settings.model, layers=settings.layers, pooling=settings.pooling, device=settings.device
    )
    static = load_static(settings.vectors)
    static_map, excluded = fit_evaluation_map(
        encoder, static, settings.align, k=settings.align_k, progress=_stage(progress, "fitting the map")
    )
    return Resources(encoder, static, static_map, excluded, settings)


# -- word similarity ---------------------------------------------------------------------------------
@dataclass
class SimilarityReport:
    """One word-pair set: scores in every space, and alpha chosen elsewhere.

    Attributes:
        result: scores over alpha on the full set (the curve; not a selection).
        cross: per mode, alpha chosen on the other pair set and reported here.
        split: per mode, alpha chosen on a random half of this set and reported on the other half.
    """

    task: str
    result: SimilarityResult
    cross: dict[str, AlphaChoice]
    split: dict[str, AlphaChoice]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "task": self.task,
            "result": self.result.to_dict(),
            "cross": {m: c.to_dict() for m, c in self.cross.items()},
            "split": {m: c.to_dict() for m, c in self.split.items()},
            "seconds": self.seconds,
        }


def similarity_table(res: Resources, *, progress: StageProgress | None = None) -> WordTable:
    """Vectors of every SimLex-999 and WordSim-353 word in every space."""
    from embedkit.evaluation.spaces import build_word_table

    words = sorted(set(load_word_pairs("simlex").words()) | set(load_word_pairs("wordsim").words()))
    return build_word_table(
        words, res.encoder, res.static, res.static_map, progress=_stage(progress, "encoding pair words")
    )


def run_similarity(
    task: str, res: Resources, *, table: WordTable | None = None, progress: StageProgress | None = None
) -> SimilarityReport:
    """``simlex`` or ``wordsim``: the curve over alpha, and alpha chosen on the other set / on a split half."""
    from embedkit.evaluation.selection import cross_select
    from embedkit.evaluation.similarity import evaluate_pairs

    if task not in ("simlex", "wordsim"):
        raise ValueError(f"unknown similarity task {task!r}; choose one of: simlex, wordsim")
    t0 = time.perf_counter()
    s = res.settings
    table = table if table is not None else similarity_table(res, progress=progress)
    target: WordPairs = load_word_pairs(task)
    other: WordPairs = load_word_pairs("wordsim" if task == "simlex" else "simlex")
    kw = {"alphas": s.alphas, "n_boot": s.n_boot, "seed": s.seed}
    if progress:
        progress(f"scoring {target.name}", 0, 1)
    result = evaluate_pairs(target, table, modes=s.modes, **kw)
    sel_half, rep_half = target.split(0.5, seed=s.seed)
    cross = {m: cross_select(other, target, table, mode=m, **kw) for m in s.modes}
    split = {m: cross_select(sel_half, rep_half, table, mode=m, **kw) for m in s.modes}
    if progress:
        progress(f"scoring {target.name}", 1, 1)
    return SimilarityReport(task, result, cross, split, time.perf_counter() - t0)


# -- analogies ---------------------------------------------------------------------------------------
@dataclass
class AnalogyReport:
    """Analogies: accuracy per space, and alpha chosen on half the questions, reported on the other half.

    Attributes:
        result: accuracy of every space on all answered questions (the curve).
        choice: per mode: chosen alpha, selection-half accuracies, reporting-half fused and baseline
            accuracy and the paired gain, as plain dicts.
    """

    task: str
    result: AnalogyResult
    alphas: list[float]
    choice: dict[str, dict[str, Any]]
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "task": self.task,
            "result": self.result.to_dict(),
            "alphas": self.alphas,
            "choice": self.choice,
            "seconds": self.seconds,
        }


def run_analogy(res: Resources, *, progress: StageProgress | None = None) -> AnalogyReport:
    """Google analogies over the first ``analogy_vocab`` static words, static vs contextual vs fused."""
    from embedkit.evaluation.analogy import bootstrap_mean_ci, evaluate_analogies
    from embedkit.evaluation.selection import choose_alpha
    from embedkit.evaluation.similarity import fused_key
    from embedkit.evaluation.spaces import build_word_table

    t0 = time.perf_counter()
    s = res.settings
    questions = load_analogies()
    words = res.static.top_words(s.analogy_vocab, alphabetic=False)
    table = build_word_table(
        words, res.encoder, res.static, res.static_map, progress=_stage(progress, "encoding the vocabulary")
    )
    spaces: dict[str, Callable[[], np.ndarray]] = {
        "static": lambda: table.space("static"),
        "contextual": lambda: table.space("contextual"),
    }
    for mode in s.modes:
        for a in s.alphas:
            spaces[fused_key(mode, a)] = lambda m=mode, al=a: table.space("fused", mode=m, alpha=al)
    cb = None if progress is None else (lambda key, d, t: progress(f"analogies in {key}", d, t))
    result = evaluate_analogies(questions, list(table.words), spaces, n_boot=s.n_boot, seed=s.seed, progress=cb)
    n = result.n_answered
    order = np.random.default_rng(s.seed).permutation(n)
    sel, rep = np.sort(order[: n // 2]), np.sort(order[n // 2 :])
    base = max(("static", "contextual"), key=lambda k: result.correct[k][sel].mean())
    choice: dict[str, dict[str, Any]] = {}
    for mode in s.modes:
        sel_scores = {float(a): float(result.correct[fused_key(mode, a)][sel].mean()) for a in s.alphas}
        alpha = choose_alpha(sel_scores)
        fused_c = result.correct[fused_key(mode, alpha)][rep].astype(np.float64)
        base_c = result.correct[base][rep].astype(np.float64)
        kw = {"n_boot": s.n_boot, "seed": s.seed}
        choice[mode] = {
            "mode": mode,
            "alpha": alpha,
            "selected_on": f"half of the answered questions ({len(sel)})",
            "reported_on": f"the other half ({len(rep)})",
            "selection_scores": {f"{a:.4g}": v for a, v in sel_scores.items()},
            "fused": bootstrap_mean_ci(fused_c, **kw).to_dict(),
            "baseline_name": base,
            "baseline": bootstrap_mean_ci(base_c, **kw).to_dict(),
            "gain": bootstrap_mean_ci(fused_c - base_c, **kw).to_dict(),
        }
    return AnalogyReport("analogy", result, [float(a) for a in s.alphas], choice, time.perf_counter() - t0)


# -- sentence classification ---------------------------------------------------------------------------
@dataclass
class PolarityReport:
    """Polarity: cross-validated accuracy per space, McNemar against contextual-only features.

    Attributes:
        results: space name -> cross-validated result (fused spaces with alpha chosen inside the folds).
        curve: mode -> accuracy at each fixed alpha (the curve; each alpha scored on the test folds).
        mcnemar: space name -> McNemar test against ``contextual``.
        dme_weights: mean learned weight [contextual, static] of DME (softmax), fitted on all sentences.
        finetune: fine-tuning result dict, when run.
    """

    task: str
    n_sentences: int
    folds: int
    alphas: list[float]
    results: dict[str, CVResult]
    curve: dict[str, list[float]]
    mcnemar: dict[str, McNemar]
    dme_weights: list[float] | None = None
    finetune: dict[str, Any] | None = None
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "task": self.task,
            "n_sentences": self.n_sentences,
            "folds": self.folds,
            "alphas": self.alphas,
            "results": {k: r.to_dict() for k, r in self.results.items()},
            "curve": self.curve,
            "mcnemar": {k: m.to_dict() for k, m in self.mcnemar.items()},
            "dme_weights": self.dme_weights,
            "finetune": self.finetune,
            "seconds": self.seconds,
        }


@dataclass
class SentenceVectors:
    """Per-sentence word vectors in every source (rows line up with the sentence's tokens)."""

    data: LabelledSentences
    h: list[np.ndarray]
    e: list[np.ndarray]
    pe: list[np.ndarray]
    oov: list[np.ndarray]
    _flat: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def features(self, space: str, mode: str = "weighted", alpha: float = 0.5) -> np.ndarray:
        """Mean-pooled sentence features of ``contextual``, ``static`` (known words only) or ``fused``."""
        from embedkit.evaluation.classification import mean_pool

        if space == "contextual":
            return mean_pool(self.h)
        if space == "static":
            return mean_pool(self.e, [~o for o in self.oov])
        if space != "fused":
            raise ValueError(f"unknown space {space!r}; choose one of: contextual, static, fused")
        from embedkit.fusion import fuse

        if not self._flat:
            self._flat.update(
                h=np.concatenate(self.h),
                e=np.concatenate(self.e),
                pe=np.concatenate(self.pe),
                oov=np.concatenate(self.oov),
                sid=np.repeat(np.arange(len(self.h)), [len(x) for x in self.h]),
            )
        f = self._flat
        fused = fuse(f["h"], f["e"], f["pe"], mode=mode, alpha=alpha, oov=f["oov"], sentence_ids=f["sid"]).vectors
        out = np.zeros((len(self.h), fused.shape[1]))
        np.add.at(out, f["sid"], fused)
        return out / np.bincount(f["sid"], minlength=len(self.h))[:, None]


def sentence_vectors(
    res: Resources, data: LabelledSentences, *, progress: StageProgress | None = None
) -> SentenceVectors:
    """Encode the sentences in context and look up their static vectors (the same tokens on both sides)."""
    h = res.encoder.encode(data.sentences, progress=_stage(progress, "encoding sentences"))
    e, pe, oov = [], [], []
    for toks in data.sentences:
        vec, o = res.static.lookup(toks)
        e.append(vec)
        oov.append(np.asarray(o, dtype=bool))
        mapped = res.static_map.transform(vec)
        mapped[o] = 0.0
        pe.append(mapped)
    return SentenceVectors(data, h, e, pe, oov)


def run_polarity(res: Resources, *, progress: StageProgress | None = None) -> PolarityReport:
    """pang_lee_polarity: k-fold logistic regression per space, DME, McNemar against contextual-only."""
    from embedkit.evaluation.classification import cross_validate, make_folds, mcnemar, nested_alpha_cv

    t0 = time.perf_counter()
    s = res.settings
    data = load_polarity()
    sv = sentence_vectors(res, data, progress=progress)
    y = data.labels
    folds = make_folds(y, k=s.folds, seed=s.seed)
    results: dict[str, CVResult] = {
        "contextual": cross_validate(sv.features("contextual"), y, folds, name="contextual"),
        "static": cross_validate(sv.features("static"), y, folds, name="static"),
    }
    curve: dict[str, list[float]] = {}
    steps = len(s.modes) * 2 + (2 if s.dme else 0)
    done = 0
    for mode in s.modes:
        if progress:
            progress("classifying", done, steps)
        feats = {a: sv.features("fused", mode=mode, alpha=a) for a in s.alphas}
        curve[mode] = [cross_validate(feats[a], y, folds).accuracy for a in s.alphas]
        done += 1
        if progress:
            progress("classifying", done, steps)
        results[mode] = nested_alpha_cv(feats.__getitem__, y, folds, s.alphas, name=mode, seed=s.seed)
        done += 1
    dme_weights = None
    if s.dme:
        from embedkit.evaluation.dme import DMEClassifier, cross_validate_dme

        sources = [sv.h, sv.e]
        present = [np.stack([np.ones(len(o), bool), ~o], axis=1) for o in sv.oov]
        for gating in ("softmax", "sigmoid"):
            if progress:
                progress("training DME", done, steps)
            name = f"dme_{gating}"
            results[name] = cross_validate_dme(
                sources, y, folds, present=present, name=name, gating=gating, seed=s.seed
            )
            done += 1
        clf = DMEClassifier(gating="softmax", seed=s.seed).fit(sources, y, present)
        w = np.concatenate(clf.word_weights(sources, present))
        dme_weights = [float(v) for v in w.mean(axis=0)]
    if progress:
        progress("classifying", steps, steps)
    tests = {k: mcnemar(r.correct, results["contextual"].correct) for k, r in results.items() if k != "contextual"}
    finetune = None
    if s.finetune:
        from embedkit.evaluation.finetune import finetune_cv

        finetune = finetune_cv(res, data, folds=min(s.folds, 5), seed=s.seed, progress=_stage(progress, "fine-tuning"))
    return PolarityReport(
        "polarity",
        len(y),
        len(folds),
        [float(a) for a in s.alphas],
        results,
        curve,
        tests,
        dme_weights,
        finetune,
        time.perf_counter() - t0,
    )


def run_task(
    task: str,
    res: Resources,
    *,
    table: WordTable | None = None,
    progress: StageProgress | None = None,
) -> SimilarityReport | AnalogyReport | PolarityReport:
    """Run one task by name.

    Raises:
        ValueError: for an unknown task, naming the valid ones.
    """
    if task in ("simlex", "wordsim"):
        return run_similarity(task, res, table=table, progress=progress)
    if task == "analogy":
        return run_analogy(res, progress=progress)
    if task == "polarity":
        return run_polarity(res, progress=progress)
    raise ValueError(f"unknown task {task!r}; choose one of: {', '.join(TASKS)}")
