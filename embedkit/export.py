"""Files out: per-occurrence vectors (JSON lines, CSV, Parquet), coordinates, neighbour tables, and the
TensorBoard Embedding Projector pair (``vectors.tsv`` + ``metadata.tsv``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from embedkit.embedded_text import EmbeddedText
    from embedkit.fusion import Fusion

__all__ = [
    "coordinates_frame",
    "iter_records",
    "projector_tsv",
    "vectors_frame",
    "write_jsonl",
    "write_projector",
    "write_table",
]

_DECIMALS = 6


def iter_records(emb: EmbeddedText, fusion: Fusion) -> Iterator[dict[str, object]]:
    """One JSON-ready dict per word occurrence (the ``embed --format jsonl`` contract).

    ``sentence`` is the 1-based sentence number (as every table, file and page numbers sentences), ``index`` the
    0-based word position in it, ``start``/``end`` character offsets. ``static`` is in the raw static dimension
    (zeros when OOV); ``weights`` appears only for attention.
    """
    bert, static, fused = (np.round(np.asarray(a, np.float64), _DECIMALS) for a in (emb.h, emb.e, fusion.vectors))
    for i in range(len(emb)):
        rec: dict[str, object] = {
            "sentence": int(emb.sentence_id[i]) + 1,
            "index": int(emb.position[i]),
            "word": emb.words[i],
            "start": int(emb.start[i]),
            "end": int(emb.end[i]),
            "oov": bool(emb.oov[i]),
            "bert": bert[i].tolist(),
            "static": static[i].tolist(),
            "fused": fused[i].tolist(),
        }
        if fusion.weights is not None:
            w = fusion.weights[i]
            rec["weights"] = {"bert": round(float(w[0]), _DECIMALS), "static": round(float(w[1]), _DECIMALS)}
        yield rec


def write_jsonl(emb: EmbeddedText, fusion: Fusion, out: IO[str]) -> None:
    """Write :func:`iter_records` as JSON lines."""
    for rec in iter_records(emb, fusion):
        out.write(json.dumps(rec, ensure_ascii=False))
        out.write("\n")


def vectors_frame(emb: EmbeddedText, fusion: Fusion, *, wide: bool = True) -> pd.DataFrame:
    """Occurrences with their vectors: one column per dimension (``bert_0`` ...) or list columns.

    Args:
        wide: one numeric column per dimension (for CSV); False keeps one list column per space (Parquet).
    """
    import pandas as pd

    meta = emb.to_frame()
    spaces = {"bert": emb.h, "static": emb.e, "fused": fusion.vectors}
    if fusion.weights is not None:
        meta["weight_bert"] = fusion.weights[:, 0]
        meta["weight_static"] = fusion.weights[:, 1]
    if not wide:
        for name, arr in spaces.items():
            meta[name] = list(np.asarray(arr, np.float32))
        return meta
    blocks = [meta] + [
        pd.DataFrame(np.asarray(arr, np.float32), columns=[f"{name}_{j}" for j in range(arr.shape[1])])
        for name, arr in spaces.items()
    ]
    return pd.concat(blocks, axis=1)


def coordinates_frame(
    emb: EmbeddedText, coords: dict[str, np.ndarray], rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Occurrences with their 2-D/3-D coordinates per space (columns ``bert_x``, ``bert_y`` ...).

    Args:
        emb: the embedded text.
        coords: per space, one row of coordinates per shown occurrence.
        rows: the occurrences shown (default: all), in the order of the coordinate rows.
    """
    frame = emb.to_frame()
    if rows is not None:
        frame = frame.iloc[np.asarray(rows, dtype=int)].reset_index(drop=True)
    for name, xy in coords.items():
        for j, axis in enumerate("xyz"[: xy.shape[1]]):
            frame[f"{name}_{axis}"] = xy[:, j]
    return frame


def write_table(frame: pd.DataFrame, path: str | Path, fmt: str | None = None) -> None:
    """Write a frame as CSV or Parquet (from ``fmt`` or the file suffix).

    Raises:
        ValueError: an unknown format.
    """
    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        raise ValueError(f"unknown table format {fmt!r}; choose one of: csv, parquet")


def _tsv_cell(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def projector_tsv(emb: EmbeddedText, vectors: np.ndarray) -> tuple[str, str]:
    """The TensorBoard Projector pair as strings: ``vectors.tsv`` (no header) and ``metadata.tsv``."""
    vec_lines = ["\t".join(f"{x:.6g}" for x in row) for row in np.asarray(vectors, np.float32)]
    meta_lines = ["word\tsentence\tindex\toov\tcontext"]
    for i in range(len(emb)):
        meta_lines.append(
            "\t".join(
                [
                    _tsv_cell(emb.words[i]),
                    str(int(emb.sentence_id[i]) + 1),
                    str(int(emb.position[i])),
                    str(bool(emb.oov[i])).lower(),
                    _tsv_cell(emb.context(i)),
                ]
            )
        )
    return "\n".join(vec_lines) + "\n", "\n".join(meta_lines) + "\n"


def write_projector(emb: EmbeddedText, vectors: np.ndarray, folder: str | Path) -> tuple[Path, Path]:
    """Write ``vectors.tsv`` and ``metadata.tsv`` into ``folder`` (created); returns both paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    vec_text, meta_text = projector_tsv(emb, vectors)
    vec_path, meta_path = out / "vectors.tsv", out / "metadata.tsv"
    vec_path.write_text(vec_text, encoding="utf-8")
    meta_path.write_text(meta_text, encoding="utf-8")
    return vec_path, meta_path
