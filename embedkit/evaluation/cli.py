"""``python -m embedkit evaluate``: does fusion help? Scores with intervals, alpha chosen honestly.

Registered by :func:`embedkit.cli.build_parser` through :func:`add_parser`; :func:`run` is the command.
Results go to stdout (``--format table`` for people, ``json`` for machines); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from embedkit.cli_args import config_from, model_options, output_options, settings_from

__all__ = ["add_parser", "run"]

_TASKS = ("simlex", "wordsim", "analogy", "polarity", "senses")  # kept in step with settings.TASKS (a test checks)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``evaluate`` sub-command to an ``argparse`` sub-parsers object (imports nothing heavy)."""
    p = subparsers.add_parser(
        "evaluate",
        help="does fusion help? benchmarks with intervals and honest alpha selection",
        description=(
            "Score the contextual model, the static vectors and their fusion over alpha on word similarity "
            "(SimLex-999, WordSim-353), Google analogies, sentence polarity and WordNet senses. Alpha (and for "
            "senses the layer, pooling and post-processing) is always chosen on data other than the data it is "
            "reported on; the static -> contextual map is fitted without any evaluation word. Progress goes to "
            "stderr."
        ),
    )
    p.add_argument(
        "--task",
        action="append",
        choices=(*_TASKS, "all"),
        default=None,
        help="simlex, wordsim, analogy, polarity, senses or all (repeatable; default: simlex and wordsim)",
    )
    model_options(p, precision=False)
    g = p.add_argument_group("evaluation")
    g.add_argument("--alphas", default="0:1:0.1", help="fusion weights, start:stop:step or a list (default: 0:1:0.1)")
    g.add_argument("--modes", default="concat,weighted", help="fusion modes over alpha (default: concat,weighted)")
    g.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples (default: 1000)")
    g.add_argument("--seed", type=int, default=0, help="seed of bootstrap, splits and folds (default: 0)")
    g.add_argument("--folds", type=int, default=10, help="k of k-fold CV for polarity (default: 10)")
    g.add_argument(
        "--fold-seeds", type=int, default=10, help="polarity CV repeated over this many fold seeds (default: 10)"
    )
    g.add_argument(
        "--senses-lemmas", type=int, default=0, metavar="N", help="senses: N lemmas drawn at random (default: 0 = all)"
    )
    g.add_argument("--analogy-vocab", type=int, default=30000, help="analogy vocabulary size (default: 30000)")
    g.add_argument("--no-dme", action="store_true", help="skip Dynamic Meta-Embeddings on polarity")
    g.add_argument(
        "--finetune", action="store_true", help="also fine-tune the encoder with static input on polarity (slow on CPU)"
    )
    output_options(
        p, ("table", "json"), "write the result here instead of stdout", formats_help="table (default) or json"
    )
    p.set_defaults(func=run)
    return p


def _stderr_progress(enabled: bool) -> Any:
    """``progress(stage, done, total)`` drawing one tqdm bar per stage on stderr."""
    if not enabled:
        return None
    from tqdm.auto import tqdm

    state: dict[str, Any] = {"stage": None, "bar": None}

    def progress(stage: str, done: int, total: int) -> None:
        if stage != state["stage"]:
            if state["bar"] is not None:
                state["bar"].close()
            state["stage"] = stage
            state["bar"] = tqdm(total=total, initial=done, desc=stage, file=sys.stderr, leave=False)
        bar = state["bar"]
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()
            state["stage"], state["bar"] = None, None

    return progress


def run(args: argparse.Namespace) -> int:
    """Run the chosen tasks and print the table or JSON; returns the exit status (0)."""
    from embedkit.errors import EmbedkitError
    from embedkit.evaluation.report import to_json
    from embedkit.evaluation.runners import check_tasks
    from embedkit.evaluation.runners import run as run_tasks
    from embedkit.evaluation.settings import EvalSettings, parse_alphas

    tasks = check_tasks(args.task or ["simlex", "wordsim"])
    modes = tuple(m.strip() for m in args.modes.split(",") if m.strip())
    bad = [m for m in modes if m not in ("concat", "weighted")]
    if bad or not modes:
        raise EmbedkitError(f"unknown fusion modes {bad or args.modes!r}; choose from: concat, weighted")
    if args.bootstrap < 10:
        raise EmbedkitError(f"--bootstrap needs at least 10 resamples, got {args.bootstrap}")
    if args.fold_seeds < 1 or args.senses_lemmas < 0:
        raise EmbedkitError("--fold-seeds must be at least 1 and --senses-lemmas at least 0")
    settings = settings_from(
        EvalSettings,
        args,
        embedder=config_from(args),
        alphas=parse_alphas(args.alphas),
        modes=modes,
        n_boot=args.bootstrap,
        dme=not args.no_dme,
    )
    progress = _stderr_progress(sys.stderr.isatty() or getattr(args, "verbose", False))
    print(f"running {', '.join(tasks)} (loading the model and vectors first) ...", file=sys.stderr)
    from embedkit.evaluation.resources import load_resources

    res = load_resources(settings, progress=progress)
    reports = run_tasks(settings, tasks, resources=res, progress=progress)
    if args.format == "json":
        text = to_json(reports, settings=settings.to_dict(), resources=res.describe())
    else:
        head = "\n".join(f"{k}: {v}" for k, v in res.describe().items())
        text = head + "\n\n" + "\n\n\n".join(r.table() for r in reports)
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0
