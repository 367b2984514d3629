"""Timeline charts, tested through chart.to_dict(): marks, encodings, empty frames, size, untrusted text."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from chart_checks import check_colors, count_axes
from timeline_demo import demo_dated_feed

from feedtools.charts import CATEGORY_COLORS, KIND_COLORS
from feedtools.charts import timeline as ct
from feedtools.timeline import build_timeline, period_counts, window_bands

D = dt.date


@pytest.fixture(scope="module")
def seed_tl(seed_feed):
    return build_timeline(seed_feed.posts)


def marks(spec: dict) -> list[str]:
    layers = spec.get("layer", [spec])
    out = []
    for layer in layers:
        out += (
            marks(layer)
            if "layer" in layer
            else [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]]
        )
    return out


def test_posts_over_time_draws_certain_possible_and_expected(seed_tl):
    spec = ct.posts_over_time(period_counts(seed_tl.posts, period="week")).to_dict()
    assert marks(spec) == ["bar", "bar", "line"]
    fields = [lay["encoding"]["y"]["field"] for lay in spec["layer"]]
    assert fields == ["n_possible", "n_certain", "n_expected"]
    data = next(iter(spec["datasets"].values()))
    assert all(r["period_start"] is not None for r in data)  # open windows are not drawn


def test_window_chart_one_bar_per_window(seed_tl):
    bands = window_bands(seed_tl.posts)
    spec = ct.window_chart(bands).to_dict()
    assert marks(spec) == ["bar", "point"]
    rule = spec["layer"][0]["encoding"]
    assert rule["x"]["field"] == "date_min" and rule["x2"]["field"] == "date_max"
    assert rule["color"]["field"] == "date_source"
    assert len(next(iter(spec["datasets"].values()))) == bands.height


def test_events_chart_bars_and_named_dates(seed_tl):
    spec = ct.events_chart(seed_tl.events).to_dict()
    assert marks(spec) == ["bar", "tick", "text"]
    data = next(iter(spec["datasets"].values()))
    assert {r["event_id"] for r in data} == set(seed_tl.events["event_id"])


def test_events_chart_keeps_the_largest_events_only(seed_tl):
    spec = ct.events_chart(seed_tl.events, max_events=3).to_dict()
    data = next(iter(spec["datasets"].values()))
    biggest = seed_tl.events.sort("n_posts", descending=True)["n_posts"].head(3).to_list()
    assert sorted((r["n_posts"] for r in data), reverse=True) == biggest
    assert f"of {seed_tl.events.height}" in json.dumps(spec["title"])


def test_groups_over_time_languages_and_hashtags(seed_feed, seed_tl):
    spec = ct.groups_over_time(period_counts(seed_tl.posts, by="lang", period="week"), group_title="language")
    d = spec.to_dict()
    assert d["mark"]["type"] == "area" and d["encoding"]["color"]["field"] == "group"
    spec = ct.groups_over_time(period_counts(seed_tl.posts, by="hashtag", posts=seed_feed.posts, top=5, period="week"))
    groups = {r["group"] for r in next(iter(spec.to_dict()["datasets"].values()))}
    assert 1 <= len(groups) <= 5 and all(g.startswith("#") for g in groups)


def test_calendar_overlay(seed_tl):
    cal = pl.DataFrame({"start": [D(2025, 3, 10)], "end": [D(2025, 3, 21)], "label": ["CSW69"]})
    spec = ct.with_calendar(ct.events_chart(seed_tl.events), cal).to_dict()
    assert marks(spec)[-2:] == ["rect", "text"]
    assert (
        ct.with_calendar(ct.events_chart(seed_tl.events), cal.head(0)).to_dict()
        == ct.events_chart(seed_tl.events).to_dict()
    )


def test_dated_feed_counts_are_exact():
    tl = build_timeline(demo_dated_feed())
    spec = ct.posts_over_time(period_counts(tl.posts)).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert sum(r["n_certain"] for r in rows) == 16
    assert all(r["n_certain"] == r["n_possible"] for r in rows)


def test_empty_frames_give_a_note_and_missing_columns_raise():
    empty = period_counts(pl.DataFrame(schema={"position": pl.Int64, "date_min": pl.Date, "date_max": pl.Date}))
    assert ct.posts_over_time(empty).to_dict()["mark"]["type"] == "text"
    with pytest.raises(ValueError, match="columns not in the frame"):
        ct.events_chart(pl.DataFrame({"event_id": ["E1"]}))


def test_chart_size_does_not_grow_with_the_feed():
    def spec_size(n: int) -> int:
        start = pl.Series([D(2025, 1, 1) + dt.timedelta(days=i % 300) for i in range(n)])
        tp = pl.DataFrame(
            {
                "position": range(n),
                "date_min": start,
                "date_max": start + pl.Series([dt.timedelta(days=i % 9) for i in range(n)]),
                "date_source": ["evidence"] * n,
                "lang": ["en", "es", "fr", "und"] * (n // 4),
            }
        )
        charts = [
            ct.posts_over_time(period_counts(tp, period="week")),
            ct.window_chart(window_bands(tp)),
            ct.groups_over_time(period_counts(tp, by="lang", period="week")),
        ]
        return sum(len(json.dumps(c.to_dict())) for c in charts)

    small, big = spec_size(4_000), spec_size(400_000)
    assert big < 1.2 * small and big < 400_000


def test_untrusted_text_stays_in_data(seed_tl):
    ev = seed_tl.events.head(1).with_columns(label=pl.lit("</script><script>alert(1)</script>"))
    spec = ct.events_chart(ev).to_dict()
    assert "script" not in json.dumps(spec.get("title", "")) and "script" not in json.dumps(
        [lay.get("title") for lay in spec["layer"]]
    )
    assert any("</script>" in r["label"] for r in next(iter(spec["datasets"].values())))


def test_groups_over_time_never_repeats_a_colour_and_keeps_grey_for_unloaded():
    n = 20
    counts = pl.DataFrame(
        {
            "period_start": [D(2025, 1, 6)] * n + [D(2025, 1, 13)] * n,
            "group": [f"tag{i:02d}" for i in range(n)] * 2,
            "n_certain": [1] * (2 * n),
            "n_possible": [2] * (2 * n),
            "n_expected": [float(n - i) for i in range(n)] * 2,
        }
    )
    spec = ct.groups_over_time(counts, title="Hashtags over time", group_title="hashtag").to_dict()
    [(_field, domain, colors)] = check_colors(spec)
    assert len(domain) == len(CATEGORY_COLORS) and domain[-1] == "other" and domain[0] == "tag00"
    rows = next(iter(spec["datasets"].values()))
    assert sum(r["n_expected"] for r in rows) == 2 * sum(range(1, n + 1))  # nothing lost in "other"
    count_axes(spec, {"n_expected"})
    langs = counts.filter(pl.col("group").is_in(["tag00", "tag01", "tag02"])).with_columns(
        group=pl.col("group").replace({"tag00": "en", "tag01": "es", "tag02": "fr"})
    )
    [(_, domain, colors)] = check_colors(ct.groups_over_time(langs, group_title="language").to_dict())
    assert domain == ["en", "es", "fr"] and KIND_COLORS["unloaded"] not in colors


def test_posts_over_time_names_its_marks_in_a_legend(seed_tl):
    spec = ct.posts_over_time(period_counts(seed_tl.posts, period="week")).to_dict()
    domains = {json.dumps(u["encoding"]["color"]["scale"]["domain"]) for u in spec["layer"]}
    assert domains == {json.dumps(["posts certainly in the period", "posts possibly in it", "expected posts"])}
    assert all(u["encoding"]["color"]["field"] == "mark" for u in spec["layer"])
    count_axes(spec, {"n_possible", "n_certain", "n_expected"})
    dated = ct.posts_over_time(period_counts(build_timeline(demo_dated_feed()).posts)).to_dict()
    assert len(dated["layer"]) == 3


def test_window_legend_lists_only_the_date_sources_present(seed_tl):
    bands = window_bands(seed_tl.posts)
    spec = ct.window_chart(bands).to_dict()
    domains = [d for _, d, _ in check_colors(spec)]
    assert domains and all(set(d) == set(bands["date_source"].drop_nulls()) for d in domains)
    assert "timestamp" not in domains[0]  # the seed has no timestamps: its legend does not say "timestamp"
    count_axes(spec, {"first_position"})
    events = ct.events_chart(seed_tl.events).to_dict()
    assert "red tick" in events["title"]["subtitle"]
