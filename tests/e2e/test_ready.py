"""Ready in class, in a real browser: Home's Embed on the first screen at 1280x720, no label, formula or table cell
cut off at 1280 px on Home, Models and Evaluate, no glyph that needs an emoji font, and every page's address (a
reload, a shared link) keeps the user's own sentences.

These tests open the app with the default configuration (no ``align_k`` in the URL), so they also use the fits that
ship for it: the first Embed does not fit a map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import regex

from tests.e2e.conftest import SHOTS, assert_clean, plot_words, wait_for_plots, wait_for_text, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MINE = "The owl perched on the old barn.\nAn owl hunts mice at night.\nThe barn owl sleeps by day."
#: the sidebar's pages after Home, as it names them
NAV = ("Explore", "Presenter", "Neighbours", "Fusion lab", "Models", "Evaluate", "Corpus")
EMOJI = regex.compile(r"\p{Emoji_Presentation}")

#: elements in the main area whose text is cut: clipped or ellipsised, or a formula wider than its box
CUT = """() => {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const out = [];
  for (const el of main.querySelectorAll('*')) {
    if (!el.innerText || !el.innerText.trim() || el.clientWidth === 0) continue;
    const s = getComputedStyle(el);
    const clips = s.textOverflow === 'ellipsis' || ['hidden', 'clip', 'auto', 'scroll'].includes(s.overflowX);
    if (clips && el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName}.${el.className}: ${el.innerText.slice(0, 60)}`);
  }
  return out;
}"""

#: every character the page may draw: its text, its title, its style sheets (the running cue) and its icon
GLYPHS = """() => [document.body.innerText, document.title,
  ...Array.from(document.querySelectorAll('style')).map(s => s.textContent),
  ...Array.from(document.querySelectorAll('link[rel~="icon"]')).map(l => decodeURIComponent(l.href))].join('\\n')"""


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
    """Open a page from the sidebar menu, as a user does."""
    pg.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first.click()
    wait_for_text(pg, "What am I looking at?")
    wait_idle(pg)


def test_home_embed_is_on_the_first_screen_and_nothing_is_cut(small, server) -> None:
    open_home(small, server)
    box = small.get_by_role("button", name="Embed").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720, box
    wait_for_text(small, "BERT dimension")  # the models, loaded in the background since the server started
    wait_idle(small)
    assert small.evaluate(CUT) == []
    assert_clean(small)
    small.screenshot(path=str(SHOTS / "ready_home_1280x720.png"))


def test_models_and_evaluate_cut_nothing_at_1280(small, server) -> None:
    small.goto(f"{server}/Models")
    wait_for_text(small, "Loaded now")
    wait_for_text(small, "static → BERT map")  # the table of what is loaded
    wait_idle(small)
    assert small.evaluate(CUT) == []
    small.goto(f"{server}/Evaluate?align_k=500")  # a small map keeps the evaluation's own fit short
    wait_for_text(small, "What am I looking at?")
    wait_idle(small)
    small.get_by_role("button", name="Run evaluation").click()
    small.locator('[data-testid="stTable"]').first.wait_for(state="visible", timeout=900_000)
    wait_idle(small)
    assert small.evaluate(CUT) == []
    assert_clean(small)


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
                assert "owl" in plot_words(pg, 0), name
            elif name in ("Neighbours", "Fusion lab"):
                assert "owl" in pg.locator('[data-testid="stMain"]').inner_text(), name
            assert_clean(pg)
            go(pg, "Home")  # the reloaded session still holds the text
            assert pg.locator("textarea").first.input_value() == MINE, name
    finally:
        ctx.close()
