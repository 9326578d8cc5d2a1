"""One block of input records -> the two tables of its shard (the work every engine does per block).

Both engines build a :class:`BlockEncoder` from the index folder (settings from the manifest, the map from
``map.npz``), so a Ray actor and the local process compute the same rows with the same map.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embedkit.corpus.manifest import IndexSettings, load_map, read_manifest
from embedkit.corpus.reader import Block, split_sentences
from embedkit.corpus.shards import vector_column
from embedkit.cosine import row_dot
from embedkit.fusion import context_cosines
from embedkit.text import segment

if TYPE_CHECKING:
    from embedkit.embedder import Embedder

__all__ = ["BlockEncoder", "make_embedder"]

logger = logging.getLogger(__name__)


def make_embedder(settings: IndexSettings, *, device: str = "auto", batch_size: int | None = None) -> Embedder:
    """The Embedder these settings describe (the map is not fitted here)."""
    from embedkit.cli_args import check_align_k
    from embedkit.embedder import Embedder

    config = settings.embedder
    static = config.load_static()  # vectors first: a refused --align-k costs no model load
    check_align_k(config.align_k, static)
    return Embedder.from_config(config, static=static, device=device, batch_size=batch_size)


class BlockEncoder:
    """Turns a :class:`~embedkit.corpus.reader.Block` into its shard tables.

    Args:
        embedder: the encoder, the static vectors and the fitted map.
        block_size: records per block (gives each record its number in its file).
    """

    def __init__(self, embedder: Embedder, block_size: int) -> None:
        self.embedder = embedder
        self.block_size = block_size
        self.static_map = embedder.static_map

    @classmethod
    def from_index(
        cls, folder: str | os.PathLike[str], *, device: str = "auto", batch_size: int | None = None
    ) -> BlockEncoder:
        """Load the model, vectors and stored map that the index folder's manifest names."""
        manifest = read_manifest(folder)
        settings = IndexSettings.from_dict(manifest["settings"])
        embedder = make_embedder(settings, device=device, batch_size=batch_size)
        embedder._map = load_map(Path(folder))  # the driver's map, never refitted
        return cls(embedder, settings.block_size)

    def sentences(self, block: Block) -> tuple[list[str], np.ndarray]:
        """The sentences of a block and each one's record number in its file."""
        texts: list[str] = []
        records: list[int] = []
        first = block.number * self.block_size
        for k, record in enumerate(block.records):
            for sentence in split_sentences(record):
                texts.append(sentence)
                records.append(first + k)
        return texts, np.asarray(records, np.int64)

    def encode(self, block: Block) -> tuple[Any, Any]:
        """The ``(sentences, occurrences)`` Arrow tables of one block (see :mod:`embedkit.corpus.shards`)."""
        import pyarrow as pa

        texts, records = self.sentences(block)
        words = [segment(t) for t in texts]  # here, not in the reader thread: Python there holds the GIL the
        # forward pass needs between its ops (measured 8 % slower on 2 cores)
        counts = np.fromiter((len(w) for w in words), np.int64, count=len(words))
        flat = [w for ws in words for w in ws]
        dim = self.embedder.encoder.dim
        if flat:
            h = np.concatenate(self.embedder.encoder.encode([[w.text for w in ws] for ws in words]), axis=0)
        else:
            h = np.zeros((0, dim), np.float32)
        tokens = [w.text for w in flat]
        static, oov = self.embedder.static.lookup(tokens)
        pe = self.static_map.transform(static)
        pe[oov] = 0.0
        sentence = np.repeat(np.arange(len(texts), dtype=np.int32), counts)
        h16 = h.astype(np.float16)
        stored = h16.astype(np.float32)  # the scalars use the stored (half-precision) h: rescoring from rows is exact,
        # and a query sentence (rounded the same way) gets the same attention cosines as its indexed twin
        h2, hpe, pe2 = row_dot(stored, stored), row_dot(stored, pe), row_dot(pe, pe)
        att = context_cosines(stored, pe, oov=oov, sentence_ids=sentence, row_dots=(h2, hpe, pe2))
        sentences = pa.table({"record": pa.array(records, pa.int64()), "text": pa.array(texts, pa.string())})
        occurrences = pa.table(
            {
                "sentence": pa.array(sentence, pa.int32()),
                "position": pa.array(np.concatenate([np.arange(c) for c in counts]) if len(counts) else [], pa.int32()),
                "word": pa.array(tokens, pa.string()),
                "start": pa.array([w.start for w in flat], pa.int32()),
                "end": pa.array([w.end for w in flat], pa.int32()),
                "oov": pa.array(oov, pa.bool_()),
                "h": vector_column(h16),
                "h2": pa.array(h2, pa.float32()),
                "hpe": pa.array(hpe, pa.float32()),
                "pe2": pa.array(pe2, pa.float32()),
                "att_h": pa.array(att[:, 0], pa.float32()),
                "att_p": pa.array(att[:, 1], pa.float32()),
            }
        )
        return sentences, occurrences
