"""``build_index``: input files -> shards (local or Ray engine) -> the query-time files, resumable.

The driver fits the static -> contextual map once and stores it (``map.npz``); every engine encodes with that
map. A resumed run re-reads the input, skips the blocks whose shard is complete, and refuses other settings.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from embedkit.corpus.consolidate import ANN_FILE, QUERY, consolidate
from embedkit.corpus.encode import BlockEncoder, make_embedder
from embedkit.corpus.lock import LOCK_FILE, FolderLock
from embedkit.corpus.manifest import (
    MANIFEST,
    IndexSettings,
    check_resume,
    load_map,
    new_manifest,
    read_manifest,
    save_map,
    write_manifest,
)
from embedkit.corpus.reader import InputFile, count_records, iter_blocks, list_inputs
from embedkit.corpus.shards import clean_partial, done_shards
from embedkit.corpus.verify import digest_files, query_files
from embedkit.errors import EmbedkitError

__all__ = ["ENGINES", "IndexProgress", "IndexStats", "build_index", "index_summary", "verify_index"]

logger = logging.getLogger(__name__)

ENGINES = ("local", "ray")


@dataclass
class IndexStats:
    """Progress of an indexing run (records are input lines / values; counts are of this run's shards).

    ``stage`` is what runs now (``checking the input``, ``loading the model``, ``fitting the static map``,
    ``encoding``, ``consolidating``, ``checksums``); ``stage_done`` / ``stage_total`` count the work of a stage
    that is not counted in records (the words the map is fitted on).
    """

    records_total: int
    records_done: int = 0
    sentences: int = 0
    occurrences: int = 0
    shards: int = 0
    started: float = field(default_factory=time.perf_counter)
    stage: str = "encoding"
    stage_done: int = 0
    stage_total: int = 0

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

    The input is read and checked whole (encoding, format, record lengths) before ``folder`` is created; one run
    at a time may write a folder (``folder/.lock``); a run that fails before its first shard removes the folder it
    created, so the same command can simply be run again.

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
        progress: called at each stage, during the map fit, after each shard, with an :class:`IndexStats`.

    Returns:
        The index folder.

    Raises:
        EmbedkitError: bad input, an unknown engine, a non-empty folder without ``resume``, other settings on resume,
            a folder another run is writing (:class:`~embedkit.corpus.lock.IndexBusy`), a file system error.
    """
    settings = settings or IndexSettings()
    if engine not in ENGINES:
        raise EmbedkitError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if settings.block_size < 1:
        raise EmbedkitError(f"the block size must be at least 1 record, got {settings.block_size}")
    if exact_limit < 0:
        raise EmbedkitError(f"the exact-search limit must be at least 0, got {exact_limit}")
    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise EmbedkitError(f"{out} is a file, not a folder")
    files = list_inputs(source, settings.column)
    inputs = [{"path": str(f.path.resolve()), "size": f.path.stat().st_size} for f in files]
    stats = IndexStats(records_total=0, stage="checking the input")
    _report(progress, stats)
    stats.records_total = count_records(files, settings.column)  # reads and checks every record first
    try:
        out.mkdir(parents=True)
        created = True
    except FileExistsError:
        created = False
    except OSError as exc:
        raise EmbedkitError(f"cannot create {out}: {exc.strerror or exc}") from None
    lock = FolderLock(out)
    try:
        lock.acquire()
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    try:
        _build(
            out,
            files,
            inputs,
            settings,
            resume,
            engine,
            device,
            batch_size,
            ray_address,
            ray_actors,
            exact_limit,
            stats,
            progress,
        )
    except BaseException as exc:
        keep = not created or isinstance(exc, KeyboardInterrupt) or bool(done_shards(out))
        if not keep:
            shutil.rmtree(out, ignore_errors=True)
        lock.release(remove=keep)
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            kept = " (the shards written so far are kept: rerun with --resume)" if keep and created else ""
            raise EmbedkitError(f"indexing into {out} failed: {reason}{kept}") from None
        raise
    lock.release()
    return out


def _report(progress: IndexProgress | None, stats: IndexStats) -> None:
    if progress is not None:
        progress(stats)


def _build(
    out: Path,
    files: list[InputFile],
    inputs: list[dict[str, Any]],
    settings: IndexSettings,
    resume: bool,
    engine: str,
    device: str,
    batch_size: int | None,
    ray_address: str | None,
    ray_actors: int | None,
    exact_limit: int,
    stats: IndexStats,
    progress: IndexProgress | None,
) -> None:
    """The run itself, with ``out`` created and locked."""
    has_manifest = (out / MANIFEST).is_file()
    if has_manifest and not resume:
        raise EmbedkitError(f"{out} already holds an index: pass --resume to finish it, or choose a new folder")
    if not has_manifest and any(p.name != LOCK_FILE for p in out.iterdir()):
        raise EmbedkitError(f"{out} is not empty and holds no index; choose a new or empty folder")

    stats.stage = "loading the model"
    _report(progress, stats)
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
        embedder._map = load_map(out)
        clean_partial(out)
    else:
        stats.stage = "fitting the static map"
        _report(progress, stats)

        def fit_progress(done: int, total: int) -> None:
            stats.stage_done, stats.stage_total = done, total
            _report(progress, stats)

        static_map = embedder.fit_map(progress=fit_progress)
        save_map(out, static_map.W_, static_map.scale_, static_map.method.value, static_map.n_fit_)
        manifest["map"] = {"method": static_map.method.value, "describe": static_map.describe(), "file": "map.npz"}
    write_manifest(out, manifest)

    skip = done_shards(out)
    stats.stage = "encoding"
    stats.started = time.perf_counter()
    stats.records_done = min(stats.records_total, len(skip) * settings.block_size)  # an estimate for the bar
    _report(progress, stats)

    def on_shard(name: str, records: int, sentences: int, occurrences: int) -> None:
        stats.records_done += records
        stats.sentences += sentences
        stats.occurrences += occurrences
        stats.shards += 1
        _report(progress, stats)

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
    _report(progress, stats)
    counts = consolidate(out, static, exact_limit=exact_limit)
    if counts["occurrences"] == 0:
        raise EmbedkitError(f"{files[0].path.name} holds no words to index")
    stats.stage = "checksums"
    _report(progress, stats)
    names = query_files((out / QUERY / ANN_FILE).is_file())
    manifest.update(
        state="complete",
        counts={**counts, "shards": len(done_shards(out))},
        finished=time.strftime("%Y-%m-%dT%H:%M:%S"),
        exact_limit=exact_limit,
        files=digest_files(out, names),
    )
    write_manifest(out, manifest)


def verify_index(folder: str | os.PathLike[str]) -> str:
    """Hash and check every file of a complete index (``embedkit index --verify``); returns a summary line.

    Raises:
        EmbedkitError: not a complete index, or a damaged one (naming the first problem).
    """
    from embedkit.corpus.index import CorpusIndex

    started = time.perf_counter()
    index = CorpusIndex.open(folder, verify_all=True)
    size = sum(int(e["bytes"]) for e in index.manifest["files"].values())
    return (
        f"{index.folder}: {len(index.manifest['files'])} files, {size / 2**20:,.1f} MiB verified in "
        f"{time.perf_counter() - started:.2f} s: checksums, shapes, ids and offsets, finite numbers"
    )


def index_summary(manifest: dict[str, Any]) -> str:
    """One line for people: counts and the model."""
    c = manifest.get("counts", {})
    return (
        f"{c.get('occurrences', 0):,} occurrences of {c.get('types', 0):,} word types in "
        f"{c.get('sentences', 0):,} sentences · {manifest.get('model', {}).get('describe', '')}"
    )
