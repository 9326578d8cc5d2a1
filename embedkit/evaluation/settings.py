"""Everything that changes an evaluation result, and the task names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from embedkit.config import EmbedderConfig
from embedkit.errors import EmbedkitError

__all__ = ["MAX_ALPHAS", "TASKS", "EvalSettings", "StageProgress", "parse_alphas", "stage"]

#: every task, in the order ``--task all`` runs them
TASKS = ("simlex", "wordsim", "analogy", "polarity", "senses")

#: ``progress(stage, done, total)``
StageProgress = Callable[[str, int, int], None]


def stage(progress: StageProgress | None, name: str) -> Callable[[int, int], None] | None:
    """A ``progress(done, total)`` callback reporting under the stage ``name`` (None stays None)."""
    if progress is None:
        return None
    return lambda done, total: progress(name, done, total)


#: the most alphas an evaluation scores (each one is a full pass over every task)
MAX_ALPHAS = 1001


def parse_alphas(spec: str | Sequence[float]) -> tuple[float, ...]:
    """``"0:1:0.1"`` (start:stop:step, stop included) or ``"0,0.5,1"`` or a sequence -> sorted alphas.

    Every number must be finite, and there may be at most :data:`MAX_ALPHAS` of them: the count of a range is
    worked out before any alpha is made, so ``0:1:1e-9`` is refused at once rather than after 8 GB.

    Raises:
        EmbedkitError: for a malformed spec, a number that is not finite, an alpha outside [0, 1] or too many alphas.
    """
    if isinstance(spec, str):
        text = spec.strip()
        if len(text) > 100_000:
            raise EmbedkitError(f"the alphas spec is {len(text):,} characters long; give at most {MAX_ALPHAS} alphas")
        try:
            if ":" in text:
                parts = [float(p) for p in text.split(":")]
                if len(parts) != 3 or parts[2] <= 0:
                    raise ValueError
                start, stop, step = parts
                if not all(np.isfinite(parts)):
                    raise EmbedkitError(f"alphas must be finite numbers in [0, 1], got {spec!r}")
                count = np.floor((stop - start) / step + 1e-9) + 1
                if count > MAX_ALPHAS:
                    raise EmbedkitError(
                        f"alphas {spec!r} would be {count:,.0f} values; the most is {MAX_ALPHAS:,} (use a larger step)"
                    )
                values = [start + i * step for i in range(max(int(count), 0))]
            else:
                values = [float(p) for p in text.split(",") if p.strip()]
        except ValueError as exc:
            if isinstance(exc, EmbedkitError):
                raise
            raise EmbedkitError(
                f"bad alphas {spec!r}; use start:stop:step like 0:1:0.1 or a list like 0,0.5,1"
            ) from None
    else:
        values = [float(a) for a in spec]
    if not all(np.isfinite(values)):
        raise EmbedkitError(f"alphas must be finite numbers in [0, 1], got {spec!r}")
    alphas = tuple(sorted({round(a, 6) for a in values}))
    if not alphas or alphas[0] < 0 or alphas[-1] > 1:
        raise EmbedkitError(f"alphas must be a non-empty set in [0, 1], got {spec!r}")
    if len(alphas) > MAX_ALPHAS:
        raise EmbedkitError(f"{len(alphas):,} alphas given; the most is {MAX_ALPHAS:,}")
    return alphas


@dataclass(frozen=True)
class EvalSettings:
    """Everything that changes an evaluation result.

    Attributes:
        embedder: the encoder, static vectors and map (the defaults every face shares); the map is fitted on
            ``embedder.align_k`` words minus every evaluation word.
        alphas: fusion weights (1 = contextual only).
        modes: fusion modes scored over alpha.
        n_boot: bootstrap resamples per interval.
        seed: seed of bootstrap, splits and folds.
        folds: k of the k-fold cross-validation (polarity).
        fold_seeds: polarity is cross-validated with fold seeds ``seed .. seed + fold_seeds - 1`` to show the spread.
        analogy_vocab: vocabulary size for analogies.
        dme: also train Dynamic Meta-Embeddings on polarity.
        finetune: also fine-tune the encoder on polarity (slow on a CPU).
        senses_lemmas: lemmas of the senses task drawn at random (with ``seed``); 0 = all.
        device: torch device for the encoder (auto, cpu, cuda).
    """

    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    alphas: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11))
    modes: tuple[str, ...] = ("concat", "weighted")
    n_boot: int = 1000
    seed: int = 0
    folds: int = 10
    fold_seeds: int = 10
    analogy_vocab: int = 30000
    dme: bool = True
    finetune: bool = False
    senses_lemmas: int = 0
    device: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return asdict(self)
