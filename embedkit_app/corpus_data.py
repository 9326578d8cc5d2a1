"""The Corpus page's data: the configured corpus folder, cached open indexes and sense maps, small uploads.

Indexes are opened only from the corpus folder (``$EMBEDKIT_CORPUS_DIR``, else ``<embedkit cache>/corpora``) and
named by their sub-folder: a user never types a server path. An uploaded text is indexed into a new sub-folder
(at most ``MAX_UPLOAD_BYTES``, so a visitor cannot occupy the server for long).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from embedkit.corpus.search import SpaceChoice
from embedkit.errors import EmbedkitError

__all__ = [
    "MAX_UPLOAD_BYTES",
    "build_from_upload",
    "corpus_root",
    "hover_texts",
    "list_indexes",
    "open_index",
    "sense_map",
]

ENV_VAR = "EMBEDKIT_CORPUS_DIR"
MAX_UPLOAD_BYTES = 1_000_000  # about 170k words: a few minutes on a laptop CPU
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")


def corpus_root() -> Path:
    """The folder whose sub-folders are the indexes the app may open."""
    env = os.environ.get(ENV_VAR)
    if env:
        root = Path(env)
    else:
        from embedkit.cache import cache_dir

        root = cache_dir() / "corpora"
    root.mkdir(parents=True, exist_ok=True)
    return root


def list_indexes() -> list[str]:
    """Names of the complete indexes in the corpus folder."""
    out = []
    for p in sorted(corpus_root().iterdir()):
        try:
            if p.is_dir() and '"state": "complete"' in (p / "manifest.json").read_text(encoding="utf-8"):
                out.append(p.name)
        except OSError:
            continue
    return out


def _folder(name: str) -> Path:
    if not _NAME.match(name or ""):
        raise EmbedkitError("an index name is 1-41 letters, digits, '-' or '_'")
    return corpus_root() / name


@st.cache_resource(show_spinner="Opening the index…", max_entries=4)
def _open(path: str, stamp: float) -> Any:
    from embedkit.corpus.index import CorpusIndex

    return CorpusIndex.open(path)


def open_index(name: str) -> Any:
    """The named index of the corpus folder (opened once per process, reopened when it is rebuilt)."""
    folder = _folder(name)
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise EmbedkitError(f"there is no index named {name!r} in the corpus folder")
    return _open(str(folder), manifest.stat().st_mtime)


@st.cache_resource(show_spinner=False, max_entries=16)
def _base_map(path: str, stamp: float, word: str, space: str, mode: str) -> Any:
    index = _open(path, stamp)
    return index.senses(word, SpaceChoice(space, mode, 0.5))


def sense_map(name: str, word: str, space: str, mode: str, alpha: float) -> Any:
    """The sense map of ``word``: laid out once (at alpha 0.5) per word, space and mode; clusters at ``alpha``."""
    folder = _folder(name)
    base = _base_map(str(folder), (folder / "manifest.json").stat().st_mtime, word, space, mode)
    return base if alpha == base.alpha else base.at(alpha)


@st.cache_data(show_spinner=False, max_entries=8)
def hover_texts(name: str, word: str) -> list[str]:
    """The hover text of every occurrence of ``word`` (its sentence, the word in bold), once per word."""
    from embedkit.corpus.figure import hover_text

    index = open_index(name)
    return [hover_text(c) for c in index.contexts(index.rows_of(word))]


def build_from_upload(name: str, data: bytes, file_name: str, progress: Callable[[Any], None]) -> Path:
    """Index an uploaded ``.txt`` into ``<corpus folder>/<name>`` (built aside, moved in when complete).

    Raises:
        EmbedkitError: a bad name, an existing index, an oversized or non-text upload.
    """
    from embedkit.corpus.build import build_index

    folder = _folder(name)
    if folder.exists():
        raise EmbedkitError(f"an index named {name!r} exists already; choose another name")
    if len(data) > MAX_UPLOAD_BYTES:
        raise EmbedkitError(
            f"{file_name} is {len(data) / 1e6:.1f} MB; the app indexes up to "
            f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB (use `embedkit index` for more)"
        )
    if not file_name.lower().endswith(".txt"):
        raise EmbedkitError(f"{file_name}: upload a .txt file (one sentence or paragraph per line)")
    with tempfile.TemporaryDirectory(dir=corpus_root(), prefix=".upload-") as tmp:
        source = Path(tmp) / "upload.txt"
        source.write_bytes(data)
        built = build_index(source, Path(tmp) / "index", progress=progress)
        shutil.move(str(built), str(folder))
    return folder
