"""The local engine: blocks encoded in this process, one after another, each written as a shard.

Memory stays flat: a block is read, encoded, written and dropped before the next (a reader thread prepares the
next block while the model runs, so reading and splitting overlap the forward passes).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from embedkit.corpus.encode import BlockEncoder
from embedkit.corpus.reader import Block
from embedkit.corpus.shards import write_shard

__all__ = ["OnShard", "run_local"]

#: ``on_shard(name, records, sentences, occurrences)`` after each shard is written
OnShard = Callable[[str, int, int, int], None]

_DONE = object()


def _prefetch(blocks: Iterable[Block], depth: int = 2) -> Iterator[Block]:
    """Iterate ``blocks`` with up to ``depth`` read ahead in a thread (exceptions re-raised here)."""
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def fill() -> None:
        try:
            for block in blocks:
                if stop.is_set():
                    return
                q.put(block)
            q.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(exc)

    thread = threading.Thread(target=fill, name="corpus-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, Block)
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting on a full queue
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


def run_local(folder: Path, blocks: Iterable[Block], encoder: BlockEncoder, on_shard: OnShard | None = None) -> None:
    """Encode and write every block, in order."""
    for block in _prefetch(blocks):
        sentences, occurrences = encoder.encode(block)
        write_shard(folder, block.name, sentences, occurrences)
        if on_shard is not None:
            on_shard(block.name, len(block.records), sentences.num_rows, occurrences.num_rows)
