"""What a link carries, and how the app reads it back.

- Every query parameter is checked on read. One the app cannot use (``?layers=999``, ``?pooling=bogus``,
  ``?vectors=/etc/passwd``, ``?model=<a folder>``) is dropped, the default is used, and the page says so once.
- The user's sentences travel with every page's link (:func:`sync_text`, from ``widgets.page_setup``): compressed
  into the URL (``?t=``) up to :data:`MAX_URL_TEXT` characters, else stored on the server by content hash
  (``?tid=``, an opaque id) in a bounded store under the cache folder, and the page says so (:data:`STORED_NOTE`);
  an example set travels by its name (``?example=``). A reload, a dropped connection or a shared link brings them
  back, or the page says why not. The store takes what the text area takes: :data:`state.MAX_TEXT_CHARS`.
- A URL never holds a server path: only bundled example names, hub ids, ``local:`` names from the operator's
  allow-list, and opaque ids.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import os
import re
import zlib
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from embedkit.errors import EmbedkitError
from embedkit.options import SPACES, FusionMode, choices
from embedkit.text import split_lines
from embedkit_app import state
from embedkit_app.examples import CUSTOM, DEFAULT_EXAMPLE, EXAMPLES

__all__ = [
    "MAX_URL_TEXT",
    "STORED_NOTE",
    "check_url",
    "decode_text",
    "encode_text",
    "pop_notices",
    "remember_text",
    "store_text",
    "stored_text",
    "sync_text",
]

MAX_URL_TEXT = 1800  # characters of ?t= (links stay well under the 8 KB many servers and chats accept)
TEXT_STORE_MAX_BYTES = 32 * 2**20  # the text store keeps the most recently used texts up to this size
_MAX_TEXT_BYTES = 4 * state.MAX_TEXT_CHARS  # UTF-8 bytes of the longest text the app takes
_TEXT_ID = re.compile(r"^[0-9a-f]{32}$")
_LINK_MEMO = "_link_params"  # (text, {param: value}): the link parameters of the text last put in the URL

#: what a page says when its link names the text by an id
STORED_NOTE = (
    "Your text is too long for a link, so this server keeps it and the link names it by an id: a reload or a link "
    f"opened on this server brings it back (the server keeps the most recent {TEXT_STORE_MAX_BYTES // 2**20} MB of "
    "long texts)."
)


# --- the text in the URL --------------------------------------------------------------------------


def encode_text(text: str) -> str:
    """The text compressed and made URL-safe (``z`` + base64url of zlib)."""
    packed = zlib.compress(text.encode("utf-8"), 9)
    return "z" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_text(value: str) -> str:
    """The text of a ``?t=`` value, read within the app's text limit (a compressed bomb stops at the limit).

    Raises:
        EmbedkitError: a plain reason: damaged, too long, not UTF-8.
    """
    if not value.startswith("z") or len(value) > 4 * _MAX_TEXT_BYTES:
        raise EmbedkitError("the text in the link is damaged (it may have been cut short)")
    try:
        packed = base64.urlsafe_b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, _MAX_TEXT_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise EmbedkitError("the text in the link is damaged (it may have been cut short)") from None
    if len(raw) > _MAX_TEXT_BYTES or inflater.unconsumed_tail:
        raise EmbedkitError(f"the text in the link is longer than the app takes ({state.MAX_TEXT_CHARS:,} characters)")
    if not inflater.eof:
        raise EmbedkitError("the text in the link is damaged (it may have been cut short)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EmbedkitError("the text in the link is not UTF-8 text") from None


def _store() -> Path:
    from embedkit.cache import cache_dir

    path = cache_dir() / "texts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_text(text: str) -> str:
    """Keep a text in the server's store under its content hash; returns the opaque id.

    Raises:
        EmbedkitError: the text is longer than the app takes.
    """
    from embedkit.cache import evict, touch

    if len(text) > state.MAX_TEXT_CHARS:
        raise EmbedkitError(f"the text has {len(text):,} characters; the app takes {state.MAX_TEXT_CHARS:,}")
    data = text.encode("utf-8")
    tid = hashlib.sha256(data).hexdigest()[:32]
    path = _store() / f"{tid}.txt"
    if path.exists():
        touch(path)
    else:
        tmp = path.with_name(f".{tid}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    evict(path.parent, TEXT_STORE_MAX_BYTES, pattern="*.txt", keep=path)
    return tid


def stored_text(tid: str) -> str:
    """The text kept under ``tid``.

    Raises:
        EmbedkitError: not an id, or no longer (or never) kept here.
    """
    if _TEXT_ID.match(tid) is None:
        raise EmbedkitError("the link's text id is not one this app makes")
    path = _store() / f"{tid}.txt"
    if not path.is_file():
        raise EmbedkitError(
            "the link's text was stored on another server, or this one no longer keeps it (it keeps the most "
            f"recent {TEXT_STORE_MAX_BYTES // 2**20} MB of long texts); ask the sender for the text itself"
        )
    from embedkit.cache import touch

    touch(path)
    with open(path, "rb") as fh:
        return fh.read(_MAX_TEXT_BYTES).decode("utf-8", errors="replace")


def _link_params(text: str) -> dict[str, str]:
    """The query parameters that carry ``text``: an example set's name, else the text itself or its id."""
    memo = st.session_state.get(_LINK_MEMO)
    if memo is not None and memo[0] == text:
        return dict(memo[1])
    example = next((name for name, e in EXAMPLES.items() if text.strip() == e.text.strip()), None)
    params: dict[str, str]
    if example is not None or not text.strip():
        params = {state.EXAMPLE: example or DEFAULT_EXAMPLE}
    else:
        encoded = encode_text(text)
        params = {state.EXAMPLE: CUSTOM}
        if len(encoded) <= MAX_URL_TEXT:
            params[state.TEXT_PARAM] = encoded
        else:
            try:
                params[state.TEXT_ID_PARAM] = store_text(text)
            except (EmbedkitError, OSError) as exc:  # too long for the app, or the store cannot be written
                params = {state.EXAMPLE: CUSTOM}
                _notice(f"This page's link cannot carry your text ({exc}); a reload shows the example.")
    st.session_state[_LINK_MEMO] = (text, params)
    return dict(params)


def remember_text(text: str) -> None:
    """Put ``text`` into the URL: an example set by its name, the user's own text compressed, or by id when long."""
    params = _link_params(text)
    for name in (state.EXAMPLE, state.TEXT_PARAM, state.TEXT_ID_PARAM):
        if name in params:
            if st.query_params.get(name) != params[name]:
                st.query_params[name] = params[name]
            if name != state.EXAMPLE:
                st.session_state[state.LINK_TEXT_SEEN] = (name, params[name])
        elif name in st.query_params:
            del st.query_params[name]


def sync_text(*, home: bool = False) -> None:
    """Keep the page's URL carrying the text it shows (a page switch starts from a bare URL): Home's text area, else
    the sentences the pages embed. Called by ``widgets.page_setup`` after :func:`check_url`."""
    if home:
        text = st.session_state.get(state.TEXT)
        if text is None:  # Home's first run, before its text area: the example named in the URL, or the default
            return
        remember_text(str(text))
    else:
        lines = state.sentences()
        typed = st.session_state.get(state.TEXT)
        remember_text(str(typed) if typed is not None and split_lines(str(typed)) == lines else "\n".join(lines))


def _restore_text() -> None:
    """Bring back the sentences a link carries (once per link value), or say plainly why not.

    A text within the app's character limit always comes back into Home's text area; it becomes the sentences the
    pages embed only when Embed would take it (:func:`state.text_problem`), else the page says why.
    """
    for name, read in ((state.TEXT_PARAM, decode_text), (state.TEXT_ID_PARAM, stored_text)):
        value = st.query_params.get(name)
        if not value or st.session_state.get(state.LINK_TEXT_SEEN) == (name, value):
            continue
        st.session_state[state.LINK_TEXT_SEEN] = (name, value)
        try:
            text = read(value)
            if len(text) > state.MAX_TEXT_CHARS:
                raise EmbedkitError(f"it has {len(text):,} characters; the app takes at most {state.MAX_TEXT_CHARS:,}")
        except EmbedkitError as exc:
            _notice(f"The sentences in this link could not be restored: {exc}. Showing the example instead.")
            del st.query_params[name]
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        st.session_state[state.TEXT] = text
        st.session_state[state.EXAMPLE] = CUSTOM
        st.session_state[_LINK_MEMO] = (text, {state.EXAMPLE: CUSTOM, name: value})
        for key in (state.SENTENCES, state.EMBEDDED, state.EMBEDDED_FOR, state.SELECTED):
            st.session_state.pop(key, None)
        if problem := state.text_problem(lines):
            _notice(f"The sentences in this link are on Home, but the maps cannot show them: {problem}.")
        else:
            st.session_state[state.SENTENCES] = lines


# --- every query parameter, checked on read ------------------------------------------------------


def _number(low: float, high: float) -> Callable[[str], bool]:
    def ok(value: str) -> bool:
        try:
            x = float(value)
        except ValueError:
            return False
        return math.isfinite(x) and low <= x <= high

    return ok


def _one_of(*choices: str) -> Callable[[str], bool]:
    return lambda value: value in choices


def _word(value: str) -> bool:
    return 0 < len(value) <= 64


_BOOL = (lambda v: v.lower() in ("true", "false"), "true or false")


#: widget-bound parameters (the widgets fall back to their defaults; the page says so)
_BOUND: dict[str, tuple[Callable[[str], bool], str]] = {
    state.ALPHA: (_number(0.0, 1.0), "a number from 0 to 1"),
    state.MODE: (_one_of(*choices(FusionMode)), ", ".join(choices(FusionMode))),
    state.PROJECTION: (_one_of("UMAP", "PCA"), "UMAP or PCA"),
    state.LABELS: _BOOL,
    state.HIDE_PUNCT: _BOOL,
    state.K: (_number(3, 15), "a number from 3 to 15"),
    state.EXAMPLE: (_one_of(*EXAMPLES, CUSTOM), "one of " + ", ".join(EXAMPLES)),
    state.SPOTLIGHT: (lambda v: v == "" or _word(v), "a word of the text"),  # "": the active word clicked off
    state.SPOT_WORDNET: _BOOL,
    state.SPOT_REST: (_one_of("faded", "hidden"), "faded or hidden"),
    state.MAP_KIND: (_one_of("word map", "all words"), "word map or all words"),
    state.SPACE: (_one_of("BERT", "Static", "Fused"), "BERT, Static or Fused"),
    state.CORPUS_SPACE: (_one_of(*SPACES), ", ".join(SPACES)),
    state.CORPUS_WORD: (_word, "a word of the corpus"),
}


def _notice(message: str) -> None:
    st.session_state.setdefault(state.NOTICES, []).append(message)


def _drop(name: str, value: str, reason: str) -> None:
    seen: set[tuple[str, str]] = st.session_state.setdefault(state.NOTICED, set())
    if (name, value) not in seen:
        seen.add((name, value))
        shown = value if len(value) <= 60 else value[:57] + "..."
        _notice(f"This link's {name} = “{shown}” was ignored ({reason}); the default is used.")
    try:
        del st.query_params[name]
    except Exception:  # noqa: BLE001 - a widget-bound parameter: its widget drops the value itself
        pass


def check_url() -> None:
    """Check every query parameter before any widget reads it; restore the sentences a link carries.

    Call at the top of every page (``widgets.page_setup`` does). Unusable values are dropped (the defaults are
    used) and reported by :func:`pop_notices`.
    """
    params = st.query_params
    for name, (ok, expected) in _BOUND.items():
        value = params.get(name)
        if value is not None and not ok(value):
            _drop(name, value, f"expected {expected}")
    for name in state.MODEL_PARAMS:
        value = params.get(name)
        if value is None:
            continue
        problem = state.model_param_problem(name, value, state.uploads())
        if problem is not None:
            _drop(name, value, problem)
    _restore_text()


def pop_notices() -> list[str]:
    """What a link asked for that could not be used, each once (``widgets.page_setup`` shows them)."""
    notices: list[str] = st.session_state.pop(state.NOTICES, [])
    return notices
