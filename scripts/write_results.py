"""Write docs/results.md from a real run of every evaluation task on the default setting.

    python scripts/write_results.py [--finetune] [--tasks simlex,wordsim,analogy,polarity] [-o docs/results.md]

The numbers in docs/results.md come only from this script; never edit them by hand.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default="simlex,wordsim,analogy,polarity")
    parser.add_argument("--finetune", action="store_true", help="also fine-tune the encoder on polarity (slow on CPU)")
    parser.add_argument("-o", "--output", default=str(ROOT / "docs" / "results.md"))
    parser.add_argument("--json", default=str(ROOT / "docs" / "results.json"), help="also write every number as JSON")
    args = parser.parse_args()

    import torch

    from embedkit.evaluation.cli import _stderr_progress
    from embedkit.evaluation.report import finding, format_table, to_json
    from embedkit.evaluation.suite import EvalSettings, load_resources, run_task, similarity_table

    settings = EvalSettings(finetune=args.finetune)
    progress = _stderr_progress(True)
    t0 = time.perf_counter()
    res = load_resources(settings, progress=progress)
    t_load = time.perf_counter() - t0
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    table = similarity_table(res, progress=progress) if {"simlex", "wordsim"} & set(tasks) else None
    reports = []
    for task in tasks:
        print(f"running {task} ...", file=sys.stderr)
        reports.append(run_task(task, res, table=table, progress=progress))
    total = time.perf_counter() - t0

    threads = torch.get_num_threads()
    lines = [
        "# Does fusion help? Results on the default setting",
        "",
        f"Written by `scripts/write_results.py` on {date.today().isoformat()} from a real run; do not edit by hand. "
        f"Reproduce with `python scripts/write_results.py` (or `python -m embedkit evaluate --task all`).",
        "",
        "## Setting",
        "",
        *[f"- **{k}**: {v}" for k, v in res.describe().items()],
        f"- **alphas**: {', '.join(f'{a:g}' for a in settings.alphas)} (1 = contextual only, 0 = static only); "
        f"modes: {', '.join(settings.modes)}",
        f"- **intervals**: percentile bootstrap, {settings.n_boot} resamples, 95%; seed {settings.seed}",
        f"- **machine**: {platform.processor() or platform.machine()}, torch {torch.__version__}, {threads} threads; "
        f"loading {t_load:.0f} s (the map fit and word encodings come from the disk cache when present), "
        f"whole run {total:.0f} s",
        "",
        "## Findings (alpha always chosen on data other than the data reported)",
        "",
        *[f"- **{r.task}**: {finding(r)}" for r in reports],
        "",
        "How to read them: the gain is the fused score minus the better single source (chosen on the selection "
        "data), measured on the reporting data with a paired bootstrap. An interval that contains 0 means the "
        "data cannot tell the fusion from the single source. SimLex-999 and WordSim-353 share 9 word pairs.",
        "",
    ]
    for r in reports:
        lines += [f"## {r.task} ({r.seconds:.0f} s)", "", "```", format_table(r), "```", ""]
    lines += [
        "## Method notes",
        "",
        "- Word similarity: each word is encoded alone (`[CLS] w [SEP]`), wordpieces mean-pooled; cosine "
        "similarity; Spearman against the human scores. Pairs with a word missing from the static vectors would be "
        "dropped for every space (OOV ratio above).",
        "- The static -> contextual map (weighted sum) is fitted on the top static words minus every word of "
        "SimLex-999, WordSim-353 and the analogy questions.",
        "- Alpha selection: `cross` rows choose alpha on the other pair set; `split` rows choose it on a random "
        "half of the same set and report on the other half. The curve scores every alpha on the same data and is "
        "shown for orientation only.",
        "- Analogies: 3CosAdd over the first 30,000 static words (as gensim's `restrict_vocab`); alpha chosen on "
        "a random half of the answered questions, reported on the other half.",
        "- Polarity: stratified 10-fold CV; logistic regression on mean-pooled word vectors (sentences encoded in "
        "context); features centred and scaled by one scalar so alpha keeps its meaning; fused rows choose alpha by "
        "an inner 5-fold CV on each training fold. McNemar's exact test compares out-of-fold predictions with the "
        "contextual-only features. DME (Kiela et al. 2018) is trained jointly with a linear classifier on the "
        "same folds. Concatenation uses unit-length word vectors, so its alpha=1 point differs slightly from the "
        "raw contextual features; the weighted sum at alpha=1 is exactly them.",
        "- Fine-tuning (with `--finetune`): MiniLM fine-tuned jointly with a linear map of the static vector of each "
        "word and a linear classifier (mean over words), 2 epochs, sentences cut at 48 wordpieces, stratified 5-fold "
        "CV (same seed); the frozen comparison trains the same head on the frozen encoder's features.",
        "",
    ]
    out = Path(args.output)
    out.write_text("\n".join(lines), encoding="utf-8")
    if args.json:
        Path(args.json).write_text(
            to_json(reports, settings=settings.to_dict(), resources=res.describe()) + "\n", encoding="utf-8"
        )
    print(f"wrote {out}" + (f" and {args.json}" if args.json else ""), file=sys.stderr)
    print(json.dumps({r.task: finding(r) for r in reports}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
