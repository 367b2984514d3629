"""The entry point: :func:`build_timeline` (evidence -> events -> event days -> windows) and
:func:`with_timeline` (the result joined back to the posts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from feedtools.dates import extract_evidence, load_observances, reference_year
from feedtools.timeline.core import TIMELINE_COLUMNS, Timeline, _base, _check_timezone, is_feed_ordered
from feedtools.timeline.events import event_spans, find_events, resolve_event_days
from feedtools.timeline.params import DEFAULT_EVENT_PARAMS, EventParams
from feedtools.timeline.windows import infer_windows


def build_timeline(
    posts: pl.DataFrame,
    *,
    calendar: pl.DataFrame | str | Path | None = None,
    year_hint: int | None = None,
    capture_date: dt.date | None = None,
    timezone: str = "UTC",
    use_timestamps: bool = True,
    observance_slack_days: int = 3,
    repost_lag_days: int | None = 30,
    tag_gap: int | None = None,
    word_gap: int | None = None,
    ordered: bool | None = None,
    estimate: str = "events",
    event_params: EventParams = DEFAULT_EVENT_PARAMS,
) -> Timeline:
    """Evidence -> events -> event days -> windows, for a canonical posts table (any format).

    Returns a :class:`Timeline` (see there). Parameters are the assumptions described in
    the package docstring; ``event_params`` (:class:`EventParams`) are the event-linking
    numbers, ``tag_gap`` and ``word_gap``, when given, override its fields of the same name.
    Raises ``ValueError`` for a bad calendar file or time zone.
    """
    event_params = event_params.but(tag_gap=tag_gap, word_gap=word_gap)
    _check_timezone(timezone)
    cal = calendar if isinstance(calendar, pl.DataFrame) else load_observances(calendar)
    ref = reference_year(posts, year_hint)
    evidence, membership, spans = _evidence_and_event_days(
        posts, cal, year_hint, observance_slack_days, repost_lag_days, event_params
    )
    windows, contradictions = infer_windows(
        posts,
        evidence,
        use_timestamps=use_timestamps,
        timezone=timezone,
        capture_date=capture_date,
        ordered=ordered,
        event_spans=spans,
        estimate=estimate,
        membership=membership,
    )
    events, membership = find_events(posts, evidence, params=event_params, windows=windows)
    params = {
        "year_hint": year_hint,
        "capture_date": capture_date,
        "timezone": timezone,
        "use_timestamps": use_timestamps,
        "ordered": is_feed_ordered(posts) if ordered is None else ordered,
        "observance_slack_days": observance_slack_days,
        "repost_lag_days": repost_lag_days,
        "tag_gap": event_params.tag_gap,
        "word_gap": event_params.word_gap,
        "estimate": estimate,
    }
    out, evidence = _timeline_posts(posts, windows, membership), _mark_used(evidence, contradictions)
    return Timeline(
        posts=out, evidence=evidence, contradictions=contradictions, events=events, reference_year=ref, params=params
    )


def _evidence_and_event_days(
    posts: pl.DataFrame,
    cal: pl.DataFrame,
    year_hint: int | None,
    observance_slack_days: int,
    repost_lag_days: int | None,
    event_params: EventParams,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """``(evidence, membership, spans)``: the posts' date evidence (:func:`extract_evidence`) with the event days
    resolved inside the events found from it (:func:`find_events`, :func:`resolve_event_days`), the events'
    membership, and the days of each event for its posts (:func:`event_spans`)."""
    evidence = extract_evidence(
        posts,
        calendar=cal,
        year_hint=year_hint,
        observance_slack_days=observance_slack_days,
        repost_lag_days=repost_lag_days,
    )
    _, membership = find_events(posts, evidence, params=event_params)
    evidence = resolve_event_days(evidence, membership, repost_lag_days=repost_lag_days, posts=posts)
    return evidence, membership, event_spans(evidence, membership, posts, params=event_params)


def _timeline_posts(posts: pl.DataFrame, windows: pl.DataFrame, membership: pl.DataFrame) -> pl.DataFrame:
    """:attr:`Timeline.posts`: the ``windows`` of :func:`infer_windows` with the posts' flags and language and
    their ``event_id`` (from ``membership``), in position order."""
    base = _base(posts).select("position", "is_pinned", "is_repost", "is_placeholder", "lang")
    return (
        windows.join(base, on="position")
        .join(membership, on="position", how="left")
        .select(
            "position",
            "post_id",
            "is_pinned",
            "is_repost",
            "is_placeholder",
            "lang",
            "date_min",
            "date_max",
            "date_est",
            "date_source",
            "window_days",
            "event_id",
        )
        .sort("position")
    )


def _mark_used(evidence: pl.DataFrame, contradictions: pl.DataFrame) -> pl.DataFrame:
    """``evidence`` with ``used``: the row bounds its post's date and was not set aside (in ``contradictions``)."""
    set_aside = contradictions.select("position", "kind", "text").with_columns(used=pl.lit(False)).unique()
    return evidence.join(set_aside, on=["position", "kind", "text"], how="left").with_columns(
        used=pl.col("used").fill_null(True) & (pl.col("post_min").is_not_null() | pl.col("post_max").is_not_null())
    )


def with_timeline(posts: pl.DataFrame, timeline: Timeline) -> pl.DataFrame:
    """``posts`` plus the :data:`TIMELINE_COLUMNS` (``date_min, date_max, date_est, date_source,
    event_id``) from ``timeline``, same rows and order. The result is no longer the canonical
    schema (the columns are extra on purpose): use it for outputs, not as reader input."""
    extra = timeline.posts.select("position", *TIMELINE_COLUMNS)
    return posts.join(extra, on="position", how="left").sort("position")
