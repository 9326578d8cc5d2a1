"""What a link can make the app do (AppTest, in process): no server path is ever opened, no value breaks a page,
every ignored value is reported, user strings are shown as text, and the user's sentences come back."""

from __future__ import annotations

import json
import re
import zlib

import pytest

from tests.app.conftest import PAGES, MakeApp, no_exception, texts, upload_vectors

pytestmark = pytest.mark.slow

INJECTION = "[Log in here](http://evil.example/login) ![t](http://evil.example/track.png)"


def shown(at) -> str:
    """Everything the page shows as markdown-like text (markdown, captions, alerts), as one string."""
    kinds = ("markdown", "caption", "error", "warning", "info", "success")
    return "\n".join(v for kind in kinds for v in texts(at, kind))


def warnings(at) -> list[str]:
    return [w.replace("\\", "") for w in texts(at, "warning")]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path the vectors loader is asked to open during the test."""
    import embedkit.static as static

    calls: list[str] = []
    original = static.load_static

    def spy(path=None, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(str(path))
        return original(path, **kwargs)

    monkeypatch.setattr(static, "load_static", spy)
    return calls


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/environ", "../../etc/hosts"])
def test_a_link_cannot_make_the_server_open_a_file(make_app: MakeApp, opened: list[str], path: str) -> None:
    at = make_app("home", vectors=path)
    no_exception(at)
    assert not at.error, texts(at, "error")
    assert any("vectors" in w and "ignored" in w for w in warnings(at))
    assert path not in opened and all(p == "None" for p in opened)
    assert at.query_params.get("vectors") in (None, [], "")


@pytest.mark.parametrize("model", ["/etc", "/tmp", "~/", "../embedkit"])
def test_a_link_cannot_load_a_model_from_a_server_folder(make_app: MakeApp, model: str) -> None:
    at = make_app("home", model=model)
    no_exception(at)
    assert not at.error, texts(at, "error")
    assert any("model" in w and "ignored" in w for w in warnings(at))
    assert {m.label: m.value for m in at.metric}["BERT dimension"] == "384"  # the bundled model


def test_a_hub_id_that_names_a_local_folder_is_not_loaded_from_it(make_app: MakeApp) -> None:
    """``tests`` is a folder in the server's working folder: the error must read as for any unknown id."""
    folder = make_app("home", model="tests")
    missing = make_app("home", model="zz-no-such-folder-anywhere")
    a = [e.replace("tests", "X") for e in texts(folder, "error")]
    b = [e.replace("zz-no-such-folder-anywhere", "X") for e in texts(missing, "error")]
    assert a and a == b, (a, b)
    assert "config.json" not in shown(folder) and "folder" not in " ".join(a)


def test_layers_999_is_dropped_and_explore_still_draws(make_app: MakeApp) -> None:
    at = make_app("explore", layers="999")
    no_exception(at)
    assert any("layers" in w and "ignored" in w for w in warnings(at))
    assert len(at.get("plotly_chart")) == 3


@pytest.mark.parametrize(
    "param, value", [("pooling", "bogus"), ("align", "bogus"), ("dtype", "float64"), ("align_k", "777")]
)
def test_a_bad_setting_never_breaks_the_models_page(make_app: MakeApp, param: str, value: str) -> None:
    at = make_app("models", **{param: value})
    no_exception(at)
    assert any(param in w and "ignored" in w for w in warnings(at))
    assert at.query_params.get(param) in (None, [], "")
    assert any(b.label == "Apply" for b in at.button)  # the page can still repair the session


@pytest.mark.parametrize("param, value", [("alpha", "5"), ("mode", "bogus"), ("k", "0"), ("example", "../../etc")])
def test_bad_view_settings_are_reported(make_app: MakeApp, param: str, value: str) -> None:
    at = make_app("neighbours" if param != "example" else "home", **{param: value})
    no_exception(at)
    assert any(param in w and "ignored" in w for w in warnings(at))


def test_link_text_is_shown_as_text_not_markdown(make_app: MakeApp) -> None:
    at = make_app("home", model=INJECTION)
    no_exception(at)
    page = shown(at)
    assert "](http" not in page and "![" not in page, page  # every bracket and colon escaped
    assert any("model" in w for w in warnings(at))


def test_upload_names_are_shown_as_text(make_app: MakeApp) -> None:
    errors = upload_vectors(make_app, "[x](http:evil.example).vec", b"3 50\nthe 0.1\n")
    assert errors and all("](http" not in e for e in errors), errors


# --- the user's sentences travel with the link ----------------------------------------------------


def test_a_link_restores_the_users_own_sentences(make_app: MakeApp) -> None:
    from embedkit_app.links import encode_text

    mine = "The cat chased a laser pointer.\nMy aunt keeps bees in the garden."
    at = make_app("explore", t=encode_text(mine))
    no_exception(at)
    spec = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")])
    assert "laser" in spec and "bees" in spec and "river" not in spec  # their words, not the example's
    home = make_app("home", t=encode_text(mine))
    assert home.text_area(key="text").value == mine


def test_typing_puts_the_text_in_the_link_and_a_reload_brings_it_back(make_app: MakeApp) -> None:
    at = make_app("home")
    mine = "Owls hunt at night.\nThe owl perched on the old barn."
    at.text_area(key="text").input(mine).run()
    param = at.query_params.get("t")
    assert param, dict(at.query_params)
    reloaded = make_app("home", t=param if isinstance(param, str) else param[0])  # a new session, same URL
    assert reloaded.text_area(key="text").value == mine


def test_a_long_text_travels_by_an_opaque_id(make_app: MakeApp) -> None:
    import random

    rng = random.Random(0)
    words = ["bank", "river", "money", "water", "loan", "fish", "boat", "rate", "tree", "stone"]
    mine = "\n".join(" ".join(rng.choice(words) for _ in range(12)) + "." for _ in range(120))
    at = make_app("home")
    at.text_area(key="text").input(mine).run()
    tid = at.query_params.get("tid")
    tid = tid if isinstance(tid, str) else tid[0]
    assert re.fullmatch(r"[0-9a-f]{32}", tid) and not at.query_params.get("t")
    assert make_app("home", tid=tid).text_area(key="text").value == mine


@pytest.mark.parametrize(
    "param, value, says",
    [
        ("tid", "0123456789abcdef0123456789abcdef", "another server"),
        ("tid", "../../etc/passwd", "not one this app makes"),
        ("t", "zNOT-BASE64!!", "damaged"),
        ("t", "z" + __import__("base64").urlsafe_b64encode(zlib.compress(b"a " * 5_000_000)).decode(), "longer than"),
    ],
)
def test_a_link_whose_text_cannot_be_restored_says_why(make_app: MakeApp, param: str, value: str, says: str) -> None:
    at = make_app("home", **{param: value})
    no_exception(at)
    assert any("could not be restored" in w and says in w for w in warnings(at)), warnings(at)
    assert "river bank" in at.text_area(key="text").value  # the example instead


def test_the_text_area_takes_what_a_link_takes(make_app: MakeApp) -> None:
    """A text the text area accepts comes back from a link: one limit, 100,000 characters, for both."""
    from embedkit_app import state
    from embedkit_app.links import encode_text

    at = make_app("home")
    assert at.text_area(key="text").max_chars == state.MAX_TEXT_CHARS
    longest = ("The bank by the river. " * 5000)[: state.MAX_TEXT_CHARS]  # 25,000 words: more than the maps take
    back = make_app("home", t=encode_text(longest))
    no_exception(back)
    assert back.text_area(key="text").value == longest  # restored into the text area, not replaced by the example
    said = warnings(back)
    assert any("on Home" in w and "5,000" in w for w in said), said  # and the page says why the maps cannot show it
    over = make_app("home", t=encode_text(longest + "x"))
    assert any("could not be restored" in w and "100,000" in w for w in warnings(over)), warnings(over)


def test_a_long_text_is_stored_by_id_and_the_page_says_so(make_app: MakeApp) -> None:
    from embedkit_app import links, state

    mine = "\n".join(f"Sentence {i} is about the bank of river {i}." for i in range(400))
    at = make_app("home")
    at.text_area(key="text").input(mine).run()
    assert at.query_params.get("tid") and not at.query_params.get("t")
    assert any(links.STORED_NOTE[:40] in c for c in texts(at, "caption"))
    with pytest.raises(Exception, match="100,000"):
        links.store_text("x" * (state.MAX_TEXT_CHARS + 1))  # the store takes no more than the text area


@pytest.mark.parametrize("page", ["explore", "presenter", "neighbours", "fusion_lab", "models"])
def test_every_page_link_carries_the_users_text(make_app: MakeApp, page: str) -> None:
    """A page switch starts from a bare URL (the sidebar keeps no text): each page puts the text back in its link."""
    from embedkit_app.links import decode_text

    mine = "The owl perched on the barn.\nAn owl hunts mice at night."
    at = make_app("home")
    at.text_area(key="text").input(mine).run()
    at.button[0].click().run()
    no_exception(at)
    for name in list(at.query_params):
        if name != "align_k":
            del at.query_params[name]  # what the browser keeps on a page switch (the app's own setting stays)
    at.switch_page(PAGES[page]).run()
    no_exception(at)
    t = at.query_params.get("t")
    assert t, dict(at.query_params)
    assert decode_text(t if isinstance(t, str) else t[0]) == mine
    assert at.query_params.get("example") in ("custom", ["custom"])


# --- the Models page --------------------------------------------------------------------------------


def test_apply_is_disabled_while_an_upload_is_invalid(make_app: MakeApp) -> None:
    at = make_app("models")
    at.radio(key="s_source").set_value("upload").run()
    apply = next(b for b in at.button if b.label == "Apply")
    assert apply.disabled  # nothing uploaded yet
    at.file_uploader(key="s_upload").upload("broken.vec", b"3 50\nthe 0.1 0.2\n").run()
    assert texts(at, "error") and next(b for b in at.button if b.label == "Apply").disabled
    at.file_uploader(key="s_upload").upload("ok.vec", b"2 3\nthe 0.1 0.2 0.3\nbank 0.3 0.2 0.1\n").run()
    apply = next(b for b in at.button if b.label == "Apply")
    assert not apply.disabled
    apply.click().run()
    no_exception(at)
    vectors = at.query_params.get("vectors")
    vectors = vectors if isinstance(vectors, str) else vectors[0]
    assert re.fullmatch(r"upload:[0-9a-f]{24}", vectors)  # an opaque id, never a path
    assert all("/" not in str(v) for v in at.query_params.values())


def test_errors_name_the_users_file_not_the_servers_copy(make_app: MakeApp) -> None:
    import pickle

    at = make_app("models")
    at.radio(key="s_source").set_value("upload").run()
    for name, data in [
        ("vectors.bin", pickle.dumps({"the": [0.1]})),  # refused from its first bytes
        ("notes.txt", b"hello world\nno numbers here\n"),  # no format embedkit reads
        ("cut.vec", b"5 3\nthe 0.1 0.2 0.3\n"),  # refused while reading
    ]:
        at.file_uploader(key="s_upload").upload(name, data).run()
        page = shown(at)
        assert name in page and not re.search(r"[0-9a-f]{16}", page), page
        assert "app_vectors" not in page and "/tmp" not in page


def test_an_unreachable_hub_is_named_as_the_cause(make_app: MakeApp) -> None:
    at = make_app("models")
    at.radio(key="m_source").set_value("hf").run()  # prefilled: bert-base-uncased
    next(b for b in at.button if b.label == "Apply").click().run()
    no_exception(at)
    errors = [e.replace("\\", "") for e in texts(at, "error")]
    assert any("bert-base-uncased" in e and "cannot be reached" in e for e in errors), errors
    assert not any("owner/name" in e for e in errors)


def test_vectors_trained_on_a_few_sentences_are_flagged_before_they_are_applied(make_app: MakeApp) -> None:
    import random

    rng = random.Random(0)
    vocab = "the river bank flooded after storm money loan rate water boat fish tree rock sand field rain".split()
    corpus = "\n".join(" ".join(rng.choice(vocab) for _ in range(10)) for _ in range(40)).encode()
    at = make_app("models")
    at.radio(key="s_source").set_value("train").run()
    at.radio(key="s_train_corpus").set_value("upload").run()
    at.file_uploader(key="s_train_upload").upload("tiny.txt", corpus).run()
    next(b for b in at.button if b.label == "Train").click().run()
    no_exception(at)
    flagged = warnings(at)
    assert any("too little text" in w and "words" in w for w in flagged), flagged
    assert at.query_params.get("vectors") in (None, [], "")  # not applied
    next(b for b in at.button if b.label == "Apply anyway").click().run()
    assert str(at.query_params.get("vectors")).startswith(("trained:", "['trained:"))


def test_a_refused_upload_leaves_nothing_on_disk(make_app: MakeApp) -> None:
    import gzip
    import os
    import pickle
    from pathlib import Path

    store = Path(os.environ["EMBEDKIT_CACHE_DIR"]) / "app_vectors"
    before = {p.name for p in store.iterdir()} if store.exists() else set()
    at = make_app("models")
    at.radio(key="s_source").set_value("upload").run()
    for name, data in [
        ("vectors.bin", pickle.dumps({"the": [0.1]})),
        ("huge.txt.gz", gzip.compress(b"1 2000000000\nthe 0.1\n")),
        ("nan.vec", b"2 2\nthe 0.1 nan\nbank 0.2 0.3\n"),
    ]:
        at.file_uploader(key="s_upload").upload(name, data).run()
        no_exception(at)
        assert any(name in e for e in texts(at, "error")), texts(at, "error")
    after = {p.name for p in store.iterdir()} if store.exists() else set()
    assert after == before, after - before
