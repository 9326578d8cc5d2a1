"""Which code a results page was written from: one hash over the files that make its numbers.

``scripts/write_results.py`` writes :func:`code_hash` into docs/results.md; a test recomputes it on the current
files, so a results page older than the evaluation code fails the tests instead of silently describing other code.
The hash covers the evaluation package, the word map (its section of the page), the configuration's defaults, the
results script and the shipped sense data (:data:`INPUTS`). It does not
cover the encoder, the static map, the fusion or the sense metrics (``embedkit/contextual.py``, ``alignment.py``,
``fusion.py``, ``senses.py``...), nor the installed packages: a change there that moves a number is not detected.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

__all__ = ["INPUTS", "PROJECT_ROOT", "code_hash", "input_files"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: glob patterns, relative to the project root, of the files the hash covers
INPUTS = (
    "embedkit/evaluation/*.py",
    "embedkit/wordmap/*.py",
    "embedkit/reference.py",
    "embedkit/config.py",
    "embedkit/data/wordnet_senses.tsv.gz",
    "scripts/write_results.py",
)


def input_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """The files :data:`INPUTS` names under ``root``, sorted by their relative path.

    Raises:
        FileNotFoundError: a pattern matches no file.
    """
    files: list[Path] = []
    for pattern in INPUTS:
        matched = sorted(root.glob(pattern))
        if not matched:
            raise FileNotFoundError(f"no file matches {pattern} under {root}")
        files += matched
    return sorted(set(files), key=lambda f: f.relative_to(root).as_posix())


def code_hash(root: Path = PROJECT_ROOT) -> str:
    """SHA-256 (first 16 hex digits) over the relative path and bytes of every input file (line endings as stored)."""
    digest = hashlib.sha256()
    for f in input_files(root):
        digest.update(f.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
