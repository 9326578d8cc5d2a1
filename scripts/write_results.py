"""Write docs/results.md (and docs/results.json, embedkit/data/encoder_choice.json) from a real run of every task.

    python scripts/write_results.py [--tasks simlex,wordsim,analogy,polarity,senses] [--no-finetune] [-o docs/results.md]
    python scripts/write_results.py --wordmap only      # rewrite the word-map section alone (the rest stays)

The numbers in docs/results.md come only from this script; never edit them by hand. The document names the exact
command that wrote it. ``embedkit/data/encoder_choice.json`` (the app's default layer, pooling and post-processing
with the evidence sentence) is written from the senses task when it runs on the bundled model.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METHOD_NOTES = [
    "- Word similarity: each word is encoded alone (`[CLS] w [SEP]`), wordpieces mean-pooled; cosine similarity; "
    "Spearman against the human scores. Pairs with a word missing from the static vectors would be dropped for every "
    "space (OOV ratio above). Intervals resample words, not pairs (pairs reuse words): a resample draws the words "
    "with replacement and a pair counts as often as both its words are drawn (a pigeonhole bootstrap, on the wide "
    "side).",
    "- The static -> contextual map (weighted sum) is fitted on the top static words minus every word of SimLex-999, "
    "WordSim-353 and the analogy questions.",
    "- Alpha selection: `cross` rows choose alpha on the other pair set; `split` rows choose it on a random half of "
    "the same set and report on the other half. The single source a gain is measured against is chosen on the "
    "selection data too. The curve scores every alpha on the same data and is shown for orientation only.",
    "- Analogies: 3CosAdd over the first 30,000 static words (as gensim's `restrict_vocab`); alpha chosen on a random "
    "half of the answered questions, reported on the other half. Questions are built from word pairs and reuse them, "
    "so intervals resample word pairs (a question counts as often as both its pairs are drawn). The two halves share "
    "word pairs.",
    "- Polarity: stratified 10-fold CV repeated over 10 fold seeds; logistic regression on mean-pooled word vectors "
    "(sentences encoded in context); features centred and scaled by one scalar so alpha keeps its meaning; fused rows "
    "choose alpha by an inner 5-fold CV on each training fold. Each fused row is compared with the same "
    "preprocessing without static input: concatenation (unit-length halves) with unit-length contextual vectors "
    "(concatenation at alpha=1), the weighted sum with the raw contextual vectors (its alpha=1), DME with DME "
    "trained on the contextual vectors alone. McNemar's exact test on the first seed's out-of-fold predictions. "
    "DME (Kiela et al. 2018) is trained jointly with a linear classifier on the same folds; its reported weights are "
    "out of fold.",
    "- Fine-tuning: MiniLM fine-tuned with a linear classifier on the mean of its word vectors, with and without a "
    "learned linear map of each word's static vector, on the first seed's 10 folds (the folds of every other polarity "
    "row), 2 epochs; no sentence is cut (the length limit covers the longest sentence). The frozen baseline is the "
    "logistic regression row itself.",
    "- Senses: WordNet 3.0's example sentences (the shipped extract), lemmas with two or more senses and a sense with "
    "two or more examples; each example encoded in context, the lemma's vector taken from it. Per lemma: tie-aware "
    "leave-one-out nearest-neighbour sense accuracy among that lemma's occurrences, ARI of an average-linkage "
    "clustering (cosine) cut at the number of senses, and the same- minus cross-sense mean cosine; averaged over "
    "lemmas. Layer, pooling and post-processing (none; the reference mean removed; the sentence mean removed; "
    "all-but-the-top, whose mean and directions come from 50 paragraphs of gensim's Lee corpus) are chosen on a "
    "random half of the lemma strings, alpha too; everything is reported on the other half with intervals "
    "resampling lemmas. Every sentence is encoded once with all hidden states kept. The static space gives every "
    "occurrence of a word one vector, so it scores exactly the tie baseline (chance).",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="simlex,wordsim,analogy,polarity,senses")
    parser.add_argument("--no-finetune", action="store_true", help="skip fine-tuning the encoder on polarity")
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "results.md"))
    parser.add_argument("--json", default=str(ROOT / "docs" / "results.json"), help="also write every number as JSON")
    parser.add_argument(
        "--choice",
        default=str(ROOT / "embedkit" / "data" / "encoder_choice.json"),
        help="where the senses task writes the bundled encoder's default options ('' = nowhere)",
    )
    parser.add_argument(
        "--wordmap", default="yes", choices=("yes", "no", "only"), help="the word-map section (only: it alone)"
    )
    args = parser.parse_args()
    command = shlex.join(["python", "scripts/write_results.py", *sys.argv[1:]])
    if args.wordmap == "only":
        return write_wordmap_section(Path(args.output), command)

    import torch

    from embedkit.evaluation.cli import _stderr_progress
    from embedkit.evaluation.report import to_json
    from embedkit.evaluation.resources import load_resources
    from embedkit.evaluation.runners import check_tasks, run
    from embedkit.evaluation.senses_report import SensesReport
    from embedkit.evaluation.settings import EvalSettings

    settings = EvalSettings(finetune=not args.no_finetune)
    tasks = check_tasks([t.strip() for t in args.tasks.split(",") if t.strip()])
    progress = _stderr_progress(True)
    load_start = os.getloadavg()[0]
    t0 = time.perf_counter()
    res = load_resources(settings, progress=progress)
    t_load = time.perf_counter() - t0
    reports = run(settings, tasks, resources=res, progress=progress)
    total = time.perf_counter() - t0
    cli = "python -m embedkit evaluate --task all" + ("" if args.no_finetune else " --finetune")
    lines = [
        "# Does fusion help? Results on the default setting",
        "",
        f"Written by `{command}` on {date.today().isoformat()} from a real run; do not edit by hand. Reproduce with "
        f"that command (the tables alone: `{cli}`).",
        "",
        "## Setting",
        "",
        *[f"- **{k}**: {v}" for k, v in res.describe().items()],
        f"- **alphas**: {', '.join(f'{a:g}' for a in settings.alphas)} (1 = contextual only, 0 = static only); "
        f"modes: {', '.join(settings.modes)}",
        f"- **intervals**: percentile bootstrap, {settings.n_boot} resamples, 95%, resampling the independent unit "
        f"(words, word pairs, lemmas); seed {settings.seed}",
        f"- **machine**: {platform.processor() or platform.machine()}, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads; loading {t_load:.0f} s (the map fit and word encodings come from the "
        f"disk cache when present), whole run {total:.0f} s (load average {load_start:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end: other jobs shared the CPU, so times are rough)",
        "",
        "## Findings (alpha and encoder options always chosen on data other than the data reported)",
        "",
        *[f"- **{r.task}**: {r.finding()}" for r in reports],
        "",
        "How to read them: a gain is the fused score minus the better single source (chosen on the selection data), "
        "measured on the reporting data with a paired bootstrap. An interval that contains 0 means the data cannot "
        "tell the fusion from the single source. SimLex-999 and WordSim-353 share 9 word pairs.",
        "",
    ]
    for r in reports:
        lines += [f"## {r.task} ({r.seconds:.0f} s)", "", "```", r.table(), "```", ""]
    lines += ["## Method notes", "", *METHOD_NOTES, ""]
    out = Path(args.output)
    out.write_text("\n".join(lines), encoding="utf-8")
    if args.wordmap == "yes":
        write_wordmap_section(out, command)
    if args.json:
        Path(args.json).write_text(
            to_json(reports, settings=settings.to_dict(), resources=res.describe()) + "\n", encoding="utf-8"
        )
    senses = [r for r in reports if isinstance(r, SensesReport)]
    if args.choice and senses and settings.embedder.model is None:
        Path(args.choice).write_text(json.dumps(senses[0].encoder_choice(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.choice}", file=sys.stderr)
    print(f"wrote {out}" + (f" and {args.json}" if args.json else ""), file=sys.stderr)
    print(json.dumps({r.task: r.finding() for r in reports}, indent=2))
    return 0


def write_wordmap_section(out: Path, command: str) -> int:
    """The word-map section of ``out`` (its own markers), from embedkit.evaluation.wordmap_report."""
    from embedkit.evaluation.wordmap_report import replace_section, run_wordmap_report

    report = run_wordmap_report(progress=lambda d, t: print(f"word map {d}/{t}", file=sys.stderr))
    old = out.read_text(encoding="utf-8") if out.is_file() else ""
    out.write_text(replace_section(old, report.section(command)), encoding="utf-8")
    print(f"wrote the word-map section of {out}: {report.finding()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
