"""A corpus of hostile vectors files, built on demand: pickles, headers that claim far more than the file holds,
truncated binaries, NaN / infinity in every format, compression bombs, plus well-formed controls.

Shared by ``tests/security/test_hostile_files.py`` (each file is refused, under a memory cap) and
``bench/hostile_files.py`` (how long each refusal takes).
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import resource
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP = 3 * 2**30  # address space of the loading process; a 2e9-d table would need 8 GB
FT_MAGIC = 793712314


class Payload:
    """Unpickling this object writes a marker file: its absence proves no pickle was ever loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.write_text, (self.marker, "pwned"))


def _w2v_text(words: list[str], vectors: np.ndarray, header: bool = True) -> bytes:
    lines = [f"{len(words)} {vectors.shape[1]}"] if header else []
    lines += [w + " " + " ".join(repr(float(x)) for x in row) for w, row in zip(words, vectors)]
    return ("\n".join(lines) + "\n").encode()


def _w2v_binary(words: list[str], vectors: np.ndarray, rows: int | None = None) -> bytes:
    out = [f"{rows if rows is not None else len(words)} {vectors.shape[1]}\n".encode()]
    for w, row in zip(words, vectors):
        out.append(w.encode() + b" " + np.asarray(row, "<f4").tobytes() + b"\n")
    return b"".join(out)


def _fasttext_header(
    *, dim: int = 10, bucket: int = 100, minn: int = 3, maxn: int = 6, size: int = 2, nwords: int = 2, prune: int = -1
) -> bytes:
    args = struct.pack("<12i", dim, 5, 5, 1, 5, 1, 1, 2, bucket, minn, maxn, 100) + struct.pack("<d", 1e-4)
    return struct.pack("<2i", FT_MAGIC, 12) + args + struct.pack("<3i2q", size, nwords, 0, 10, prune)


def _fasttext_model(folder: Path, name: str, *, nan: bool = False) -> Path:
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    corpus = [["the", "river", "bank", "flooded"], ["the", "bank", "raised", "rates"]] * 10
    model = FastText(vector_size=8, min_count=1, epochs=1, seed=1, workers=1, min_n=3, max_n=4, bucket=200)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=len(corpus), epochs=1)
    if nan:
        model.wv.vectors_ngrams[3, 2] = np.nan
    path = folder / name
    save_facebook_model(model, str(path))
    return path


def _npy_folder(folder: Path, vectors: np.ndarray, words: list[str]) -> Path:
    import pandas as pd

    folder.mkdir()
    np.save(folder / "emb.npy", vectors, allow_pickle=vectors.dtype == object)
    pd.DataFrame({"index": words}).to_parquet(folder / "index.parquet")
    return folder


def build_corpus(folder: Path) -> dict[str, tuple[Path, bool]]:
    """Write the corpus into ``folder``; returns ``{name: (path, should_load)}`` (controls load, the rest not)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    words = ["the", "bank", "river", "money"]
    good = rng.normal(size=(4, 8)).astype(np.float32)
    bad = good.copy()
    bad[2, 5] = np.nan
    inf = good.copy()
    inf[1, 0] = np.inf
    marker = folder / "PWNED"
    files: dict[str, tuple[bytes | Path, bool]] = {
        # controls: well-formed files of every format load
        "good.txt": (_w2v_text(words, good), True),
        "good_glove.txt": (_w2v_text(words, good, header=False), True),
        "good.txt.gz": (gzip.compress(_w2v_text(words, good)), True),
        "good.bin": (_w2v_binary(words, good), True),
        # pickles in every disguise
        "pickle.kv": (pickle.dumps(Payload(marker)), False),
        "pickle.bin": (pickle.dumps(Payload(marker)), False),
        "pickle.txt.gz": (gzip.compress(pickle.dumps(Payload(marker))), False),
        # headers that claim far more than the file holds
        "huge_dims.txt.gz": (gzip.compress(b"1 2000000000\nthe 0.1\n"), False),  # the 40-byte file
        "huge_rows.txt": (b"2000000000 300\n" + _w2v_text(words, good, header=False), False),
        "huge_rows.bin": (b"1000000000 8\n" + _w2v_binary(words, good)[6:], False),
        "huge_dims.bin": (b"1 1500000000\nthe " + b"\0" * 64, False),
        "ft_huge_dim.bin": (_fasttext_header(dim=2_000_000_000) + b"\0" * 72, False),  # 164 bytes, like the issue's
        "ft_huge_dict.bin": (_fasttext_header(size=2_000_000_000, nwords=2_000_000_000) + b"\0" * 72, False),
        "ft_huge_bucket.bin": (_fasttext_header(bucket=2_000_000_000) + b"\0" * 72, False),
        "ft_huge_maxn.bin": (_fasttext_header(maxn=1_000_000_000) + b"\0" * 72, False),
        "ft_huge_prune.bin": (_fasttext_header(prune=2**60) + b"a\0" + b"\0" * 70, False),
        "ft_unterminated.bin": (_fasttext_header(size=1, nwords=1) + b"a-word-with-no-end", False),  # gensim: spins
        "ft_huge_matrix.bin": (
            _fasttext_header(size=1, nwords=1, bucket=0, maxn=0, minn=0)
            + b"a\0"
            + struct.pack("<qb", 1, 0)
            + struct.pack("<?2q", False, 1, 10)
            + b"\0" * 20,
            False,
        ),
        # a header claiming fewer rows than the file holds; rows with missing or extra values
        "short_header.txt": (b"1 8\n" + _w2v_text(words, good, header=False), False),
        "short_header.bin": (_w2v_binary(words, good, rows=2), False),
        "ragged.txt": (_w2v_text(words, good).replace(b"\nriver ", b"\nriver 1.0 "), False),
        "not_numbers.txt.gz": (gzip.compress(b"2 3\nthe 0.1 0.2 0.3\nbank SECRET-TOKEN 0.2 0.3\n"), False),
        # truncated binaries
        "truncated.bin": (_w2v_binary(words, good)[:-20], False),
        "truncated.txt.gz": (gzip.compress(_w2v_text(words, good))[:-12], False),
        # NaN / infinity in every format
        "nan.txt": (_w2v_text(words, bad), False),
        "inf_glove.txt": (_w2v_text(words, inf, header=False), False),
        "nan.txt.gz": (gzip.compress(_w2v_text(words, bad)), False),
        "nan.bin": (_w2v_binary(words, bad), False),
        # compression bombs: ~1 GB of a valid-looking row, and of zeros, from a few hundred KB
        "bomb_rows.txt.gz": (_bomb(b"the 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8\n", header=b""), False),
        "bomb_zeros.txt.gz": (_bomb(b"\0" * 64, header=b"1 8\nthe "), False),
    }
    out: dict[str, tuple[Path, bool]] = {}
    for name, (content, should_load) in files.items():
        path = folder / name
        path.write_bytes(content)  # type: ignore[arg-type]
        out[name] = (path, should_load)
    out["good_fasttext.bin"] = (_fasttext_model(folder, "good_fasttext.bin"), True)
    out["nan_fasttext.bin"] = (_fasttext_model(folder, "nan_fasttext.bin", nan=True), False)
    ft = out["good_fasttext.bin"][0].read_bytes()
    (folder / "truncated_fasttext.bin").write_bytes(ft[: len(ft) * 2 // 3])
    out["truncated_fasttext.bin"] = (folder / "truncated_fasttext.bin", False)
    out["good_npy"] = (_npy_folder(folder / "good_npy", good, words), True)
    out["nan_npy"] = (_npy_folder(folder / "nan_npy", inf, words), False)
    out["object_npy"] = (_npy_folder(folder / "object_npy", np.array([{"a": 1}] * 4, dtype=object), words), False)
    return out


def _bomb(block: bytes, *, header: bytes, gigabytes: float = 1.0) -> bytes:
    """A gzip file of concatenated members that expands to about ``gigabytes`` GB (made in well under a second)."""
    chunk = block * max(1, (16 << 20) // len(block))  # 16 MB per member
    member = gzip.compress(chunk, compresslevel=9)
    return gzip.compress(header) + member * int(gigabytes * 1e9 / len(chunk))


LOADER = """
import json, resource, sys, time
cap = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from embedkit.static import load_static
for line in sys.stdin:
    path = line.strip()
    start = time.perf_counter()
    try:
        sv = load_static(path)
        res = {"loaded": True, "rows": len(sv), "dim": sv.dim}
    except BaseException as exc:
        res = {"loaded": False, "error": type(exc).__name__, "message": str(exc)}
    res["seconds"] = time.perf_counter() - start
    print(json.dumps({"path": path, **res}), flush=True)
"""


def load_all(paths: list[Path], *, timeout: float = 600.0, cap: int = MEMORY_CAP) -> dict[Path, dict[str, object]]:
    """Load each path with ``load_static`` in one subprocess under an address-space cap; one result per path.

    ``timeout`` only guards against a hang (the test asserts nothing about time).
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", LOADER, str(cap)],
        input="".join(f"{p}\n" for p in paths),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )
    results = {Path(r["path"]): r for r in map(json.loads, proc.stdout.splitlines())}
    missing = [p for p in paths if p not in results]
    if missing:
        raise RuntimeError(f"the loader died at {missing[0].name} (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return results


__all__ = ["MEMORY_CAP", "Payload", "build_corpus", "load_all", "resource", "time", "zlib"]
