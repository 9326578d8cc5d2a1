"""The Corpus page's data: which indexes a session may open, cached open indexes and sense maps, small uploads.

Two kinds of index, both named (never by a server path):

- **published**: the sub-folders of the corpus folder (``$EMBEDKIT_CORPUS_DIR``, else ``<embedkit cache>/corpora``),
  put there by the operator; every session sees them.
- **built in this session** from an upload: kept under ``<embedkit cache>/app_corpora/NAME/`` (the index in
  ``index/``, ``owner.json`` holding the SHA-256 of a secret only the building session knows). Only that session
  lists or opens it; a link naming it opens nothing elsewhere. An operator publishes one by moving its ``index/``
  folder into the corpus folder.

A name is claimed with ``mkdir`` (atomic: of two builds of one name, one gets the folder and the other a clear
error). Uploads are at most :data:`MAX_UPLOAD_BYTES`; the built indexes together at most
``$EMBEDKIT_CORPUS_QUOTA_MB`` MiB (default 1024), the least recently used removed beyond it; a session cannot
index the same text twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

from embedkit.cache import cache_subdir, env_mib
from embedkit.config import EmbedderConfig
from embedkit.corpus.search import SpaceChoice
from embedkit.errors import EmbedkitError
from embedkit_app import state

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "app_root",
    "build_from_upload",
    "check_link",
    "corpus_quota_bytes",
    "corpus_root",
    "hover_texts",
    "keep_within_quota",
    "list_indexes",
    "open_index",
    "sense_map",
]

logger = logging.getLogger(__name__)

ENV_VAR = "EMBEDKIT_CORPUS_DIR"
QUOTA_ENV = "EMBEDKIT_CORPUS_QUOTA_MB"
DEFAULT_QUOTA_MB = 1024
MAX_UPLOAD_MB = 1  # the uploader's own limit (MiB), enforced by the browser; checked again here
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 2**20  # about 170k words: a few minutes on a laptop CPU
APP_BLOCK_SIZE = 100  # lines per shard of an app build: the progress bar moves every 100 lines
OWNER = "owner.json"
STALE_CLAIM_S = 60  # a claim without a build (its lock free) this long is taken over
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")

#: what reading an index can raise once it is open (a file removed meanwhile, a library error): one line on the page
READ_ERRORS: tuple[type[BaseException], ...] = (EmbedkitError, KeyError, OSError, ValueError, RuntimeError)


def corpus_root() -> Path:
    """The folder whose sub-folders are the published indexes (every session may open them)."""
    env = os.environ.get(ENV_VAR)
    if env:
        root = Path(env)
    else:
        from embedkit.cache import cache_dir

        root = cache_dir() / "corpora"
    root.mkdir(parents=True, exist_ok=True)
    return root


def app_root() -> Path:
    """Where indexes built in the app are kept, one folder per name (see the module docstring)."""
    return cache_subdir("app_corpora")


def corpus_quota_bytes() -> int:
    """``$EMBEDKIT_CORPUS_QUOTA_MB`` MiB (default 1024): the most disk the indexes built in the app may use."""
    return env_mib(QUOTA_ENV, DEFAULT_QUOTA_MB)


def _complete(folder: Path) -> bool:
    try:
        return '"state": "complete"' in (folder / "manifest.json").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _published() -> list[str]:
    out = []
    for p in sorted(corpus_root().iterdir()):
        if _NAME.match(p.name) and p.is_dir() and _complete(p):
            out.append(p.name)
    return out


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _own() -> dict[str, str]:
    value: dict[str, str] = st.session_state.setdefault(state.CORPUS_OWN, {})
    return value


def _owned_folder(name: str) -> Path | None:
    """The index folder of ``name`` if this session built it and it is still kept, else None."""
    secret = _own().get(name)
    if secret is None:
        return None
    claim = app_root() / name
    try:
        owner = json.loads((claim / OWNER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(owner, dict) or not secrets.compare_digest(str(owner.get("secret_sha256")), _digest(secret)):
        return None  # removed by the quota and the name claimed again by another session
    return claim / "index"


def list_indexes() -> list[str]:
    """The names this session may open: the published indexes, then its own builds."""
    names = _published()
    own = [n for n in sorted(_own()) if n not in names and (f := _owned_folder(n)) is not None and _complete(f)]
    return names + own


def is_own(name: str) -> bool:
    """Whether ``name`` is an index this session built (not a published one)."""
    return name not in _published() and _owned_folder(name) is not None


def check_link(key: str) -> None:
    """Drop a link's index name (query parameter ``key``) that this session may not open, with a notice."""
    value = st.query_params.get(key)
    if value is None or value in list_indexes():
        return
    from embedkit_app.widgets import md_escape

    shown = value if len(value) <= 60 else value[:57] + "..."
    st.warning(
        md_escape(
            f"This link's {key} = “{shown}” was ignored: no index of that name is published on this server or was "
            "built in this session (an index built from an upload is private to the session that built it)."
        ),
        icon=":material/link_off:",
    )
    del st.query_params[key]
    st.session_state.pop(key, None)


def _folder(name: str) -> Path:
    """The index folder behind a name this session may open.

    Raises:
        EmbedkitError: a malformed name, or one this session may not open.
    """
    if not _NAME.match(name or ""):
        raise EmbedkitError("an index name is 1-41 letters, digits, '-' or '_'")
    public = corpus_root() / name
    if (public / "manifest.json").is_file():
        return public
    own = _owned_folder(name)
    if own is not None:
        from embedkit.cache import touch

        touch(own.parent / OWNER)  # recently used: the quota removes it last
        return own
    if name in _own():
        raise EmbedkitError(
            f"the index {name!r} is no longer kept on this server (it keeps a limited amount); build it again"
        )
    raise EmbedkitError(f"there is no index named {name!r} that this session may open")


@st.cache_resource(show_spinner="Opening the index…", max_entries=4)
def _open(path: str, stamp: float) -> Any:
    from embedkit.corpus.index import CorpusIndex

    return CorpusIndex.open(path)


def _stamp(folder: Path) -> float:
    try:
        return (folder / "manifest.json").stat().st_mtime
    except OSError as exc:
        raise EmbedkitError(f"the index {folder.name!r} cannot be read: {exc.strerror or exc}") from None


def open_index(name: str) -> Any:
    """The named index (opened and checked once per process, reopened when it is rebuilt).

    Raises:
        EmbedkitError: a name this session may not open, or a damaged index (one line naming the problem).
    """
    folder = _folder(name)
    return _open(str(folder), _stamp(folder))


@st.cache_resource(show_spinner=False, max_entries=16)
def _base_map(path: str, stamp: float, word: str, space: str, mode: str) -> Any:
    index = _open(path, stamp)
    return index.senses(word, SpaceChoice(space, mode, 0.5))


def sense_map(name: str, word: str, space: str, mode: str, alpha: float) -> Any:
    """The sense map of ``word``: laid out once (at alpha 0.5) per word, space and mode; clusters at ``alpha``."""
    folder = _folder(name)
    base = _base_map(str(folder), _stamp(folder), word, space, mode)
    return base if alpha == base.alpha else base.at(alpha)


@st.cache_data(show_spinner=False, max_entries=8)
def _hover_texts(path: str, stamp: float, word: str) -> list[str]:
    from embedkit.corpus.figure import hover_text

    index = _open(path, stamp)
    return [hover_text(c) for c in index.contexts(index.rows_of(word))]


def hover_texts(name: str, word: str) -> list[str]:
    """The hover text of every occurrence of ``word`` (its sentence, the word in bold), once per word."""
    folder = _folder(name)
    return _hover_texts(str(folder), _stamp(folder), word)


# -- building from an upload ---------------------------------------------------------------------------
def _claim(name: str) -> Any:
    """Claim ``name`` for a new build: ``mkdir`` succeeds for exactly one caller, which then holds the claim's lock
    (returned) for the whole build.

    A claim left by a build that died (no complete index, its lock free, untouched for a minute) is taken over.

    Raises:
        EmbedkitError: the name is published, built, or being built.
    """
    from embedkit.corpus.lock import LOCK_FILE, FolderLock, IndexBusy

    claim = app_root() / name
    taken = EmbedkitError(f"an index named {name!r} exists already or is being built; choose another name")
    if (corpus_root() / name).exists():
        raise taken
    lock = FolderLock(claim)
    try:
        claim.mkdir()
    except FileExistsError:
        if _complete(claim / "index") or time.time() - claim.stat().st_mtime < STALE_CLAIM_S:
            raise taken from None
        try:
            lock.acquire()  # free: the build that claimed it is gone
        except (IndexBusy, OSError):
            raise taken from None
        for part in claim.iterdir():  # the dead build's leftovers
            if part.name != LOCK_FILE:
                shutil.rmtree(part) if part.is_dir() else part.unlink()
        return lock
    lock.acquire()
    return lock


def _check_upload(data: bytes, file_name: str) -> str:
    """The upload's SHA-256 once its size and type are acceptable and this session has not indexed it yet."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise EmbedkitError(
            f"{file_name} is {len(data) / 2**20:.1f} MiB; the app indexes up to {MAX_UPLOAD_MB} MiB "
            "(use `embedkit index` for more)"
        )
    if not file_name.lower().endswith(".txt"):
        raise EmbedkitError(f"{file_name}: upload a .txt file (one sentence or paragraph per line)")
    text_sha = hashlib.sha256(data).hexdigest()
    texts: dict[str, str] = st.session_state.setdefault(state.CORPUS_TEXTS, {})
    earlier = texts.get(text_sha)
    if earlier is not None and earlier in list_indexes():
        raise EmbedkitError(f"this text is indexed already in this session, as {earlier!r}")
    return text_sha


def index_config(cfg: EmbedderConfig) -> EmbedderConfig:
    """The configuration an app-built index uses: the session's, with the bundled model and vectors (an index records
    its model and vectors and opens them again; the app's references to uploads and allow-listed folders are this
    server's and this session's only)."""
    return cfg.replace(model=None, vectors=None)


def build_from_upload(
    name: str, upload: Any, progress: Callable[[Any], None], config: EmbedderConfig | None = None
) -> str:
    """Index an uploaded ``.txt`` (a Streamlit ``UploadedFile``) as ``name``, private to this session, with
    ``config`` (default: the default configuration; see :func:`index_config`).

    Its size is checked before its bytes are read; the name is claimed atomically; a failed build leaves nothing.

    Returns:
        The name (now listed by :func:`list_indexes` for this session only).

    Raises:
        EmbedkitError: a bad name, a taken name, an oversized, non-text or already indexed upload, a failed build.
    """
    from embedkit.corpus.build import build_index
    from embedkit.corpus.manifest import IndexSettings

    if not _NAME.match(name or ""):
        raise EmbedkitError("an index name is 1-41 letters, digits, '-' or '_'")
    size = int(getattr(upload, "size", 0))
    if size > MAX_UPLOAD_BYTES:  # before the bytes are copied out of the uploader
        raise EmbedkitError(
            f"{upload.name} is {size / 2**20:.1f} MiB; the app indexes up to {MAX_UPLOAD_MB} MiB "
            "(use `embedkit index` for more)"
        )
    data = upload.getvalue()
    text_sha = _check_upload(data, str(upload.name))
    lock = _claim(name)
    claim = lock.path.parent
    secret = secrets.token_hex(16)
    ok = False
    try:
        owner = {"secret_sha256": _digest(secret), "text_sha256": text_sha, "created": time.time()}
        (claim / OWNER).write_text(json.dumps(owner), encoding="utf-8")
        source = claim / "upload.txt"
        source.write_bytes(data)
        settings = IndexSettings(index_config(config or EmbedderConfig()), block_size=APP_BLOCK_SIZE)
        build_index(source, claim / "index", settings, progress=progress)
        source.unlink()
        ok = True
    finally:
        if not ok:
            shutil.rmtree(claim, ignore_errors=True)
        lock.release(remove=ok)
    _own()[name] = secret
    st.session_state.setdefault(state.CORPUS_TEXTS, {})[text_sha] = name
    keep_within_quota(keep=claim)
    return name


def _size_and_use(claim: Path) -> tuple[int, float]:
    files = [f for f in claim.rglob("*") if f.is_file()]
    size = sum(f.stat().st_size for f in files)
    try:
        used = (claim / OWNER).stat().st_mtime
    except OSError:
        used = claim.stat().st_mtime
    return size, used


def keep_within_quota(keep: Path | None = None) -> int:
    """Remove the least recently used indexes built in the app beyond the quota (never ``keep``, never one being
    built); returns the bytes removed."""
    from embedkit.corpus.lock import FolderLock, IndexBusy

    entries = []
    for claim in app_root().iterdir():
        if not claim.is_dir() or not _NAME.match(claim.name):
            continue
        try:
            size, used = _size_and_use(claim)
        except OSError:
            continue
        entries.append((claim == keep, used, size, claim))
    total = sum(e[2] for e in entries)
    removed = 0
    for is_kept, _, size, claim in sorted(entries):  # others first, oldest first
        if total <= corpus_quota_bytes() or is_kept:
            break
        lock = FolderLock(claim)
        try:
            lock.acquire()
        except (IndexBusy, OSError):
            continue  # being built
        try:
            shutil.rmtree(claim / "index", ignore_errors=True)
            (claim / OWNER).unlink(missing_ok=True)
        finally:
            lock.release(remove=False)
        shutil.rmtree(claim, ignore_errors=True)
        total -= size
        removed += size
        logger.info("corpus quota: removed %s (%d bytes)", claim.name, size)
    return removed


#: the share of the bar each stage of a build ends at (the map fit and the encoding move it within their share)
_STAGE_END = {
    "checking the input": 0.03,
    "loading the model": 0.08,
    "fitting the static map": 0.35,
    "encoding": 0.93,
    "consolidating": 0.98,
    "checksums": 1.0,
}


def build_progress(bar: Any) -> Callable[[Any], None]:
    """A ``progress(stats)`` callback for :func:`build_from_upload` that moves ``bar`` (an ``st.progress``) through
    every stage: checking the input, loading the model, fitting the map (words done), encoding (lines done)."""
    stages = list(_STAGE_END)
    shown = [0.0]

    def update(stats: Any) -> None:
        stage = str(stats.stage)
        end = _STAGE_END.get(stage, 0.0)
        start = _STAGE_END[stages[stages.index(stage) - 1]] if stage in stages[1:] else 0.0
        if stage == "fitting the static map" and stats.stage_total:
            part, detail = stats.stage_done / stats.stage_total, f"{stats.stage_done:,} / {stats.stage_total:,} words"
        elif stage == "encoding" and stats.records_total:
            part = stats.records_done / stats.records_total
            rate = stats.occurrences / max(stats.elapsed, 1e-9)
            detail = f"{stats.records_done:,} / {stats.records_total:,} lines · {rate:,.0f} words/s"
        else:
            part, detail = 0.0, ""
        text = stage[:1].upper() + stage[1:] + (f": {detail}" if detail else "…")
        shown[0] = max(shown[0], min(1.0, start + (end - start) * min(part, 1.0)))  # never backwards
        bar.progress(shown[0], text=text)

    return update
