"""The timeline's named tuning parameters (feedtools.timeline.EventParams): each field changes what it names,
and the older keyword arguments map onto it."""

from __future__ import annotations

import dataclasses

import polars as pl
import pytest

from feedtools.timeline import DEFAULT_EVENT_PARAMS, EventParams, find_events


def posts(*texts: str, tags: list[list[str]] | None = None) -> pl.DataFrame:
    n = len(texts)
    return pl.DataFrame(
        {
            "position": list(range(n)),
            "post_id": [f"p:{i}" for i in range(n)],
            "text": list(texts),
            "hashtags": tags or [[] for _ in range(n)],
        },
        schema_overrides={"hashtags": pl.List(pl.String)},
    )


FILLER = "Thanks to everyone who joined us."
FORUM = posts("The Forum opens today.", FILLER, FILLER, "Great debates at the Forum.")  # event word 3 apart


def groups(frame: pl.DataFrame, **kw) -> list[list[int]]:
    events, _ = find_events(frame, **kw)
    return sorted(events["positions"].to_list())


def test_defaults_are_frozen_and_named():
    assert DEFAULT_EVENT_PARAMS == EventParams()
    assert (EventParams().tag_gap, EventParams().word_gap, EventParams().merge_passes) == (8, 3, 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_EVENT_PARAMS.tag_gap = 1  # type: ignore[misc]


def test_word_gap_links_event_words_at_most_that_far_apart():
    assert groups(FORUM) == [[0, 3]]
    assert groups(FORUM, params=EventParams(word_gap=2)) == []
    assert groups(FORUM, word_gap=2) == []  # the keyword of the older signature overrides the field


def test_min_posts_and_overrides_of_none_keep_the_field():
    assert groups(FORUM, params=EventParams(min_posts=3)) == []
    assert groups(FORUM, params=EventParams(min_posts=3), min_posts=None) == []
    assert EventParams(min_posts=3).but(min_posts=None, tag_gap=4) == EventParams(min_posts=3, tag_gap=4)


def test_unknown_parameter_is_a_type_error():
    with pytest.raises(TypeError, match="unknown event parameter"):
        EventParams().but(tag_gapp=3)


def test_place_prefix_decides_which_place_names_agree():
    frame = posts("Meeting in Sevilla this morning.", "Closing session in Seville tonight.")
    assert groups(frame) == [[0, 1]]  # "sevil" == "sevil"
    assert groups(frame, params=EventParams(place_prefix=7)) == []  # "sevilla" != "seville"


def test_tag_gap_and_density_for_campaign_hashtags():
    tags = [["Climate25"], [], [], [], [], ["Climate25"]]
    frame = posts("Launch.", *[FILLER] * 4, "Wrap-up.", tags=tags)
    # two uses over a span of 6 posts: density 1/3
    assert groups(frame) == []
    assert groups(frame, params=EventParams(min_tag_density=0.3)) == [[0, 5]]
    assert groups(frame, params=EventParams(min_tag_density=0.3, tag_gap=4)) == []
