"""The app in a real browser: every page renders, alpha moves the fused map, a bad file shows an error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, SHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The static -> BERT map is fitted on 500 words (a URL setting) to keep the first embedding short.
FAST = "align_k=500"
RUN_TIMEOUT_MS = 240_000
WARM_UP_S = 300  # numba compiles UMAP once per server (10-40 s; longer on a busy machine)
PAGES = {
    "home": "",
    "explore": "Explore",
    "neighbours": "Neighbours",
    "fusion_lab": "Fusion_lab",
    "models": "Models",
}
if (ROOT / "pages" / "6_Evaluate.py").exists():
    PAGES["evaluate"] = "Evaluate"


@pytest.fixture(scope="module")
def page(browser, server) -> Iterator[object]:
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(RUN_TIMEOUT_MS)
    yield pg
    ctx.close()


def wait_idle(pg, settle_s: float = 1.0) -> None:
    """Wait until the script has finished running (and stays finished for ``settle_s``)."""
    idle = '[data-testid="stApp"][data-test-script-state="notRunning"]'
    pg.wait_for_selector(idle, timeout=RUN_TIMEOUT_MS)
    time.sleep(settle_s)
    pg.wait_for_selector(idle, timeout=RUN_TIMEOUT_MS)


def open_page(pg, server: str, path: str, query: str = FAST) -> None:
    pg.goto(f"{server}/{path}?{query}")
    pg.wait_for_selector('[data-testid="stApp"]')
    wait_idle(pg)


def shot(pg, name: str, *, height: int | None = None) -> Path:
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


def assert_clean(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0, "a traceback is shown"


def fused_x(pg) -> list[float]:
    return pg.evaluate(
        "() => { const p = document.querySelectorAll('.js-plotly-plot')[2];"
        " return p._fullData.filter(t => t.name !== 'selected').flatMap(t => Array.from(t.x || [])); }"
    )


def test_home_embeds_the_example(page, server) -> None:
    open_page(page, server, "")
    assert_clean(page)
    assert page.get_by_text("embedkit — words as vectors").count() == 1
    assert "river bank" in page.locator("textarea").first.input_value()
    page.get_by_role("button", name="Embed").click()
    page.get_by_text("Embedded 71 words in 8 sentences").wait_for()
    wait_idle(page)
    assert_clean(page)
    shot(page, "home")


def test_explore_alpha_slider_moves_the_fused_map(page, server) -> None:
    open_page(page, server, "Explore")
    assert_clean(page)
    assert page.locator(".js-plotly-plot").count() == 3
    before = fused_x(page)
    slider = page.get_by_role("slider", name="alpha — weight of BERT")
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.get_by_text("α=0.70").first.wait_for()
    wait_idle(page)
    after = fused_x(page)
    assert len(after) == len(before) > 0
    assert after != before, "the fused map did not change when alpha moved"
    assert "alpha=0.7" in page.url
    assert_clean(page)


def test_explore_umap_after_the_warm_up(page, server) -> None:
    """UMAP compiles in the background at server start; once done, maps use it and alpha moves re-lay it out."""
    deadline = time.time() + WARM_UP_S
    while True:
        open_page(page, server, "Explore", f"{FAST}&alpha=0.5")
        if page.get_by_text("UMAP is still warming up").count() == 0:
            break
        assert time.time() < deadline, f"UMAP warm-up took more than {WARM_UP_S} s"
        time.sleep(5)
    assert page.get_by_text("projection UMAP 2-D").count() == 1
    before = fused_x(page)
    page.get_by_role("slider", name="alpha — weight of BERT").focus()
    page.keyboard.press("ArrowLeft")
    page.get_by_text("α=0.45").first.wait_for()
    wait_idle(page)
    assert fused_x(page) != before
    assert_clean(page)
    shot(page, "explore")


def test_clicking_a_point_selects_it_in_all_three_maps(page, server) -> None:
    open_page(page, server, "Explore")
    point = page.locator(".js-plotly-plot").nth(0).locator(".scatterlayer .trace .points path").nth(20)
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    time.sleep(1.0)
    wait_idle(page)
    rings = page.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(p => p._fullData.filter(t => t.name === 'selected').map(t => Array.from(t.text).join()).join())"
    )
    assert len(rings) == 3 and rings[0] and rings[0] == rings[1] == rings[2], rings
    word = rings[0].replace("<b>", "").replace("</b>", "")
    picker = page.locator('[data-testid="stSelectbox"]').first.evaluate(
        "e => e.textContent + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' ')"
    )
    assert f"{word} — s" in picker, f"the occurrence picker did not follow the click: {picker!r}"
    assert_clean(page)


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_explore_is_readable_at_common_sizes(browser, server, size) -> None:
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    pg = ctx.new_page()
    pg.set_default_timeout(RUN_TIMEOUT_MS)
    open_page(pg, server, "Explore")
    assert_clean(pg)
    widths = pg.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => p.clientWidth)")
    assert len(widths) == 3 and min(widths) >= 250, widths
    pg.screenshot(path=str(SHOTS / f"explore_{size[0]}x{size[1]}.png"))
    ctx.close()


@pytest.mark.parametrize("name", [n for n in PAGES if n not in ("home", "explore")])
def test_page_renders(page, server, name) -> None:
    open_page(page, server, PAGES[name])
    assert_clean(page)
    assert page.get_by_text("What am I looking at?").count() >= 1
    shot(page, name)


def test_corrupt_vectors_upload_shows_an_error(page, server, tmp_path) -> None:
    open_page(page, server, "Models")
    page.get_by_text("upload a vectors file").click()
    wait_idle(page)
    bad = tmp_path / "broken.vec"
    bad.write_bytes(b"3 50\nthe 0.1 0.2\nthis is not a vector file\n")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="broken.vec")
    error.wait_for()
    assert "Cannot use this vectors file" in error.inner_text()
    assert_clean(page)
    shot(page, "models_bad_file")
    # the app keeps working: another page still renders
    open_page(page, server, "Neighbours")
    assert_clean(page)
