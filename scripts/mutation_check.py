"""Mutation check: put each known kind of evaluation leak into a copy of the code and show that the tests catch it.

    python scripts/mutation_check.py            # every mutation; exit 1 if one survives
    python scripts/mutation_check.py --list     # the mutations only

Each mutation is one textual change to one module (its anchor must occur exactly once, so a mutation cannot rot
silently when the code moves). The repository's ``embedkit/`` and ``tests/`` are copied into a temporary folder,
the change is applied there, and ``tests/unit/test_evaluation_leaks.py`` runs on the copy: the mutation is *caught*
when a test fails. The unchanged copy must pass first. The leaks are those of issue 10 (plus the senses task).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = "tests/unit/test_evaluation_leaks.py"


@dataclass(frozen=True)
class Mutation:
    """A leak: in ``path``, ``old`` (occurring exactly once) becomes ``new``."""

    name: str
    path: str
    old: str
    new: str


SEL = "embedkit/evaluation/selection.py"
ANA = "embedkit/evaluation/analogy.py"
SEN = "embedkit/evaluation/senses.py"
MUTATIONS = [
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
        "embedkit/evaluation/runners.py",
        "split = {m: cross_select(sel_half, rep_half, table, mode=m, **kw) for m in s.modes}",
        "split = {m: cross_select(rep_half, rep_half, table, mode=m, **kw) for m in s.modes}",
    ),
    Mutation(
        "fused score's interval computed on the selection pairs",
        SEL,
        "fused=spearman_ci(fused_pred, pairs.gold, **kw),",
        "fused=__import__('dataclasses').replace(spearman_ci(pair_similarities(known_pairs(selection, table), "
        "table.space('fused', mode, alpha), table), known_pairs(selection, table).gold, **{**kw, 'units': "
        "word_units(known_pairs(selection, table))}), value=spearman(fused_pred, pairs.gold)),",
    ),
    Mutation(
        "gain's interval computed on the selection pairs",
        SEL,
        "gain=spearman_diff_ci(fused_pred, base_pred, pairs.gold, **kw),",
        "gain=__import__('dataclasses').replace(spearman_diff_ci(pair_similarities(known_pairs(selection, table), "
        "table.space('fused', mode, alpha), table), pair_similarities(known_pairs(selection, table), "
        "table.space(baseline), table), known_pairs(selection, table).gold, **{**kw, 'units': "
        "word_units(known_pairs(selection, table))}), value=spearman(fused_pred, pairs.gold) - "
        "spearman(base_pred, pairs.gold)),",
    ),
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
        "analogy fused interval computed on the selection half",
        ANA,
        "fused=mean_ci(fused_c, units, **kw),",
        "fused=__import__('dataclasses').replace(mean_ci(result.correct[fused_key(mode, alpha)][sel].astype(float), "
        "result.units[sel], **kw), value=float(fused_c.mean())),",
    ),
    Mutation(
        "analogy intervals resample questions, not word pairs",
        ANA,
        "fused=mean_ci(fused_c, units, **kw),",
        "fused=mean_ci(fused_c, None, **kw),",
    ),
    Mutation(
        "similarity intervals resample pairs, not words",
        SEL,
        'kw: dict[str, Any] = {"units": word_units(pairs), "n_boot": n_boot, "seed": seed}',
        'kw: dict[str, Any] = {"units": None, "n_boot": n_boot, "seed": seed}',
    ),
    Mutation(
        "analogies without excluding the question words",
        ANA,
        "for col in range(3):",
        "for col in range(0):",
    ),
    Mutation(
        "inner cross-validation chooses alpha on the test fold",
        "embedkit/evaluation/classification.py",
        "scores = {a: cross_validate(X[train], y[train], inner, c=c).accuracy for a, X in feats.items()}",
        "scores = {a: float((fit_predict(X[train], y[train], X[test], c) == y[test]).mean()) for a, X in feats.items()}",
    ),
    Mutation(
        "unpaired bootstrap of a difference",
        "embedkit/evaluation/similarity.py",
        "return r[0] if len(r) == 1 else r[0] - r[1]",
        "return r[0] if len(r) == 1 else r[0] - np.random.default_rng(1).permutation(r[1])",  # B off A's resamples
    ),
    Mutation(
        "McNemar by chi-square instead of the exact test",
        "embedkit/evaluation/classification.py",
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
        "embedkit/evaluation/polarity.py",
        "folds = make_folds(y, k=s.folds, seed=fold_seed)",
        "folds = make_folds(y, k=s.folds, seed=s.seed)",
    ),
    Mutation(
        "DME weights from a model that saw the sentence",
        "embedkit/evaluation/dme.py",
        "for i, w in zip(test, clf.word_weights(*held_out)):",
        "for i, w in zip(test, DMEClassifier(**params).fit(sources, y, present).word_weights(*held_out)):",
    ),
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
]


def _copy(dest: Path) -> None:
    shutil.copytree(ROOT / "embedkit", dest / "embedkit", ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "tests" / "unit").mkdir(parents=True)
    for name in ("tests/__init__.py", "tests/conftest.py", "tests/unit/__init__.py", TESTS, "pyproject.toml"):
        shutil.copy2(ROOT / name, dest / name)


def _run_tests(folder: Path) -> tuple[bool, str]:
    cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", TESTS]
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, timeout=900)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("FAILED")]
    return proc.returncode == 0, (lines[0].split("::")[-1].split(" - ")[0] if lines else proc.stdout[-200:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    if args.list:
        for m in MUTATIONS:
            print(f"- {m.name} ({m.path})")
        return 0
    t0 = time.perf_counter()
    survived = 0
    with tempfile.TemporaryDirectory(prefix="embedkit-mutation-") as tmp:
        base = Path(tmp) / "base"
        _copy(base)
        ok, detail = _run_tests(base)
        if not ok:
            print(f"the unchanged code fails {TESTS}: {detail}")
            return 1
        print(f"{'caught by':<62}  mutation")
        for k, m in enumerate(MUTATIONS):
            work = Path(tmp) / f"m{k}"
            shutil.copytree(base, work)
            target = work / m.path
            text = target.read_text(encoding="utf-8")
            if text.count(m.old) != 1:
                print(f"{'ANCHOR NOT FOUND (fix the mutation)':<62}  {m.name}")
                survived += 1
                continue
            target.write_text(text.replace(m.old, m.new), encoding="utf-8")
            passed, detail = _run_tests(work)
            survived += passed
            print(f"{('NOT CAUGHT' if passed else detail):<62}  {m.name}")
            shutil.rmtree(work)
    print(f"\n{len(MUTATIONS) - survived} of {len(MUTATIONS)} mutations caught in {time.perf_counter() - t0:.0f} s")
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main())
