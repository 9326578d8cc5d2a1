"""Files out: per-occurrence vectors (JSON lines, CSV, Parquet), coordinates, neighbour tables, and the
TensorBoard Embedding Projector pair (``vectors.tsv`` + ``metadata.tsv``).

Every file is written under a temporary name beside its final name and renamed when complete, and a folder is
built beside its final name and swapped in when complete: a failed or killed run leaves the old output or
nothing, never a partial file under the final name.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from embedkit.embedded_text import EmbeddedText
    from embedkit.fusion import Fusion

__all__ = [
    "EXPORT_FILES",
    "PROJECTOR_FILES",
    "atomic_file",
    "atomic_folder",
    "check_file_target",
    "check_folder",
    "coordinates_frame",
    "iter_records",
    "projector_tsv",
    "vectors_frame",
    "write_jsonl",
    "write_projector",
    "write_table",
]

_DECIMALS = 6
PROJECTOR_FILES = ("vectors.tsv", "metadata.tsv")
EXPORT_FILES = (
    "vectors.parquet",
    "vectors.csv",
    "coordinates.csv",
    "projector_bert",
    "projector_static",
    "projector_fused",
)


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without an error it becomes ``path``.

    Raises:
        EmbedkitError: ``path`` is a folder, or its folder does not exist.
    """
    final = Path(path)
    check_file_target(final)
    tmp = _temporary(final)
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)


def check_file_target(path: Path) -> None:
    """Refuse an output file that is an existing folder or sits in a missing folder (before any work is done).

    Raises:
        EmbedkitError: naming the problem.
    """
    from embedkit.errors import EmbedkitError

    if path.is_dir():
        raise EmbedkitError(f"{path} is a folder; give a file name to write to")
    if not path.parent.is_dir():
        raise EmbedkitError(f"cannot write {path.name}: the folder {path.parent} does not exist")


def check_folder(folder: Path, owned: Iterable[str]) -> None:
    """Refuse an output folder that is a file or holds anything but the files this export writes.

    Raises:
        EmbedkitError: naming the problem.
    """
    from embedkit.errors import EmbedkitError

    if folder.exists() and not folder.is_dir():
        raise EmbedkitError(f"{folder} is a file; give a folder to write into")
    if folder.is_dir():
        others = sorted(p.name for p in folder.iterdir() if p.name not in set(owned))
        if others:
            raise EmbedkitError(
                f"{folder} holds other files ({', '.join(others[:3])}{', ...' if len(others) > 3 else ''}); "
                "give a new or empty folder, so nothing of yours is replaced"
            )
    if not folder.absolute().parent.is_dir():
        raise EmbedkitError(f"cannot write {folder.name}: the folder {folder.absolute().parent} does not exist")


@contextmanager
def atomic_folder(folder: str | Path, owned: Iterable[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``folder``; when the block ends without an error it replaces ``folder``.

    Args:
        folder: The final folder (created, or replaced if it holds only ``owned`` names).
        owned: The names this export writes (an existing folder with anything else is refused).

    Raises:
        EmbedkitError: see :func:`check_folder`.
    """
    final = Path(folder).resolve()
    owned = tuple(owned)
    check_folder(final, owned)
    tmp = _temporary(final)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
        old = final.with_name(f".{final.name}.{os.getpid()}.old")
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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


def coordinates_frame(emb: EmbeddedText, coords: dict[str, np.ndarray], rows: np.ndarray | None = None) -> pd.DataFrame:
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
    """Write a frame as CSV or Parquet (from ``fmt`` or the file suffix), atomically.

    Raises:
        EmbedkitError: an unknown format, or a path that is a folder or lies in a missing folder.
    """
    from embedkit.errors import EmbedkitError

    fmt = (fmt or Path(path).suffix.lstrip(".")).lower()
    if fmt not in ("csv", "parquet"):
        raise EmbedkitError(f"unknown table format {fmt!r}; choose one of: csv, parquet")
    with atomic_file(path) as tmp:
        if fmt == "csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)


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
    """Write ``vectors.tsv`` and ``metadata.tsv`` into ``folder`` (made complete, then swapped in); returns both paths.

    Raises:
        EmbedkitError: ``folder`` is a file or holds other files.
    """
    out = Path(folder)
    vec_text, meta_text = projector_tsv(emb, vectors)
    with atomic_folder(out, PROJECTOR_FILES) as tmp:
        (tmp / "vectors.tsv").write_text(vec_text, encoding="utf-8")
        (tmp / "metadata.tsv").write_text(meta_text, encoding="utf-8")
    return out / "vectors.tsv", out / "metadata.tsv"
