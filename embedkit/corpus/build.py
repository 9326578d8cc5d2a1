"""``build_index``: input files -> shards (local or Ray engine) -> the query-time files, resumable.

The driver fits the static -> contextual map once and stores it (``map.npz``); every engine encodes with that
map. A resumed run re-reads the input, skips the blocks whose shard is complete, and refuses other settings.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedkit.corpus.consolidate import consolidate
from embedkit.corpus.encode import BlockEncoder, make_embedder
from embedkit.corpus.manifest import (
    MANIFEST,
    IndexSettings,
    check_resume,
    new_manifest,
    read_manifest,
    save_map,
    write_manifest,
)
from embedkit.corpus.reader import count_records, iter_blocks, list_inputs
from embedkit.corpus.shards import clean_partial, done_shards
from embedkit.errors import EmbedkitError

__all__ = ["ENGINES", "IndexProgress", "IndexStats", "build_index"]

logger = logging.getLogger(__name__)

ENGINES = ("local", "ray")


@dataclass
class IndexStats:
    """Progress of an indexing run (records are input lines / values; counts are of this run's shards)."""

    records_total: int
    records_done: int = 0
    sentences: int = 0
    occurrences: int = 0
    shards: int = 0
    started: float = field(default_factory=time.perf_counter)
    stage: str = "encoding"

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


IndexProgress = Callable[[IndexStats], None]


def build_index(
    source: str | os.PathLike[str],
    folder: str | os.PathLike[str],
    settings: IndexSettings | None = None,
    *,
    engine: str = "local",
    resume: bool = False,
    device: str = "auto",
    batch_size: int | None = None,
    ray_address: str | None = None,
    ray_actors: int | None = None,
    exact_limit: int = 20_000,
    progress: IndexProgress | None = None,
) -> Path:
    """Index a corpus: ``source`` (a .txt / .jsonl / .parquet file, optionally .gz, or a folder of .txt) into ``folder``.

    Args:
        source: the input.
        folder: the index folder (created; must be new or empty unless ``resume``).
        settings: model, vectors, map, block size and text column (defaults: the bundled model and GloVe).
        engine: ``local`` (this process) or ``ray`` (Ray Data + an actor pool).
        resume: finish an interrupted run in ``folder`` (the same settings and inputs are required).
        device, batch_size: the encoder's device and batch size (they do not change the vectors' meaning).
        ray_address: a Ray cluster to join (``ray://host:10001`` or ``auto``); None starts a local Ray.
        ray_actors: encoder actors (default: one per GPU, else one).
        exact_limit: up to this many occurrences, search is exact and no approximate index is built.
        progress: called after each shard (and once per consolidation stage) with an :class:`IndexStats`.

    Returns:
        The index folder.

    Raises:
        EmbedkitError: bad input, an unknown engine, a non-empty folder without ``resume``, other settings on resume.
    """
    settings = settings or IndexSettings()
    if engine not in ENGINES:
        raise EmbedkitError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if settings.block_size < 1:
        raise EmbedkitError(f"the block size must be at least 1 record, got {settings.block_size}")
    files = list_inputs(source, settings.column)
    inputs = [{"path": str(f.path.resolve()), "size": f.path.stat().st_size} for f in files]
    out = Path(folder)
    has_manifest = (out / MANIFEST).is_file()
    if out.exists() and not out.is_dir():
        raise EmbedkitError(f"{out} is a file, not a folder")
    if has_manifest and not resume:
        raise EmbedkitError(f"{out} already holds an index: pass --resume to finish it, or choose a new folder")
    if out.is_dir() and not has_manifest and any(out.iterdir()):
        raise EmbedkitError(f"{out} is not empty and holds no index; choose a new or empty folder")
    out.mkdir(parents=True, exist_ok=True)

    embedder = make_embedder(settings, device=device, batch_size=batch_size)
    static = embedder.static
    manifest = new_manifest(
        settings,
        inputs,
        model={"name": embedder.encoder.name, "describe": embedder.encoder.describe(), "dim": embedder.encoder.dim},
        static={"name": embedder.static.name, "dim": embedder.static.dim, "words": len(embedder.static)},
    )
    if has_manifest:
        old = read_manifest(out)
        check_resume(old, manifest)
        manifest = {**old, "state": "indexing"}
        from embedkit.corpus.manifest import load_map

        embedder._map = load_map(out)
        clean_partial(out)
    else:
        static_map = embedder.fit_map()
        save_map(out, static_map.W_, static_map.scale_, static_map.method.value, static_map.n_fit_)
        manifest["map"] = {"method": static_map.method.value, "describe": static_map.describe(), "file": "map.npz"}
    write_manifest(out, manifest)

    skip = done_shards(out)
    stats = IndexStats(records_total=count_records(files, settings.column))
    stats.records_done = min(stats.records_total, len(skip) * settings.block_size)  # an estimate for the bar

    def on_shard(name: str, records: int, sentences: int, occurrences: int) -> None:
        stats.records_done += records
        stats.sentences += sentences
        stats.occurrences += occurrences
        stats.shards += 1
        if progress is not None:
            progress(stats)

    if skip:
        logger.info("resuming: %d shard(s) already complete", len(skip))
    if engine == "local":
        from embedkit.corpus.engine_local import run_local

        blocks = iter_blocks(files, settings.block_size, settings.column, skip=skip)
        run_local(out, blocks, BlockEncoder(embedder, settings.block_size), on_shard)
    else:
        from embedkit.corpus.engine_ray import run_ray

        del embedder  # the actors load their own model; free this one
        run_ray(
            out,
            files,
            settings.block_size,
            settings.column,
            skip,
            address=ray_address,
            actors=ray_actors,
            device=device,
            batch_size=batch_size,
            on_shard=on_shard,
        )
    stats.stage = "consolidating"
    if progress is not None:
        progress(stats)
    counts = consolidate(out, static, exact_limit=exact_limit)
    if counts["occurrences"] == 0:
        raise EmbedkitError(f"{Path(source).name} holds no words to index")
    manifest.update(
        state="complete",
        counts={**counts, "shards": len(done_shards(out))},
        finished=time.strftime("%Y-%m-%dT%H:%M:%S"),
        exact_limit=exact_limit,
    )
    write_manifest(out, manifest)
    return out


def index_summary(manifest: dict[str, Any]) -> str:
    """One line for people: counts and the model."""
    c = manifest.get("counts", {})
    return (
        f"{c.get('occurrences', 0):,} occurrences of {c.get('types', 0):,} word types in "
        f"{c.get('sentences', 0):,} sentences · {manifest.get('model', {}).get('describe', '')}"
    )
