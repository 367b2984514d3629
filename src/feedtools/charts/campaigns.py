"""Charts for the campaign notebook, each built from a frame of :mod:`feedtools.campaigns`.

Every function takes an already aggregated frame (one row per campaign, language,
marker, node or edge — never one per post), keeps at most ``top`` categories, and
returns an ``alt.Chart`` (or layered chart) with tooltips. Untrusted text (labels,
handles, hashtags) only ever goes into the chart's data, shown through encodings
and tooltips, never into titles or HTML. Raises ``ValueError`` when a needed
column is missing.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import polars as pl

from feedtools.charts import BAR_HEIGHT, WIDTH, category_scale, count_axis, empty_note, kind_scale, readable

__all__ = ["language_heatmap", "network_chart", "series_chart", "voice_chart"]

#: Voice columns of :func:`feedtools.campaigns.voice_by_campaign` / ``voice_by_language`` -> kind names of the
#: shared colour scale.
_VOICE_KINDS = {"own_posts": "own", "reposts": "repost", "reposts_not_loaded": "unloaded"}
_NODE_COLORS = {"campaign": "#d62728", "account": "#1f77b4"}
#: Categories keep the frame's order through a ``rank`` data column, so no data value is written into the spec.
_BY_RANK = alt.EncodingSortField(field="rank", op="min", order="ascending")
_EDGE_COLORS = {"mention": "#9ecae1", "cooccurrence": "#fcae91", "comention": "#c7e9c0"}
#: Words for the keys of the voice chart.
_KEY_WORDS = {"campaign_id": "campaign", "lang": "language"}


def _fixed_scale(colors: dict[str, str], values) -> alt.Scale:
    """``colors`` restricted to the values present (legend lists only those), in ``colors``' order."""
    present = set(values)
    domain = [k for k in colors if k in present]
    return alt.Scale(domain=domain, range=[colors[k] for k in domain])


def _need(df: pl.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing}")


def language_heatmap(langs: pl.DataFrame, top: int = 20) -> alt.Chart:
    """Campaign × detected language heatmap from :func:`feedtools.campaigns.campaign_languages`.

    One cell per (campaign, language) with its post count printed; colour is the
    language's share of the campaign. Campaigns keep the frame's order (largest
    first); only the first ``top`` are drawn.
    """
    _need(langs, "campaign_id", "label", "lang", "posts", "share")
    if langs.height == 0:
        return empty_note("Campaigns by language")
    order = langs["campaign_id"].unique(maintain_order=True).head(top).to_list()
    df = langs.filter(pl.col("campaign_id").is_in(order)).with_columns(
        rank=pl.col("campaign_id").replace_strict(order, list(range(len(order))), return_dtype=pl.Int64)
    )
    lang_order = (
        df.group_by("lang")
        .agg(pl.col("posts").sum())
        .sort(["posts", "lang"], descending=[True, False])["lang"]
        .to_list()
    )
    base = alt.Chart(df).encode(
        x=alt.X("lang:N", sort=lang_order, title="detected language of the post"),
        y=alt.Y("campaign_id:N", sort=_BY_RANK, title=None),
    )
    tooltip = [
        alt.Tooltip("campaign_id:N", title="campaign"),
        alt.Tooltip("label:N"),
        alt.Tooltip("lang:N", title="language"),
        alt.Tooltip("posts:Q"),
        alt.Tooltip("share:Q", format=".0%", title="share of campaign"),
    ]
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="share of campaign"),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("posts:Q"),
        color=alt.condition("datum.share > 0.6", alt.value("white"), alt.value("black")),
        tooltip=tooltip,
    )
    return (cells + text).properties(
        width=min(WIDTH, 70 * max(len(lang_order), 1)),
        height=max(BAR_HEIGHT * len(order), 40),
        title=alt.Title(
            "Campaigns by detected language of their posts",
            subtitle="number: posts of the campaign in that language; colour: its share of the campaign",
        ),
    )


def voice_chart(
    voice: pl.DataFrame, key: str = "campaign_id", top: int = 15, title: str | None = None, kind: str = "account"
) -> alt.Chart:
    """Stacked bars of own posts, reposts and unloaded reposts per ``key`` (campaign or language).

    ``kind="collection"`` (a feed of many accounts) calls own posts *original* posts, in the title and the
    legend (same colour).

    Input: :func:`feedtools.campaigns.voice_by_campaign` (``key="campaign_id"``) or
    :func:`feedtools.campaigns.voice_by_language` (``key="lang"``); the first ``top``
    rows in the frame's order (largest first).
    """
    _need(voice, key, "own_posts", "reposts", "reposts_not_loaded", "posts")
    word = _KEY_WORDS.get(key, key.replace("_", " "))
    collection = kind == "collection"
    title = title or f"{'Original posts' if collection else 'Own voice'} and amplification per {word}"
    if voice.height == 0:
        return empty_note(title)
    df = voice.head(top).with_row_index("rank")
    order = df[key].to_list()
    long = (
        df.unpivot(index=[key, "posts", "rank"], on=list(_VOICE_KINDS), variable_name="kind", value_name="n")
        .with_columns(kind=pl.col("kind").replace_strict(_VOICE_KINDS))
        .filter(pl.col("n") > 0)
    )
    scale = kind_scale(long["kind"])
    if collection:  # the same colours, "own" named "original"
        scale = alt.Scale(domain=["original" if k == "own" else k for k in scale.domain], range=scale.range)
        long = long.with_columns(kind=pl.col("kind").replace("own", "original"))
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("n:Q", title="posts", stack="zero", axis=count_axis()),
            y=alt.Y(f"{key}:N", sort=_BY_RANK, title=None),
            color=alt.Color("kind:N", scale=scale, title="kind of row"),
            order=alt.Order("kind:N"),
            tooltip=[
                alt.Tooltip(f"{key}:N", title=word),
                alt.Tooltip("kind:N", title="kind of row"),
                alt.Tooltip("n:Q", title="posts"),
                alt.Tooltip("posts:Q", title="all posts"),
            ],
        )
        .properties(width=WIDTH, height=max(BAR_HEIGHT * len(order), 40), title=title)
    )


def _edge_layer(edges: pl.DataFrame, axis: alt.Axis) -> alt.Chart:
    """The network's edges: one line each, width = weight, colour = kind of link."""
    return (
        alt.Chart(edges)
        .mark_rule(opacity=0.6)
        .encode(
            x=alt.X("x:Q", axis=axis),
            y=alt.Y("y:Q", axis=axis),
            x2="x2:Q",
            y2="y2:Q",
            strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(range=[0.5, 5]), title="posts (line)"),
            color=alt.Color("kind:N", scale=_fixed_scale(_EDGE_COLORS, edges["kind"]), title="line: posts with"),
            tooltip=[
                alt.Tooltip("source:N", title="from"),
                alt.Tooltip("target:N", title="to"),
                alt.Tooltip("kind:N", title="kind of link"),
                alt.Tooltip("weight:Q", title="posts"),
            ],
        )
    )


def _node_layer(nodes: pl.DataFrame, axis: alt.Axis) -> alt.Chart:
    """The network's nodes: one circle each, size = posts, colour = campaign/account."""
    return (
        alt.Chart(nodes)
        .mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("x:Q", axis=axis),
            y=alt.Y("y:Q", axis=axis),
            size=alt.Size("posts:Q", scale=alt.Scale(range=[30, 600]), title="posts (circle)"),
            fill=alt.Fill("kind:N", scale=_fixed_scale(_NODE_COLORS, nodes["kind"]), title="circle"),
            tooltip=[
                alt.Tooltip("name:N"),
                alt.Tooltip("label:N"),
                alt.Tooltip("kind:N", title="kind of node"),
                alt.Tooltip("posts:Q"),
                alt.Tooltip("degree:Q", title="weighted degree"),
            ],
        )
    )


def _labelled_nodes(nodes: pl.DataFrame, label_top: int, own_handles: list[str], label_accounts: int) -> pl.DataFrame:
    """The nodes that get a label (the ``label_top`` campaigns with most posts, the own accounts, the
    ``label_accounts`` best-connected other accounts), with an ``own`` column (True: the feed's own account)."""
    campaigns_shown = (
        nodes.filter(pl.col("kind") == "campaign").sort(["posts", "id"], descending=[True, False]).head(label_top)
    )
    accounts = nodes.filter(pl.col("kind") == "account")
    is_own = pl.col("name").str.to_lowercase().is_in(own_handles)
    accounts_shown = pl.concat(
        [
            accounts.filter(is_own),
            accounts.filter(~is_own)
            .sort(["degree", "posts", "id"], descending=[True, True, False])
            .head(label_accounts),
        ]
    )
    return pl.concat([campaigns_shown, accounts_shown]).with_columns(
        own=pl.col("name").str.to_lowercase().is_in(own_handles) & (pl.col("kind") == "account")
    )


def _label_layers(labelled: pl.DataFrame, axis: alt.Axis) -> list[alt.Chart]:
    """Text marks for the labelled nodes: other nodes' labels first, then the own account's in bold."""
    layers = []
    for is_bold in (False, True):
        part = labelled.filter(pl.col("own") == is_bold)
        if part.height:
            layers.append(
                alt.Chart(part)
                .mark_text(
                    align="left",
                    dx=7,
                    fontSize=11 if is_bold else 10,
                    fontWeight="bold" if is_bold else "normal",
                )
                .encode(x=alt.X("x:Q", axis=axis), y=alt.Y("y:Q", axis=axis), text=alt.Text("name:N"))
            )
    return layers


def network_chart(
    nodes: pl.DataFrame,
    edges: pl.DataFrame,
    label_top: int = 12,
    *,
    own: str | Sequence[str] | None = None,
    label_accounts: int = 6,
) -> alt.LayerChart | alt.Chart:
    """The partner network drawn from :func:`feedtools.campaigns.graph_layout`'s ``(nodes, edges)``.

    Edges are lines (width = weight, colour = kind), nodes are circles (size =
    posts, colour = campaign/account); legends list only the kinds drawn. Labelled:
    the ``label_top`` campaign nodes with most posts (their id; the full label is in
    the tooltip), the ``label_accounts`` best-connected accounts (weighted degree)
    and the feed's own account(s) ``own`` (handles, bold) when they are drawn. One
    mark per node and per edge of the (already reduced) layout.
    """
    _need(nodes, "id", "name", "kind", "label", "posts", "degree", "x", "y")
    _need(edges, "source", "target", "kind", "weight", "x", "y", "x2", "y2")
    title = "Partner network: campaigns and mentioned accounts"
    if nodes.height == 0:
        return empty_note(title)
    own_handles = [own] if isinstance(own, str) else list(own or [])
    own_handles = [h.lstrip("@").lower() for h in own_handles if h]
    axis = alt.Axis(title=None, labels=False, ticks=False, grid=False, domain=False)
    layers = [_edge_layer(edges, axis)] if edges.height else []
    layers.append(_node_layer(nodes, axis))
    layers += _label_layers(_labelled_nodes(nodes, label_top, own_handles, label_accounts), axis)
    subtitle = "labelled: the campaigns with most posts and the best-connected accounts"
    if own_handles:
        subtitle += " (the feed's own account in bold)"
    return (
        alt.layer(*layers)
        .resolve_scale(color="independent")
        .properties(width=WIDTH, height=WIDTH * 0.8, title=alt.Title(title, subtitle=subtitle))
    )


def series_chart(markers: pl.DataFrame, top: int = 15) -> alt.Chart:
    """Posts per series marker from :func:`feedtools.campaigns.series_markers` (markers as axis labels).

    Tooltips give the marker's first and last position and its commonest campaigns
    and languages.
    """
    _need(markers, "marker", "kind", "posts", "first_position", "last_position", "campaigns", "langs")
    title = "Series markers: recurring openers of the account's own posts"
    if markers.height == 0:
        return empty_note(title)
    df = (
        markers.head(top)
        .with_columns(
            campaigns=pl.col("campaigns").list.join(", "),
            langs=pl.col("langs").list.join(", "),
        )
        .with_columns(
            label=pl.Series([readable(m) for m in markers.head(top)["marker"].to_list()], dtype=pl.String),
        )
        .select("marker", "label", "kind", "posts", "first_position", "last_position", "campaigns", "langs")
        .with_row_index("rank")
    )
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("posts:Q", title="own posts", axis=count_axis()),
            y=alt.Y("label:N", sort=_BY_RANK, title=None, axis=alt.Axis(labelFontSize=13)),
            color=alt.Color("kind:N", title="opener", scale=category_scale(df["kind"])),
            tooltip=[
                alt.Tooltip("label:N", title="marker"),
                alt.Tooltip("kind:N", title="kind of opener"),
                alt.Tooltip("posts:Q"),
                alt.Tooltip("first_position:Q", title="first position"),
                alt.Tooltip("last_position:Q", title="last position"),
                alt.Tooltip("campaigns:N"),
                alt.Tooltip("langs:N", title="languages"),
            ],
        )
        .properties(width=WIDTH, height=max(BAR_HEIGHT * df.height, 40), title=title)
    )
