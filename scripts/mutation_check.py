"""Mutation check: put each known kind of evaluation leak into a copy of the code and show that a test assertion fails.

    python scripts/mutation_check.py            # every mutation, then the assertion-deletion pass; exit 1 on a hole
    python scripts/mutation_check.py --list     # the mutations and key assertions only
    python scripts/mutation_check.py --slow     # also run the tests marked slow (the bundled model; much longer)

Each mutation is one textual change to one file (its anchor must occur exactly once, so a mutation cannot rot
silently when the code moves). The repository's ``embedkit/``, ``scripts/`` and ``tests/`` are copied into a
temporary folder and every evaluation test file (``tests/unit/test_evaluation*.py`` but the results page's
provenance test, which fails on any change of the code by design) runs there once, unchanged,
with a tracer that records which functions each test calls; it must pass. Then, per mutation, the tests that call
the mutated function (every test when the change is at module level) run on a mutated copy. A mutation is *caught*
only when a test fails on an assertion (``AssertionError``, including ``pytest.approx`` and ``numpy.testing``, or
``pytest.raises``' "DID NOT RAISE"); a crash, an import error or a fixture error does not count.

The assertion-deletion pass then removes each *key assertion* in turn (one line of a test) and re-runs the mutations
that only that assertion's test caught: some mutation must survive, or the assertion guards nothing this check
knows of and is reported. Mutations run in parallel (``--jobs``, default: the number of CPUs).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_GLOB = "tests/unit/test_evaluation*.py"
#: checks the results page against the code's hash, which any mutation changes: it would "catch" everything
NOT_RUN = ("tests/unit/test_evaluation_results.py",)


@dataclass(frozen=True)
class Mutation:
    """A leak: in ``path``, ``old`` (occurring exactly once) becomes ``new``."""

    name: str
    path: str
    old: str
    new: str


@dataclass(frozen=True)
class KeyAssertion:
    """An assertion line of a test (``anchor`` occurs exactly once in ``path``) that must guard some mutation."""

    name: str
    path: str
    anchor: str


SEL = "embedkit/evaluation/selection.py"
SIM = "embedkit/evaluation/similarity.py"
ANA = "embedkit/evaluation/analogy.py"
SEN = "embedkit/evaluation/senses.py"
DATA = "embedkit/evaluation/sense_data.py"
RUN = "embedkit/evaluation/runners.py"
POL = "embedkit/evaluation/polarity.py"
INT = "embedkit/evaluation/intervals.py"
ENC = "embedkit/evaluation/encoders.py"
REP = "embedkit/evaluation/report.py"
MUL = "embedkit/evaluation/multiplicity.py"
CLS = "embedkit/evaluation/classification.py"
_REPLACE = "__import__('dataclasses').replace"
_SEL_PAIRS = "known_pairs(selection, table)"

MUTATIONS = [
    # -- word similarity: what is chosen where
    Mutation(
        "similarity baseline (better single source) chosen on the reporting pairs",
        SEL,
        "baseline = best_single_source(selection, table)",
        "baseline = best_single_source(reporting, table)",
    ),
    Mutation(
        "similarity alpha chosen on the reporting pairs",
        SEL,
        "alpha, sel_scores = selector(selection, table, mode, alphas)",
        "alpha, sel_scores = selector(reporting, table, mode, alphas)",
    ),
    Mutation(
        "split rows choose alpha on the reporting half",
        RUN,
        "split = {m: cross_select(sel_half, rep_half, table, mode=m, **kw) for m in s.modes}",
        "split = {m: cross_select(rep_half, rep_half, table, mode=m, **kw) for m in s.modes}",
    ),
    # -- word similarity: intervals from the wrong data or unit
    Mutation(
        "similarity fused interval from the selection pairs (keeping the value)",
        SEL,
        "fused=spearman_ci(fused_pred, pairs.gold, **kw),",
        f"fused={_REPLACE}(spearman_ci(pair_similarities({_SEL_PAIRS}, table.space('fused', mode, alpha), table), "
        f"{_SEL_PAIRS}.gold, **{{**kw, 'units': word_units({_SEL_PAIRS})}}), value=spearman(fused_pred, pairs.gold)),",
    ),
    Mutation(
        "similarity gain interval from the selection pairs (keeping value and n)",
        SEL,
        "gain=spearman_diff_ci(fused_pred, base_pred, pairs.gold, **kw),",
        f"gain={_REPLACE}(spearman_diff_ci(pair_similarities({_SEL_PAIRS}, table.space('fused', mode, alpha), table), "
        f"pair_similarities({_SEL_PAIRS}, table.space(baseline), table), {_SEL_PAIRS}.gold, **{{**kw, 'units': "
        f"word_units({_SEL_PAIRS})}}), value=spearman(fused_pred, pairs.gold) - spearman(base_pred, pairs.gold), "
        "n=len(pairs)),",
    ),
    Mutation(
        "similarity baseline interval from the selection pairs (keeping value and n)",
        SEL,
        "baseline=spearman_ci(base_pred, pairs.gold, **kw),",
        f"baseline={_REPLACE}(spearman_ci(pair_similarities({_SEL_PAIRS}, table.space(baseline), table), "
        f"{_SEL_PAIRS}.gold, **{{**kw, 'units': word_units({_SEL_PAIRS})}}), value=spearman(base_pred, pairs.gold), "
        "n=len(pairs)),",
    ),
    Mutation(
        "similarity selection intervals resample pairs, not words",
        SEL,
        'kw: dict[str, Any] = {"units": word_units(pairs), "n_boot": n_boot, "seed": seed}',
        'kw: dict[str, Any] = {"units": None, "n_boot": n_boot, "seed": seed}',
    ),
    Mutation(
        "similarity curve intervals resample pairs, not words",
        SIM,
        'kw: dict[str, Any] = {"units": units, "n_boot": n_boot, "seed": seed}',
        'kw: dict[str, Any] = {"units": None, "n_boot": n_boot, "seed": seed}',
    ),
    Mutation(
        "similarity split by pairs, not words (the halves share words)",
        RUN,
        "sel_half, rep_half = target.split_by_words(0.5, seed=s.seed)",
        "sel_half, rep_half = target.split(0.5, seed=s.seed)",
    ),
    Mutation(
        "similarity split overlap: straddling pairs kept in the selection half",
        "embedkit/evaluation/datasets.py",
        'self.subset(first & second, f"{self.name} (selection half)"),',
        'self.subset(first | second, f"{self.name} (selection half)"),',
    ),
    Mutation(
        "unpaired bootstrap of a difference",
        SIM,
        "return r[0] if len(r) == 1 else r[0] - r[1]",
        "return r[0] if len(r) == 1 else r[0] - np.random.default_rng(1).permutation(r[1])",  # B off A's resamples
    ),
    # -- analogies
    Mutation(
        "analogy alpha chosen on the reporting half",
        ANA,
        "scores = {float(a): float(result.correct[fused_key(mode, a)][sel].mean()) for a in alphas}",
        "scores = {float(a): float(result.correct[fused_key(mode, a)][rep].mean()) for a in alphas}",
    ),
    Mutation(
        "analogy baseline chosen on the reporting half",
        ANA,
        'base = choose_source({s: float(result.correct[s][sel].mean()) for s in ("bert", "static")})',
        'base = choose_source({s: float(result.correct[s][rep].mean()) for s in ("bert", "static")})',
    ),
    Mutation(
        "analogy fused interval from the selection half",
        ANA,
        "fused=mean_ci(fused_c, units, **kw),",
        f"fused={_REPLACE}(mean_ci(result.correct[fused_key(mode, alpha)][sel].astype(float), "
        "result.units[sel], **kw), value=float(fused_c.mean())),",
    ),
    Mutation(
        "analogy baseline interval from the selection half (keeping value and n)",
        ANA,
        "baseline=mean_ci(base_c, units, **kw),",
        f"baseline={_REPLACE}(mean_ci(result.correct[base][sel].astype(float), result.units[sel], **kw), "
        "value=float(base_c.mean()), n=len(base_c)),",
    ),
    Mutation(
        "analogy gain interval from the selection half (keeping value and n)",
        ANA,
        "gain=mean_ci(fused_c - base_c, units, difference=True, **kw),",
        f"gain={_REPLACE}(mean_ci(result.correct[fused_key(mode, alpha)][sel].astype(float) - "
        "result.correct[base][sel].astype(float), result.units[sel], difference=True, **kw), "
        "value=float((fused_c - base_c).mean()), n=len(base_c)),",
    ),
    Mutation(
        "analogy intervals resample questions, not word pairs",
        ANA,
        "fused=mean_ci(fused_c, units, **kw),",
        "fused=mean_ci(fused_c, None, **kw),",
    ),
    Mutation(
        "analogy halves split by question, not word pair (the halves share pairs)",
        ANA,
        "sel, rep = pair_halves(result.units, seed)",
        "sel, rep = np.sort(np.random.default_rng(seed).permutation(result.n_answered)[: result.n_answered // 2]), "
        "np.sort(np.random.default_rng(seed).permutation(result.n_answered)[result.n_answered // 2 :])",
    ),
    Mutation(
        "analogy half overlap: one question in both halves",
        ANA,
        "return np.flatnonzero(in_sel.all(axis=1)), np.flatnonzero(~in_sel.any(axis=1))",
        "return np.flatnonzero(in_sel.all(axis=1)), np.r_[np.flatnonzero(in_sel.all(axis=1))[:1], "
        "np.flatnonzero(~in_sel.any(axis=1))]",
    ),
    Mutation("analogies without excluding the question words", ANA, "for col in range(3):", "for col in range(0):"),
    Mutation("analogies excluding only two question words", ANA, "for col in range(3):", "for col in range(2):"),
    # -- sentence classification
    Mutation(
        "inner cross-validation chooses alpha on the test fold",
        CLS,
        "scores = {a: cross_validate(X[train], y[train], inner, c=c).accuracy for a, X in feats.items()}",
        "scores = {a: float((fit_predict(X[train], y[train], X[test], c) == y[test]).mean()) for a, X in feats.items()}",
    ),
    Mutation(
        "McNemar by chi-square instead of the exact test",
        CLS,
        "p = 1.0 if n == 0 else float(binomtest(only_a, n, 0.5).pvalue)",
        "p = 1.0 if n == 0 else float(__import__('scipy.stats').stats.chi2.sf((only_a - only_b) ** 2 / n, 1))",
    ),
    Mutation(
        "polarity: concatenation compared with raw contextual vectors, not its own preprocessing",
        "embedkit/evaluation/polarity_report.py",
        '"concat": "bert_unit",',
        '"concat": "bert",',
    ),
    Mutation(
        "polarity: every fold seed uses the first seed's folds",
        POL,
        "folds = make_folds(y, k=s.folds, seed=fold_seed)",
        "folds = make_folds(y, k=s.folds, seed=s.seed)",
    ),
    Mutation(
        "polarity: effects from the first seed only, not averaged over the seeds",
        POL,
        "per_sentence = {name: np.mean(v, axis=0) for name, v in correct.items()}",
        "per_sentence = {name: v[0] for name, v in correct.items()}",
    ),
    Mutation(
        "polarity: difference interval from the two marginal intervals",
        POL,
        "k: mean_ci(per_sentence[k] - per_sentence[b], difference=True, n_boot=s.n_boot, seed=s.seed)",
        f"k: {_REPLACE}(mean_ci(per_sentence[k] - per_sentence[b], difference=True, n_boot=s.n_boot, seed=s.seed), "
        "low=accuracy[k].low - accuracy[b].high, high=accuracy[k].high - accuracy[b].low)",
    ),
    Mutation(
        "DME weights from a model that saw the sentence",
        "embedkit/evaluation/dme.py",
        "for i, w in zip(test, clf.word_weights(*held_out)):",
        "for i, w in zip(test, DMEClassifier(**params).fit(sources, y, present).word_weights(*held_out)):",
    ),
    # -- senses
    Mutation(
        "senses: encoder options chosen on the reporting lemmas",
        SEN,
        "chosen = choose_option(accuracy, sel_groups)",
        "chosen = choose_option(accuracy, ~sel_groups)",
    ),
    Mutation(
        "senses: alpha chosen on the reporting lemmas",
        SEN,
        "scores = {a: float(np.nanmean(v[selection])) for a, v in fused.items()}",
        "scores = {a: float(np.nanmean(v[~selection])) for a, v in fused.items()}",
    ),
    Mutation(
        "senses: baseline chosen on the reporting lemmas",
        SEN,
        "base = choose_source({k: float(np.nanmean(v[selection])) for k, v in single.items()})",
        "base = choose_source({k: float(np.nanmean(v[~selection])) for k, v in single.items()})",
    ),
    Mutation(
        "senses: fused-alpha baseline interval on the selection lemmas",
        SEN,
        "baseline=_score(single[base], occ, rep, settings),",
        "baseline=_score(single[base], occ, selection, settings),",
    ),
    Mutation(
        "senses: fused-alpha baseline interval over all lemmas",
        SEN,
        "baseline=_score(single[base], occ, rep, settings),",
        "baseline=_score(single[base], occ, rep | selection, settings),",
    ),
    Mutation(
        "senses: fusion gain interval on the selection lemmas (keeping the value)",
        SEN,
        "gain=_score(fused[alpha] - single[base], occ, rep, settings, difference=True),",
        f"gain={_REPLACE}(_score(fused[alpha] - single[base], occ, selection, settings, difference=True), "
        "value=_score(fused[alpha] - single[base], occ, rep, settings).value),",
    ),
    Mutation(
        "senses: fusion gain from the two marginal intervals",
        SEN,
        "gain=_score(fused[alpha] - single[base], occ, rep, settings, difference=True),",
        f"gain={_REPLACE}(_score(fused[alpha] - single[base], occ, rep, settings, difference=True), "
        "low=_score(fused[alpha], occ, rep, settings).low - _score(single[base], occ, rep, settings).high, "
        "high=_score(fused[alpha], occ, rep, settings).high - _score(single[base], occ, rep, settings).low),",
    ),
    Mutation(
        "senses: gain over the default options on all lemmas",
        SEN,
        'per_space["bert"]["accuracy"] - per_space["bert_default"]["accuracy"], occ, rep, s, difference=True',
        'per_space["bert"]["accuracy"] - per_space["bert_default"]["accuracy"], occ, rep | sel_groups, s, '
        "difference=True",
    ),
    Mutation(
        "senses: gain over the default options from the two marginal intervals",
        SEN,
        'gain_over_default=_score(\n            per_space["bert"]["accuracy"] - per_space["bert_default"]["accuracy"], occ, rep, s, '
        "difference=True\n        ),",
        f"gain_over_default=(lambda g, d: {_REPLACE}(_score(g - d, occ, rep, s, difference=True), "
        "low=_score(g, occ, rep, s).low - _score(d, occ, rep, s).high, "
        "high=_score(g, occ, rep, s).high - _score(d, occ, rep, s).low))"
        '(per_space["bert"]["accuracy"], per_space["bert_default"]["accuracy"]),',
    ),
    Mutation(
        "senses: reported scores on the selection lemmas",
        SEN,
        "scores={name: {m: _score(v, occ, rep, s) for m, v in sc.items()} for name, sc in per_space.items()},",
        "scores={name: {m: _score(v, occ, sel_groups, s) for m, v in sc.items()} for name, sc in per_space.items()},",
    ),
    Mutation(
        "senses: intervals resample (lemma, pos) groups, not lemmas",
        SEN,
        "return mean_ci(values[keep], occ.unit[keep], difference=difference, n_boot=settings.n_boot, seed=settings.seed)",
        "return mean_ci(values[keep], None, difference=difference, n_boot=settings.n_boot, seed=settings.seed)",
    ),
    Mutation(
        "senses: split by (lemma, pos) group, not by lemma",
        SEN,
        "sel_groups = split_units(occ.n_units, s.seed)[occ.unit]  # per group",
        "sel_groups = split_units(occ.n_groups, s.seed)  # per group",
    ),
    Mutation(
        "senses: nearest-neighbour accuracy not tie-aware (any tied right neighbour counts as right)",
        "embedkit/senses.py",
        "acc = hits / np.add.reduceat(tied.astype(np.float64), starts)",
        "acc = (hits > 0).astype(np.float64)",
    ),
    Mutation(
        "senses data: a sentence with two labels for one lemma is kept",
        DATA,
        "        if len(senses[key]) > 1:\n            conflicting += 1\n        elif key in seen:",
        "        if False:\n            conflicting += 1\n        elif key in seen:",
    ),
    Mutation(
        "senses data: same-sense copies are kept",
        DATA,
        "        elif key in seen:\n            copies += 1\n        else:",
        "        elif False:\n            copies += 1\n        else:",
    ),
    Mutation(
        "senses: fused interval on the selection lemmas (keeping the value)",
        SEN,
        "fused=_score(fused[alpha], occ, rep, settings),",
        f"fused={_REPLACE}(_score(fused[alpha], occ, selection, settings), "
        "value=_score(fused[alpha], occ, rep, settings).value),",
    ),
    # -- statistics
    Mutation(
        "bootstraps resample items whatever the units (words, word pairs, lemmas ignored)",
        INT,
        "u: np.ndarray = np.arange(n_items)[:, None] if units is None else",
        "u: np.ndarray = np.arange(n_items)[:, None] if True else",
    ),
    Mutation(
        "Holm without the step-down order (Bonferroni-like: every p times m)",
        MUL,
        "scaled = np.minimum(1.0, p[order] * (m - np.arange(m)))",
        "scaled = np.minimum(1.0, p[order] * m)",
    ),
    Mutation(
        "Holm without monotonicity",
        MUL,
        "adjusted[order] = np.maximum.accumulate(scaled)",
        "adjusted[order] = scaled",
    ),
    Mutation(
        "verdicts ignore the Holm correction",
        REP,
        "    p = family.p_holm(key) if family is not None else None",
        "    p = None",
    ),
    Mutation(
        "one-sided bootstrap p-value",
        INT,
        "return float(min(1.0, math.erfc(abs(mean) / (sd * math.sqrt(2.0)))))",
        "return float(min(1.0, 0.5 * math.erfc(abs(mean) / (sd * math.sqrt(2.0)))))",
    ),
    # -- encoders
    Mutation(
        "encoder difference from the two marginal intervals, not paired",
        ENC,
        "n: mean_ci(senses[n][k][ok] - senses[ref][k][ok], units, difference=True, **kw) for n in names[1:]",
        f"n: {_REPLACE}(mean_ci(senses[n][k][ok] - senses[ref][k][ok], units, difference=True, **kw), "
        "low=mean_ci(senses[n][k][ok], units, **kw).low - mean_ci(senses[ref][k][ok], units, **kw).high) "
        "for n in names[1:]",
    ),
    Mutation(
        "encoder senses intervals resample groups, not lemmas",
        ENC,
        "        units = occ.unit[ok]\n",
        "        units = None\n",
    ),
]

#: assertions that must each be the only guard of some mutation (deleting one must let a mutation survive)
KEY_ASSERTIONS = [
    KeyAssertion(
        "tie-aware accuracy on identical vectors",
        "tests/unit/test_evaluation_senses.py",
        "np.testing.assert_allclose(acc, [(3 * 0.5 + 2 * 0.25) / 5, 0.75])",
    ),
    KeyAssertion(
        "similarity intervals resample words (unit test)",
        "tests/unit/test_evaluation_leaks.py",
        "assert by_word.high - by_word.low > 1.5 * (by_pair.high - by_pair.low)",
    ),
    KeyAssertion(
        "analogy intervals resample word pairs (unit test)",
        "tests/unit/test_evaluation_leaks.py",
        "assert by_pair.high - by_pair.low > 2 * (by_question.high - by_question.low)",
    ),
    KeyAssertion(
        "senses fused value on the reporting lemmas",
        "tests/unit/test_evaluation_leaks.py",
        "assert c.fused == mean_ci(fused[0.5][rep], occ.unit[rep], **kw)",
    ),
    KeyAssertion(
        "similarity gain interval on the reporting pairs",
        "tests/unit/test_evaluation_leaks.py",
        "assert c.gain == spearman_diff_ci(fused, base, rep.gold, **kw)",
    ),
    KeyAssertion(
        "similarity baseline interval on the reporting pairs",
        "tests/unit/test_evaluation_leaks.py",
        "assert c.baseline == spearman_ci(base, rep.gold, **kw)",
    ),
    KeyAssertion(
        "analogy baseline interval on the reporting half",
        "tests/unit/test_evaluation_leaks.py",
        "assert c.baseline == mean_ci(base, units, n_boot=N_BOOT, seed=3)",
    ),
    KeyAssertion(
        "senses gain over the defaults, paired on the reporting lemmas",
        "tests/unit/test_evaluation_leaks.py",
        "assert r.gain_over_default == mean_ci(chosen[rep] - default[rep], occ.unit[rep], difference=True, **kw)",
    ),
    KeyAssertion(
        "senses split keeps a lemma's groups together",
        "tests/unit/test_evaluation_leaks.py",
        "    assert sum(r.n_lemmas) == occ.n_units",
    ),
    KeyAssertion(
        "polarity difference paired over sentences",
        "tests/unit/test_evaluation_leaks.py",
        "assert r.difference[k] == mean_ci(d, difference=True, n_boot=N_BOOT, seed=0)",
    ),
    KeyAssertion(
        "Holm step-down values",
        "tests/unit/test_evaluation.py",
        "assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])",
    ),
    KeyAssertion(
        "sense data without conflicting labels",
        "tests/unit/test_evaluation_senses.py",
        "    assert ([(e.lemma, e.sense, e.sentence) for e in kept], conflicting, copies) == (",
    ),
]

# -- the pytest plugin written into the copy: records which functions each test calls, and how each test failed

PLUGIN = r"""
import json, os, sys, threading
import pytest

_OUT = os.environ["MUTATION_CHECK_OUT"]
_TRACE = os.environ.get("MUTATION_CHECK_TRACE") == "1"
_ROOT = os.path.join(os.getcwd(), "embedkit") + os.sep
_calls, _current, _by_file, _outcomes = {}, set(), {}, {}


def _profile(frame, event, arg):
    if event == "call":
        code = frame.f_code
        if code.co_filename.startswith(_ROOT):
            _current.add((os.path.relpath(code.co_filename), code.co_firstlineno))


def _start():
    _current.clear()
    sys.setprofile(_profile)
    threading.setprofile(_profile)


def _stop():
    sys.setprofile(None)
    threading.setprofile(None)
    return set(_current)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if _TRACE:
        _start()
    yield
    if _TRACE:
        _calls[item.nodeid] = sorted(_stop())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        exc = call.excinfo
        name = exc.typename if exc is not None else "?"
        text = str(exc.value) if exc is not None else ""
        assertion = call.when == "call" and (name == "AssertionError" or (name == "Failed" and "DID NOT RAISE" in text))
        _outcomes.setdefault(item.nodeid, []).append({"when": call.when, "type": name, "assertion": assertion})


def pytest_sessionfinish(session, exitstatus):
    with open(_OUT, "w") as fh:
        json.dump({"calls": _calls, "failures": _outcomes, "exit": int(exitstatus)}, fh)
"""


@dataclass
class Outcome:
    """One pytest run in a copy."""

    failures: dict[str, list[dict[str, object]]]
    calls: dict[str, list[tuple[str, int]]]
    exit: int
    tail: str

    @property
    def assertion_failures(self) -> list[str]:
        """Tests that failed on an assertion."""
        return sorted(t for t, fs in self.failures.items() if any(f["assertion"] for f in fs))

    @property
    def crashes(self) -> list[str]:
        """Tests that failed or errored otherwise."""
        return sorted(t for t, fs in self.failures.items() if not any(f["assertion"] for f in fs))


def _copy(dest: Path) -> None:
    for folder in ("embedkit", "tests"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (dest / "scripts").mkdir()
    for f in (ROOT / "scripts").glob("*.py"):
        shutil.copy2(f, dest / "scripts" / f.name)
    for name in ("pyproject.toml", "requirements.txt"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, dest / name)
    (dest / "_mutation_plugin.py").write_text(PLUGIN, encoding="utf-8")


def _run(folder: Path, tests: Iterable[str], *, slow: bool, trace: bool = False) -> Outcome:
    out = folder / f".outcome-{os.getpid()}-{time.monotonic_ns()}.json"
    env = {**os.environ, "MUTATION_CHECK_OUT": str(out), "MUTATION_CHECK_TRACE": "1" if trace else "0"}
    env |= {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "PYTHONDONTWRITEBYTECODE": "1"}
    env["PYTHONPATH"] = str(folder)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "_mutation_plugin", *tests]
    if not slow:
        cmd += ["-m", "not slow"]
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=3600, env=env)
    if not out.exists():
        return Outcome(
            {"(pytest)": [{"when": "run", "type": "no result", "assertion": False}]},
            {},
            proc.returncode,
            (proc.stdout + proc.stderr)[-600:],
        )
    data = json.loads(out.read_text())
    out.unlink()
    calls = {k: [tuple(x) for x in v] for k, v in data["calls"].items()}
    return Outcome(data["failures"], calls, data["exit"], (proc.stdout + proc.stderr)[-600:])


def _function_at(path: Path, rel: str, anchor: str) -> tuple[str, int] | None:
    """(file, first line) of the innermost function holding ``anchor``, as the tracer records it; None = module level."""
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(anchor)].count("\n") + 1
    best: tuple[int, int] | None = None
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            end = node.end_lineno or node.lineno
            first = min([node.lineno, *[d.lineno for d in node.decorator_list]])
            if node.lineno <= line <= end and (best is None or first > best[0]):
                best = (first, end)
    return None if best is None else (rel, best[0])


def _tests_for(base: Path, m: Mutation, calls: dict[str, list[tuple[str, int]]], every: list[str]) -> list[str]:
    where = _function_at(base / m.path, m.path, m.old)
    if where is None:
        return every
    return sorted(t for t, seen in calls.items() if where in seen)


def _apply(folder: Path, path: str, old: str, new: str) -> bool:
    target = folder / path
    text = target.read_text(encoding="utf-8")
    if text.count(old) != 1:
        return False
    target.write_text(text.replace(old, new), encoding="utf-8")
    return True


def _delete_line(folder: Path, a: KeyAssertion) -> bool:
    target = folder / a.path
    lines = target.read_text(encoding="utf-8").split("\n")
    hits = [i for i, ln in enumerate(lines) if a.anchor in ln]
    if len(hits) != 1:
        return False
    i = hits[0]
    indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    end = i
    if lines[i].rstrip().endswith(("[", "(", "{")):  # a bracketed assertion over several lines: up to its closer
        end = next(k for k in range(i + 1, len(lines)) if lines[k].startswith(indent) and lines[k].strip()[:1] in "])}")
    lines[i : end + 1] = [f"{indent}pass  # assertion deleted by the mutation check"]
    target.write_text("\n".join(lines), encoding="utf-8")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list the mutations and key assertions and exit")
    parser.add_argument("--slow", action="store_true", help="also run the tests marked slow")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutations run at once")
    parser.add_argument("--no-deletion", action="store_true", help="skip the assertion-deletion pass")
    args = parser.parse_args()
    if args.list:
        for m in MUTATIONS:
            print(f"- {m.name} ({m.path})")
        print("key assertions:")
        for a in KEY_ASSERTIONS:
            print(f"- {a.name} ({a.path})")
        return 0
    t0 = time.perf_counter()
    files = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob(TEST_GLOB))
    files = [f for f in files if f not in NOT_RUN]
    problems = 0
    with tempfile.TemporaryDirectory(prefix="embedkit-mutation-") as tmp:
        base = Path(tmp) / "base"
        _copy(base)
        clean = _run(base, files, slow=args.slow, trace=True)
        if clean.failures or clean.exit != 0:
            print(f"the unchanged code fails the evaluation tests: {clean.failures or clean.tail}")
            return 1
        every = sorted(clean.calls)
        print(
            f"{len(files)} evaluation test files, {len(every)} tests pass on the unchanged code "
            f"({time.perf_counter() - t0:.0f} s, traced)\n"
        )

        def mutate(k: int, m: Mutation) -> tuple[str, Outcome | None, list[str]]:
            work = Path(tmp) / f"m{k}"
            shutil.copytree(base, work)
            try:
                if not _apply(work, m.path, m.old, m.new):
                    return "ANCHOR NOT FOUND (fix the mutation)", None, []
                tests = _tests_for(base, m, clean.calls, every)
                if not tests:
                    return "NOT CAUGHT (no test calls the mutated function)", None, []
                outcome = _run(work, tests, slow=args.slow)
                caught = outcome.assertion_failures
                if caught:
                    return f"caught by {len(caught)}: {caught[0].split('::')[-1]}", outcome, tests
                crash = f" (crash only: {outcome.crashes[0].split('::')[-1]})" if outcome.crashes else ""
                return "NOT CAUGHT" + crash, outcome, tests
            finally:
                shutil.rmtree(work, ignore_errors=True)

        with ThreadPoolExecutor(max(1, args.jobs)) as pool:
            results = list(pool.map(lambda km: mutate(*km), enumerate(MUTATIONS)))
        caught_by: dict[int, list[str]] = {}
        for k, (m, (text, outcome, _)) in enumerate(zip(MUTATIONS, results)):
            print(f"{text[:70]:<70}  {m.name}")
            if outcome is not None and outcome.assertion_failures:
                caught_by[k] = outcome.assertion_failures
        n_caught = len(caught_by)
        problems += len(MUTATIONS) - n_caught
        print(f"\n{n_caught} of {len(MUTATIONS)} mutations caught by an assertion ({time.perf_counter() - t0:.0f} s)")
        if not args.no_deletion:
            problems += _deletion_pass(Path(tmp), base, caught_by, args)
    print(f"\nmutation check: {'OK' if not problems else f'{problems} problem(s)'} in {time.perf_counter() - t0:.0f} s")
    return 1 if problems else 0


def _deletion_pass(tmp: Path, base: Path, caught_by: dict[int, list[str]], args: argparse.Namespace) -> int:
    """Delete each key assertion; then some mutation its test caught must pass that test.

    An assertion guards a mutation when, without it, its test no longer fails on that mutation (so no other line of
    the test covers for it). Whether another test still catches the mutation is shown too ("alone" when none does).
    """
    print("\nassertion-deletion pass: each key assertion removed in turn; some mutation must then pass its test")

    def check(j: int, a: KeyAssertion) -> str:
        holder = _holder(base / a.path, a.anchor)
        node = f"{a.path}::{holder}"
        mine = [k for k, tests in caught_by.items() if any(t.split("[")[0] == node for t in tests)]
        if not mine:
            return "UNGUARDED: no mutation makes its test fail"
        found = []
        for k in mine:
            work = tmp / f"d{j}-{k}"
            shutil.copytree(base, work)
            try:
                m = MUTATIONS[k]
                if not _delete_line(work, a):
                    return "ANCHOR NOT FOUND (fix the key assertion)"
                _apply(work, m.path, m.old, m.new)
                outcome = _run(work, [t for t in caught_by[k] if t.split("[")[0] == node], slow=args.slow)
                if not outcome.assertion_failures:
                    others = len([t for t in caught_by[k] if t.split("[")[0] != node])
                    found.append(f"{m.name} ({'alone' if not others else f'also caught by {others} other test(s)'})")
            finally:
                shutil.rmtree(work, ignore_errors=True)
        if not found:
            return "UNGUARDED: its test still fails on every mutation without it"
        return "guards: " + "; ".join(found)

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        verdicts = list(pool.map(lambda ja: check(*ja), enumerate(KEY_ASSERTIONS)))
    bad = 0
    for a, v in zip(KEY_ASSERTIONS, verdicts):
        print(f"{a.name:<62}  {v}")
        bad += not v.startswith("guards")
    print(f"{len(KEY_ASSERTIONS) - bad} of {len(KEY_ASSERTIONS)} key assertions guard a mutation")
    return bad


def _holder(path: Path, anchor: str) -> str:
    """The name of the test function holding ``anchor``."""
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(anchor)].count("\n") + 1
    name = ""
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.FunctionDef)
            and node.name.startswith("test")
            and node.lineno <= line <= (node.end_lineno or 0)
        ):
            name = node.name
    return name


if __name__ == "__main__":
    raise SystemExit(main())
