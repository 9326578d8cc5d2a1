"""The Corpus page headless (AppTest) and its data layer: published and private indexes, links to another session's
index, name claims, the quota, damaged indexes and manifest text on the page."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from tests.unit.test_corpus import SETTINGS, write_slice

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
EVIL = "[Log in](http://evil.example/login) ![t](http://evil.example/t.png)"


def corpus_page(
    monkeypatch: pytest.MonkeyPatch, folder: Path, own: dict[str, str] | None = None, **params: str
) -> AppTest:
    monkeypatch.setenv("EMBEDKIT_CORPUS_DIR", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    for key, value in params.items():
        at.query_params[key] = value
    if own is not None:
        at.session_state["_corpus_own"] = own
    at.switch_page("pages/7_Corpus.py")
    return at.run()


@pytest.fixture(scope="module")
def slice_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from embedkit.corpus.build import build_index
    from embedkit.wordnet import find_wordnet

    find_wordnet()  # Debian wordnet-base: scripts/test.sh installs it; a clear error without it, never a skip
    folder = tmp_path_factory.mktemp("slice")
    return build_index(write_slice(folder / "wordnet.txt", n_glosses=30), folder / "index", SETTINGS)


@pytest.fixture
def corpora(tmp_path: Path, slice_index: Path) -> Iterator[Path]:
    """A corpus folder holding a copy of the slice index as ``slice``."""
    root = tmp_path / "corpora"
    shutil.copytree(slice_index, root / "slice")
    yield root


def private_copy(index: Path, name: str, secret: str) -> None:
    """``index`` as if a session holding ``secret`` had built it in the app."""
    from embedkit_app import corpus_data

    claim = corpus_data.app_root() / name
    shutil.rmtree(claim, ignore_errors=True)
    claim.mkdir()
    shutil.copytree(index, claim / "index")
    (claim / "owner.json").write_text(json.dumps({"secret_sha256": corpus_data._digest(secret)}))


def test_without_an_index_the_page_says_how_to_build_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = corpus_page(monkeypatch, tmp_path)
    assert not at.exception, [e.value for e in at.exception]
    assert any("No index yet" in i.value for i in at.info)
    assert at.button[0].disabled  # "Build index" waits for an upload


def test_an_oversized_upload_is_refused_by_the_uploader_and_again_by_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    at = corpus_page(monkeypatch, tmp_path)
    uploader = at.file_uploader(key="corpus_upload")
    assert uploader.proto.max_upload_size_mb == 1  # the browser refuses a larger file before sending it
    uploader.upload("big.txt", b"The bank lends money.\n" * 70_000).run()  # 1.5 MB: a client ignoring that limit
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("up to 1 MiB" in e.value for e in at.error), [e.value for e in at.error]
    from embedkit_app.corpus_data import app_root

    assert not (app_root() / "my-corpus").exists()  # the default name was never claimed


def test_a_word_of_an_index_shows_its_occurrences_and_neighbours(
    monkeypatch: pytest.MonkeyPatch, corpora: Path
) -> None:
    at = corpus_page(monkeypatch, corpora, corpus="slice", cword="bank", cspace="static")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("occurrences of “bank”" in m.value for m in at.markdown)
    assert any("[bank]" in m.value.replace("\\", "") for m in at.markdown)  # the query occurrence, quoted
    at.slider(key="alpha").set_value(0.2).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "slice" in at.selectbox(key="corpus").options


def test_another_sessions_index_is_neither_listed_nor_opened_by_link(
    monkeypatch: pytest.MonkeyPatch, corpora: Path, slice_index: Path
) -> None:
    private_copy(slice_index, "alice-private", secret="alice's secret")
    at = corpus_page(monkeypatch, corpora, corpus="alice-private", cword="bank")
    assert not at.exception, [e.value for e in at.exception]
    assert any("corpus = “alice-private” was ignored" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.selectbox(key="corpus").options == ["slice"]
    assert at.selectbox(key="corpus").value == "slice"
    assert "alice-private" not in at.query_params.get("corpus", [])
    # the session that built it lists and opens it
    at = corpus_page(monkeypatch, corpora, own={"alice-private": "alice's secret"}, corpus="alice-private")
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    assert at.selectbox(key="corpus").options == ["slice", "alice-private"]
    assert any("private to it" in c.value for c in at.caption)
    # a session that merely claims the name, without the secret, opens nothing
    at = corpus_page(monkeypatch, corpora, own={"alice-private": "a guess"}, corpus="alice-private")
    assert at.selectbox(key="corpus").options == ["slice"]


@pytest.mark.parametrize(
    "damage, says",
    [
        (lambda f: _manifest_edit(f, lambda d: d["counts"].update(occurrences="lots")), "occurrences is str"),
        (lambda f: _manifest_edit(f, lambda d: d.pop("counts")), "no field 'counts'"),
        (lambda f: (f / "query" / "vectors.npy").write_bytes(b"\x93NUMPY garbage"), "vectors.npy has 14 bytes"),
    ],
    ids=["occurrences-lots", "no-counts", "garbled-vectors"],
)
def test_a_damaged_index_is_one_line_on_the_page(
    monkeypatch: pytest.MonkeyPatch, corpora: Path, damage, says: str
) -> None:
    damage(corpora / "slice")
    at = corpus_page(monkeypatch, corpora, corpus="slice", cword="bank")
    assert not at.exception, [e.value for e in at.exception]  # never Streamlit's error screen
    assert len(at.error) == 1 and says in at.error[0].value, [e.value for e in at.error]


def _manifest_edit(folder: Path, change) -> None:
    data = json.loads((folder / "manifest.json").read_text())
    change(data)
    (folder / "manifest.json").write_text(json.dumps(data))


def test_manifest_text_is_shown_as_text(monkeypatch: pytest.MonkeyPatch, corpora: Path) -> None:
    _manifest_edit(corpora / "slice", lambda d: (d["model"].update(describe=EVIL), d["map"].update(describe=EVIL)))
    at = corpus_page(monkeypatch, corpora, corpus="slice")
    assert not at.exception, [e.value for e in at.exception]
    caption = next(c.value for c in at.caption if "occurrences of" in c.value)
    assert "](http" not in caption and "\\[Log in\\]" in caption, caption


# -- the data layer --------------------------------------------------------------------------------------------
class FakeSession(dict):
    """Stands in for ``st.session_state`` (one per simulated browser session)."""


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[FakeSession]]:
    import streamlit as st

    from embedkit_app import corpus_data

    monkeypatch.setenv("EMBEDKIT_CORPUS_DIR", str(tmp_path / "corpora"))
    monkeypatch.setenv("EMBEDKIT_CACHE_DIR", str(tmp_path / "cache"))
    pair = [FakeSession(), FakeSession()]
    monkeypatch.setattr(st, "session_state", pair[0])
    monkeypatch.setattr(corpus_data.st, "session_state", pair[0])
    yield pair


def use(monkeypatch: pytest.MonkeyPatch, session: FakeSession) -> None:
    from embedkit_app import corpus_data

    monkeypatch.setattr(corpus_data.st, "session_state", session)


def fake_build(source: Path, folder: Path, settings: object = None, **kwargs: object) -> Path:
    """What build_index leaves, in a few bytes: a complete manifest (and the text, to tell builds apart)."""
    folder.mkdir()
    (folder / "manifest.json").write_text('{"state": "complete"}')
    (folder / "text.txt").write_bytes(source.read_bytes())
    time.sleep(0.2)  # a build takes a while: long enough for a second one to start
    return folder


def upload(text: str, name: str = "alice.txt") -> SimpleNamespace:
    data = text.encode()
    return SimpleNamespace(name=name, size=len(data), getvalue=lambda: data)


def test_a_build_is_private_and_a_text_is_built_once(
    sessions: list[FakeSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    import embedkit.corpus.build
    from embedkit.errors import EmbedkitError
    from embedkit_app import corpus_data

    monkeypatch.setattr(embedkit.corpus.build, "build_index", fake_build)
    corpus_data.build_from_upload("alice-private", upload("Alice's secret notes."), lambda s: None)
    assert corpus_data.list_indexes() == ["alice-private"]
    with pytest.raises(EmbedkitError, match="indexed already in this session, as 'alice-private'"):
        corpus_data.build_from_upload("again", upload("Alice's secret notes."), lambda s: None)
    use(monkeypatch, sessions[1])
    assert corpus_data.list_indexes() == []
    with pytest.raises(EmbedkitError, match="no index named 'alice-private' that this session may open"):
        corpus_data.open_index("alice-private")
    with pytest.raises(EmbedkitError, match="exists already"):  # names are one namespace: never a merge
        corpus_data.build_from_upload("alice-private", upload("Bob's text."), lambda s: None)
    too_big = SimpleNamespace(name="big.txt", size=150 * 2**20, getvalue=lambda: pytest.fail("bytes were read"))
    with pytest.raises(EmbedkitError, match="up to 1 MiB"):
        corpus_data.build_from_upload("big", too_big, lambda s: None)


def test_two_builds_of_one_name_at_once_give_one_index_and_one_error(
    sessions: list[FakeSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    import embedkit.corpus.build
    from embedkit_app import corpus_data

    monkeypatch.setattr(embedkit.corpus.build, "build_index", fake_build)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def build(text: str) -> None:
        barrier.wait()
        try:  # the claim is what decides (the threads share one session state: its keys are not the point here)
            corpus_data.build_from_upload("race", upload(text), lambda s: None)
            results.append("built " + text)
        except Exception as exc:  # noqa: BLE001 - the loser's error is the result
            results.append(str(exc))

    threads = [threading.Thread(target=build, args=(t,)) for t in ("one", "two")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    built = [r for r in results if r.startswith("built")]
    errors = [r for r in results if not r.startswith("built")]
    assert len(built) == 1 and len(errors) == 1, results
    assert "exists already or is being built" in errors[0]
    claim = corpus_data.app_root() / "race"
    assert sorted(p.name for p in claim.iterdir()) == ["index", "owner.json"]  # nothing nested, nothing merged
    assert (claim / "index" / "text.txt").read_text() == built[0].removeprefix("built ")


def test_the_quota_removes_the_least_recently_used_never_one_being_built(
    sessions: list[FakeSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from embedkit.corpus.lock import FolderLock
    from embedkit_app import corpus_data

    root = corpus_data.app_root()
    for i, name in enumerate(["old", "building", "recent", "new"]):
        (root / name / "index").mkdir(parents=True)
        (root / name / "index" / "data").write_bytes(b"x" * 400_000)
        (root / name / "owner.json").write_text("{}")
        os.utime(root / name / "owner.json", (1000 + i, 1000 + i))
    monkeypatch.setenv("EMBEDKIT_CORPUS_QUOTA_MB", "1")  # room for two
    with FolderLock(root / "building"):
        removed = corpus_data.keep_within_quota(keep=root / "new")
    assert removed >= 800_000
    assert sorted(p.name for p in root.iterdir()) == ["building", "new"]


def test_a_claim_left_by_a_dead_build_is_taken_over(sessions: list[FakeSession]) -> None:
    import os

    from embedkit.errors import EmbedkitError
    from embedkit_app import corpus_data

    stale = corpus_data.app_root() / "stale"
    (stale / "index").mkdir(parents=True)
    with pytest.raises(EmbedkitError, match="being built"):  # young: maybe a build that is just starting
        corpus_data._claim("stale")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    lock = corpus_data._claim("stale")
    assert sorted(p.name for p in stale.iterdir()) == [".lock"]
    lock.release()


def test_the_build_progress_moves_through_every_stage() -> None:
    """Issue 18: the bar stayed on "Loading the model…" for a whole build; now each stage moves it, and the text
    says which stage runs and how far it is."""
    from embedkit.corpus.build import IndexStats
    from embedkit_app.corpus_data import build_progress

    shown: list[tuple[float, str]] = []
    bar = SimpleNamespace(progress=lambda value, text: shown.append((value, text)))
    update = build_progress(bar)
    stats = IndexStats(records_total=0, stage="checking the input")
    update(stats)
    stats.records_total, stats.stage = 400, "loading the model"
    update(stats)
    stats.stage = "fitting the static map"
    for done in (0, 2500, 5000):
        stats.stage_done, stats.stage_total = done, 5000
        update(stats)
    stats.stage = "encoding"
    for done in (0, 100, 200, 300, 400):
        stats.records_done, stats.occurrences = done, done * 9
        update(stats)
    for stage in ("consolidating", "checksums"):
        stats.stage = stage
        update(stats)
    values = [v for v, _ in shown]
    assert values == sorted(values) and values[-1] >= 0.98 and len(set(values)) >= 10
    assert shown[3][1] == "Fitting the static map: 2,500 / 5,000 words"
    assert shown[7][1].startswith("Encoding: 200 / 400 lines")
