"""The lecturer's walk in a real browser, on the default (polysemy) example: spotlight *bank*, read the sense numbers,
check that the maps tell the truth (identical static words on one spot; fused at alpha 1 / 0 = BERT / static), play
alpha, and screenshot the presenter's view at 1280x720 and 1920x1080 (artifacts/screenshots/presenter_*.png)."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import FAST, RUN_TIMEOUT_MS, SHOTS, assert_clean, open_page, tab, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WARM_UP_S = 300
ALL_WORDS = "map=all+words"  # the map of all the text's words (a spotlighted word opens on its own map)
BANKS = (5, 12, 26)  # the three occurrences of "bank" (river, money, money)

# id -> [x, y] of every point of each map, keyed by the map's space (from layout.meta), selection ring left out
READ_MAPS = """() => Object.fromEntries(Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => {
  const pts = {};
  p._fullData.filter(t => t.name !== 'selected' && t.name !== 'title').forEach(t => {
    const ids = Array.from(t.customdata || []), xs = Array.from(t.x || []), ys = Array.from(t.y || []);
    ids.forEach((id, n) => { pts[id] = [xs[n], ys[n]]; });
  });
  const title = p._fullData.find(t => t.name === 'title');
  return [p.layout.meta.space, {alpha: p.layout.meta.alpha, title: title ? title.text[0] : '', points: pts}];
}))"""


def sense_numbers(pg) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The sense tables on the page joined: row name -> one cell per space (the header row is named "")."""
    tables = pg.locator('[data-testid="stTable"]').evaluate_all(
        "ts => ts.map(t => Array.from(t.querySelectorAll('tr')).map(r => Array.from(r.children).map(c => c.innerText.trim())))"
    )
    out: dict[str, list[str]] = {}
    for rows in tables:
        for r in rows:
            out.setdefault(r[0], []).extend(r[1:])
    return out


def open_with_umap(pg, server: str, path: str, query: str = FAST) -> None:
    """Open a page once UMAP has compiled (the maps use PCA until then)."""
    deadline = time.time() + WARM_UP_S
    while True:
        open_page(pg, server, path, query, plots=1)
        if pg.get_by_text("UMAP is still warming up").count() == 0:
            return
        assert time.time() < deadline, f"UMAP warm-up took more than {WARM_UP_S} s"
        time.sleep(5)


def press_alpha(pg, key: str, times: int, title: str) -> dict:
    """Move the alpha slider with the keyboard, wait until the fused map's title shows ``title``, read the maps."""
    slider = pg.get_by_role("slider", name="alpha — weight of BERT")
    slider.focus()
    for _ in range(times):
        pg.keyboard.press(key)
    pg.wait_for_function(
        "t => Array.from(document.querySelectorAll('.js-plotly-plot')).some(p => p._fullData.some("
        "d => d.name === 'title' && d.text[0].includes(t)))",
        arg=title,
        timeout=RUN_TIMEOUT_MS,
    )
    wait_idle(pg)
    return pg.evaluate(READ_MAPS)


def test_spotlight_bank_shows_the_sense_numbers_per_space(page, server) -> None:
    open_with_umap(page, server, "Explore", f"{FAST}&{ALL_WORDS}")
    assert_clean(page)
    picked = (
        page.locator('[data-testid="stButtonGroup"]')
        .filter(has_text="Spotlight a word")
        .locator("button[aria-checked='true'], button[aria-pressed='true'], button[kind*='Active']")
    )
    assert picked.count() == 1 and picked.inner_text().strip() == "bank", picked.all_inner_texts()
    table = sense_numbers(page)
    assert table[""] == ["BERT", "static", "fused α=0.50"], table
    assert set(table) >= {"cosine, same sense", "cosine, different senses", "nearest is same sense", "… by chance"}
    same, cross = table["cosine, same sense"], table["cosine, different senses"]
    assert same[1] == cross[1] == "1.00"  # static: one vector for every bank
    assert float(same[0]) > float(cross[0])  # BERT: the money banks closer to each other than to the river bank
    maps = page.evaluate(READ_MAPS)
    assert set(maps) == {"bert", "static", "fused"}
    assert all(str(i) in maps["bert"]["points"] for i in BANKS)


def test_identical_static_words_share_coordinates(page, server) -> None:
    open_page(page, server, "Explore", f"{FAST}&spot=every+word", plots=1)
    maps = page.evaluate(READ_MAPS)
    static, bert = maps["static"]["points"], maps["bert"]["points"]
    assert len({tuple(static[str(i)]) for i in BANKS}) == 1
    assert len({tuple(bert[str(i)]) for i in BANKS}) == 3
    the = [i for i, xy in static.items() if xy == static[str(3)]]  # "the" occurs five times
    assert len(the) >= 5


def test_fused_coordinates_at_alpha_one_and_zero_are_the_bert_and_static_ones(page, server) -> None:
    open_page(page, server, "Explore", f"{FAST}&alpha=0.5&{ALL_WORDS}", plots=1)
    maps = press_alpha(page, "ArrowRight", 10, "α=1.00")
    assert maps["fused"]["alpha"] == 1.0
    assert maps["fused"]["points"] == maps["bert"]["points"]
    maps = press_alpha(page, "ArrowLeft", 20, "α=0.00")
    assert maps["fused"]["alpha"] == 0.0
    static = maps["static"]["points"]
    assert static and all(maps["fused"]["points"][i] == xy for i, xy in static.items())
    assert "alpha=0" in page.url
    assert_clean(page)


def test_play_alpha_runs_through_the_frames(page, server) -> None:
    open_page(page, server, "Explore", f"{FAST}&alpha=0.3&{ALL_WORDS}", plots=1)
    fused = page.locator(".js-plotly-plot").filter(has=page.locator(".updatemenu-button"))
    assert fused.count() == 1  # only the fused map plays alpha
    # plotly reports every frame it shows (polling the title can miss one on a busy machine)
    fused.evaluate("p => { window.__frames = []; p.on('plotly_animatingframe', e => window.__frames.push(e.name)); }")
    fused.locator(".updatemenu-button").first.click()
    seen: list[str] = []
    title = ""
    end = time.time() + 60
    while time.time() < end:
        seen = fused.evaluate("() => window.__frames")
        title = fused.evaluate("p => p._fullData.find(t => t.name === 'title').text[0]")
        if any("α=1.00" in t for t in seen) and "α=0.30" in title:  # through to BERT, then back to the slider
            break
        time.sleep(0.1)
    alphas = [t.rsplit("α=", 1)[-1][:4] for t in seen]
    assert "0.00" in alphas and "1.00" in alphas[alphas.index("0.00") :], seen  # from static to BERT...
    assert len(set(alphas)) >= 5, seen  # ...frame by frame
    assert "α=0.30" in title, (title, seen)  # ...and came back to the slider's alpha
    assert_clean(page)


def test_a_slow_update_shows_a_running_cue(page, server) -> None:
    open_page(page, server, "Explore", f"{FAST}&{ALL_WORDS}", plots=1)
    # a new fusion mode: the maps are laid out again (a few seconds of UMAP); the sidebar starts closed on Explore
    sidebar = page.locator('[data-testid="stSidebar"]')
    if not sidebar.get_by_text("attention", exact=True).is_visible():
        page.locator(
            '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
        ).first.click()
    sidebar.get_by_text("attention", exact=True).click()
    cue = ""
    end = time.time() + 30
    while time.time() < end and not cue:
        cue = page.evaluate(
            "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
            " if (a.getAttribute('data-test-script-state') !== 'running') return '';"
            " const s = getComputedStyle(a, '::after'); return s.opacity === '1' ? s.content : ''; }"
        )
        time.sleep(0.05)
    assert "Updating" in cue
    wait_idle(page)
    assert_clean(page)


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presenter_view_fits_the_screen(browser, server, size) -> None:
    pg = tab(browser, size[0], size[1])
    open_with_umap(pg, server, "Presenter", f"{FAST}&space=BERT&{ALL_WORDS}")
    assert_clean(pg)
    box = pg.locator(".js-plotly-plot").first.bounding_box()
    table = pg.locator('[data-testid="stTable"]').first.bounding_box()
    pg.screenshot(path=str(SHOTS / f"presenter_{size[0]}x{size[1]}.png"))
    assert box["width"] >= 0.55 * size[0], box
    assert box["y"] + box["height"] <= size[1], f"the map does not fit the screen: {box}"
    assert table["y"] + table["height"] <= size[1], f"the numbers are below the fold: {table}"
    pg.context.close()
