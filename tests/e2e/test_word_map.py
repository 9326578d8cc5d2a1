"""The lecturer's walk on the word's own map, in a real browser: the default (polysemy) example, *bank* spotlighted,
on Explore and on Presenter at 1280x720 and 1920x1080. BERT puts the river bank in another cluster than the money
banks among at least 50 of WordNet's sentences with *bank*; the static map puts every bank on one spot and says so.
Screenshots: artifacts/screenshots/wordmap_<page>_<width>x<height>.png."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.conftest import FAST, RUN_TIMEOUT_MS, SHOTS, assert_clean, open_page, tab, wait_for_plots

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# per map (by its space): its word, points (id -> [x, y]), the user's occurrences per legend group, labels, box
READ = """() => Object.fromEntries(Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => {
  const pts = {}, yours = {}, labels = [];
  p._fullData.filter(t => t.name !== 'selected' && t.name !== 'title').forEach(t => {
    const ids = Array.from(t.customdata || []), xs = Array.from(t.x || []), ys = Array.from(t.y || []);
    ids.forEach((id, n) => { pts[id] = [xs[n], ys[n]]; });
    if ((t.name || '').startsWith('your')) yours[t.name] = Array.from(t.hovertext || []);
    labels.push(...Array.from(t.text || []).filter(x => x));
  });
  const r = p.getBoundingClientRect();
  return [p.layout.meta.space, {word: p.layout.meta.word_map, points: pts, yours: yours, labels: labels,
                                box: {y: r.top, h: r.height, w: r.width}}];
}))"""


def open_word_map(browser: Any, server: str, path: str, size: tuple[int, int], query: str = "") -> Any:
    pg = tab(browser, size[0], size[1])
    open_page(pg, server, path, f"{FAST}{query}", plots=1)  # the first build encodes WordNet's sentences
    assert_clean(pg)
    return pg


def check_bert(bert: dict[str, Any]) -> None:
    assert bert["word"] == "bank"
    assert len(bert["points"]) >= 53, len(bert["points"])  # the user's 3 and at least 50 reference occurrences
    groups = sorted(bert["yours"].values(), key=len)
    assert [len(g) for g in groups] == [1, 2], bert["yours"]  # two clusters: the river bank apart...
    assert "river" in groups[0][0]  # ...from the two money banks
    assert not any("river" in h for h in groups[1])


def check_static(static: dict[str, Any]) -> None:
    assert len({tuple(xy) for xy in static["points"].values()}) == 1  # every bank on one spot
    assert any("on this spot" in t for t in static["labels"]), static["labels"]


def whole(m: dict[str, Any], height: int) -> bool:
    return m["box"]["y"] >= 0 and m["box"]["y"] + m["box"]["h"] <= height


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_explore_shows_the_word_map_of_bank(browser, server, size) -> None:
    pg = open_word_map(browser, server, "Explore", size)
    wait_for_plots(pg, 3)
    maps = pg.evaluate(READ)
    assert set(maps) == {"bert", "static", "fused"}
    check_bert(maps["bert"])
    check_static(maps["static"])
    assert all(whole(m, size[1]) for m in maps.values()), {s: m["box"] for s, m in maps.items()}
    assert pg.get_by_text("Nearest tagged example, same sense").count() == 1  # the numbers, on the first screen
    pg.screenshot(path=str(SHOTS / f"wordmap_explore_{size[0]}x{size[1]}.png"))
    pg.context.close()


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_presenter_shows_the_word_map_of_bank(browser, server, size) -> None:
    pg = open_word_map(browser, server, "Presenter", size, "&space=BERT")
    bert = pg.evaluate(READ)["bert"]
    check_bert(bert)
    assert any(t.startswith("1: ") and "river [bank]" in t for t in bert["labels"])  # labelled with its sentence
    assert whole(bert, size[1]) and bert["box"]["h"] >= 0.8 * size[1], bert["box"]
    table = pg.locator('[data-testid="stTable"]').first
    assert "nearest tagged example" in table.inner_text()
    pg.screenshot(path=str(SHOTS / f"wordmap_presenter_{size[0]}x{size[1]}.png"))
    before = pg.evaluate(READ)["bert"]["points"]
    pg.get_by_role("radio", name="Static").click()
    end = time.time() + RUN_TIMEOUT_MS / 1000
    while "static" not in pg.evaluate(READ) and time.time() < end:
        time.sleep(0.25)
    wait_for_plots(pg, 1)
    static = pg.evaluate(READ)["static"]
    check_static(static)
    assert set(static["points"]) == set(before)  # the same occurrences, now on one spot
    pg.screenshot(path=str(SHOTS / f"wordmap_presenter_static_{size[0]}x{size[1]}.png"))
    pg.context.close()
