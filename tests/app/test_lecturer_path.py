"""The lecturer's walk on the default example, page by page: spotlight *bank*, the sense numbers, maps that tell the
truth (fused at alpha 1 / 0 = BERT / static, identical static words on one spot), the selection kept across pages,
downloads of what is shown, and an alpha move that redraws without laying out or fusing again."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.app.conftest import (
    PAGES,
    MakeApp,
    chart_meta,
    chart_points,
    chart_title,
    no_exception,
    plotly_array,
    sense_numbers,
    texts,
)

pytestmark = pytest.mark.slow

BANKS = (5, 12, 26)  # the occurrences of "bank" in the polysemy example (river, money, money)


@pytest.fixture(scope="module", autouse=True)
def umap_compiled() -> None:
    """Wait for the app's UMAP warm-up, so the maps are UMAP maps (PCA maps would pass some checks trivially)."""
    from embedkit_app import loaders

    loaders.start_umap_warm_up().join()


def test_explore_spotlights_bank_and_shows_the_sense_numbers(make_app: MakeApp) -> None:
    at = make_app("explore", map="all words")
    no_exception(at)
    assert at.button_group(key="spot").value == "bank"
    assert list(at.button_group(key="spot").options) == ["bank", "water", "bat", "spring", "every word"]
    assert "projection UMAP" in next(c for c in texts(at, "caption") if "Dimensions:" in c)
    table = sense_numbers(at)
    assert list(table.columns) == ["BERT", "static", "fused α=0.50"]
    assert list(table.index[:2]) == ["cosine, same sense", "cosine, different senses"]
    same, cross = table.loc["cosine, same sense"], table.loc["cosine, different senses"]
    assert same["static"] == cross["static"] == "1.00"  # one static vector for every bank
    assert float(same["BERT"]) > float(cross["BERT"])  # the money banks are closer to each other than to the river
    assert table.loc["nearest is same sense", "static"] == table.loc["… by chance", "static"] == "0.50"
    bert = chart_points(at, 0)
    assert set(BANKS) <= set(bert)  # the spotlight's points are on the map, the rest faded around them


def test_identical_static_words_share_one_spot(make_app: MakeApp) -> None:
    at = make_app("explore", spot="every word")  # every word, no spotlight
    static, bert = chart_points(at, 1), chart_points(at, 0)
    assert len({static[i] for i in BANKS}) == 1
    assert len({bert[i] for i in BANKS}) == 3


def test_fused_map_is_the_bert_map_at_alpha_one_and_the_static_map_at_zero(make_app: MakeApp) -> None:
    at = make_app("explore", spot="every word")
    for alpha, other in ((1.0, 0), (0.0, 1), (0.55, None)):
        at.slider(key="alpha").set_value(alpha).run()
        no_exception(at)
        assert chart_meta(at, 2) == {"space": "fused", "alpha": alpha, "mode": "weighted"}
        fused = chart_points(at, 2)
        if other is None:
            assert fused != chart_points(at, 0) and fused != chart_points(at, 1)
            continue
        reference = chart_points(at, other)
        assert reference and all(fused[i] == xy for i, xy in reference.items())


def test_the_fused_map_carries_the_play_alpha_frames(make_app: MakeApp) -> None:
    at = make_app("explore", alpha="0.3", map="all words")
    spec = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert len(spec["frames"]) == 12  # alpha 0, 0.1, ..., 1 and back to the slider's 0.3
    # every frame draws its own alpha in the title (a trace: a frame's layout title never reaches the screen)
    shown = [chart_title(frame) for frame in spec["frames"]]
    assert [t.rsplit("α=", 1)[1] for t in shown] == [f"{a / 10:.2f}" for a in range(11)] + ["0.30"]
    assert chart_title(spec).endswith("α=0.30")
    buttons = spec["layout"]["updatemenus"][0]["buttons"]
    assert buttons[0]["method"] == "animate" and "play alpha" in buttons[0]["label"]
    assert "UMAP re-lays out" in buttons[0]["label"]  # the UMAP chain lays out each alpha again: the button says so
    assert spec["layout"]["xaxis"]["autorange"] is False  # the axes stay still while the frames play
    at.button_group(key="proj").set_value("PCA").run()
    spec = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert "exact morph" in spec["layout"]["updatemenus"][0]["buttons"][0]["label"]


def test_an_alpha_move_fuses_the_text_once_and_lays_out_nothing(make_app: MakeApp, monkeypatch) -> None:
    import embedkit.alpha_frames
    import embedkit.wordvectors

    at = make_app("explore", map="all words")
    n_words = len(at.session_state["_embedded"])
    full_fusions: list[int] = []
    layouts: list[int] = []
    fuse, lay_out = embedkit.wordvectors.fuse, embedkit.alpha_frames.alpha_frames

    def counting_fuse(h, *args, **kwargs):  # type: ignore[no-untyped-def]
        if len(h) == n_words:
            full_fusions.append(1)
        return fuse(h, *args, **kwargs)

    def counting_lay_out(*args, **kwargs):  # type: ignore[no-untyped-def]
        layouts.append(1)
        return lay_out(*args, **kwargs)

    monkeypatch.setattr(embedkit.wordvectors, "fuse", counting_fuse)
    monkeypatch.setattr(embedkit.alpha_frames, "alpha_frames", counting_lay_out)
    at.slider(key="alpha").set_value(0.8).run()
    no_exception(at)
    assert chart_meta(at, 2)["alpha"] == 0.8
    assert layouts == []
    # one fusion of the whole text: the fused neighbour list (the maps come from the frames, the sense numbers fuse
    # only the spotlighted word's three sentences, the BERT and static lists need no fusion)
    assert len(full_fusions) == 1


def test_the_selection_follows_the_user_across_pages(make_app: MakeApp) -> None:
    at = make_app("explore", map="all words")
    picker = at.selectbox(key="occ")
    picker.select_index(next(n for n, label in enumerate(picker.options) if label.startswith("spring — s7"))).run()
    chosen = at.selectbox(key="occ").value
    assert at.session_state["_selected"] == chosen
    at.switch_page(PAGES["neighbours"]).run()
    no_exception(at)
    assert at.selectbox(key="occ").value == chosen
    assert "spring" in " ".join(texts(at, "markdown"))
    at.switch_page(PAGES["fusion_lab"]).run()
    no_exception(at)
    assert at.selectbox(key="lab_word").value == "spring"
    assert at.selectbox(key="lab_sentence").value == 6  # the mattress sentence (s7)
    at.switch_page(PAGES["explore"]).run()
    assert at.selectbox(key="occ").value == chosen


def test_a_user_text_opens_on_a_repeated_content_word_not_on_my(make_app: MakeApp) -> None:
    at = make_app("home")
    at.text_area(key="text").input("My dog chased my cat.\nMy cat sat on my dog.").run()
    at.button[0].click().run()
    at.query_params["map"] = "all words"
    at.switch_page(PAGES["explore"]).run()
    no_exception(at)
    assert at.button_group(key="spot").value == "dog"
    picked = at.selectbox(key="occ").value
    assert at.session_state["_embedded"].words[picked] == "dog"
    # no sense is known for a user's text: its occurrences are coloured by sentence

    names = {t.get("name") for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert {"dog in s1 (sense not given)", "dog in s2 (sense not given)"} <= names


def test_downloads_follow_the_punctuation_filter(make_app: MakeApp) -> None:
    at = make_app("explore", map="all words")
    caption = next(c for c in texts(at, "caption") if "as on the maps" in c)
    assert caption.startswith("63 occurrences")  # 71 words, 8 of them punctuation
    at.toggle(key="hide_punct").set_value(False).run()
    caption = next(c for c in texts(at, "caption") if "as on the maps" in c)
    assert caption.startswith("71 occurrences")


def test_presenter_shows_one_map_a_switcher_and_the_numbers(make_app: MakeApp) -> None:
    at = make_app("presenter", space="Static", map="all words")
    no_exception(at)
    assert len(at.get("plotly_chart")) == 1
    assert chart_meta(at, 0)["space"] == "static"
    assert sense_numbers(at).loc["cosine, same sense", "static"] == "1.00"
    static = chart_points(at, 0)
    assert len({static[i] for i in BANKS}) == 1
    at.button_group(key="space").set_value("BERT").run()
    no_exception(at)
    assert chart_meta(at, 0)["space"] == "bert"
    assert len({chart_points(at, 0)[i] for i in BANKS}) == 3


def test_wordnet_examples_join_the_spotlight(make_app: MakeApp) -> None:
    at = make_app("presenter", wordnet="true", rest="hidden", map="all words")
    no_exception(at)
    points = chart_points(at, 0)
    n_text = len(at.session_state["_embedded"])
    examples = [i for i in points if i >= n_text]
    assert len(examples) >= 10 and set(BANKS) <= set(points) and len(points) == 3 + len(examples)
    table = sense_numbers(at)
    assert float(table.loc["nearest is same sense", "BERT"]) > float(table.loc["… by chance", "BERT"])
    assert table.loc["nearest is same sense", "static"] == table.loc["… by chance", "static"]
    assert np.isfinite(float(table.loc["cosine, different senses", "BERT"]))


def test_sense_numbers_say_how_many_occurrences_they_rest_on(make_app: MakeApp) -> None:
    """The river bank is the only occurrence of its sense: *nearest is same sense* cannot score it, and the page says
    so instead of a silent 1.00 over the two money banks."""
    at = make_app("explore", map="all words")
    table = sense_numbers(at)
    assert list(table.loc["… over occurrences"]) == ["2 of 3"] * 3
    note = next(c for c in texts(at, "caption") if "only occurrence of its sense" in c)
    assert "bank s1 (bank.n.01)" in note
    at = make_app("presenter", map="all words")
    assert sense_numbers(at).loc["… over occurrences", "BERT"] == "2 of 3"
    assert any("bank s1 (bank.n.01)" in c for c in texts(at, "caption"))


def test_the_selection_follows_the_spotlight(make_app: MakeApp) -> None:
    at = make_app("explore", map="all words")
    assert at.session_state["_embedded"].words[at.selectbox(key="occ").value] == "bank"
    at.button_group(key="spot").set_value("bat").run()
    no_exception(at)
    emb = at.session_state["_embedded"]
    picked = at.selectbox(key="occ").value
    assert emb.words[picked] == "bat"
    for n in (0, 2):  # the ring on the BERT and fused maps is on the bat
        ring = next(t for t in json.loads(at.get("plotly_chart")[n].proto.spec)["data"] if t["name"] == "selected")
        assert ring["customdata"] == [picked]
    at.selectbox(key="occ").select_index(0).run()  # another occurrence picked by hand stays picked
    chosen = at.selectbox(key="occ").value
    at.slider(key="alpha").set_value(0.8).run()
    assert at.selectbox(key="occ").value == chosen


def test_clicking_the_active_spotlight_turns_it_off_cleanly(make_app: MakeApp) -> None:
    at = make_app("explore")
    at.query_params["spot"] = ""  # the browser writes the cleared pill into the URL before the rerun
    at.button_group(key="spot").set_value(None).run()
    no_exception(at)
    assert at.button_group(key="spot").value == "every word"
    assert not [w for w in texts(at, "warning") if "was ignored" in w]
    assert not [t for t in at.toggle if t.disabled] and not [b for b in at.button_group if b.disabled]
    at.button_group(key="spot").set_value("bank").run()
    assert at.button_group(key="map").disabled is False
    at.button_group(key="map").set_value("all words").run()
    assert at.toggle(key="wordnet").disabled is False


def test_concat_alpha_is_explained_beside_the_slider(make_app: MakeApp) -> None:
    at = make_app("fusion_lab", mode="concat", alpha="0.7")
    no_exception(at)
    sidebar = [str(c.value) for c in at.sidebar.caption]
    meaning = next(c for c in sidebar if "Concatenation" in c)
    assert "√α = 0.84" in meaning and "√(1−α) = 0.55" in meaning and "|v|² is α = 0.70" in meaning
    assert "not α" in meaning
    labels = [m.label for m in at.metric]
    assert "Attention's mean share from BERT (all your words)" in labels
    assert any("not what the maps use now" in c for c in texts(at, "caption"))


def _user_groups(spec: dict) -> dict[str, int]:
    """The user's occurrences on a word map: legend group -> how many of them it holds."""
    return {
        t["name"]: len(plotly_array(t["customdata"]))
        for t in spec["data"]
        if str(t.get("name", "")).startswith("your “")
    }


def test_explore_opens_on_the_word_map_of_bank(make_app: MakeApp) -> None:
    """Spotlighting *bank* shows its own map first: the user's three banks among WordNet's sentences with it, the
    river bank in another cluster than the money banks on the BERT map, every bank on one spot on the static map."""
    at = make_app("explore")
    no_exception(at)
    assert at.button_group(key="map").value == "word map"
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert [s["layout"]["meta"]["space"] for s in specs] == ["bert", "static", "fused"]
    assert all(s["layout"]["meta"]["word_map"] == "bank" for s in specs)
    bert, static = chart_points(at, 0), chart_points(at, 1)
    assert len(bert) >= 53  # the user's 3 and at least 50 reference occurrences
    assert sorted(_user_groups(specs[0]).values()) == [1, 2]  # river bank alone, the money banks together
    assert len(set(static.values())) == 1  # the static table: one vector, one spot
    assert any("all" in t and "on this spot" in t for tr in specs[1]["data"] for t in (tr.get("text") or []))
    assert any("same vector" in c and "one spot" in c for c in texts(at, "caption"))
    assert chart_title(specs[2]).endswith("α=0.50")
    table = sense_numbers(at)
    assert list(table.columns) == ["BERT", "static", "fused α=0.50"]
    nearest = next(i for i in table.index if i.startswith("nearest tagged example"))
    assert "tagged)" in nearest  # the number says what it rests on
    assert float(table.loc[nearest, "BERT"]) > float(table.loc[nearest, "static"])
    shown = [c.replace("\\", "") for c in texts(at, "caption")]  # as rendered: markdown escapes removed
    assert any(c.startswith("1: ") and "river" in c and "cluster" in c for c in shown), shown
    assert "This word map (CSV)" in {b.proto.label for b in at.get("download_button")}
    at.button_group(key="map").set_value("all words").run()  # the map of all words: one click away
    no_exception(at)
    assert "word_map" not in chart_meta(at, 0) and set(BANKS) <= set(chart_points(at, 0))


def test_play_alpha_on_the_word_map_shows_each_frames_alpha(make_app: MakeApp) -> None:
    at = make_app("explore", alpha="0.3")
    spec = json.loads(at.get("plotly_chart")[2].proto.spec)
    shown = [chart_title(frame).rsplit("α=", 1)[1] for frame in spec["frames"]]
    assert shown == [f"{a / 10:.2f}" for a in range(11)] + ["0.30"]
    assert "exact morph" in spec["layout"]["updatemenus"][0]["buttons"][0]["label"]
    frame = spec["frames"][-2]  # alpha 1: the BERT map
    moved: dict[int, tuple[float, float]] = {}
    for drawn, framed in zip(spec["data"], frame["data"]):
        ids, xs, ys = (plotly_array(t.get(k)) for t, k in ((drawn, "customdata"), (framed, "x"), (framed, "y")))
        if drawn.get("name") not in ("selected", "title"):
            moved.update({int(i): (x, y) for i, x, y in zip(ids, xs, ys)})
    bert = chart_points(at, 0)
    assert set(moved) == set(bert) and all(np.allclose(moved[i], bert[i], atol=1e-5) for i in bert)


def test_presenter_opens_on_the_word_map_with_the_numbers_of_every_space(make_app: MakeApp) -> None:
    at = make_app("presenter", space="BERT")
    no_exception(at)
    assert len(at.get("plotly_chart")) == 1 and chart_meta(at, 0)["word_map"] == "bank"
    assert list(sense_numbers(at).columns) == ["BERT", "static", "fused α=0.50"]
    assert sorted(_user_groups(json.loads(at.get("plotly_chart")[0].proto.spec)).values()) == [1, 2]
    labels = [t for tr in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] for t in (tr.get("text") or [])]
    assert any(t.startswith("1: ") and "[bank]" in t for t in labels)  # labelled with its sentence


def test_the_first_word_map_build_moves_a_progress_bar(make_app: MakeApp, monkeypatch) -> None:
    """The first build of a word's map encodes its WordNet sentences (seconds): a bar moves through the steps."""
    import streamlit as st

    from embedkit_app import word_maps

    steps: list[tuple[int, int]] = []
    bars: list[str] = []
    build, progress_bar = word_maps.build_word_map, st.progress

    def cold_build(*args, progress, **kwargs):  # type: ignore[no-untyped-def]
        def seen(done: int, total: int) -> None:
            steps.append((done, total))
            progress(done, total)

        return build(*args, progress=seen, use_cache=False, **kwargs)  # never from the disk cache: a first build

    def recording_bar(value, text=None):  # type: ignore[no-untyped-def]
        bars.append(str(text))
        return progress_bar(value, text=text)

    monkeypatch.setattr(word_maps, "build_word_map", cold_build)
    monkeypatch.setattr(word_maps.st, "progress", recording_bar)
    word_maps._store()[1].clear()
    at = make_app("explore", spot="water")
    no_exception(at)
    assert chart_meta(at, 0)["word_map"] == "water"
    total = steps[-1][1]
    assert total >= 3 and steps[-1] == (total, total)  # the sentences in chunks, then the analysis
    assert len({d for d, _ in steps}) >= 3  # it moved
    assert any("“water” in WordNet" in b for b in bars), bars  # the bar is on screen from the start
