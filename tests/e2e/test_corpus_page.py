"""The Corpus page in a real browser: open a small index, search a word, move alpha, click a point, see neighbours."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import RUN_TIMEOUT_MS, assert_clean, open_page, shot, wait_for_plots, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NAME = "e2e-wordnet"


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A small WordNet index in the corpus folder the server reads (``<EMBEDKIT_CACHE_DIR>/corpora``)."""
    from embedkit.config import EmbedderConfig
    from embedkit.corpus.build import build_index
    from embedkit.corpus.manifest import IndexSettings
    from embedkit.wordnet import find_wordnet
    from embedkit_app.corpus_data import corpus_root
    from tests.unit.test_corpus import write_slice

    find_wordnet()  # Debian wordnet-base: scripts/test.sh installs it; a clear error without it, never a skip
    corpus = write_slice(tmp_path_factory.mktemp("e2e-corpus") / "wordnet.txt", n_glosses=120)
    folder = corpus_root() / NAME
    shutil.rmtree(folder, ignore_errors=True)
    yield build_index(corpus, folder, IndexSettings(EmbedderConfig(align_k=500), block_size=50))
    shutil.rmtree(folder, ignore_errors=True)


def n_selected(pg) -> int:
    return pg.evaluate(
        "() => { const p = document.querySelector('.js-plotly-plot');"
        " return p._fullData.filter(t => t.name === 'selected').flatMap(t => Array.from(t.x || [])).length; }"
    )


def test_corpus_page_search_alpha_click_neighbours(page, server, corpus_index: Path) -> None:
    open_page(page, server, "Corpus", f"corpus={NAME}&cword=bank&align_k=500")
    page.get_by_text("occurrences of “bank”").first.wait_for()
    assert_clean(page)
    n_points = page.evaluate(
        "() => document.querySelector('.js-plotly-plot')._fullData.reduce((n, t) => n + (t.x ? t.x.length : 0), 0)"
    )
    assert n_points >= 15, n_points  # every occurrence of bank in the slice
    assert page.evaluate("() => document.querySelector('.js-plotly-plot')._fullData[0].type") == "scattergl"

    slider = page.get_by_role("slider", name="alpha — weight of BERT")
    slider.focus()
    for _ in range(2):
        page.keyboard.press("ArrowLeft")
    page.get_by_text("α=0.40").first.wait_for()
    wait_idle(page)
    assert "alpha=0.4" in page.url
    assert_clean(page)

    # click the first point of the first cluster (WebGL: its pixel position comes from the axes)
    xy = page.evaluate(
        "() => { const p = document.querySelector('.js-plotly-plot'); const t = p._fullData[0];"
        " const xa = p._fullLayout.xaxis, ya = p._fullLayout.yaxis; const r = p.getBoundingClientRect();"
        " return [r.left + xa._offset + xa.l2p(t.x[0]), r.top + ya._offset + ya.l2p(t.y[0]), t.hovertext[0]]; }"
    )
    page.mouse.click(xy[0], xy[1])
    time.sleep(1.0)
    wait_idle(page)
    assert n_selected(page) == 1, "the clicked point is not ringed"
    clicked = xy[2].replace("<b>", "[").replace("</b>", "]").replace("<br>", " ")
    quote = page.locator('[data-testid="stMarkdownContainer"] blockquote').first.inner_text()
    assert quote.split()[:4] == clicked.split()[:4], (quote, clicked)
    assert page.get_by_text("Click a dot on the map").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').count() >= 1  # the neighbours across the corpus
    assert_clean(page)
    shot(page, "corpus")


def _prepare_build(pg, server: str, source: Path, name: str) -> None:
    """Open the Corpus page, upload ``source`` and type ``name``, ready to press "Build index"."""
    open_page(pg, server, "Corpus", "align_k=500")
    pg.get_by_text("Build a small index from a .txt upload").click()
    uploader = pg.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.wait_for(state="attached")
    uploader.set_input_files(str(source))
    pg.get_by_text(source.name).first.wait_for()
    box = pg.get_by_label("Index name")
    box.fill(name)
    box.press("Enter")
    wait_idle(pg)


def test_an_upload_is_private_to_its_session_and_one_name_builds_once(
    browser, server, corpus_index: Path, tmp_path: Path
) -> None:
    """Two sessions build the same name at once: one index, one clear error. A third session can neither list the
    index nor open it with a link; nor can the session that lost the race."""
    from embedkit_app.corpus_data import app_root

    name = f"race{int(time.time()) % 100000}"
    texts = {
        "alice.txt": "Zyxomatosis is a rare word in Alice's private notes.\nThe bank lends money to Alice.\n",
        "bob.txt": "Bob keeps his own notes about the river bank.\nQuorblefax appears only here.\n",
    }
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    a, b, c = (ctx.new_page() for ctx in contexts)
    for pg in (a, b, c):
        pg.set_default_timeout(RUN_TIMEOUT_MS)
    for pg, (file, text) in zip((a, b), texts.items()):
        (tmp_path / file).write_text(text, encoding="utf-8")
        _prepare_build(pg, server, tmp_path / file, name)
    a.get_by_role("button", name="Build index").click()
    b.get_by_role("button", name="Build index").click()  # while a's build runs
    lost = '[data-testid="stAlertContentError"]'
    winner = None
    deadline = time.time() + RUN_TIMEOUT_MS / 1000
    while winner is None:
        for pg, other in ((a, b), (b, a)):
            if other.locator(lost).filter(has_text="exists already or is being built").count():
                pg.get_by_text("built in this session, private to it").first.wait_for()
                winner, loser = pg, other
        assert time.time() < deadline, "neither build finished"
        time.sleep(0.5)
    assert winner.locator(lost).count() == 0
    won_text = texts["alice.txt" if winner is a else "bob.txt"]
    claim = app_root() / name
    assert sorted(p.name for p in claim.iterdir()) == ["index", "owner.json"]  # one index, nothing nested in it
    secret_word = "zyxomatosis" if winner is a else "quorblefax"
    picker = winner.get_by_role("combobox", name="Word (most frequent first: type to search)")
    picker.click()
    picker.fill(secret_word)
    winner.keyboard.press("Enter")  # the builder's own session (a reload would be a new session)
    winner.get_by_text(f"occurrences of “{secret_word}”").first.wait_for()
    wait_for_plots(winner, 1)
    assert_clean(winner)
    shot(winner, "corpus_private_build")

    for pg in (c, loser):  # a fresh session, and the one that lost the race
        pg.goto(f"{server}/Corpus?corpus={name}&cword={secret_word}&align_k=500")
        pg.get_by_text(f"corpus = “{name}” was ignored").first.wait_for()
        wait_idle(pg)
        assert_clean(pg)
        body = pg.locator('[data-testid="stMain"]').inner_text()
        assert secret_word not in body.lower() and won_text.splitlines()[0] not in body
        pg.get_by_role("combobox", name="Index").first.click()  # the index list
        options = pg.locator('[role="option"]').all_inner_texts()
        assert name not in options and NAME in options, options
        pg.keyboard.press("Escape")
    shot(c, "corpus_link_to_private_index")
    for ctx in contexts:
        ctx.close()
