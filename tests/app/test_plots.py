"""The word map figure: user text is escaped, labels do not pile up, frames play with still axes."""

from __future__ import annotations

import numpy as np

from embedkit_app.map_figure import Group, MapPoints, map_figure

STYLES = {"bank": Group("bank <b>money</b>", "#0072B2"), "other": Group("other words", "#9AA3AF", faded=True)}


def points(labels: list[str], groups: list[str]) -> MapPoints:
    n = len(labels)
    return MapPoints(np.arange(n), labels, [f"<script>{w}</script>" for w in labels], groups, np.zeros(n, bool))


def test_map_figure_escapes_user_html() -> None:
    fig = map_figure(
        np.zeros((2, 2)), points(["<b>bank</b>", "x"], ["bank", "other"]), STYLES, title="<i>BERT</i>", selected=0
    )
    text = fig.to_json()
    assert "<b>bank" not in text and "&lt;b&gt;bank" in text
    assert "<script>" not in text and "<i>BERT" not in text
    assert "&lt;b&gt;money" in text  # legend names too


def test_points_on_one_spot_share_one_label_and_count_the_rest() -> None:
    coords = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [5.0, 5.0]])
    pts = points(["bank s1", "bank s2", "bank s3", "", "river"], ["bank"] * 4 + ["other"])
    fig = map_figure(coords, pts, STYLES, title="Static")
    labels = [t for trace in fig.data if trace.text is not None for t in trace.text if t]
    assert "bank s1·s2·s3 +1" in labels  # the fourth bank point (a WordNet example) has no label of its own
    assert labels.count("bank s2") == 0


def test_nearby_labels_take_different_positions() -> None:
    coords = np.array([[0.0, 0.0], [0.05, 0.0], [10.0, 10.0]])
    fig = map_figure(coords, points(["bank s1", "bank s2", ""], ["bank", "bank", "other"]), STYLES, title="BERT")
    trace = next(t for t in fig.data if t.name and t.name.startswith("bank"))
    assert trace.textposition[0] != trace.textposition[1]


def test_frames_play_alpha_with_still_axes_and_the_faded_group_last_in_the_legend() -> None:
    coords = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    frames = [(f"α={a:.2f}", coords * (1 + a)) for a in (0.0, 0.5, 1.0)]
    pts = points(["bank s1", "", ""], ["bank", "other", "other"])
    fig = map_figure(coords, pts, STYLES, title="Fused", selected=0, frames=frames, meta={"space": "fused"})
    out = fig.to_dict()  # what st.plotly_chart sends
    assert [f["name"] for f in out["frames"]] == ["α=0.00", "α=0.50", "α=1.00"]
    assert len(out["frames"][0]["data"]) == len(fig.data)  # every trace, the selection ring included, moves
    assert '"frames"' in fig.to_json() and "α=0.50" in fig.to_html(include_plotlyjs=False)
    assert fig.layout.updatemenus[0].buttons[0].method == "animate"
    assert fig.layout.xaxis.autorange is False and fig.layout.xaxis.range[1] > 4.0
    ranks = {t.name: t.legendrank for t in fig.data if t.showlegend}
    assert ranks["other words"] > max(r for n, r in ranks.items() if n != "other words")
    assert fig.layout.meta == {"space": "fused"}
    assert fig.layout.modebar.orientation == "v"  # the toolbar stands on the right edge, off the title


def test_a_label_at_the_top_edge_goes_under_its_point_and_titles_are_traces() -> None:
    """A label above a point on the top edge was clipped by the plot (the static word map's one spot); the title is a
    trace, so a play-alpha frame can change it on screen."""
    coords = np.array([[0.5, 0.96], [0.0, -1.0], [1.0, 1.0]])  # just under the top edge
    fig = map_figure(coords, points(["all 3 here", "", ""], ["bank", "other", "other"]), STYLES, title="Static")
    trace = next(t for t in fig.data if t.name and t.name.startswith("bank"))
    assert trace.textposition[0].startswith("bottom")
    title = next(t for t in fig.data if t.name == "title")
    assert list(title.text) == ["Static"] and title.cliponaxis is False
