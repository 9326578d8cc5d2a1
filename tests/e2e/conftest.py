"""A real browser on the real app: `streamlit run app.py` on a free port, driven by Playwright + Chromium.

Chromium comes from the system (Debian's /usr/bin/chromium, installed by .ci/run), never from
`playwright install`. Outside CI the tests skip when it is missing; in CI (CI=true) they fail instead.

The helpers below wait for a positive sign of what a test needs (the figures drawn, a text shown), never for
the mere absence of a running script: a page may read "not running" before its first run has even started,
and on a fresh machine the first model load, map fit and UMAP compilation are slow.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("EMBEDKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_S = 120
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
RUN_TIMEOUT_MS = 300_000  # a cold first run: model load, static map fit (align_k=500), UMAP compilation
FAST = "align_k=500"  # the static -> BERT map is fitted on 500 words (a URL setting) to keep the first run short
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
#: the streamlit process behind each server URL (for its memory)
SERVERS: dict[str, subprocess.Popen[bytes]] = {}


def _missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server() -> str:
    """Start `streamlit run app.py` on a free port; returns its base URL once /_stcore/health answers."""
    port = _free_port()
    SHOTS.mkdir(parents=True, exist_ok=True)
    log = open(SHOTS.parent / "e2e-server.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    log.close()  # the child keeps its own handle
    url = f"http://127.0.0.1:{port}"
    SERVERS[url] = proc
    deadline = time.time() + STARTUP_S
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return url
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not become healthy within {STARTUP_S} s (exit code {proc.poll()})")
        time.sleep(0.5)


def _stop_server(url: str) -> None:
    proc = SERVERS.pop(url)
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _start_browser() -> tuple[Any, Any]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -r requirements-dev.txt)")
    playwright = sync_playwright().start()
    return playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _stop_browser(started: tuple[Any, Any]) -> None:
    playwright, browser = started
    browser.close()
    playwright.stop()


#: one server and one browser per test run, shared by every folder whose conftest offers these fixtures
#: (Playwright's sync API allows one instance per thread): name -> [value, users]
_SHARED: dict[str, list[Any]] = {}


@contextmanager
def _shared(name: str, start: Callable[[], Any], stop: Callable[[Any], None]) -> Iterator[Any]:
    entry = _SHARED.get(name)
    if entry is None:
        entry = _SHARED[name] = [start(), 0]
    entry[1] += 1
    try:
        yield entry[0]
    finally:
        entry[1] -= 1
        if entry[1] == 0:
            del _SHARED[name]
            stop(entry[0])


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """The app served by `streamlit run app.py` (one per run); yields its base URL once it answers."""
    with _shared("server", _start_server, _stop_server) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium from the system (one per run)."""
    with _shared("browser", _start_browser, _stop_browser) as started:
        yield started[1]


@pytest.fixture(scope="session", autouse=True)
def _artifacts() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


# --- helpers for every browser test ----------------------------------------------------------------


def tab(browser: Any, width: int = 1440, height: int = 1000) -> Any:
    """A new browser tab of its own context (cookies, storage) at ``width`` x ``height``; close it with
    ``pg.context.close()``."""
    pg = browser.new_context(viewport={"width": width, "height": height}).new_page()
    pg.set_default_timeout(RUN_TIMEOUT_MS)
    return pg


@pytest.fixture(scope="module")
def page(browser: Any, server: str) -> Iterator[Any]:
    """One 1440x1000 tab shared by a test module."""
    pg = tab(browser)
    yield pg
    pg.context.close()


def server_rss_mib(url: str) -> float:
    """Resident memory of the streamlit process serving ``url``, in MiB."""
    status = Path(f"/proc/{SERVERS[url].pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024


def wait_idle(pg: Any, settle_s: float = 1.0) -> None:
    """Wait until the script is not running (and stays so for ``settle_s``). Only meaningful after a positive
    sign that the run you wait for has started or finished (see :func:`wait_for_plots`, :func:`wait_for_text`)."""
    pg.wait_for_selector(IDLE, timeout=RUN_TIMEOUT_MS)
    time.sleep(settle_s)
    pg.wait_for_selector(IDLE, timeout=RUN_TIMEOUT_MS)


def wait_for_text(pg: Any, text: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until ``text`` is visible on the page."""
    pg.get_by_text(text).first.wait_for(state="visible", timeout=timeout_ms)


def wait_for_plots(pg: Any, n: int, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until ``n`` Plotly figures are drawn with data, and the script is idle."""
    pg.wait_for_function(
        "n => { const p = document.querySelectorAll('.js-plotly-plot');"
        " return p.length >= n && Array.from(p).every(f => f._fullData && f._fullData.length > 0); }",
        arg=n,
        timeout=timeout_ms,
    )
    wait_idle(pg, settle_s=0.5)


def wait_for_change(
    pg: Any, read: Callable[[], object], before: object, timeout_s: float = RUN_TIMEOUT_MS / 1000
) -> object:
    """Poll ``read()`` until it differs from ``before``; returns the new value (fails after ``timeout_s``)."""
    deadline = time.time() + timeout_s
    while True:
        now = read()
        if now != before:
            return now
        assert time.time() < deadline, "the page did not change"
        time.sleep(0.25)


def open_page(pg: Any, server: str, path: str, query: str = FAST, *, plots: int = 0, text: str | None = None) -> None:
    """Open a page and wait until it is ready: its explainer is shown, and ``plots`` figures or ``text`` if given."""
    pg.goto(f"{server}/{path}?{query}")
    wait_for_text(pg, text or "What am I looking at?")
    if plots:
        wait_for_plots(pg, plots)
    else:
        wait_idle(pg)


def shot(pg: Any, name: str, *, height: int | None = None) -> Path:
    """Screenshot the whole app (the main area scrolls inside the page, so grow the viewport first)."""
    path = SHOTS / f"{name}.png"
    size = pg.viewport_size
    if height is None:
        height = pg.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]') ||"
            " document.querySelector('section.main'); return m ? m.scrollHeight : document.body.scrollHeight; }"
        )
    pg.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 6000))})
    time.sleep(0.8)
    pg.screenshot(path=str(path), full_page=True)
    pg.set_viewport_size(size)
    return path


def assert_clean(pg: Any) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, "a traceback is shown"


def plot_x(pg: Any, index: int) -> list[float]:
    """The x coordinates of every point of the ``index``-th figure (the selection ring left out)."""
    return pg.evaluate(
        "i => { const p = document.querySelectorAll('.js-plotly-plot')[i];"
        " return p ? p._fullData.filter(t => t.name !== 'selected').flatMap(t => Array.from(t.x || [])) : []; }",
        index,
    )


def plot_words(pg: Any, index: int = 0) -> set[str]:
    """The words of every point of the ``index``-th map (from the hover texts)."""
    hovers = pg.evaluate(
        "i => { const p = document.querySelectorAll('.js-plotly-plot')[i];"
        " return p ? p._fullData.flatMap(t => Array.from(t.hovertext || [])) : []; }",
        index,
    )
    return {h.split("  (sentence")[0] for h in hovers}
