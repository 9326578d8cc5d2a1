"""``--engine ray`` on a local Ray (one Ray session for this module) writes the rows and vectors of the local engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.unit.test_corpus import SETTINGS, shard_rows, write_slice

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    import ray

    from embedkit.corpus.engine_ray import start_ray

    started = start_ray()
    yield
    if started:
        ray.shutdown()


def test_ray_engine_gives_the_rows_and_vectors_of_the_local_engine(local_ray: None, tmp_path: Path) -> None:
    from embedkit.corpus.build import build_index
    from embedkit.corpus.index import CorpusIndex
    from embedkit.corpus.shards import done_shards
    from embedkit.wordnet import find_wordnet

    find_wordnet()  # Debian wordnet-base: scripts/test.sh installs it; a clear error without it, never a skip
    corpus = write_slice(tmp_path / "wordnet.txt", n_glosses=30)
    local = build_index(corpus, tmp_path / "local", SETTINGS)
    remote = build_index(corpus, tmp_path / "ray", SETTINGS, engine="ray")
    assert done_shards(remote) == done_shards(local) and len(done_shards(local)) > 1
    assert shard_rows(remote) == shard_rows(local)
    a, b = CorpusIndex.open(local), CorpusIndex.open(remote)
    assert np.array_equal(np.asarray(a.rows), np.asarray(b.rows))
    # the same model in another process: equal up to half-precision rounding of the stored vectors
    np.testing.assert_allclose(np.asarray(b.vectors, np.float32), np.asarray(a.vectors, np.float32), atol=4e-3)
    np.testing.assert_allclose(np.asarray(b.scalars), np.asarray(a.scalars), rtol=1e-3, atol=1e-3)
    assert b.manifest["settings_hash"] == a.manifest["settings_hash"]
