"""Cold start: the first Embed on an empty cache folder against a warm one, in the app and on the command line.

Every measurement starts a fresh process, so cold and warm pay the same imports and model load; the only difference
is the cache folder (``$EMBEDKIT_CACHE_DIR``): empty (a fresh machine) or filled by the cold run before it. Runs
alternate cold, warm, cold, warm, ... so both see the same load; the table prints medians and the ratio cold / warm.

- ``cli``: ``python -m embedkit embed`` of the polysemy pair, wall time of the whole process.
- ``app``: ``streamlit run app.py`` and headless Chromium (``/usr/bin/chromium`` via Playwright): the time from the
  start of the server process to the first page ready (Home's text and Embed button on screen: the user can press
  it), then Embed pressed at once and the time until "Embedded N words" shows (it waits for the model load the
  server began at start, then fits what is not cached, then embeds). The first page is also compared with a peer
  measured in the same run: a bare Streamlit page with a text area and a button, served and opened the same way.

Usage:
    python bench/cold_start.py [--stage cli|app|all] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("EMBEDKIT_CHROMIUM", "/usr/bin/chromium")
TEXTS = ["I sat on the river bank.", "The bank raised its interest rates."]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def env(cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "EMBEDKIT_CACHE_DIR": str(cache),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }


def cli_once(cache: Path) -> dict[str, float]:
    """Wall time of one ``embed`` command in a fresh process."""
    out = cache.parent / f"{cache.name}-out.jsonl"  # a regular file: the CLI refuses to replace a device (/dev/null)
    cmd = [sys.executable, "-m", "embedkit", "embed", *[a for t in TEXTS for a in ("--text", t)], "-o", str(out)]
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env(cache), check=True, capture_output=True)
    return {"embed command": time.perf_counter() - start}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: the peer for the first page: a bare Streamlit page with the same two widgets, served and opened the same way
BARE_APP = """import streamlit as st
st.title("A bare Streamlit page")
st.text_area("One sentence per line", "I sat on the river bank.")
st.button("Embed")
"""


def app_once(cache: Path, browser: object, *, script: Path | None = None) -> dict[str, float]:
    """Start the app (or ``script``, a page without Embed's work), open it, press Embed as soon as the page is ready;
    the times of each step."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(cache.parent / f"server-{port}.log", "w")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or "app.py"), "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env=env(cache),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}")
        healthy = time.perf_counter() - start
        page = browser.new_page(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
        page.goto(url)
        button = page.get_by_role("button", name="Embed")
        button.wait_for(state="visible", timeout=600_000)
        page.locator("textarea").first.wait_for(state="visible", timeout=600_000)
        ready = time.perf_counter() - start
        if script is not None:
            page.close()
            return {"server healthy": healthy, "first page ready": ready}
        clicked = time.perf_counter()
        button.click()
        page.get_by_text(re.compile(r"^Embedded \d")).first.wait_for(state="visible", timeout=900_000)
        embedded = time.perf_counter() - clicked
        page.get_by_text("BERT dimension").first.wait_for(state="visible", timeout=900_000)
        page.wait_for_selector(IDLE, timeout=900_000)
        page.close()
        return {
            "server healthy": healthy,
            "first page ready": ready,
            "first Embed (pressed at once)": embedded,
            "start to embedded": ready + embedded,
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def run_pairs(once: Callable[[Path], dict[str, float]], runs: int) -> tuple[dict[str, list[float]], ...]:
    """``runs`` pairs (cold on a new empty cache folder, then warm on the same folder), alternating."""
    cold: dict[str, list[float]] = {}
    warm: dict[str, list[float]] = {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="embedkit-cold-") as tmp:
            cache = Path(tmp) / "cache"
            cache.mkdir()
            for name, value in once(cache).items():
                cold.setdefault(name, []).append(value)
            for name, value in once(cache).items():
                warm.setdefault(name, []).append(value)
    return cold, warm


def table(title: str, cold: dict[str, list[float]], warm: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"{'step':32} {'cold (s)':>10} {'warm (s)':>10} {'cold / warm':>12}   runs (cold | warm)")
    for name in cold:
        c, w = statistics.median(cold[name]), statistics.median(warm[name])
        runs = " ".join(f"{x:.1f}" for x in cold[name]) + " | " + " ".join(f"{x:.1f}" for x in warm[name])
        print(f"{name:32} {c:10.2f} {w:10.2f} {c / w:12.2f}   {runs}")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", choices=("cli", "app", "all"), default="all")
    parser.add_argument("--runs", type=int, default=2, help="cold/warm pairs (default 2)")
    args = parser.parse_args()
    print(f"load average before: {loadavg()} ({os.cpu_count()} CPUs)")
    if args.stage in ("cli", "all"):
        table(
            "command line: python -m embedkit embed (2 sentences), fresh process each", *run_pairs(cli_once, args.runs)
        )
        print(f"load average: {loadavg()}")
    if args.stage in ("app", "all"):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                cold, warm = run_pairs(lambda cache: app_once(cache, browser), args.runs)
                with tempfile.TemporaryDirectory(prefix="embedkit-bare-") as tmp:
                    bare = Path(tmp) / "bare_app.py"
                    bare.write_text(BARE_APP, encoding="utf-8")
                    peer = [app_once(Path(tmp), browser, script=bare)["first page ready"] for _ in range(args.runs)]
            finally:
                browser.close()
        table("app: streamlit run app.py, Chromium at 1280x720, Embed pressed as soon as Home is ready", cold, warm)
        home = statistics.median(cold["first page ready"] + warm["first page ready"])
        print(
            f"first page ready: embedkit's Home {home:.2f} s against a bare Streamlit page (a text area and a button) "
            f"{statistics.median(peer):.2f} s: {home / statistics.median(peer):.2f}x "
            f"(runs: {' '.join(f'{x:.1f}' for x in peer)})"
        )
        print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
