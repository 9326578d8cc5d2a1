"""Every page runs without an exception, and interactions show the user what they should."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.app.conftest import PAGES, MakeApp, chart_title, no_exception, texts, upload_vectors

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs(make_app: MakeApp, page: str) -> None:
    at = make_app(page)
    no_exception(at)
    assert not at.error, texts(at, "error")
    assert any(e.label == "What am I looking at?" for e in at.expander)


def test_home_shows_formulas_example_and_model_status(make_app: MakeApp) -> None:
    at = make_app("home")
    assert len(at.latex) >= 3
    formulas = " ".join(str(e.value) for e in at.latex)
    assert r"\cos(h_i, c_i)/T" in formulas  # the parameter-free attention the app computes (embedkit/fusion.py)
    assert "P_j w_{ij}" not in formulas  # not the learned DME formula
    assert "river bank" in at.text_area(key="text").value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["BERT dimension"] == "384"
    assert metrics["Static dimension"] == "50"
    assert metrics["Static vocabulary"] == "400,000"
    assert metrics["OOV rate"] == "0%"


def test_home_embed_button_embeds_and_links_to_maps(make_app: MakeApp) -> None:
    at = make_app("home")
    at.button[0].click().run()
    no_exception(at)
    assert any(s.startswith("Embedded 71 words in 8 sentences") for s in texts(at, "success"))


def test_example_set_is_read_from_the_url(make_app: MakeApp) -> None:
    at = make_app("home", example="analogy")
    assert at.text_area(key="text").value.startswith("king queen")
    at.selectbox(key="example").select("paragraph").run()
    assert "river flooded" in at.text_area(key="text").value


def test_oov_rate_counts_unknown_words(make_app: MakeApp) -> None:
    at = make_app("home")
    at.text_area(key="text").input("the qwzxv bank\nflorbinate the river").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["OOV rate"] == "33%"


def test_empty_text_gives_a_plain_error(make_app: MakeApp) -> None:
    at = make_app("home")
    at.text_area(key="text").input("   \n  ").run()
    at.button[0].click().run()
    no_exception(at)
    assert any("no text to embed" in e for e in texts(at, "error"))


def test_binary_upload_gives_a_plain_error(make_app: MakeApp) -> None:
    at = make_app("home")
    at.file_uploader(key="upload_text").upload("notes.txt", b"\xff\xfe\x00\x01garbage\x00").run()
    no_exception(at)
    assert any("notes.txt" in e for e in texts(at, "error"))


def test_html_in_text_is_shown_as_text(make_app: MakeApp) -> None:
    at = make_app("home")
    at.text_area(key="text").input("<script>alert(1)</script> the <b>bank</b>\nThe bank is open.").run()
    at.button[0].click().run()
    no_exception(at)
    at.switch_page(PAGES["explore"]).run()
    no_exception(at)
    spec = json.dumps([json.loads(c.proto.spec) for c in at.get("plotly_chart")])
    assert "<script>" not in spec and "<b>bank" not in spec
    assert "&lt;script&gt;" in spec


def _dims_caption(at) -> str:
    return next(c for c in texts(at, "caption") if "Dimensions:" in c)


def test_explore_concat_reports_the_summed_dimension(make_app: MakeApp) -> None:
    at = make_app("explore")
    no_exception(at)
    assert len(at.get("plotly_chart")) == 3
    assert "fused **384**" in _dims_caption(at)
    at.button_group(key="mode").set_value("concat").run()
    no_exception(at)
    assert "fused **434**" in _dims_caption(at)
    assert "concatenation" in _dims_caption(at)


def test_alpha_and_mode_changes_never_re_embed(make_app: MakeApp, monkeypatch: pytest.MonkeyPatch) -> None:
    from embedkit.embedder import Embedder

    at = make_app("explore", map="all words")
    calls: list[int] = []
    original = Embedder.embed

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Embedder, "embed", counting)
    before = json.loads(at.get("plotly_chart")[2].proto.spec)
    at.slider(key="alpha").set_value(0.9).run()
    no_exception(at)
    after = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert before["data"][0]["x"] != after["data"][0]["x"], "the fused map did not move"
    assert "α=0.90" in chart_title(after)
    at.toggle(key="labels").set_value(False).run()
    at.slider(key="k").set_value(5).run()
    no_exception(at)
    assert calls == []


def test_selection_rings_the_same_occurrence_in_all_maps(make_app: MakeApp) -> None:
    at = make_app("explore", map="all words")
    at.selectbox(key="occ").select_index(3).run()
    no_exception(at)
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        rings = [t for t in spec["data"] if t.get("name") == "selected"]
        assert len(rings) == 1 or chart is at.get("plotly_chart")[1]


def _table(at, n: int):
    return at.dataframe[n].value.reset_index(drop=True)


def test_neighbours_alpha_one_fused_equals_bert(make_app: MakeApp) -> None:
    at = make_app("neighbours", alpha="1.0")
    no_exception(at)
    bert, fused = _table(at, 0), _table(at, 2)
    assert list(fused["word"]) == list(bert["word"])
    assert list(fused["in sentence"]) == list(bert["in sentence"])
    np.testing.assert_allclose(fused["cosine"], bert["cosine"], atol=1e-3)
    at.slider(key="alpha").set_value(0.0).run()
    assert list(_table(at, 2)["word"]) != list(_table(at, 0)["word"])


def test_neighbours_vocabulary_and_overlap_chart(make_app: MakeApp) -> None:
    at = make_app("neighbours")
    assert len(at.dataframe) == 6
    assert "bank" in list(_table(at, 3)["word"])  # "bank" in the river sentence is near the word bank
    assert len(at.get("plotly_chart")) == 1
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Overlap with BERT at this alpha", "Overlap with static at this alpha"}


def test_fusion_lab_polysemy_static_is_one_bert_is_not(make_app: MakeApp) -> None:
    at = make_app("fusion_lab")
    no_exception(at)
    metrics = {m.label: float(m.value) for m in at.metric if m.label in ("BERT", "Static")}
    assert metrics["Static"] == pytest.approx(1.0)
    assert metrics["BERT"] < 0.95
    assert len(at.get("plotly_chart")) == 5  # attention, three heatmaps, polysemy
    at.selectbox(key="lab_word").select("spring").run()
    no_exception(at)


def test_fusion_lab_learned_dme_weights_are_a_distribution_per_word(make_app: MakeApp) -> None:
    at = make_app("fusion_lab")
    assert not any(m.label.startswith("Mean learned share") for m in at.metric)  # nothing trains unasked
    at.button(key="lab_dme_button").click().run()
    no_exception(at)
    assert len(at.get("plotly_chart")) == 6  # the learned weights chart joins the five
    share = next(float(m.value) for m in at.metric if m.label.startswith("Mean learned share"))
    assert 0.0 <= share <= 1.0


def test_models_corrupt_vectors_file_gives_a_plain_error(make_app: MakeApp) -> None:
    errors = upload_vectors(make_app, "broken.vec", b"3 50\nthe 0.1 0.2\nnot numbers at all\n")
    assert any("Cannot use this vectors file" in e and "broken.vec" in e for e in errors), errors


def test_models_refuses_pickles(make_app: MakeApp) -> None:
    import pickle

    at = make_app("models")
    at.radio(key="s_source").set_value("upload").run()
    at.file_uploader(key="s_upload").upload("vectors.bin", pickle.dumps({"the": [0.1]})).run()
    no_exception(at)
    assert any("pickle" in e for e in texts(at, "error"))


def test_after_apply_an_upload_is_in_use_not_waiting_for_apply(make_app: MakeApp) -> None:
    """Once applied, the upload's message says it is in use: "Press Apply" never stands beside a disabled Apply."""
    at = make_app("models")
    at.radio(key="s_source").set_value("upload").run()
    at.file_uploader(key="s_upload").upload("ok.vec", b"2 3\nthe 0.1 0.2 0.3\nbank 0.3 0.2 0.1\n").run()
    assert any("ok.vec" in s and "Press Apply to use it" in s for s in texts(at, "success"))
    next(b for b in at.button if b.label == "Apply").click().run()
    no_exception(at)
    apply = next(b for b in at.button if b.label == "Apply")
    assert apply.disabled  # nothing left to apply
    shown = texts(at, "success") + texts(at, "caption")
    assert not any("Press Apply" in s for s in shown), shown
    assert any("ok.vec" in s and "In use now" in s for s in texts(at, "success"))
    assert any("Nothing to apply" in c for c in texts(at, "caption"))


def test_models_apply_changes_the_map_and_keeps_working(make_app: MakeApp) -> None:
    at = make_app("models")
    at.radio(key="align").set_value("pad").run()
    apply = next(b for b in at.button if b.label == "Apply")
    apply.click().run()
    no_exception(at)
    assert any("Applied" in s for s in texts(at, "success"))
    assert at.query_params.get("align") in ("pad", ["pad"])


def test_a_vectors_path_in_the_url_is_never_opened(make_app: MakeApp, tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"hello world\n")
    at = make_app("home", vectors=str(bad))
    no_exception(at)
    assert not at.error, texts(at, "error")
    assert any("vectors" in w and "ignored" in w for w in texts(at, "warning"))
    assert {m.label: m.value for m in at.metric}["Static vocabulary"] == "400,000"  # the bundled GloVe


def test_explore_offers_no_3d_and_pca_keeps_working(make_app: MakeApp) -> None:
    """3-D markers rendered as empty boxes and could not be clicked: 3-D is not offered."""
    at = make_app("explore")
    assert not [w for w in at.button_group if w.label == "Dimensions"]
    at.button_group(key="proj").set_value("PCA").run()
    no_exception(at)
    assert "projection PCA" in _dims_caption(at)
    assert all(json.loads(c.proto.spec)["data"][0]["type"] == "scatter" for c in at.get("plotly_chart"))


def test_explore_offers_every_download(make_app: MakeApp) -> None:
    at = make_app("explore", map="all words")
    labels = {b.proto.label for b in at.get("download_button")}
    assert {
        "Vectors (CSV)",
        "Vectors (Parquet)",
        "Map coordinates (CSV)",
        "Figure (HTML)",
        "Projector vectors.tsv",
        "Projector metadata.tsv",
    } <= labels


def test_models_unknown_model_id_keeps_the_previous_model(make_app: MakeApp) -> None:
    at = make_app("models")
    at.radio(key="m_source").set_value("hf").run()
    at.text_input(key="m_hf_id").input("no-such-org/no-such-model").run()
    next(b for b in at.button if b.label == "Apply").click().run()
    no_exception(at)
    assert any("keeping the previous ones" in e for e in texts(at, "error"))
    assert at.query_params.get("model") in (None, [], "")


def test_models_train_word2vec_on_the_lee_corpus(make_app: MakeApp) -> None:
    at = make_app("models")
    at.radio(key="s_source").set_value("train").run()
    at.select_slider(key="s_train_dim").set_value(25).run()
    at.slider(key="s_train_epochs").set_value(10).run()  # fewer epochs leave vectors that are flagged
    next(b for b in at.button if b.label == "Train").click().run()
    no_exception(at)
    shown = [s.replace("\\", "") for s in texts(at, "success")]  # as rendered: markdown escapes removed
    assert any("Trained and applied: word2vec 25d on Lee corpus" in s for s in shown), shown
    at.switch_page(PAGES["explore"]).run()
    no_exception(at)
    assert "static **25**" in _dims_caption(at)
