"""When was each post made, and around which events? Dates for undated feeds, events, and honest windows.

:func:`build_timeline` is the entry point. It combines

* the **date evidence** in the text (:func:`feedtools.dates.extract_evidence`): each clue
  bounds the post's date (``post_min``/``post_max``);
* **timestamps** when the feed has them (``created_at``, ``reposted_at``; converted to
  ``timezone`` before taking the day), unless ``use_timestamps=False``;
* the **feed order**: dates never increase down the feed (newest first), so a post's latest
  possible day is at most that of the post above it and its earliest at least that of the
  post below it. Pinned items (``is_pinned``) are left out of the ordering;
* **events** (:func:`find_events`): runs of posts sharing campaign hashtags, event names,
  places or the same narrow dates. Inside an event, event-day ordinals (``Day 2``,
  ``4e jour``, ``first day``, ``final day``) become dates once the event's first day is
  known (from a date range such as ``1-4 de abril`` in one of its posts, or from a post
  whose own date is exact and which names its day number); so do words naming its first or
  last day (``is about to begin``, ``se clausura``), moved by a relative word in the post
  (``yesterday``: one day later).

Evidence that contradicts the feed order is not silently dropped: the fewest posts whose evidence
must go for the rest to agree with the order are set aside (copies of another post's text, then
older posts, on ties; O(m log m), see :func:`~feedtools.timeline.ordering.order_conflicts`), and every set-aside clue is listed in
``Timeline.contradictions`` with the bounds the order allowed; a set-aside copy of another post's
text takes its original's window. Nothing is invented: a post with no evidence and no dated
neighbour keeps an open window (``date_min``/``date_max`` null) and ``date_source = 'unknown'``; a
point estimate ``date_est`` is given only when both bounds are known, by the rule in
:data:`ESTIMATE_RULES` (default: interpolated by position between posts with evidence, inside the
days of the post's event when those are known; see there for the alternatives measured).

Assumptions are parameters: ``year_hint`` (reference year for dates without one; default the feed's
most frequent explicit year), ``ordered`` (whether positions are feed order; by default decided from
``source_format``: CAR, Jetstream and post-list files are not), ``capture_date`` (no post is later
than the day the feed was captured; default unknown), ``observance_slack_days`` and
``repost_lag_days`` (see :mod:`feedtools.dates`), and the event-linking numbers of :func:`find_events`
(:class:`EventParams`).

The package, one module per seam (data flows down this list):

* :mod:`.core`: output schemas, :class:`Timeline`, helpers reading a posts table;
* :mod:`.params`: :class:`EventParams`, the tuning numbers of the event linking;
* :mod:`.ordering`: evidence against the feed order (:func:`~.ordering.best_ordered_subset`);
* :mod:`.windows`: date windows and point estimates (:func:`infer_windows`, :data:`ESTIMATE_RULES`);
* :mod:`.events`: events (:func:`find_events`) and their labels;
* :mod:`.event_days`: the days of each event (:func:`resolve_event_days`, :func:`event_spans`; also importable
  from :mod:`.events`);
* :mod:`.build`: the entry point (:func:`build_timeline`, :func:`with_timeline`);
* :mod:`.evaluate`: the error with timestamps hidden (:func:`hidden_timestamp_error`, :func:`estimate_error`);
* :mod:`.aggregates`: counts per period, window bands, summaries, a user's event calendar;
* :mod:`.describe`: the findings in words the timelines notebook prints.
"""

from __future__ import annotations

from feedtools.timeline.aggregates import PERIODS, load_event_calendar, period_counts, window_bands, window_summary
from feedtools.timeline.build import build_timeline, with_timeline
from feedtools.timeline.core import (
    CONTRADICTIONS_SCHEMA,
    EVENTS_SCHEMA,
    TIMELINE_COLUMNS,
    UNORDERED_FORMATS,
    Timeline,
    _check_timezone,  # noqa: F401  (the CLI checks a time zone the way build_timeline does)
    has_timestamps,
    is_feed_ordered,
)
from feedtools.timeline.describe import (
    describe_contradictions,
    describe_dating,
    describe_estimate_error,
    describe_events,
    describe_evidence,
    describe_groups_over_time,
    describe_hidden_error,
    describe_periods,
    describe_windows,
)
from feedtools.timeline.evaluate import estimate_error, hidden_timestamp_error
from feedtools.timeline.events import event_spans, find_events, resolve_event_days
from feedtools.timeline.params import DEFAULT_EVENT_PARAMS, EventParams
from feedtools.timeline.windows import ESTIMATE_RULES, infer_windows

__all__ = [
    "CONTRADICTIONS_SCHEMA",
    "DEFAULT_EVENT_PARAMS",
    "ESTIMATE_RULES",
    "EVENTS_SCHEMA",
    "PERIODS",
    "TIMELINE_COLUMNS",
    "UNORDERED_FORMATS",
    "EventParams",
    "Timeline",
    "build_timeline",
    "describe_contradictions",
    "describe_dating",
    "describe_estimate_error",
    "describe_events",
    "describe_evidence",
    "describe_groups_over_time",
    "describe_hidden_error",
    "describe_periods",
    "describe_windows",
    "estimate_error",
    "event_spans",
    "find_events",
    "has_timestamps",
    "hidden_timestamp_error",
    "infer_windows",
    "is_feed_ordered",
    "load_event_calendar",
    "period_counts",
    "resolve_event_days",
    "window_bands",
    "window_summary",
    "with_timeline",
]
