"""Named tuning parameters of the timeline: what was inline numbers is a frozen dataclass the functions take."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any


@dataclass(frozen=True)
class EventParams:
    """How :func:`~feedtools.timeline.find_events` links posts into events, and how far
    :func:`~feedtools.timeline.event_spans` reaches from an event's first day.

    * ``tag_gap`` (8): a campaign hashtag links posts at most this many text posts apart.
    * ``word_gap`` (3): an event name or a place links posts at most this many text posts apart.
    * ``min_tag_density`` (0.5): a hashtag links only when its uses / the span of positions it covers is at
      least this (an organisation's standing tags, spread over the feed, do not link).
    * ``min_posts`` (2): linked posts form an event when there are at least this many.
    * ``close_window_days`` (2): neighbouring posts whose own evidence windows are at most this many days wide
      and overlap are linked (close dates).
    * ``place_prefix`` (5): places are compared on their first letters, case and accents folded (Sevilla,
      Seville and Séville agree).
    * ``merge_passes`` (3): at most this many passes merging groups that share a key and interleave in the
      feed (a merge can make a group interleave with another; the loop stops early when a pass merges none).
    * ``span_horizon_days`` (31): a date a post of an event names counts as one of the event's days when it
      falls at most this many days after the event's first day.
    """

    tag_gap: int = 8
    word_gap: int = 3
    min_tag_density: float = 0.5
    min_posts: int = 2
    close_window_days: int = 2
    place_prefix: int = 5
    merge_passes: int = 3
    span_horizon_days: int = 31

    def but(self, **overrides: Any) -> EventParams:
        """A copy with the ``overrides`` that are not None (keyword arguments of the older signatures, such as
        ``find_events(..., tag_gap=4)``, map onto the fields of the same name). Raises ``TypeError`` for an
        unknown name."""
        names = {f.name for f in fields(self)}
        unknown = set(overrides) - names
        if unknown:
            raise TypeError(f"unknown event parameter(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


#: The defaults (the values the timeline has always used).
DEFAULT_EVENT_PARAMS = EventParams()
