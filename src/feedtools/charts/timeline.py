"""Charts for the event-timeline notebook, each drawn from an aggregated frame of :mod:`feedtools.timeline`.

* :func:`posts_over_time` — posts per day or week (:func:`feedtools.timeline.period_counts`):
  bars for the posts certainly in the period, a light bar up to the posts possibly in it,
  and a line of the expected count (each post spread over its window). On a dated feed the
  three agree and the bars are exact counts (in the time zone the timeline was built in).
* :func:`window_chart` — each distinct date window as a thin horizontal bar, feed order down
  the y axis (:func:`feedtools.timeline.window_bands`): how sure each date is.
* :func:`events_chart` — events as bars on a time axis (:attr:`Timeline.events`).
* :func:`groups_over_time` — languages or hashtags over time (``period_counts(by=...)``).
* :func:`with_calendar` — overlay a user's event calendar (:func:`feedtools.timeline.load_event_calendar`).

The frames have one row per period, window or event, never one per post, so a chart's
size does not grow with the feed. Untrusted text (labels, hashtags) only goes into chart
data (axes, tooltips), never into titles. Functions raise ``ValueError`` when a needed
column is missing and return :func:`feedtools.charts.empty_note` for an empty frame.
"""

from __future__ import annotations

import json

import altair as alt
import polars as pl

from feedtools.charts import OTHER, WIDTH, category_scale, count_axis, empty_note, top_categories

__all__ = ["events_chart", "groups_over_time", "posts_over_time", "window_chart", "with_calendar"]

_SOURCE_COLORS = {"timestamp": "#2ca02c", "evidence": "#1f77b4", "neighbours": "#9ecae1"}
#: The three marks of :func:`posts_over_time`, as its legend names them, and their colours.
_PERIOD_MARKS = {
    "posts certainly in the period": "#08519c",
    "posts possibly in it": "#c6dbef",
    "expected posts": "#ff7f0e",
}


#: What the chart builders return: one chart, a layered chart, or a faceted one.
Figure = alt.Chart | alt.LayerChart | alt.FacetChart


def _need(df: pl.DataFrame, *columns: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing}")


def posts_over_time(counts: pl.DataFrame, *, title: str = "Posts over time") -> Figure:
    """Posts per period with uncertainty, from ``period_counts(..., by=None)``.

    Dark bars: ``n_certain``; light bars: ``n_possible``; orange line: ``n_expected``;
    a legend names the three marks (only those with a non-zero value somewhere).
    Rows with a null ``period_start`` (open windows) are not drawn.
    """
    _need(counts, "period_start", "n_certain", "n_possible", "n_expected")
    df = counts.filter(pl.col("period_start").is_not_null())
    if df.height == 0:
        return empty_note(title)
    names = list(_PERIOD_MARKS)
    present = [
        name for name, col in zip(names, ["n_certain", "n_possible", "n_expected"], strict=True) if (df[col] > 0).any()
    ] or names[:1]
    scale = alt.Scale(domain=present, range=[_PERIOD_MARKS[n] for n in present])
    base = alt.Chart(df).encode(x=alt.X("period_start:T", title="day or week (start)"))
    tooltip = [
        alt.Tooltip("period_start:T", title="period"),
        alt.Tooltip("n_certain:Q", title="certainly"),
        alt.Tooltip("n_possible:Q", title="possibly"),
        alt.Tooltip("n_expected:Q", title="expected", format=".1f"),
    ]
    layers = []
    for name, mark, column in (
        (names[1], base.mark_bar(), "n_possible"),
        (names[0], base.mark_bar(), "n_certain"),
        (names[2], base.mark_line(interpolate="step-after"), "n_expected"),
    ):
        if name in present:
            # The mark's name is one of this module's constants (json.dumps quotes it): never feed data.
            layers.append(
                mark.transform_calculate(mark=json.dumps(name)).encode(
                    y=alt.Y(f"{column}:Q", title="posts", axis=count_axis()),
                    color=alt.Color("mark:N", scale=scale, title=None, legend=alt.Legend(orient="top")),
                    tooltip=tooltip,
                )
            )
    return alt.layer(*layers).properties(width=WIDTH, height=220, title=title)


def window_chart(bands: pl.DataFrame, *, title: str = "Date window of each post (feed order, newest on top)") -> Figure:
    """One thin horizontal bar per distinct window (``window_bands``): from ``date_min`` to
    ``date_max`` at the feed position of its first post, coloured by ``date_source``; a
    one-day window shows as a dot."""
    _need(bands, "date_min", "date_max", "date_source", "n_posts", "first_position", "last_position")
    if bands.height == 0:
        return empty_note(title)
    df = bands.with_columns(days=(pl.col("date_max") - pl.col("date_min")).dt.total_days() + 1)
    tooltip = [
        alt.Tooltip("date_min:T", title="from"),
        alt.Tooltip("date_max:T", title="to"),
        alt.Tooltip("days:Q", title="days"),
        alt.Tooltip("date_source:N", title="source"),
        alt.Tooltip("n_posts:Q", title="posts"),
        alt.Tooltip("first_position:Q", title="first position"),
        alt.Tooltip("last_position:Q", title="last position"),
    ]
    y = alt.Y(
        "first_position:Q",
        scale=alt.Scale(reverse=True, zero=False, nice=False),
        stack=None,
        title="feed position",
        axis=count_axis(),
    )
    present = set(df["date_source"].drop_nulls())
    domain = [k for k in _SOURCE_COLORS if k in present]
    color = alt.Color(
        "date_source:N", scale=alt.Scale(domain=domain, range=[_SOURCE_COLORS[k] for k in domain]), title="date from"
    )
    rules = (
        alt.Chart(df)
        .mark_bar(height=3)
        .encode(x=alt.X("date_min:T", title="date"), x2="date_max:T", y=y, color=color, tooltip=tooltip)
    )
    dots = alt.Chart(df).mark_point(filled=True, size=30).encode(x="date_min:T", y=y, color=color, tooltip=tooltip)
    return alt.layer(rules, dots).properties(width=WIDTH, height=max(120, min(6 * df.height, 600)), title=title)


def events_chart(events: pl.DataFrame, *, title: str = "Events", max_events: int = 40) -> Figure:
    """Events as bars on a time axis: from the first to the last day their posts can have
    been made (``date_min``/``date_max``; an open bound falls back to the dates the posts
    name, ``event_date_min``/``event_date_max``), with a tick at the named event dates.
    Events with no date at all are not drawn. At most ``max_events`` bars: the events with
    the most posts (ties: the earlier, then the smaller id), and the title says how many
    were left out, so the chart stays readable and small on a feed with thousands of events."""
    _need(events, "event_id", "label", "date_min", "date_max", "event_date_min", "event_date_max", "n_posts")
    df = (
        events.with_columns(
            start=pl.coalesce("date_min", "event_date_min", "date_max", "event_date_max"),
            end=pl.coalesce("date_max", "event_date_max", "date_min", "event_date_min"),
            languages=pl.col("languages").list.join(", ") if "languages" in events.columns else pl.lit(""),
        )
        .filter(pl.col("start").is_not_null())
        .select("event_id", "label", "start", "end", "event_date_min", "event_date_max", "n_posts", "languages")
    )
    if df.height == 0:
        return empty_note(title)
    if df.height > max_events:
        title = f"{title} (the {max_events} with most posts, of {df.height})"
        df = df.sort(["n_posts", "start", "event_id"], descending=[True, False, False]).head(max_events)
    tooltip = [
        alt.Tooltip("event_id:N", title="event"),
        alt.Tooltip("label:N"),
        alt.Tooltip("start:T", title="posts from"),
        alt.Tooltip("end:T", title="posts until"),
        alt.Tooltip("event_date_min:T", title="dates named from"),
        alt.Tooltip("event_date_max:T", title="dates named until"),
        alt.Tooltip("n_posts:Q", title="posts"),
        alt.Tooltip("languages:N"),
    ]
    y = alt.Y("event_id:N", sort=alt.EncodingSortField("start", order="ascending"), title=None)
    bars = (
        alt.Chart(df)
        .mark_bar(opacity=0.6, height=12)
        .encode(x=alt.X("start:T", title="date"), x2="end:T", y=y, tooltip=tooltip)
    )
    named = (
        alt.Chart(df.filter(pl.col("event_date_min").is_not_null()))
        .mark_tick(color="#d62728", thickness=2, size=14)
        .encode(x="event_date_min:T", y=y, tooltip=tooltip)
    )
    labels = alt.Chart(df).mark_text(align="left", dx=4, fontSize=10).encode(x="end:T", y=y, text="label:N")
    subtitle = "bar: the days its posts can have been made; red tick: the first date its posts name"
    return alt.layer(bars, named, labels).properties(
        width=WIDTH, height=max(60, 24 * df.height), title=alt.Title(title, subtitle=subtitle)
    )


def groups_over_time(counts: pl.DataFrame, *, title: str = "Over time", group_title: str = "group") -> alt.Chart:
    """Expected posts per period and group (``period_counts(by='lang'|'hashtag')``), stacked;
    tooltips give the certain and possible counts too.

    Each group has its own colour (:data:`feedtools.charts.CATEGORY_COLORS`); beyond
    that many groups, the smallest are summed into "other". The legend lists the
    groups drawn, largest first ("other" last).
    """
    _need(counts, "period_start", "group", "n_certain", "n_possible", "n_expected")
    df = counts.filter(pl.col("period_start").is_not_null() & (pl.col("n_expected") > 0))
    if df.height == 0:
        return empty_note(title)
    df = (
        top_categories(df.with_columns(pl.col("group").fill_null("unknown")), "group", "n_expected")
        .group_by("period_start", "group")
        .agg(pl.col("n_certain", "n_possible", "n_expected").sum())
        .sort("period_start", "group")
    )
    totals = df.group_by("group").agg(pl.col("n_expected").sum()).with_columns(last=pl.col("group") == OTHER)
    order = totals.sort(["last", "n_expected", "group"], descending=[False, True, False])["group"].to_list()
    df = df.with_columns(
        group_rank=pl.col("group").replace_strict(order, list(range(len(order))), return_dtype=pl.Int64)
    )
    tooltip = [
        alt.Tooltip("period_start:T", title="period"),
        alt.Tooltip("group:N", title=group_title),
        alt.Tooltip("n_expected:Q", title="expected", format=".1f"),
        alt.Tooltip("n_certain:Q", title="certainly"),
        alt.Tooltip("n_possible:Q", title="possibly"),
    ]
    return (
        alt.Chart(df)
        .mark_area(interpolate="step-after", opacity=0.8)
        .encode(
            x=alt.X("period_start:T", title="day or week (start)"),
            y=alt.Y("n_expected:Q", stack=True, title="expected posts", axis=count_axis()),
            color=alt.Color("group:N", title=group_title, scale=category_scale(order), sort=order),
            order=alt.Order("group_rank:Q"),
            tooltip=tooltip,
        )
        .properties(width=WIDTH, height=220, title=title)
    )


def with_calendar(chart: Figure, calendar: pl.DataFrame) -> Figure:
    """``chart`` (with a temporal x axis) with a user's calendar drawn over it: one shaded
    span per calendar row (``start``, ``end``, ``label`` from
    :func:`feedtools.timeline.load_event_calendar`) and its label at the top."""
    _need(calendar, "start", "end", "label")
    if calendar.height == 0:
        return chart
    tooltip = [alt.Tooltip("label:N"), alt.Tooltip("start:T"), alt.Tooltip("end:T")]
    spans = (
        alt.Chart(calendar).mark_rect(opacity=0.15, color="#d62728").encode(x="start:T", x2="end:T", tooltip=tooltip)
    )
    text = (
        alt.Chart(calendar)
        .mark_text(align="left", baseline="top", dx=2, dy=2, fontSize=9, color="#a50f15", angle=0)
        .encode(x="start:T", y=alt.value(0), text="label:N")
    )
    return alt.layer(chart, spans, text)
