"""The app in a real browser: every page renders, alpha moves the fused map, a bad file shows an error."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import (
    FAST,
    ROOT,
    SHOTS,
    assert_clean,
    open_page,
    plot_x,
    shot,
    tab,
    wait_for_change,
    wait_for_plots,
    wait_for_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

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


def fused_x(pg) -> list[float]:
    return plot_x(pg, 2)


def test_home_embeds_the_example(page, server) -> None:
    open_page(page, server, "", text="BERT dimension")
    assert_clean(page)
    assert page.get_by_text("embedkit — words as vectors").count() == 1
    assert "river bank" in page.locator("textarea").first.input_value()
    page.get_by_role("button", name="Embed").click()
    wait_for_text(page, "Embedded 71 words in 8 sentences")
    assert_clean(page)
    shot(page, "home")


def test_explore_alpha_slider_moves_the_fused_map(page, server) -> None:
    open_page(page, server, "Explore", plots=3)  # waits for the three maps, however cold the caches
    assert_clean(page)
    assert page.locator(".js-plotly-plot").count() == 3
    before = fused_x(page)
    slider = page.get_by_role("slider", name="alpha — weight of BERT")
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_for_text(page, "α=0.70")
    wait_for_change(page, lambda: fused_x(page), before)
    wait_for_plots(page, 3)
    after = fused_x(page)
    assert len(after) == len(before) > 0
    assert after != before, "the fused map did not change when alpha moved"
    assert "alpha=0.7" in page.url
    assert_clean(page)


def test_explore_umap_after_the_warm_up(page, server) -> None:
    """UMAP compiles in the background at server start; once done, maps use it and alpha moves re-lay it out."""
    deadline = time.time() + WARM_UP_S
    while True:
        open_page(page, server, "Explore", f"{FAST}&alpha=0.5&map=all+words", plots=3)
        if page.get_by_text("UMAP is still warming up").count() == 0:
            break
        assert time.time() < deadline, f"UMAP warm-up took more than {WARM_UP_S} s"
        time.sleep(5)
    assert page.get_by_text("projection UMAP 2-D").count() == 1
    before = fused_x(page)
    page.get_by_role("slider", name="alpha — weight of BERT").focus()
    page.keyboard.press("ArrowLeft")
    wait_for_text(page, "α=0.45")
    assert wait_for_change(page, lambda: fused_x(page), before) != before
    assert_clean(page)
    shot(page, "explore")


def rings(pg) -> list[str]:
    """The word ringed as selected in each map."""
    return pg.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".map(p => p._fullData.filter(t => t.name === 'selected').map(t => Array.from(t.text).join()).join())"
    )


def test_clicking_a_point_selects_it_in_all_three_maps(page, server) -> None:
    open_page(page, server, "Explore", f"{FAST}&map=all+words", plots=3)  # a word map's dots are not selectable
    point = page.locator(".js-plotly-plot").nth(0).locator(".scatterlayer .trace .points path").nth(20)
    clicked = point.evaluate(  # the word under the point, from the trace's data
        "el => el.closest('.trace').__data__[0].trace.hovertext[el.__data__.i].split('  (sentence')[0]"
    )
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "w => Array.from(document.querySelectorAll('.js-plotly-plot')).every(p => p._fullData.some("
        "t => t.name === 'selected' && Array.from(t.text).join().replace(/<\\/?b>/g, '') === w))",
        arg=clicked,
    )
    wait_for_plots(page, 3)
    ringed = rings(page)
    assert len(ringed) == 3 and ringed[0] and ringed[0] == ringed[1] == ringed[2], ringed
    word = ringed[0].replace("<b>", "").replace("</b>", "")
    picker = page.locator('[data-testid="stSelectbox"]').first.evaluate(
        "e => e.textContent + ' ' + Array.from(e.querySelectorAll('input')).map(i => i.value).join(' ')"
    )
    assert f"{word} — s" in picker, f"the occurrence picker did not follow the click: {picker!r}"
    assert_clean(page)


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_explore_is_readable_at_common_sizes(browser, server, size) -> None:
    pg = tab(browser, size[0], size[1])
    open_page(pg, server, "Explore", plots=3)
    assert_clean(pg)
    widths = pg.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => p.clientWidth)")
    assert len(widths) == 3 and min(widths) >= 250, widths
    pg.screenshot(path=str(SHOTS / f"explore_{size[0]}x{size[1]}.png"))
    pg.context.close()


@pytest.mark.parametrize("name", [n for n in PAGES if n not in ("home", "explore")])
def test_page_renders(page, server, name) -> None:
    open_page(page, server, PAGES[name])
    assert_clean(page)
    assert page.get_by_text("What am I looking at?").count() >= 1
    shot(page, name)


def test_corrupt_vectors_upload_shows_an_error(page, server, tmp_path) -> None:
    open_page(page, server, "Models", text="Loaded now")
    page.get_by_text("upload a vectors file").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').wait_for(state="attached")
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
