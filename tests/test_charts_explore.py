"""feedtools.charts and feedtools.charts.explore: charts from aggregated frames, tested through to_dict()."""

from __future__ import annotations

import json

import altair as alt
import polars as pl
import pytest
from chart_checks import check_colors, count_axes

from feedtools import charts, explore
from feedtools.charts import explore as ce


@pytest.fixture(scope="module")
def seed_tables(seed_feed):
    return {
        "volume": explore.volume(seed_feed),
        "hashtags": explore.top_hashtags(seed_feed, n=15),
        "mentions": explore.top_mentions(seed_feed, n=15),
        "emoji": explore.top_emoji(seed_feed, n=15),
        "hist": explore.length_histogram(seed_feed, 25),
        "longest": explore.longest_posts(seed_feed),
        "langs": explore.language_table(seed_feed),
    }


def _data(chart: alt.Chart) -> list[dict]:
    spec = chart.to_dict()
    return next(iter(spec["datasets"].values()))


def test_every_chart_has_tooltips_width_and_only_aggregated_data(seed_tables, seed_feed):
    built = [
        ce.volume_chart(seed_tables["volume"]),
        ce.entity_chart(seed_tables["hashtags"], "hashtag", "t"),
        ce.entity_chart(seed_tables["mentions"], "mention", "t"),
        ce.emoji_chart(seed_tables["emoji"]),
        ce.length_chart(seed_tables["hist"]),
        ce.longest_posts_chart(seed_tables["longest"]),
        ce.languages_chart(seed_tables["langs"]),
    ]
    for chart in built:
        spec = chart.to_dict()
        assert spec["width"] == charts.WIDTH
        assert spec["encoding"]["tooltip"], spec.get("title")
        assert len(_data(chart)) <= 30 < seed_feed.posts.height  # aggregates, never one row per post


def test_bar_chart_keeps_frame_order_and_validates_columns():
    df = pl.DataFrame({"tag": ["b", "a", "c"], "posts": [3, 2, 2]})
    spec = charts.bar_chart(df, x="posts", y="tag", title="T").to_dict()
    assert spec["encoding"]["y"]["sort"] is None  # bars in the frame's (sorted) order
    assert [r["tag"] for r in _data(charts.bar_chart(df, "posts", "tag"))] == ["b", "a", "c"]
    assert [t["field"] for t in spec["encoding"]["tooltip"]] == ["tag", "posts"]
    with pytest.raises(ValueError, match="nope"):
        charts.bar_chart(df, x="posts", y="nope")


def test_empty_frames_give_a_note_not_an_error():
    empty = explore.top_hashtags(pl.DataFrame(schema=feedtools_schema()))
    spec = ce.entity_chart(empty, "hashtag", "Hashtags").to_dict()
    assert spec["mark"]["type"] == "text"
    assert (
        ce.length_chart(explore.length_histogram(pl.DataFrame(schema=feedtools_schema()))).to_dict()["mark"]["type"]
        == "text"
    )


def feedtools_schema():
    from feedtools.schema import POSTS_SCHEMA

    return POSTS_SCHEMA


def test_hashtag_chart_puts_spellings_in_the_tooltip(seed_tables):
    rows = _data(ce.entity_chart(seed_tables["hashtags"], "hashtag", "t"))
    assert rows[0]["hashtag"] == "uclgmeets"
    assert rows[0]["spellings"] == "UCLGMeets, UCLGmeets"


def test_chart_html_cannot_break_out_of_its_script():
    hostile = pl.DataFrame({"post": ['</script><script>alert("x")</script><!--'], "chars": [1]})
    bundle = charts.bar_chart(hostile, "chars", "post")._repr_mimebundle_()
    html = (bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"]
    script = html[html.index("<script") :]
    assert script.count("</script") == 1  # only the closing tag of the chart's own script
    assert "<!--" not in script
    assert "\\u003c/script\\u003e" in script  # the data is still there, escaped for JSON
    encoded = json.dumps({"a": "<&>"}, cls=charts.ScriptSafeJSONEncoder)
    assert json.loads(encoded) == {"a": "<&>"} and "<" not in encoded


def test_table_escapes_every_cell_and_has_a_plain_text_repr():
    df = pl.DataFrame({"name": ["<script>alert(1)</script>", None], "tags": [["<b>", "x"], []], "n": [1, 2]})
    t = charts.table(df)
    html = t._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;, x" in html
    assert html.count("<tr>") == 3 and html.count("\n") > 3  # one row per line: readable diffs
    assert "<script>alert(1)</script>" in repr(t)
    assert "3 of 5 rows shown." in charts.table(pl.DataFrame({"a": range(5)}), max_rows=3)._repr_html_()


# --- colours, legends, axes and labels a reader trusts at a glance ---------------------------------------------


def test_category_palette_is_distinct_and_keeps_grey_for_unloaded():
    assert len(set(charts.CATEGORY_COLORS)) == len(charts.CATEGORY_COLORS) >= 12
    assert charts.KIND_COLORS["unloaded"] not in charts.CATEGORY_COLORS
    theme = alt.theme.get()()
    assert theme["config"]["range"]["category"] == charts.CATEGORY_COLORS
    with pytest.raises(ValueError, match="other"):
        charts.category_scale([str(i) for i in range(len(charts.CATEGORY_COLORS) + 1)])


def test_kind_legends_list_only_the_kinds_present(seed_tables):
    no_unloaded = pl.DataFrame({"kind": ["own", "repost"], "posts": [5, 2], "share": [0.7, 0.3]})
    spec = ce.volume_chart(no_unloaded).to_dict()
    kinds = charts.KIND_COLORS
    assert check_colors(spec) == [("kind", ["own", "repost"], [kinds["own"], kinds["repost"]])]
    for chart in (
        ce.volume_chart(seed_tables["volume"]),
        ce.length_chart(seed_tables["hist"]),
        ce.longest_posts_chart(seed_tables["longest"]),
        ce.languages_chart(seed_tables["langs"]),
    ):
        assert check_colors(chart.to_dict()), chart.to_dict().get("title")
    # the seed declares no language: the legend does not offer "declared"
    assert check_colors(ce.languages_chart(seed_tables["langs"]).to_dict()) == [("source", ["detected"], ["#1f77b4"])]
    own_only = seed_tables["longest"].filter(pl.col("kind") == "own")
    assert check_colors(ce.longest_posts_chart(own_only).to_dict())[0][1] == ["own"]


def test_count_axes_have_integer_ticks(seed_tables):
    assert count_axes(ce.volume_chart(seed_tables["volume"]).to_dict(), {"posts"})
    assert count_axes(ce.length_chart(seed_tables["hist"]).to_dict(), {"posts"})
    assert count_axes(ce.entity_chart(seed_tables["hashtags"], "hashtag", "t").to_dict(), {"posts"})
    assert count_axes(ce.languages_chart(seed_tables["langs"]).to_dict(), {"posts"})
    assert count_axes(ce.emoji_chart(seed_tables["emoji"]).to_dict(), {"posts"})


def test_emoji_labels_carry_their_unicode_names(seed_tables):
    spec = ce.emoji_chart(seed_tables["emoji"]).to_dict()
    rows = _data(ce.emoji_chart(seed_tables["emoji"]))
    assert spec["encoding"]["y"]["field"] == "label"
    assert {"field": "name", "type": "nominal"} in spec["encoding"]["tooltip"]
    first = rows[0]
    assert first["label"] == f"{first['emoji']} {first['name']}"
    assert all(r["name"] and r["name"].isascii() and r["label"].endswith(r["name"]) for r in rows)
    assert charts.readable("🌍") == "🌍 globe showing Europe-Africa"
    assert charts.readable("🇪🇸 hola") == "🇪🇸 hola Spain"
    assert charts.readable("plain text") == "plain text" and charts.readable(None) is None


def test_titles_and_tooltips_use_words_not_column_names(seed_tables):
    spec = ce.languages_chart(seed_tables["langs"]).to_dict()
    titles = {t.get("title") for t in spec["encoding"]["tooltip"]}
    assert "language" in titles and spec["encoding"]["y"]["title"] == "language"
    assert "kind of row" in json.dumps(ce.length_chart(seed_tables["hist"]).to_dict()["encoding"])


def test_top_categories_folds_the_tail_into_other():
    df = pl.DataFrame({"group": list("abcdef"), "n": [6, 5, 4, 3, 2, 1]})
    folded = charts.top_categories(df, "group", "n", n=4)
    assert folded["group"].to_list() == ["a", "b", "c", "other", "other", "other"]
    assert charts.top_categories(df, "group", "n", n=6).equals(df)
    tie = pl.DataFrame({"group": ["y", "x", "z"], "n": [1, 1, 1]})
    assert charts.top_categories(tie, "group", "n", n=2)["group"].to_list() == ["other", "x", "other"]


def test_a_table_without_rows_says_so_in_html_and_text():
    empty = charts.table(pl.DataFrame(schema={"tag_a": pl.String, "tag_b": pl.String, "score": pl.Float64}))
    html = empty._repr_html_()
    assert "<th>tag_a</th>" in html and "<th>score</th>" in html  # the columns stay readable
    assert f'<td class="feedtools-empty" colspan="3">{charts.EMPTY_TABLE}</td>' in html
    assert repr(empty).endswith(charts.EMPTY_TABLE)
    one = charts.table(pl.DataFrame({"a": [1]}))
    assert "feedtools-empty" not in one._repr_html_() and charts.EMPTY_TABLE not in repr(one)
