"""Files of what a page shows: only the rows on screen (e.g. without punctuation), named by space, fusion and alpha.

Built on :mod:`embedkit.export` (same columns, sentences numbered from 1); every file also says which space, fusion
mode and alpha it holds, in its name and in its columns, so a file found later still tells what it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from embedkit import export
from embedkit.fusion import Fusion
from embedkit.options import check_space

if TYPE_CHECKING:
    import pandas as pd

    from embedkit.embedded_text import EmbeddedText

__all__ = ["coordinates_table", "file_name", "projector_pair", "vectors_table", "view_name"]


def view_name(space: str, mode: str, alpha: float) -> str:
    """``bert``, ``static`` or ``fused-weighted-alpha0.50``: what a file of one space holds."""
    if check_space(space) != "fused":
        return space
    return f"fused-{mode}-alpha{alpha:.2f}"


def file_name(kind: str, space: str, mode: str, alpha: float, ext: str) -> str:
    """``vectors_fused-weighted-alpha0.50.tsv``; ``space="all"`` names a file of every space at that fusion."""
    view = f"all-{mode}-alpha{alpha:.2f}" if space == "all" else view_name(space, mode, alpha)
    return f"{kind}_{view}.{ext}"


def _fusion_rows(fusion: Fusion, rows: np.ndarray) -> Fusion:
    weights = None if fusion.weights is None else fusion.weights[rows]
    return Fusion(fusion.vectors[rows], weights, fusion.mode, fusion.alpha)


def vectors_table(emb: EmbeddedText, rows: np.ndarray, mode: str, alpha: float, *, wide: bool = True) -> pd.DataFrame:
    """The shown occurrences with their vectors in every space, plus ``fusion`` and ``alpha`` columns.

    The fusion runs on the whole text (attention reads every word of a sentence), then the rows are taken.
    """
    idx = np.asarray(rows, dtype=np.int64)
    frame = export.vectors_frame(emb.take(idx), _fusion_rows(emb.fuse(mode, alpha), idx), wide=wide)
    frame.insert(0, "alpha", round(float(alpha), 4))
    frame.insert(0, "fusion", str(mode))
    return frame


def projector_pair(emb: EmbeddedText, rows: np.ndarray, space: str, mode: str, alpha: float) -> tuple[str, str]:
    """The TensorBoard Projector pair of one space for the shown occurrences; the metadata names space and alpha."""
    idx = np.asarray(rows, dtype=np.int64)
    vectors = emb.space(check_space(space), mode, alpha)[idx]
    vec_text, meta_text = export.projector_tsv(emb.take(idx), vectors)
    lines = meta_text.rstrip("\n").split("\n")
    alpha_cell = f"{alpha:.2f}" if space == "fused" else ""
    mode_cell = str(mode) if space == "fused" else ""
    lines = [lines[0] + "\tspace\tfusion\talpha"] + [
        f"{line}\t{space}\t{mode_cell}\t{alpha_cell}" for line in lines[1:]
    ]
    return vec_text, "\n".join(lines) + "\n"


def coordinates_table(
    emb: EmbeddedText, rows: np.ndarray, coords: dict[str, tuple[np.ndarray, np.ndarray]], mode: str, alpha: float
) -> pd.DataFrame:
    """Map coordinates of the shown occurrences, one column pair (or triple) per space.

    Args:
        emb: the embedded text.
        rows: the shown occurrences, one table row each.
        coords: per space, ``(occurrence indices, coordinates)``; occurrences a map leaves out (OOV words in the
            static map) get empty cells.
        mode, alpha: the fusion the fused map shows (written in the ``fusion`` and ``alpha`` columns).
    """
    idx = np.asarray(rows, dtype=np.int64)
    frame = emb.take(idx).to_frame()
    for space, (occ, xy) in coords.items():
        where = {int(o): n for n, o in enumerate(np.asarray(occ).tolist())}
        for j, axis in enumerate("xyz"[: xy.shape[1]]):
            frame[f"{space}_{axis}"] = [float(xy[where[int(o)], j]) if int(o) in where else np.nan for o in idx]
    frame.insert(0, "alpha", round(float(alpha), 4))
    frame.insert(0, "fusion", str(mode))
    return frame
