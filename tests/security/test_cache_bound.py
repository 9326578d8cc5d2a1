"""The disk cache stays within its size limit: least recently used entries go first."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from embedkit import cache


@pytest.fixture
def small_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path))
    monkeypatch.setenv(cache.MAX_ENV_VAR, "1")  # 1 MiB
    return tmp_path


def _entries(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.npy"))


def test_many_settings_never_grow_the_cache_past_its_limit(small_cache: Path) -> None:
    block = np.zeros((100, 1000), dtype=np.float32)  # 400 kB, like one vocabulary table per setting
    for k in range(10):
        cache.save_array(f"align_k_{k}", block + k)
        assert _entries(small_cache) <= 2**20
    assert cache.load_array("align_k_9") is not None  # the newest survives
    assert cache.load_array("align_k_0") is None


def test_a_read_keeps_an_entry_alive(small_cache: Path) -> None:
    block = np.zeros((100, 1000), dtype=np.float32)
    cache.save_array("old", block)
    past = time.time() - 100
    os.utime(small_cache / "old.npy", (past, past))
    cache.save_array("newer", block)
    os.utime(small_cache / "newer.npy", (past + 10, past + 10))
    assert cache.load_array("old") is not None  # used now: the most recent
    cache.save_array("newest", block)
    assert {p.stem for p in small_cache.glob("*.npy")} == {"old", "newest"}


def test_an_entry_over_the_whole_limit_is_not_kept(small_cache: Path) -> None:
    cache.save_array("huge", np.zeros((600, 1000), dtype=np.float32))  # 2.4 MB > 1 MiB
    assert cache.load_array("huge") is None and _entries(small_cache) == 0


def test_a_bad_limit_falls_back_to_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("lots", "nan", "-5", "inf"):
        monkeypatch.setenv(cache.MAX_ENV_VAR, bad)
        assert cache.max_cache_bytes() == cache.DEFAULT_MAX_MB * 2**20
