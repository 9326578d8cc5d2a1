"""Alpha slider latency in a real browser: key press on the slider -> the fused map redrawn (prints a table).

Starts ``streamlit run app.py`` on a free port, drives Debian's Chromium through Playwright, embeds about 2,000 words
of gensim's Lee corpus (the same text as ``interaction_latency.py``) on Home, opens Explore (the default spotlight,
every word on the maps) and presses the arrow key on the alpha slider; the clock stops when the fused map's title
shows the new alpha (plotly has redrawn it). The first move is reported apart (it may still pay for caches), then the
median and worst of the others. Peers measured in the same run: the same move on the 71-word polysemy example, and a
full-page rerun of the 2,000-word Explore page (the "Word labels" toggle: every map, table and control redrawn).

Usage:
    python bench/browser_latency.py [--words 2000] [--moves 12]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHROMIUM = os.environ.get("EMBEDKIT_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
FUSED_TITLE = (
    "() => { const p = Array.from(document.querySelectorAll('.js-plotly-plot'))"
    ".find(p => p.layout && p.layout.meta && p.layout.meta.space === 'fused'); return p ? p.layout.title.text : ''; }"
)
TIMEOUT_MS = 600_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def idle(pg) -> None:  # type: ignore[no-untyped-def]
    pg.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    time.sleep(1.0)
    pg.wait_for_selector(IDLE, timeout=TIMEOUT_MS)


def open_explore(pg) -> None:  # type: ignore[no-untyped-def]
    """Go to Explore within the session (a page load would start a new session without the text)."""
    pg.get_by_role("link", name="Explore").first.click()
    pg.wait_for_function(f"() => ({FUSED_TITLE})().includes('α=')", timeout=TIMEOUT_MS)
    idle(pg)
    while pg.get_by_text("UMAP is still warming up").count():  # compiled once per server; then the maps are UMAP
        time.sleep(5)
        pg.get_by_role("link", name="Explore").first.click()
        pg.wait_for_function(f"() => ({FUSED_TITLE})().includes('α=')", timeout=TIMEOUT_MS)
        idle(pg)


def move_alpha(pg, key: str) -> float:  # type: ignore[no-untyped-def]
    """Press ``key`` on the alpha slider; milliseconds until the fused map shows the new alpha."""
    before = pg.evaluate(FUSED_TITLE)
    alpha = float(before.split("α=")[1][:4])
    target = f"α={alpha + (0.05 if key == 'ArrowRight' else -0.05):.2f}"
    pg.get_by_role("slider", name="alpha — weight of BERT").focus()
    start = time.perf_counter()
    pg.keyboard.press(key)
    pg.wait_for_function(f"t => ({FUSED_TITLE})().includes(t)", arg=target, timeout=TIMEOUT_MS, polling=10)
    elapsed = (time.perf_counter() - start) * 1000
    idle(pg)
    return elapsed


def alpha_moves(pg, moves: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for n in range(moves):
        out.append(move_alpha(pg, "ArrowRight" if n % 2 == 0 else "ArrowLeft"))
    return out


def full_rerun(pg, times: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Toggle "Word labels" (a sidebar control outside the fragment): the whole page runs and redraws."""
    out = []
    for _ in range(times):
        start = time.perf_counter()
        pg.get_by_text("Word labels", exact=True).click()
        try:
            pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="running"]', timeout=5000)
        except Exception:  # noqa: BLE001 - a run shorter than the polling: it is over already
            pass
        pg.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
        out.append((time.perf_counter() - start) * 1000)
        time.sleep(1.0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=2000)
    ap.add_argument("--moves", type=int, default=12)
    args = ap.parse_args()
    from interaction_latency import corpus
    from playwright.sync_api import sync_playwright

    text = "\n".join(corpus(args.words))
    port = free_port()
    server = start_server(port)
    rows: list[tuple[str, list[float]]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            pg = browser.new_page(viewport={"width": 1440, "height": 1000})
            pg.set_default_timeout(TIMEOUT_MS)
            base = f"http://127.0.0.1:{port}"
            pg.goto(f"{base}/?align_k=500")  # the small example first: peer
            idle(pg)
            open_explore(pg)
            small = alpha_moves(pg, args.moves)
            pg.get_by_role("link", name="Home").first.click()
            idle(pg)
            pg.locator("textarea").first.fill(text)
            pg.get_by_role("button", name="Embed").click()
            pg.get_by_text("Embedded").first.wait_for(timeout=TIMEOUT_MS)
            n_words = pg.get_by_text("Embedded").first.inner_text().split()[1]
            open_explore(pg)
            big = alpha_moves(pg, args.moves + 1)
            rerun = full_rerun(pg, max(3, args.moves // 3))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows = [
        (f"alpha key press -> fused map redrawn, {n_words} words: first move", big[:1]),
        (f"alpha key press -> fused map redrawn, {n_words} words: later moves", big[1:]),
        ("peer: same, polysemy example (71 words)", small),
        (f"peer: full-page rerun of Explore, {n_words} words (Word labels toggle)", rerun),
    ]
    peer = statistics.median(rerun)
    load = os.getloadavg()[0]
    print(f"Chromium (headless, software rendering) on {os.cpu_count()} CPUs, load average {load:.1f} after the run")
    print("target: alpha move at 2,000 words, median <= 500 ms\n")
    w = max(len(name) for name, _ in rows)
    print(f"{'what':<{w}}  {'median ms':>9}  {'worst ms':>8}  {'n':>3}  {'vs full rerun':>13}")
    print("-" * (w + 43))
    for name, values in rows:
        med = statistics.median(values)
        print(f"{name:<{w}}  {med:9.0f}  {max(values):8.0f}  {len(values):3d}  {med / peer:12.2f}x")


if __name__ == "__main__":
    main()
