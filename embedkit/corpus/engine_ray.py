"""The Ray engine: Ray Data reads the input files, an actor pool of encoders writes the shards.

``read_binary_files`` reads each input file (so every node needs the input path: shared storage); a
``flat_map`` cuts it into the same blocks as the local engine (same names, same records); ``map_batches`` runs
them through a pool of :class:`_ShardActor` s, each loading the model once (one GPU each when the cluster has
GPUs) and writing its shards into the index folder (which every node must reach, e.g. NFS). The driver only
sees one small summary row per shard. ``address`` joins a running cluster (``ray up`` / KubeRay, see the README);
without it a small local Ray starts (2 CPUs, a 256 MiB object store, no dashboard).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from embedkit.corpus.engine_local import OnShard
from embedkit.corpus.reader import Block, InputFile, iter_blocks
from embedkit.errors import EmbedkitError

__all__ = ["run_ray", "start_ray"]

logger = logging.getLogger(__name__)

LOCAL_OBJECT_STORE = 256 * 2**20


def start_ray(address: str | None = None, *, num_cpus: int = 2) -> bool:
    """Connect to ``address`` or start a small local Ray; returns True if this call started it.

    Raises:
        EmbedkitError: Ray is not installed, or the cluster cannot be reached.
    """
    try:
        import ray
    except ImportError:
        raise EmbedkitError("--engine ray needs Ray Data: pip install 'ray[data]'") from None
    if ray.is_initialized():
        return False
    try:
        if address:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
        else:
            ray.init(
                num_cpus=num_cpus,
                object_store_memory=LOCAL_OBJECT_STORE,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise EmbedkitError(f"cannot start or join Ray at {address or 'a local instance'}: {exc}") from None
    return True


class _FileToBlocks:
    """``flat_map``: one input file's bytes -> its blocks not yet done (as the local engine cuts them)."""

    def __init__(self, files: Sequence[InputFile], block_size: int, column: str | None, skip: frozenset[str]) -> None:
        self.index = {str(f.path.resolve()): i for i, f in enumerate(files)}
        self.files = list(files)
        self.block_size, self.column, self.skip = block_size, column, skip

    def __call__(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        import tempfile

        index = self.index[str(Path(row["path"]).resolve())]
        f = self.files[index]
        # iter_blocks reads files; hand it the bytes Ray Data read, under the same name and format
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / f.path.name
            data = row["bytes"]
            local.write_bytes(data if isinstance(data, bytes) else bytes(data))
            copy = InputFile(local, f.format, f.gzipped)
            return [
                {"file": index, "number": b.number, "records": list(b.records)}
                for b in iter_blocks([copy], self.block_size, self.column)
                if Block(index, b.number, ()).name not in self.skip
            ]


class _ShardActor:
    """``map_batches`` actor: loads the encoder once, then encodes and writes one shard per row."""

    def __init__(self, folder: str, device: str, batch_size: int | None, threads: int) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch

        torch.set_num_threads(threads)
        from embedkit.corpus.encode import BlockEncoder

        self.folder = folder
        self.encoder = BlockEncoder.from_index(folder, device=device, batch_size=batch_size)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from embedkit.corpus.shards import write_shard

        out: dict[str, list[Any]] = {"name": [], "records": [], "sentences": [], "occurrences": []}
        for file, number, records in zip(batch["file"], batch["number"], batch["records"]):
            block = Block(int(file), int(number), tuple(str(r) for r in records))
            sentences, occurrences = self.encoder.encode(block)
            write_shard(self.folder, block.name, sentences, occurrences)
            out["name"].append(block.name)
            out["records"].append(len(block.records))
            out["sentences"].append(sentences.num_rows)
            out["occurrences"].append(occurrences.num_rows)
        return out


def run_ray(
    folder: Path,
    files: Sequence[InputFile],
    block_size: int,
    column: str | None,
    skip: frozenset[str],
    *,
    address: str | None = None,
    actors: int | None = None,
    device: str = "auto",
    batch_size: int | None = None,
    on_shard: OnShard | None = None,
) -> None:
    """Index ``files`` into ``folder`` on Ray (see the module docstring)."""
    started = start_ray(address)
    import ray
    import ray.data

    try:
        data_context = ray.data.DataContext.get_current()
        data_context.enable_progress_bars = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # no per-dataset INFO lines under our own bar
        data_context.execution_options.preserve_order = True
        gpus = float(ray.cluster_resources().get("GPU", 0))
        cpus = float(ray.cluster_resources().get("CPU", 1))
        if gpus >= 1:
            actors = actors or int(gpus)
            per_actor: dict[str, Any] = {"num_gpus": 1.0}
            threads = max(1, int(cpus // actors))
        else:
            actors = actors or 1
            # one logical CPU per actor stays free for Ray Data's read tasks; torch uses the rest as threads
            per_actor = {"num_cpus": max(1.0, (cpus - 1) // actors)}
            threads = max(1, int(cpus // actors))
        logger.info("ray: %d actor(s), %s each", actors, per_actor)
        ds = ray.data.read_binary_files([str(f.path.resolve()) for f in files], include_paths=True)
        ds = ds.flat_map(_FileToBlocks(files, block_size, column, skip))
        ds = ds.map_batches(
            _ShardActor,
            fn_constructor_kwargs={
                "folder": str(folder.resolve()),
                "device": device,
                "batch_size": batch_size,
                "threads": threads,
            },
            batch_size=1,
            concurrency=actors,
            **per_actor,
        )
        for row in ds.iter_rows():
            if on_shard is not None:
                on_shard(str(row["name"]), int(row["records"]), int(row["sentences"]), int(row["occurrences"]))
    finally:
        if started:
            ray.shutdown()
