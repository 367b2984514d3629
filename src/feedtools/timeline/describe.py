"""Findings in words (``describe_*``): the sentences the timelines notebook prints, computed from the Timeline.

Each returns a plain ``str`` true for THIS feed: zero, one and many said as such, unknown values as "unknown"
or left out (never None/nan), long lists cut to the first few with "… and K more".
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from feedtools.prose import count_accounts, day, join_list, pct, plural, span
from feedtools.series import scalar_float
from feedtools.timeline.aggregates import window_summary
from feedtools.timeline.core import Timeline


def describe_dating(
    posts: pl.DataFrame,
    timeline: Timeline,
    *,
    calendar_days: int | None = None,
    kind: str | None = None,
    accounts: int | None = None,
) -> str:
    """How this feed is dated: the reference year for dates written without one (and where it comes from), how
    many posts carry a timestamp, and what the feed order can and cannot tell (on a collection of many accounts
    without timestamps, order-based inference is not possible across accounts). ``calendar_days``: size of the
    observance calendar, said when given. ``kind`` (``"account"``/``"collection"``, ``feed.meta["kind"]``) and
    ``accounts`` (their number): when None, computed from the posts (more than one posting account makes a
    collection)."""
    n = posts.height
    if n == 0:
        return "The feed has no posts to date."
    sentences = []
    if calendar_days is not None:
        sentences.append(f"Observance calendar: {plural(calendar_days, 'day')}.")
    ref = timeline.reference_year
    if ref is None:
        sentences.append("No reference year: the feed names no year, so a date written without one bounds no post.")
    elif timeline.params.get("year_hint") is not None:
        sentences.append(f"Reference year for dates written without one: {ref} (given).")
    else:
        sentences.append(f"Reference year for dates written without one: {ref} (the commonest year the feed names).")
    ts = pl.lit(False)
    for c in ("created_at", "reposted_at"):
        if c in posts.columns:
            ts = ts | pl.col(c).is_not_null()
    dated = int(posts.select(ts.sum()).item())
    accounts = count_accounts(posts) if accounts is None else accounts
    collection = kind == "collection" if kind in ("account", "collection") else accounts > 1
    ordered = bool(timeline.params.get("ordered", True))
    sentences.append(_timestamps_sentence(n, dated, ordered, timeline.params.get("timezone", "UTC")))
    if not ordered and dated < n:
        if collection:
            sentences.append(
                f"The posts come from {plural(accounts, 'account')} and are not one account's feed in order, so "
                "order-based inference is not possible across accounts: a post without a timestamp is "
                "dated only by its own text."
            )
        else:
            sentences.append(
                "The rows are in storage or arrival order, not feed order, so neighbours do not bound "
                "a post's date: a post without a timestamp is dated only by its own text."
            )
    return " ".join(sentences)


def _timestamps_sentence(n: int, dated: int, ordered: bool, tz: str) -> str:
    """How many of the ``n`` posts carry a timestamp (``dated``) and where the windows of the others come from:
    the dates they name, and their neighbours when the rows are in feed order (``ordered``); days in ``tz``."""
    if dated == n:
        return f"All {plural(n, 'post')} carry a timestamp: their windows come from the timestamps (days in {tz})."
    if dated:
        return (
            f"{dated} of {plural(n, 'post')} carry a timestamp (their windows come from it, days in "
            f"{tz}); the other {n - dated} are dated from the dates their text names"
            + (" and their neighbours in the feed order." if ordered else ".")
        )
    return f"No post carries a timestamp: windows come from the dates the {plural(n, 'post')} name" + (
        " and the feed order (newest first)." if ordered else "."
    )


def describe_evidence(evidence: pl.DataFrame, *, limit: int = 6) -> str:
    """Sentences reading :attr:`Timeline.evidence`: how many clues in how many posts, how many bound a post's date,
    the clues by kind, and the commonest clues that name days (with the days)."""
    if evidence.height == 0:
        return "No date evidence: no post names a date, an observance day, a year or an event day."
    posts_n = evidence["position"].n_unique()
    used = int(evidence["used"].sum()) if "used" in evidence.columns else 0
    kinds = evidence.group_by("kind").len().sort(["len", "kind"], descending=[True, False])
    by_kind = join_list([f"{r['kind']} {r['len']}" for r in kinds.iter_rows(named=True)], 8)
    text = (
        f"{plural(evidence.height, 'clue')} in {plural(posts_n, 'post')} ({by_kind}); {used} of them bound a "
        "post's date."
    )
    named = (
        evidence.filter(pl.col("date_min").is_not_null() & (pl.col("kind") != "year"))
        .group_by("text", "date_min", "date_max")
        .agg(n=pl.len(), first=pl.col("position").min())
        .sort(["n", "first", "text"], descending=[True, False, False])
    )
    if named.height:
        items = []
        for r in named.iter_rows(named=True):
            times = f" ×{r['n']}" if r["n"] > 1 else ""
            days = (
                day(r["date_min"]) if r["date_min"] == r["date_max"] else f"{day(r['date_min'])}–{day(r['date_max'])}"
            )
            items.append(f"'{r['text']}'{times} ({days})")
        text += f" Days named: {join_list(items, limit)}."
    return text


def _span_days(first: dt.date | None, last: dt.date | None) -> str:
    if first is not None and first == last:
        return f"one day, {day(first)}"
    return span(first, last).removeprefix("from ")


def describe_windows(timeline_posts: pl.DataFrame) -> str:
    """Sentences reading :attr:`Timeline.posts` (what :func:`window_summary` tabulates): posts dated by timestamp,
    by their own evidence (how many to the exact day), by their neighbours, or not at all; the median bounded
    window, open windows, and the span the windows cover."""
    n = timeline_posts.height
    if n == 0:
        return "No post to date."
    s = window_summary(timeline_posts)
    by = {r["date_source"]: r for r in s.iter_rows(named=True)}
    what = {
        "timestamp": "by their timestamp",
        "evidence": "by their own evidence",
        "neighbours": "by their neighbours in the feed order",
        "unknown": "not at all (nothing bounds them)",
    }
    parts: list[str] = []
    for src in ("timestamp", "evidence", "neighbours", "unknown"):
        if src in by:
            r = by[src]
            exact = f" ({r['exact_day']} to the exact day)" if src in ("evidence", "neighbours") else ""
            verb = ("is" if r["posts"] == 1 else "are") + " dated " if not parts else ""
            parts.append(f"{r['posts']} {verb}{what[src]}{exact}")
    text = f"Of {plural(n, 'post')}, {join_list(parts, 4)}."
    bounded = timeline_posts["window_days"].drop_nulls()
    if bounded.len():
        text += (
            f" The median window is {plural(round(scalar_float(bounded.median())), 'day')}; "
            f"{bounded.len()} {'window is' if bounded.len() == 1 else 'windows are'} bounded on both sides, "
            f"together spanning {_span_days(*timeline_posts.select(pl.col('date_min').min(), pl.col('date_max').max()).row(0))}."
        )
    opened = n - bounded.len()
    if opened:
        text += f" {plural(opened, 'window')} {'stays' if opened == 1 else 'stay'} open on at least one side."
    return text


def describe_events(events: pl.DataFrame, *, limit: int = 8) -> str:
    """Sentences reading :attr:`Timeline.events`: how many events and, for each (oldest first), its posts,
    languages, when its posts were made and the days they name."""
    if events.height == 0:
        return (
            "No event: no run of posts shares a campaign hashtag used in a burst, an event name, a place or "
            "narrow dates."
        )
    items = []
    for r in events.iter_rows(named=True):
        langs = join_list(r["languages"] or [], 4)
        bits = [plural(r["n_posts"], "post")]
        if langs:
            bits.append(f"in {langs}")
        bits.append(f"posted {span(r['date_min'], r['date_max'])}")
        if r["event_date_min"] is not None or r["event_date_max"] is not None:
            bits.append(f"naming days {span(r['event_date_min'], r['event_date_max']).removeprefix('on ')}")
        items.append(f"{r['label']} ({', '.join(bits)})")
    return f"{plural(events.height, 'event')}: {join_list(items, limit)}."


def describe_periods(counts: pl.DataFrame, *, period: str = "week", limit: int = 4) -> str:
    """Sentences reading :func:`period_counts` (``by=None``): the periods with most posts certainly made in them,
    the busiest expected period, and the posts left out because their window is open."""
    closed = counts.filter(pl.col("period_start").is_not_null())
    opened = int(counts["n_open"].drop_nulls().sum()) if counts.height else 0
    tail = (
        f" {plural(opened, 'post')} with an open window {'is' if opened == 1 else 'are'} not drawn." if opened else ""
    )
    if closed.height == 0:
        return f"No post has a window bounded on both sides, so none can be placed in a {period}.{tail}"
    certain = closed.filter(pl.col("n_certain") > 0).sort(["n_certain", "period_start"], descending=[True, False])
    peak = closed.sort(["n_expected", "period_start"], descending=[True, False]).row(0, named=True)
    if certain.height:
        items = [f"{day(r['period_start'])} ({r['n_certain']})" for r in certain.iter_rows(named=True)]
        text = f"Posts certainly made in one {period}, by {period} starting: {join_list(items, limit)}."
    else:
        text = f"No post can be placed in a single {period}: only ranges can be said."
    text += (
        f" The expected count peaks in the {period} of {day(peak['period_start'])} ({peak['n_expected']:.1f} posts)."
    )
    return text + tail


def describe_groups_over_time(
    counts: pl.DataFrame, *, noun: str = "language", period: str = "week", limit: int = 6
) -> str:
    """Sentences reading :func:`period_counts` with ``by='lang'`` or ``by='hashtag'``: for each group (most
    expected posts first), the ``period`` where it peaks."""
    closed = counts.filter(pl.col("period_start").is_not_null() & (pl.col("n_expected") > 0))
    if counts.height == 0:
        return f"No {noun} to place in time."
    if closed.height == 0:
        return f"No post has a window bounded on both sides, so no {noun} can be placed in time."
    totals = (
        closed.group_by("group")
        .agg(total=pl.col("n_expected").sum())
        .sort(["total", "group"], descending=[True, False])
    )
    peaks = closed.sort(["n_expected", "period_start"], descending=[True, False]).unique("group", keep="first")
    peak = {r["group"]: r for r in peaks.iter_rows(named=True)}

    def name(g: str) -> str:
        return "und (undetermined)" if g == "und" and noun == "language" else g

    items = [
        f"{name(g)} in the {period} of {day(peak[g]['period_start'])} ({peak[g]['n_expected']:.1f} expected)"
        for g in totals["group"].to_list()
    ]
    return f"{plural(totals.height, noun).capitalize()}; each peaks: {join_list(items, limit)}."


def describe_contradictions(contradictions: pl.DataFrame, *, limit: int = 3) -> str:
    """Sentences reading :attr:`Timeline.contradictions`: clues set aside because they contradict the feed order,
    with what they said and what the order allows."""
    if contradictions.height == 0:
        return "No clue contradicts the feed order: nothing was set aside."
    items = [
        f"position {r['position']} ('{r['text']}', {r['kind']}: {span(r['post_min'], r['post_max'])}, where "
        f"the order allows {span(r['allowed_min'], r['allowed_max'])})"
        for r in contradictions.iter_rows(named=True)
    ]
    return f"{plural(contradictions.height, 'clue')} set aside: {join_list(items, limit)}."


def describe_hidden_error(measured: dict, name: str) -> str:
    """One sentence reading :func:`hidden_timestamp_error` run on the feed called ``name``."""
    if not measured.get("n_estimated"):
        return (
            f"{name}: {plural(measured.get('n_dated') or 0, 'dated post')}, none of which can be dated from its "
            "text and the feed order alone, so the error of the inference cannot be measured on this feed."
        )
    cover = measured.get("coverage")
    window = measured.get("median_window_days")
    text = (
        f"{name}: {plural(measured['n_dated'], 'dated post')}, {measured['n_estimated']} estimated; error of "
        f"date_est: median {measured['median_error_days']:g} days, 90th percentile "
        f"{measured['p90_error_days']:g} days, worst {measured['worst_error_days']} days"
    )
    if cover is not None:
        text += f"; true day inside the window for {pct(cover, 1)} of posts"
    if window is not None:
        text += f"; median window {window:g} days"
    return text + "."


def describe_estimate_error(figures: dict) -> str:
    """One plain sentence for :func:`estimate_error`'s figures: the median and 90th-percentile error in days
    and the window coverage when measured, else why it cannot be measured on this feed."""
    st = figures.get("status")
    if st == "undated":
        return (
            "The error of these dates cannot be measured on this feed: no post has a timestamp to compare "
            "with (a dated feed, such as an author feed or a repository export, allows it)."
        )
    if st == "no_estimate":
        cov = figures["coverage"]
        return (
            f"The error of the estimates cannot be measured on this feed: with its {figures['n_dated']} "
            "timestamps hidden, no post has date evidence or dated neighbours on both sides, so none gets an "
            f"estimate; the windows hold the true day for {cov:.0%} of the dated posts."
        )
    return (
        f"With timestamps hidden, {figures['n_estimated']} of {figures['n_dated']} dated posts get an estimate: "
        f"median error {figures['median_error_days']:g} days, 90th percentile {figures['p90_error_days']:g} "
        f"days, worst {figures['worst_error_days']} days; the windows hold the true day for "
        f"{figures['coverage']:.0%} of the dated posts."
    )
