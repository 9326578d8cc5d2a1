"""Links and uploads in a real browser (Chromium on loopback): what a hostile link or file can make the page show,
the user's sentences surviving a reload, and six sessions embedding at once on one model copy."""

from __future__ import annotations

import gzip
import re
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from embedkit_app.links import encode_text
from tests.e2e.conftest import (
    FAST,
    RUN_TIMEOUT_MS,
    assert_clean,
    open_page,
    plot_words,
    server_rss_mib,
    shot,
    tab,
    wait_for_plots,
    wait_for_text,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

EVIL = "evil.example"
INJECTION = f"[Log in here](http://{EVIL}/login) ![t](http://{EVIL}/track.png)"


@pytest.fixture(scope="module")
def page(browser, server) -> Iterator[object]:
    pg = tab(browser, 1280, 900)
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.requests = requests  # type: ignore[attr-defined]
    yield pg
    pg.context.close()


def no_evil_elements(pg) -> None:
    links = pg.locator(f'a[href*="{EVIL}"]').count()
    images = pg.locator(f'img[src*="{EVIL}"]').count()
    assert links == 0 and images == 0, (links, images)
    assert not [u for u in pg.requests if urlparse(u).hostname == EVIL], "the page asked the other host for something"


def test_a_markdown_link_in_the_url_is_shown_as_text(page, server) -> None:
    from urllib.parse import quote

    open_page(page, server, "", f"{FAST}&model={quote(INJECTION)}")
    no_evil_elements(page)
    wait_for_text(page, "was ignored")
    assert "Log in here" in page.locator('[data-testid="stAlert"]').first.inner_text()
    assert_clean(page)
    shot(page, "security_markdown_link")


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/environ"])
def test_a_server_path_in_the_url_is_never_opened(page, server, path) -> None:
    open_page(page, server, "", f"{FAST}&vectors={path}")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "root:" not in body and "PATH=" not in body
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0, body
    wait_for_text(page, "was ignored")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "400,000" in body  # the bundled GloVe vocabulary
    assert "vectors=" not in page.url.split("?", 1)[-1]


def test_layers_999_in_a_link_leaves_explore_working(page, server) -> None:
    open_page(page, server, "Explore", f"{FAST}&layers=999")
    assert_clean(page)
    assert page.get_by_text("was ignored").count() >= 1
    wait_for_plots(page, 3)
    assert_clean(page)


def test_a_hostile_upload_is_refused_and_apply_stays_disabled(page, server, tmp_path) -> None:
    open_page(page, server, "Models", text="Loaded now")
    page.get_by_text("upload a vectors file").click()
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    uploader.wait_for(state="attached")
    bomb = tmp_path / f"[x](http:{EVIL}).txt.gz"
    bomb.write_bytes(gzip.compress(b"1 2000000000\nthe 0.1\n"))  # the 40-byte file
    uploader.set_input_files(str(bomb))
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="2,000,000,000 dimensions")
    error.wait_for()
    no_evil_elements(page)
    assert page.get_by_role("button", name="Apply").is_disabled()
    shot(page, "security_hostile_upload")


def test_typed_sentences_survive_a_reload(page, server) -> None:
    open_page(page, server, "", text="BERT dimension")
    mine = "Penguins waddle across the icy shore.\nThe glacier calved a huge iceberg."
    area = page.locator("textarea").first
    area.fill(mine)
    area.press("Control+Enter")  # commit the text area: the link now carries the text
    page.wait_for_url(re.compile(r"[?&]t=z"))
    wait_idle(page)
    page.get_by_role("button", name="Embed").click()
    wait_for_text(page, "Embedded 14 words in 2 sentences")
    page.reload()
    wait_for_text(page, "BERT dimension")
    assert page.locator("textarea").first.input_value() == mine
    open_page(page, server, "Explore", page.url.split("?", 1)[1], plots=3)
    words = plot_words(page, 0)
    assert {"Penguins", "glacier", "iceberg"} <= words and "river" not in words


TEXTS = [
    "The falcon circled above the canyon.",
    "A violinist tuned her instrument backstage.",
    "Farmers harvested pumpkins before the frost.",
    "The submarine surfaced near the lighthouse.",
    "Astronomers photographed a distant comet.",
    "The baker kneaded dough for sourdough bread.",
]


def test_six_sessions_embed_at_once_each_sees_its_own_words(browser, server) -> None:
    """Six browser contexts embed different texts at the same time; each map shows exactly its own words, and
    the server holds one model copy. Prints the server's RSS and the wall time."""
    warm = browser.new_context()
    pg = warm.new_page()
    pg.set_default_timeout(RUN_TIMEOUT_MS)
    open_page(pg, server, "", text="BERT dimension")  # the model and vectors are loaded once, before the clock
    rss_before = server_rss_mib(server)
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800}) for _ in TEXTS]
    pages = [c.new_page() for c in contexts]
    start = time.perf_counter()
    for p, text in zip(pages, TEXTS):
        p.set_default_timeout(RUN_TIMEOUT_MS)
        p.goto(f"{server}/Explore?{FAST}&proj=PCA&t={encode_text(text)}")  # all six start before any is waited for
    for p in pages:
        wait_for_plots(p, 3)
    elapsed = time.perf_counter() - start
    rss_after = server_rss_mib(server)
    all_words = [set(t.rstrip(".").split()) | {"."} for t in TEXTS]
    for p, own in zip(pages, all_words):
        for i in range(3):
            shown = plot_words(p, i)
            assert shown <= own and len(shown & own) >= len(own) - 2, (shown, own)  # the static map drops OOV
        assert_clean(p)
    open_page(pg, server, "Models", text="contextual models in memory")
    caption = pg.get_by_text("contextual models in memory").first.inner_text()
    print(f"\n6 sessions: {elapsed:.1f} s wall; server RSS {rss_before:.0f} -> {rss_after:.0f} MiB; {caption}")
    assert "contextual models in memory: 1" in caption
    for c in [*contexts, warm]:
        c.close()
