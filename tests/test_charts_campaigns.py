"""Campaign charts: built from aggregated frames, tested through chart.to_dict() (no browser)."""

from __future__ import annotations

import json

import polars as pl
import pytest
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
    spec = charts.network_chart(nodes, edges, label_top=5).to_dict()
    assert marks(spec) == ["rule", "circle", "text"]
    rows = datasets(spec)
    assert sum(1 for r in rows if "x2" in r) == edges.height
    assert len(rows) == edges.height + nodes.height + min(5, nodes.filter(pl.col("kind") == "campaign").height)


def test_series_chart(seed):
    posts, aliases = seed
    spec = charts.series_chart(cp.series_markers(posts, aliases), top=4).to_dict()
    rows = datasets(spec)
    assert [r["marker"] for r in rows] == ["🟡", "💜", "💦", "🟠"]
    assert rows[0]["campaigns"].startswith("uclgmeets:7")


def test_untrusted_text_only_in_data():
    langs = pl.DataFrame({"campaign_id": [EVIL], "label": [EVIL], "lang": ["en"], "posts": [3], "share": [1.0]})
    markers = pl.DataFrame({"marker": [EVIL], "kind": ["label"], "posts": [2], "first_position": [0],
                            "last_position": [4], "campaigns": [[EVIL + ":2"]], "langs": [["en:2"]]})
    for chart in (charts.language_heatmap(langs), charts.series_chart(markers)):
        spec = chart.to_dict()
        assert "script" not in titles(spec)
        assert any(EVIL in str(v) for r in datasets(spec) for v in r.values())


def test_empty_frames_and_missing_columns():
    empty = pl.DataFrame(schema={"campaign_id": pl.String, "label": pl.String, "lang": pl.String,
                                 "posts": pl.Int64, "share": pl.Float64})
    spec = charts.language_heatmap(empty).to_dict()
    assert datasets(spec) == [{"note": "nothing to show for this feed"}]
    with pytest.raises(ValueError, match="columns not in the frame"):
        charts.voice_chart(pl.DataFrame({"campaign_id": ["a"]}))
    with pytest.raises(ValueError, match="columns not in the frame"):
        charts.series_chart(pl.DataFrame({"marker": ["a"]}))
