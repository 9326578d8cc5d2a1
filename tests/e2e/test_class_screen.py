"""The map pages on a class's screens, in a real browser: what play alpha shows frame by frame, a spotlight clicked
off, the first screen of Explore at 1280x720 (a map, nothing cut off), the presenter's map filling a 1080p screen, and
text and dots big enough for a projector. Screenshots: artifacts/screenshots/class_*.png."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import FAST, RUN_TIMEOUT_MS, SHOTS, assert_clean, open_page, wait_idle
from tests.e2e.test_lecturer import open_with_umap

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MONEY = "a financial institution that accepts deposits and channels the money into lending activities"

# every title-like text a map shows on screen: plotly's layout title and any text drawn above the plot area
VISIBLE_TITLES = """p => {
  const top = p.querySelector('.cartesianlayer .bg, .bglayer rect');
  const y0 = top ? top.getBoundingClientRect().top : 0;
  const texts = Array.from(p.querySelectorAll('.gtitle, .textpoint'));
  return texts.filter(t => t.getBoundingClientRect().bottom <= y0 + 2 && t.textContent.trim())
              .map(t => t.textContent.trim());
}"""


@pytest.fixture
def context(browser) -> Iterator[Any]:
    """A fresh browser context per test (each sets its own screen size)."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    yield ctx
    ctx.close()


def new_page(ctx: Any, width: int, height: int) -> Any:
    pg = ctx.new_page()
    pg.set_viewport_size({"width": width, "height": height})
    pg.set_default_timeout(RUN_TIMEOUT_MS)
    return pg


def spotlight(pg: Any) -> Any:
    return pg.locator('[data-testid="stButtonGroup"]').filter(has_text="Spotlight a word")


@pytest.fixture
def page_at(context, server):  # type: ignore[no-untyped-def]
    """Open ``path`` at a screen size, its maps drawn: ``page_at(path, width, height, query, umap=False)``."""

    def open_at(path: str, width: int, height: int, query: str = FAST, *, umap: bool = False) -> Any:
        pg = new_page(context, width, height)
        if umap:
            open_with_umap(pg, server, path, query)
        else:
            open_page(pg, server, path, query, plots=1)
        assert_clean(pg)
        return pg

    return open_at


@pytest.mark.parametrize("view", ["all+words", "word+map"])
def test_play_alpha_shows_the_alpha_of_every_frame_on_screen(page_at, view) -> None:
    pg = page_at("Explore", 1440, 1000, f"{FAST}&proj=PCA&alpha=0.3&map={view}")
    fused = pg.locator(".js-plotly-plot").filter(has=pg.locator(".updatemenu-button"))
    assert fused.count() == 1
    # record what the fused map's title shows on screen at every animation frame of the browser
    fused.evaluate(
        "(p, read) => { window.__seen = []; const f = new Function('return ' + read)();"
        " const tick = () => { window.__seen.push(f(p).join(' | ')); if (window.__seen.length < 4000)"
        " requestAnimationFrame(tick); }; requestAnimationFrame(tick); }",
        VISIBLE_TITLES,
    )
    fused.locator(".updatemenu-button").first.click()
    alphas: list[str] = []
    end = time.time() + 60
    while time.time() < end:
        seen = [t.rsplit("α=", 1)[1][:4] for t in fused.evaluate("() => window.__seen") if "α=" in t]
        alphas = [a for n, a in enumerate(seen) if n == 0 or a != seen[n - 1]]  # each title once, in order
        if "1.00" in alphas and alphas[-1] == "0.30":  # through to BERT, then back to the slider's alpha
            break
        time.sleep(0.2)
    assert "0.00" in alphas and "1.00" in alphas, alphas  # the title said static, then BERT...
    assert len(set(alphas)) >= 6, alphas  # ...and the alphas between, frame by frame
    assert alphas[-1] == "0.30", alphas  # ...and came back to the slider's alpha
    assert "exact morph" in fused.locator(".updatemenu-button").first.text_content()


def test_clicking_the_active_spotlight_turns_it_off_without_a_notice(page_at) -> None:
    pg = page_at("Explore", 1440, 1000, f"{FAST}&proj=PCA")
    words = spotlight(pg).get_by_role("radio")
    assert words.filter(has_text="bank").first.get_attribute("aria-checked") == "true"
    words.filter(has_text="bank").first.click()
    pg.wait_for_function(
        "() => Array.from(document.querySelectorAll('[role=radio]')).some("
        "b => b.innerText.trim() === 'every word' && b.getAttribute('aria-checked') === 'true')"
    )
    wait_idle(pg)
    alerts = pg.locator('[data-testid="stAlert"]').all_inner_texts()
    assert not [a for a in alerts if "ignored" in a], alerts
    assert "spot=every" in pg.url, pg.url
    disabled = pg.locator('[data-testid="stMain"] [aria-disabled="true"], [data-testid="stMain"] input:disabled')
    assert disabled.count() == 0, disabled.evaluate_all("es => es.map(e => e.outerHTML.slice(0, 120))")
    assert_clean(pg)


def cut_off(pg: Any) -> list[str]:
    """Texts shown cut off: a widget label, a legend item or a table cell narrower than its text."""
    return pg.evaluate(
        """() => {
      const out = [];
      const sel = '[data-testid="stWidgetLabel"] p, [data-testid="stWidgetLabel"] div, [data-testid="stTable"] td,'
        + ' [data-testid="stTable"] th, [data-testid="stCheckbox"] p, [data-testid="stMarkdownContainer"] span';
      for (const e of document.querySelectorAll('[data-testid="stMain"] ' + sel.split(',').join(', [data-testid="stMain"] '))) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
          out.push(e.innerText.slice(0, 60));
        if (e.innerText.trim().endsWith('…') && !e.closest('[data-testid="stTable"]')) out.push(e.innerText.slice(0, 60));
      }
      return out;
    }"""
    )


@pytest.mark.parametrize("view", ["all+words", "word+map"])
def test_explore_at_1280x720_shows_a_map_on_the_first_screen_and_cuts_nothing_off(page_at, view) -> None:
    pg = page_at("Explore", 1280, 720, f"{FAST}&map={view}", umap=True)
    boxes = pg.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => p.getBoundingClientRect())"
        ".map(r => ({y: r.top, h: r.height, w: r.width}))"
    )
    whole = [b for b in boxes if b["y"] >= 0 and b["y"] + b["h"] <= 720 and b["h"] >= 300 and b["w"] >= 300]
    assert len(whole) == 3, f"the maps are not whole on the first screen: {boxes}"
    pg.screenshot(path=str(SHOTS / f"class_explore_{view.replace('+', '_')}_1280x720.png"))
    main = pg.locator('[data-testid="stMain"]').inner_text()
    assert MONEY in main  # the legend names each sense in full
    if view == "all+words":
        sentences = pg.locator('[data-testid="stTable"]').filter(has_text="in sentence")
        assert sentences.count() == 3  # the neighbour lists: a table per space, the sentence column shown
    assert not cut_off(pg), cut_off(pg)
    sizes = pg.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot .textpoint text'))"
        ".map(t => parseFloat(getComputedStyle(t).fontSize)).filter(x => x > 0)"
    )
    assert sizes and min(sizes) >= 16, sizes  # labels a room can read at 720p


def test_presenter_fills_a_1080p_screen_with_big_text_and_dots(page_at) -> None:
    pg = page_at("Presenter", 1920, 1080, f"{FAST}&space=BERT", umap=True)
    box = pg.locator(".js-plotly-plot").first.bounding_box()
    assert box["height"] >= 0.8 * 1080, box
    assert box["y"] + box["height"] <= 1080, box
    table = pg.locator('[data-testid="stTable"]').first.bounding_box()
    assert table["y"] + table["height"] <= 1080, table
    text = pg.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot .textpoint text'))"
        ".map(t => parseFloat(getComputedStyle(t).fontSize)).filter(x => x > 0)"
    )
    dots = pg.evaluate(
        "() => document.querySelector('.js-plotly-plot')._fullData.filter(t => (t.mode || '').includes('markers')"
        " && t.name !== 'selected').map(t => t.marker.size)"
    )
    assert text and min(text) >= 20, text
    assert dots and min(dots) >= 12, dots
    pg.screenshot(path=str(SHOTS / "class_presenter_1920x1080.png"))
    pg.set_viewport_size({"width": 1280, "height": 720})
    time.sleep(1.5)
    box = pg.locator(".js-plotly-plot").first.bounding_box()
    assert box["y"] + box["height"] <= 720 and box["height"] >= 0.75 * 720, box
    pg.screenshot(path=str(SHOTS / "class_presenter_1280x720.png"))
