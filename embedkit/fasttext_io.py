"""fastText ``.bin`` files: the header, dictionary and matrix shape are walked and checked against the file's
size and :class:`~embedkit.static_io.ReadLimits` before gensim reads the file (gensim trusts every number in it).
"""

from __future__ import annotations

import logging
import struct
from pathlib import Path

import numpy as np

from embedkit.errors import VectorsFileError
from embedkit.static_io import FASTTEXT_MAGIC, ReadLimits, VectorSource, check_finite

__all__ = ["check_fasttext", "read_fasttext"]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


def check_fasttext(src: VectorSource, limits: ReadLimits) -> tuple[int, int]:
    """Walk a fastText ``.bin`` header, dictionary and matrix shape without allocating anything they claim.

    Returns:
        ``(words, dims)``.

    Raises:
        VectorsFileError: not a fastText file, a supervised or quantized model, or a claim the file cannot hold.
    """
    label = src.label

    def take(fmt: str) -> tuple[int | float, ...]:
        size = struct.calcsize(fmt)
        data = src.read(size)
        if len(data) < size:
            raise VectorsFileError(f"{label}: the fastText file is cut short")
        return struct.unpack(fmt, data)

    magic, _version = take("<2i")
    if magic != FASTTEXT_MAGIC:
        raise VectorsFileError(f"{label}: not a fastText .bin file (no fastText magic number)")
    dim, _ws, _epoch, _min_count, _neg, _ngrams, _loss, _model, bucket, minn, maxn, _lr_rate = take("<12i")
    take("<d")
    size, nwords, nlabels = take("<3i")
    _ntokens, prune = take("<2q")
    if nlabels:
        raise VectorsFileError(f"{label}: a supervised fastText classifier, not word vectors")
    if not (0 <= minn <= maxn <= 64) or (maxn > 0 and bucket < 1) or bucket < 0:
        raise VectorsFileError(
            f"{label}: fastText subword settings out of range (minn {minn}, maxn {maxn}, buckets {bucket})"
        )
    if not 0 < nwords <= size:
        raise VectorsFileError(f"{label}: the dictionary claims {nwords:,} words of {size:,} entries")
    limits.check_shape(label, int(nwords) + int(bucket), int(dim))
    if size * 10 > src.budget:
        raise VectorsFileError(f"{label}: the dictionary claims {size:,} entries; the file cannot hold them")
    if max(int(prune), 0) * 8 > src.budget:
        raise VectorsFileError(f"{label}: the pruned index claims {prune:,} entries; the file cannot hold them")
    buf, pos = src.read(_CHUNK), 0
    for i in range(int(size)):
        while (nul := buf.find(b"\0", pos, pos + limits.max_word_bytes + 1)) < 0:
            if len(buf) - pos > limits.max_word_bytes:
                raise VectorsFileError(
                    f"{label}: dictionary entry {i + 1:,} is longer than {limits.max_word_bytes} bytes"
                )
            more = src.read(_CHUNK)
            if not more:
                raise VectorsFileError(f"{label}: the dictionary is cut short after {i:,} of {size:,} entries")
            buf, pos = buf[pos:] + more, 0
        pos = nul + 10  # NUL, int64 count, int8 type
    tail = buf[pos:]
    to_skip = max(int(prune), 0) * 8  # pruned index pairs
    while len(tail) < to_skip + 17:  # then the quantisation flag and the matrix shape
        more = src.read(_CHUNK)
        if not more:
            raise VectorsFileError(f"{label}: the fastText file is cut short before its vectors")
        if len(tail) > to_skip:
            tail += more
        else:
            to_skip -= len(tail)
            tail = more
    quant, rows, cols = struct.unpack("<?2q", tail[to_skip : to_skip + 17])
    if quant:
        raise VectorsFileError(f"{label}: a quantized fastText model (.ftz); use the full .bin")
    if rows != nwords + bucket or cols != dim:
        raise VectorsFileError(
            f"{label}: the vectors matrix is {rows:,} x {cols:,}; the header implies {nwords + bucket:,} x {dim:,}"
        )
    left = src.budget - src.consumed + len(tail) - (to_skip + 17)  # bytes after the matrix shape
    if rows * cols * 4 > left:
        raise VectorsFileError(f"{label}: the file is too short for its {rows:,} x {cols:,} vectors")
    return int(nwords), int(dim)


def read_fasttext(path: Path, label: str, limits: ReadLimits) -> tuple[list[str], np.ndarray, object]:
    """Check, then load a fastText ``.bin`` with gensim (never a pickle).

    Returns:
        The words, their float32 vectors, and gensim's ``FastTextKeyedVectors`` (for subword vectors).

    Raises:
        VectorsFileError: see :func:`check_fasttext`; also NaN or infinity in the word or n-gram vectors.
    """
    with VectorSource(path, label, limits) as src:
        check_fasttext(src, limits)
    from gensim.models.fasttext import load_facebook_vectors

    kv = load_facebook_vectors(str(path))
    vectors = np.asarray(kv.vectors, dtype=np.float32)
    check_finite(label, vectors)
    check_finite(label, kv.vectors_ngrams, rows="subword n-gram row")
    return list(kv.index_to_key), vectors, kv
