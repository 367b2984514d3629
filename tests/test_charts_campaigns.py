"""Campaign charts: built from aggregated frames, tested through chart.to_dict() (no browser)."""

from __future__ import annotations

import json

import polars as pl
import pytest
from chart_checks import check_colors, count_axes
from conftest import ROOT

from feedtools import campaigns as cp
from feedtools.charts import campaigns as charts

EVIL = '<script>alert("x")</script>'


def datasets(spec: dict) -> list[dict]:
    """Every data row embedded in a Vega-Lite spec."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def marks(spec: dict) -> list[str]:
    layers = spec.get("layer", [spec])
    out = []
    for layer in layers:
        m = layer.get("mark")
        out.append(m["type"] if isinstance(m, dict) else m)
    return out


def titles(spec: dict) -> str:
    """All text that is not data: chart titles, axis and legend titles (JSON of the spec minus datasets)."""
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, ensure_ascii=False)


@pytest.fixture(scope="module")
def seed(seed_feed):
    return seed_feed.posts, cp.load_aliases(ROOT / "data" / "campaigns.csv")


def test_language_heatmap_one_cell_per_campaign_language(seed):
    posts, aliases = seed
    langs = cp.campaign_languages(posts, aliases)
    spec = charts.language_heatmap(langs, top=5).to_dict()
    assert marks(spec) == ["rect", "text"]
    rows = datasets(spec)
    top5 = langs["campaign_id"].unique(maintain_order=True).head(5).to_list()
    assert {r["campaign_id"] for r in rows} == set(top5)
    assert len(rows) == langs.filter(pl.col("campaign_id").is_in(top5)).height  # aggregated, not per post
    uclg = {r["lang"]: r["posts"] for r in rows if r["campaign_id"] == "uclgmeets"}
    assert uclg == {"en": 13, "fr": 3, "es": 2}
    ranks = {r["campaign_id"]: r["rank"] for r in rows}
    assert sorted(ranks, key=ranks.get) == top5  # drawn largest first


def test_voice_chart_stacks_kinds(seed):
    posts, aliases = seed
    spec = charts.voice_chart(cp.voice_by_language(posts), key="lang").to_dict()
    rows = datasets(spec)
    assert {(r["lang"], r["kind"], r["n"]) for r in rows} >= {("und", "unloaded", 14), ("es", "own", 10)}
    assert spec["encoding"]["color"]["scale"]["domain"] == ["own", "repost", "unloaded"]
    spec = charts.voice_chart(cp.voice_by_campaign(posts, aliases), top=3).to_dict()
    assert len({r["campaign_id"] for r in datasets(spec)}) == 3


def test_network_chart_layers(seed):
    posts, aliases = seed
    nodes, edges = cp.graph_layout(cp.partner_graph(posts, aliases), max_nodes=20)
    spec = charts.network_chart(nodes, edges, label_top=5, label_accounts=3).to_dict()
    assert marks(spec) == ["rule", "circle", "text"]
    rows = datasets(spec)
    assert sum(1 for r in rows if "x2" in r) == edges.height
    n_campaigns = nodes.filter(pl.col("kind") == "campaign").height
    n_accounts = nodes.height - n_campaigns
    assert len(rows) == edges.height + nodes.height + min(5, n_campaigns) + min(3, n_accounts)


def test_network_labels_the_feeds_account_and_the_best_connected_accounts():
    nodes = pl.DataFrame(
        {
            "id": ["campaign:a", "account:hub.example", "account:own.example", "account:minor.example"],
            "name": ["a", "hub.example", "own.example", "minor.example"],
            "kind": ["campaign", "account", "account", "account"],
            "label": ["#A", "hub", "own", "minor"],
            "posts": [5, 9, 1, 1],
            "degree": [9.0, 12.0, 1.0, 2.0],
            "x": [0.0, 1.0, 2.0, 3.0],
            "y": [0.0, 1.0, 0.0, 1.0],
        }
    )
    edges = pl.DataFrame(
        {
            "source": ["campaign:a"],
            "target": ["account:hub.example"],
            "kind": ["mention"],
            "weight": [3],
            "x": [0.0],
            "y": [0.0],
            "x2": [1.0],
            "y2": [1.0],
        }
    )
    spec = charts.network_chart(nodes, edges, label_accounts=1, own="@Own.example").to_dict()
    texts = [u for u in spec["layer"] if u["mark"]["type"] == "text"]
    labels = {(u["mark"].get("fontWeight"), r["name"]) for u in texts for r in spec["datasets"][u["data"]["name"]]}
    assert labels == {("normal", "a"), ("normal", "hub.example"), ("bold", "own.example")}
    assert "own account in bold" in spec["title"]["subtitle"]
    # legends list only what is drawn: one edge kind, both node kinds
    assert [d for _, d, _ in check_colors(spec)] == [["mention"], ["campaign", "account"]]


def test_voice_and_series_charts_speak_words_and_count_in_integers(seed):
    posts, aliases = seed
    spec = charts.voice_chart(cp.voice_by_language(posts), key="lang").to_dict()
    assert spec["title"] == "Own voice and amplification per language"
    assert "per lang" not in json.dumps(spec["title"]).replace("per language", "")
    assert {"field": "lang", "type": "nominal", "title": "language"} in spec["encoding"]["tooltip"]
    check_colors(spec)
    count_axes(spec, {"n"})
    own_only = cp.voice_by_language(posts).with_columns(reposts=0, reposts_not_loaded=0)
    assert check_colors(charts.voice_chart(own_only, key="lang").to_dict())[0][1] == ["own"]
    series = charts.series_chart(cp.series_markers(posts, aliases), top=4).to_dict()
    count_axes(series, {"posts"})
    check_colors(series)
    assert next(r["label"] for r in datasets(series)) == "🟡 yellow circle"
    heat = charts.language_heatmap(cp.campaign_languages(posts, aliases)).to_dict()
    assert heat["title"]["subtitle"]  # the numbers and the colour are explained on the chart itself


def test_series_chart(seed):
    posts, aliases = seed
    spec = charts.series_chart(cp.series_markers(posts, aliases), top=4).to_dict()
    rows = datasets(spec)
    assert [r["marker"] for r in rows] == ["🟡", "💜", "💦", "🟠"]
    assert spec["encoding"]["y"]["field"] == "label"  # emoji and its name: readable without an emoji font
    assert rows[0]["campaigns"].startswith("uclgmeets:7")


def test_untrusted_text_only_in_data():
    langs = pl.DataFrame({"campaign_id": [EVIL], "label": [EVIL], "lang": ["en"], "posts": [3], "share": [1.0]})
    markers = pl.DataFrame(
        {
            "marker": [EVIL],
            "kind": ["label"],
            "posts": [2],
            "first_position": [0],
            "last_position": [4],
            "campaigns": [[EVIL + ":2"]],
            "langs": [["en:2"]],
        }
    )
    for chart in (charts.language_heatmap(langs), charts.series_chart(markers)):
        spec = chart.to_dict()
        assert "script" not in titles(spec)
        assert any(EVIL in str(v) for r in datasets(spec) for v in r.values())


def test_empty_frames_and_missing_columns():
    empty = pl.DataFrame(
        schema={"campaign_id": pl.String, "label": pl.String, "lang": pl.String, "posts": pl.Int64, "share": pl.Float64}
    )
    spec = charts.language_heatmap(empty).to_dict()
    assert datasets(spec) == [{"note": "nothing to show for this feed"}]
    with pytest.raises(ValueError, match="columns not in the frame"):
        charts.voice_chart(pl.DataFrame({"campaign_id": ["a"]}))
    with pytest.raises(ValueError, match="columns not in the frame"):
        charts.series_chart(pl.DataFrame({"marker": ["a"]}))
