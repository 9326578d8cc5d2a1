"""Ready in class, in a real browser: Home's Embed on the first screen at 1280x720, no label, formula or table cell
cut off at 1280 px on Home, Models and Evaluate, no glyph that needs an emoji font, and every page's address (a
reload, a shared link) keeps the user's own sentences.

These tests open the app with the default configuration (no ``align_k`` in the URL), so they also use the fits that
ship for it: the first Embed does not fit a map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import regex

from tests.e2e.conftest import SHOTS, assert_clean, wait_for_plots, wait_for_text, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MINE = "The owl perched on the old barn.\nAn owl hunts mice at night.\nThe barn owl sleeps by day."
#: the sidebar's pages after Home, as it names them
NAV = ("Explore", "Presenter", "Neighbours", "Fusion lab", "Models", "Evaluate", "Corpus")
EMOJI = regex.compile(r"\p{Emoji_Presentation}")

#: elements in the main area whose text is cut: ellipsised, or clipped (a formula wider than its box) by more than the
#: 1-2 px KaTeX's italic corrections overhang
CUT = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    if (!el.innerText || !el.innerText.trim() || el.clientWidth <= 2 || el.closest('.katex-mathml')) continue;
    const s = getComputedStyle(el);  // (.katex-mathml: the formula's hidden copy for screen readers)
    if (s.clip !== 'auto' && s.position === 'absolute') continue;  // other text for screen readers only
    const ellipsis = s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth;  // "OOV rate of your t…"
    const clipped = ['hidden', 'clip', 'auto', 'scroll'].includes(s.overflowX) && el.scrollWidth > el.clientWidth + 4;
    if (ellipsis || clipped) out.push(`${el.tagName}.${el.className}: ${el.innerText.slice(0, 60)}`);
  }
  return out;
}"""

#: every character the page may draw: its text, its title, its style sheets (the running cue) and its icon
GLYPHS = """() => [document.body.innerText, document.title,
  ...Array.from(document.querySelectorAll('style')).map(s => s.textContent),
  ...Array.from(document.querySelectorAll('link[rel~="icon"]')).map(l => decodeURIComponent(l.href))].join('\\n')"""


#: the hover texts of every map on the page
HOVERS = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .flatMap(p => p._fullData.flatMap(t => Array.from(t.hovertext || t.text || []).map(String)))"""


@pytest.fixture
def small(browser) -> Iterator[object]:
    """A 1280x720 window: a projector's."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def open_home(pg, server: str) -> None:  # type: ignore[no-untyped-def]
    pg.goto(f"{server}/")
    pg.get_by_role("button", name="Embed").wait_for(state="visible")
    wait_idle(pg)


def go(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    """Open a page from the sidebar menu, as a user does (opening the sidebar first where the page closed it)."""
    link = pg.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first
    expand = pg.locator('[data-testid="stExpandSidebarButton"]')
    if expand.count() and expand.first.is_visible():
        expand.first.click()
    link.click()
    wait_for_text(pg, "What am I looking at?")
    wait_idle(pg)


def cut(pg) -> list[str]:  # type: ignore[no-untyped-def]
    """What the page cuts: text clipped in the DOM, and every canvas data grid (it draws its cells on a canvas and
    cuts any cell wider than its column; the pages show their tables as DOM tables, which wrap)."""
    grids = pg.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count()
    return pg.evaluate(CUT) + [f"{grids} canvas data grid(s)"] * (grids > 0)


def test_home_embed_is_on_the_first_screen(small, server) -> None:
    open_home(small, server)
    box = small.get_by_role("button", name="Embed").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, box
    assert_clean(small)
    small.screenshot(path=str(SHOTS / "ready_home_1280x720.png"))


def test_home_cuts_nothing_at_1280(small, server) -> None:
    open_home(small, server)
    wait_for_text(small, "BERT dimension")  # the models' numbers are shown
    wait_idle(small)
    assert cut(small) == []


def test_models_and_evaluate_cut_nothing_at_1280(small, server) -> None:
    small.goto(f"{server}/Models")
    wait_for_text(small, "Loaded now")
    wait_for_text(small, "static → BERT map")  # the table of what is loaded
    wait_idle(small)
    assert cut(small) == []
    small.goto(f"{server}/Evaluate?align_k=500")  # a small map keeps the evaluation's own fit short
    wait_for_text(small, "What am I looking at?")
    wait_idle(small)
    small.get_by_role("button", name="Run evaluation").click()
    small.get_by_text("Download all results (JSON)").wait_for(state="visible", timeout=900_000)
    wait_idle(small)
    assert cut(small) == []
    assert_clean(small)


def test_a_second_session_gets_the_kept_evaluation(browser, server) -> None:
    """The results are kept for every session: another visitor's run of the same tasks shows them at once."""
    for _ in range(2):  # the first run may compute; the second session must show what the first one kept
        ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
        pg = ctx.new_page()
        pg.goto(f"{server}/Evaluate?align_k=500")
        wait_for_text(pg, "What am I looking at?")
        wait_idle(pg)
        pg.get_by_role("button", name="Run evaluation").click()
        pg.get_by_text("Download all results (JSON)").wait_for(state="visible", timeout=900_000)
        wait_idle(pg)
        assert_clean(pg)
        assert pg.locator('[data-testid="stTable"]').count() == 2  # WordSim-353 and SimLex-999
        pg.screenshot(path=str(SHOTS / "ready_evaluate_1920x1080.png"), full_page=True)
        ctx.close()


def test_no_glyph_needs_an_emoji_font(small, server) -> None:
    open_home(small, server)
    drawn = [small.evaluate(GLYPHS)]
    for name in NAV:
        go(small, name)
        drawn.append(small.evaluate(GLYPHS))
    found = sorted({c for text in drawn for c in EMOJI.findall(text)})
    assert found == [], found


def test_every_page_keeps_the_users_text_across_a_reload(browser, server) -> None:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    try:
        open_home(pg, server)
        area = pg.locator("textarea").first
        area.fill(MINE)
        area.press("Control+Enter")
        wait_idle(pg)
        pg.get_by_role("button", name="Embed").click()
        wait_for_text(pg, "Embedded 22 words in 3 sentences")
        for name in NAV:
            go(pg, name)
            pg.reload()
            wait_for_text(pg, "What am I looking at?")
            wait_idle(pg)
            assert "t=" in pg.url and "example=custom" in pg.url, (name, pg.url)
            assert pg.get_by_text("could not be restored").count() == 0
            if name in ("Explore", "Presenter"):
                wait_for_plots(pg, 1)
                hovers = pg.evaluate(HOVERS)
                assert any("barn" in h for h in hovers), (name, hovers[:5])  # a sentence of mine, not WordNet's
            elif name in ("Neighbours", "Fusion lab"):
                assert "owl" in pg.locator('[data-testid="stMain"]').inner_text(), name
            assert_clean(pg)
            go(pg, "Home")  # the reloaded session still holds the text
            assert pg.locator("textarea").first.input_value() == MINE, name
    finally:
        ctx.close()
