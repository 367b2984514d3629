"""Charts for the exploration notebook, each built from a frame of :mod:`feedtools.explore`.

Every function takes the aggregated frame the matching ``feedtools.explore``
function returns (so its size is bounded, whatever the feed's size) and returns an
``alt.Chart`` with tooltips. Raises ``ValueError`` when a needed column is missing.
"""

from __future__ import annotations

import altair as alt
import polars as pl

from feedtools.charts import (
    BAR_HEIGHT,
    KIND_COLORS,
    WIDTH,
    bar_chart,
    category_scale,
    count_axis,
    emoji_names,
    empty_note,
    kind_scale,
    readable,
    top_categories,
)

__all__ = [
    "account_languages_chart",
    "accounts_chart",
    "amplifiers_chart",
    "emoji_chart",
    "entity_chart",
    "languages_chart",
    "length_chart",
    "longest_posts_chart",
    "volume_chart",
]

#: Words for the row kinds, in tooltips and legends' titles.
_KIND_TITLE = "kind of row"


def _need(df: pl.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing}")


def volume_chart(volume: pl.DataFrame, kind: str = "account") -> alt.Chart:
    """Rows per kind (own, repost, unloaded) from :func:`feedtools.explore.volume`.

    ``kind="collection"`` (a feed of many accounts) labels own posts ``original`` (same colour).
    """
    _need(volume, "kind", "posts", "share")
    labels = dict(zip(KIND_COLORS, KIND_COLORS, strict=True))
    if kind == "collection":
        labels["own"] = "original"
    present = [k for k in KIND_COLORS if k in set(volume["kind"].to_list())]  # the legend lists only these
    volume = volume.with_columns(pl.col("kind").replace_strict(labels, default=pl.col("kind")))
    scale = alt.Scale(domain=[labels[k] for k in present], range=[KIND_COLORS[k] for k in present])
    title = (
        "Original posts, reposts and unloaded placeholders"
        if kind == "collection"
        else "Own posts, reposts and unloaded placeholders"
    )
    return (
        alt.Chart(volume)
        .mark_bar()
        .encode(
            x=alt.X("posts:Q", title="rows", axis=count_axis()),
            y=alt.Y("kind:N", sort=[labels[k] for k in KIND_COLORS], title=None),
            color=alt.Color("kind:N", scale=scale, legend=None),
            tooltip=[
                alt.Tooltip("kind:N", title=_KIND_TITLE),
                alt.Tooltip("posts:Q", title="rows"),
                alt.Tooltip("share:Q", format=".1%", title="share of rows"),
            ],
        )
        .properties(width=WIDTH, height=90, title=title)
    )


def accounts_chart(activity: pl.DataFrame) -> alt.Chart:
    """Original posts per account by rank (the long tail), from :func:`feedtools.explore.account_activity`.

    One bar per account, most active first; the tooltip names the account and its cumulative share.
    """
    _need(activity, "rank", "account", "posts", "cumulative_share")
    title = "Original posts per account, most active first (the long tail)"
    if activity.height == 0:
        return empty_note(title)
    return (
        alt.Chart(activity)
        .mark_bar()
        .encode(
            x=alt.X("rank:O", title="account rank", axis=alt.Axis(labels=activity.height <= 40)),
            y=alt.Y("posts:Q", title="original posts", axis=count_axis()),
            tooltip=[
                "rank:O",
                "account:N",
                "posts:Q",
                alt.Tooltip("cumulative_share:Q", format=".1%", title="share up to this rank"),
            ],
        )
        .properties(width=WIDTH, height=200, title=title)
    )


def account_languages_chart(langs: pl.DataFrame) -> alt.Chart:
    """Detected languages of each account's loaded original posts, stacked, from
    :func:`feedtools.explore.account_languages` (accounts in the frame's order)."""
    _need(langs, "account", "lang", "posts")
    title = "Languages per account (detected, loaded original posts)"
    if langs.height == 0:
        return empty_note(title)
    order = list(dict.fromkeys(langs["account"].to_list()))
    langs = top_categories(langs, "lang", "posts")  # a colour per language, the rarest folded into "other"
    return (
        alt.Chart(langs)
        .mark_bar()
        .encode(
            x=alt.X("posts:Q", stack="zero", title="posts", axis=count_axis()),
            y=alt.Y("account:N", sort=order, title=None),
            color=alt.Color("lang:N", title="language", scale=category_scale(langs["lang"])),
            tooltip=[
                alt.Tooltip("account:N", title="account"),
                alt.Tooltip("lang:N", title="language"),
                alt.Tooltip("posts:Q", title="posts"),
            ],
        )
        .properties(width=WIDTH, height=max(BAR_HEIGHT * len(order), 40), title=title)
    )


def amplifiers_chart(table: pl.DataFrame) -> alt.Chart:
    """Reposts per reposting account, from :func:`feedtools.explore.amplifiers`."""
    _need(table, "reposted_by", "reposts", "loaded", "authors")
    return bar_chart(
        table,
        x="reposts",
        y="reposted_by",
        tooltip=["reposted_by", "reposts", "loaded", "authors"],
        title="Reposts per reposting account",
        x_title="reposts",
        y_title="reposted by",
    )


def entity_chart(top: pl.DataFrame, key: str, title: str) -> alt.Chart:
    """Posts per value for a top-``n`` frame (hashtags, mentions, domains): ``key``, ``posts``, ``uses``."""
    _need(top, key, "posts", "uses")
    tooltip = [key, "posts", "uses"] + (["spellings"] if "spellings" in top.columns else [])
    df = top.with_columns(pl.col("spellings").list.join(", ")) if "spellings" in top.columns else top
    return bar_chart(df, x="posts", y=key, tooltip=tooltip, title=title, x_title="posts")


def emoji_chart(top: pl.DataFrame, title: str = "Most used emoji") -> alt.Chart:
    """Posts per emoji from :func:`feedtools.explore.top_emoji`.

    Each axis label is the emoji followed by its Unicode name (``🌍 globe showing
    Europe-Africa``, see :func:`feedtools.charts.readable`), so the chart reads
    without an emoji font; the tooltip gives the name too.
    """
    _need(top, "emoji", "posts", "uses")
    emoji = top["emoji"].to_list()  # a top-n frame: a few rows, named one by one (the emoji library's loop)
    df = top.with_columns(
        name=pl.Series([emoji_names(e) for e in emoji], dtype=pl.String),
        label=pl.Series([readable(e) for e in emoji], dtype=pl.String),
    )
    return bar_chart(
        df,
        x="posts",
        y="label",
        tooltip=["emoji", "name", "posts", "uses"],
        title=title,
        x_title="posts",
        y_title="emoji",
    )


def length_chart(histogram: pl.DataFrame) -> alt.Chart:
    """Stacked histogram of post length by kind from :func:`feedtools.explore.length_histogram`."""
    _need(histogram, "bin_start", "bin_end", "kind", "posts")
    title = "Post length (characters), loaded posts"
    if histogram.height == 0:
        return empty_note(title)
    return (
        alt.Chart(histogram)
        .mark_bar()
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title="characters"),
            x2="bin_end:Q",
            y=alt.Y("posts:Q", stack="zero", title="posts", axis=count_axis()),
            color=alt.Color("kind:N", scale=kind_scale(histogram["kind"]), title=_KIND_TITLE),
            tooltip=[
                alt.Tooltip("bin_start:Q", title="from"),
                alt.Tooltip("bin_end:Q", title="to (excl.)"),
                alt.Tooltip("kind:N", title=_KIND_TITLE),
                alt.Tooltip("posts:Q"),
            ],
        )
        .properties(width=WIDTH, height=200, title=title)
    )


def longest_posts_chart(longest: pl.DataFrame) -> alt.Chart:
    """The longest posts, one bar each, the excerpt in the tooltip (:func:`feedtools.explore.longest_posts`)."""
    _need(longest, "position", "kind", "chars", "excerpt")
    df = longest.with_columns(("#" + pl.col("position").cast(pl.String)).alias("post"))
    return bar_chart(
        df,
        x="chars",
        y="post",
        tooltip=["post", "kind", "chars", "excerpt"],
        title="Longest posts, coloured by kind of row (hover for the text)",
        color="kind",
        color_scale=kind_scale(df["kind"]),
        color_title=_KIND_TITLE,
        x_title="characters",
        y_title="post (position in feed)",
    )


def languages_chart(languages: pl.DataFrame) -> alt.Chart:
    """Detected and declared languages side by side, from :func:`feedtools.explore.language_table`."""
    _need(languages, "lang", "detected", "declared", "agree")
    title = "Languages: detected from the text vs declared by the post"
    if languages.height == 0:
        return empty_note(title)
    order = languages["lang"].to_list()
    long = languages.unpivot(
        index=["lang", "agree"], on=["detected", "declared"], variable_name="source", value_name="posts"
    ).filter(pl.col("posts") > 0)  # no legend entry for an empty source
    sources = [s for s in ("detected", "declared") if s in set(long["source"])]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("posts:Q", title="posts", axis=count_axis()),
            y=alt.Y("lang:N", sort=order, title="language"),
            yOffset=alt.YOffset("source:N", sort=sources),
            color=alt.Color(
                "source:N",
                title="language",
                scale=category_scale(
                    sources, colors=[{"detected": "#1f77b4", "declared": "#9467bd"}[s] for s in sources]
                ),
            ),
            tooltip=[
                alt.Tooltip("lang:N", title="language"),
                alt.Tooltip("source:N", title="language as"),
                alt.Tooltip("posts:Q"),
                alt.Tooltip("agree:Q", title="detected = declared"),
            ],
        )
        .properties(width=WIDTH, height=max(36 * len(order), 60), title=title)
    )
