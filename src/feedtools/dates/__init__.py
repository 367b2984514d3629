"""Date evidence in post text (English, Spanish, French), vectorised with polars regular expressions.

A profile scrape has no timestamps, yet its posts name dates. :func:`extract_evidence`
turns every post into zero or more *evidence rows*, one per clue:

=============  =====================================================  ======================================
kind           what is matched                                        event date it implies
=============  =====================================================  ======================================
``date``       a day and month, optional year (``October 5th``,        that day
               ``3 de marzo``, ``1er mai``, ``5º de mayo``)
``date_range`` two days (``1-4 de abril``, ``El 2 y 3 de mayo``,       first to last day
               ``30 June - 3 July 2025``, ``du 1er au 4 avril``)
``weekday``    a date with its weekday (``El lunes 3 de marzo``):     that day; the weekday picks the year
               the weekday confirms or chooses the year               (nearest to the reference year)
``year``       a year 2000-2099 in text or a hashtag (``Retreat       1 January to 31 December
               2025``, ``#HLPF2025``); ``Agenda 2030``/``post-2030``
               are not event years
``observance`` an observance day from the calendar CSV, by hashtag    that day (fixed or by rule)
               (``#WorldRefugeeDay``, ``#IWD2025``) or by name
``event_day``  an event-day ordinal (``Day 2``, ``Día 2``, ``4e        unknown alone: resolved within an
               jour``, ``first day``, ``final day``, ``dernier        event by :mod:`feedtools.timeline`
               jour``) or a word naming the event's first or last
               day (``¡Empieza el Foro…!``, ``is about to begin``,
               ``opening of the Forum``: day 1; ``comes to a
               close``, ``se clausura``, ``clôture du``: last day)
``relative``   ``today``, ``hoy``, ``aujourd'hui``, ``this morning``,  none: says the post is on, a day after
               ``last night``, ``anoche``, ``yesterday``, ``hier``,    (``offset_days`` 1) or a day before (-1)
               ``tomorrow``, ``demain``...                             the moment it describes
=============  =====================================================  ======================================

The word tables (months, weekdays, cue words, ordinals) are in :mod:`feedtools.text`.

Dates mentioned are **event** dates, not the post's date. Each row therefore also
carries ``relation``, how the post stands to the event, read from cue words:

* ``before``: future or announcement (``will``, ``we'll``, ``será``, ``daremos``,
  ``until``/``hasta``/``jusqu'au`` just before the date, ``open until``, ``register``,
  ``mark your calendars``, ``último día``...) -> the post is at most the event's last day;
* ``on``: present (``today``, ``hoy``, ``aujourd'hui``, ``this morning``, ``kicks off``,
  ``is about to begin``, ``empieza``, ``en direct``, ``se réunit``, ``This #Day``...)
  -> the post is within the event's days;
* ``after``: past (``has just finished``, ``took place``, ``was held``, ``last night``,
  ``anoche``, ``s'est réunie``, ``since``...) -> the post is on or after its first day;
* ``around``: an observance hashtag with no cue -> within ``observance_slack_days`` of it;
* ``unknown``: no cue -> the date does not bound the post (still shown, still used for events).

A cue right before the date (``until October 5th``) wins over the post's tense; among post-level
cues ``after`` wins over ``on``, which wins over ``before``. Event-day ordinals default to ``on``;
with a day-relative word in the same post (``Last night, the official opening of the Forum``) they
are ``on`` with ``offset_days`` set (the post is one day after the event day). For a repost the feed
position is the repost's time, which can be later than the post: ``on`` and ``before`` widen by
``repost_lag_days``.

The implied bounds of the post are in ``post_min``/``post_max`` (null = open).
Dates without a year take the feed's reference year (:func:`reference_year`: the
``year_hint`` if given, else the most frequent explicit year), flagged in
``year_source = 'reference'``; with no reference year such dates stay without bounds.

The package, one module per seam (data flows down this list):

* :mod:`.explicit`: explicit dates in text (days, ranges, weekdays, years);
* :mod:`.observances`: the observance calendar (:func:`load_observances`, :func:`observance_date`) and the
  observance days posts name;
* :mod:`.cues`: cue words (tense, event days, relative days);
* :mod:`.evidence`: the clues of one chunk of posts put together (:data:`EVIDENCE_SCHEMA`);
* this module: :func:`extract_evidence` and :func:`reference_year`, a chunk of rows at a time.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from feedtools.dates.cues import AFTER_CUES, BEFORE_CUES, EVENT_FIRST, EVENT_LAST, ON_CUES  # noqa: F401 (re-exported)
from feedtools.dates.evidence import _EVIDENCE_ORDER, EVIDENCE_SCHEMA, _chunk_evidence, _text_frame
from feedtools.dates.explicit import YEAR_IN_TEXT, _explicit_years  # noqa: F401 (YEAR_IN_TEXT re-exported)
from feedtools.dates.observances import DEFAULT_CALENDAR, load_observances, observance_date
from feedtools.text import DAY_FIRST, MONTH_FIRST, MONTHS, WEEKDAYS

__all__ = [
    "DAY_FIRST",
    "DEFAULT_CALENDAR",
    "EVIDENCE_SCHEMA",
    "MONTHS",
    "MONTH_FIRST",
    "WEEKDAYS",
    "extract_evidence",
    "load_observances",
    "observance_date",
    "reference_year",
]

#: Rows of the posts table :func:`extract_evidence` and :func:`reference_year` work on at a time (clues are per
#: post, so the result does not depend on it; the working memory does).
EVIDENCE_CHUNK_ROWS = 50_000


def reference_year(posts: pl.DataFrame, year_hint: int | None = None) -> int | None:
    """The feed's reference year for dates written without one.

    ``year_hint`` when given; otherwise the most frequent explicit year (2000-2099) in
    the text or at the end of hashtags (``#IWD2025``), ``Agenda 2030``/``post-2030``
    excluded; ties go to the later year. ``None`` when the feed names no year.
    """
    if year_hint is not None:
        return int(year_hint)
    counts = [
        _explicit_years(_text_frame(chunk)).group_by("year").len() for chunk in posts.iter_slices(EVIDENCE_CHUNK_ROWS)
    ]  # per chunk: bounded working memory
    years = pl.concat(counts) if counts else pl.DataFrame(schema={"year": pl.Int64, "len": pl.UInt32})
    if years.height == 0:
        return None
    top = years.group_by("year").agg(pl.col("len").sum()).sort(["len", "year"], descending=True)
    return int(top["year"][0])


def extract_evidence(
    posts: pl.DataFrame,
    *,
    calendar: pl.DataFrame | str | Path | None = None,
    year_hint: int | None = None,
    observance_slack_days: int = 3,
    repost_lag_days: int | None = 30,
) -> pl.DataFrame:
    """Date evidence for every post of ``posts`` (canonical posts table; needs ``position``,
    ``post_id`` and ``text``/``text_clean``; uses ``hashtags`` and ``is_repost`` when present).

    ``calendar`` is a frame from :func:`load_observances`, a path to such a CSV, or None for
    the shipped calendar. ``year_hint`` fixes the reference year for dates written without
    one (default: :func:`reference_year`). ``observance_slack_days`` is how far from an
    observance a post with its hashtag and no cue may be; ``repost_lag_days`` how much later
    than the reposted post a repost may be (None: no limit).

    Returns :data:`EVIDENCE_SCHEMA` rows sorted by position, kind and text: one per clue,
    several per post possible, none for posts without clues (or without text). Never
    raises on text content; raises ``ValueError``/``OSError`` for a bad calendar file.
    """
    cal = calendar if isinstance(calendar, pl.DataFrame) else load_observances(calendar)
    ref = reference_year(posts, year_hint)
    # every clue depends on its own post only (and on the feed's reference year): computed per chunk of rows, so
    # the working memory (text copies, matches) is that of a chunk, not of the whole feed
    parts = [
        _chunk_evidence(chunk, cal, ref, observance_slack_days, repost_lag_days)
        for chunk in posts.iter_slices(EVIDENCE_CHUNK_ROWS)
    ]
    parts = [part for part in parts if part.height]
    if not parts:
        return pl.DataFrame(schema=EVIDENCE_SCHEMA)
    if len(parts) == 1:
        return parts[0]
    return pl.concat(parts).sort(_EVIDENCE_ORDER, maintain_order=True)
