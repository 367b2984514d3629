"""The timelines page's sentences (``timeline.describe_*``): true for the feed at hand, dated or not, one account's
or many. Unit tests on empty, one-post and many-post feeds; the seed's own findings asserted at the end."""

from __future__ import annotations

import re

import polars as pl
import pytest
from builders import text_feed
from conftest import ROOT
from timeline_demo import demo_dated_feed

from feedtools import timeline as t
from feedtools.dates import load_observances

BAD = re.compile(r"\b(None|nan|NaN|null)\b")
CALENDAR = load_observances(ROOT / "data" / "observances.csv")


def feed(*texts: str, source_format: str = "scrape", **kw) -> pl.DataFrame:
    """:func:`builders.text_feed` with the scrape's format by default (the timeline reads it)."""
    return text_feed(*texts, source_format=source_format, **kw)


def sentences(posts: pl.DataFrame) -> dict[str, str]:
    tl = t.build_timeline(posts, calendar=CALENDAR)
    out = {
        "dating": t.describe_dating(posts, tl, calendar_days=CALENDAR.height),
        "evidence": t.describe_evidence(tl.evidence),
        "windows": t.describe_windows(tl.posts),
        "events": t.describe_events(tl.events),
        "periods": t.describe_periods(t.period_counts(tl.posts, period="week")),
        "langs": t.describe_groups_over_time(t.period_counts(tl.posts, by="lang", period="week")),
        "tags": t.describe_groups_over_time(
            t.period_counts(tl.posts, by="hashtag", posts=posts, period="week"), noun="hashtag"
        ),
        "contradictions": t.describe_contradictions(tl.contradictions),
    }
    return out


EMPTY = feed()
ONE = feed("We meet on 3 March 2025 at the #IWD2025 forum")
MANY = feed(
    "Thank you all, the forum has just finished",
    "Day 2 of the forum today!",
    "Today the forum starts: 2-3 May 2025",
    "Join us at the forum 2-3 May 2025 in our city",
    "Nothing dated here",
)


@pytest.mark.parametrize("posts", [EMPTY, ONE, MANY], ids=["empty", "one", "many"])
def test_sentences_are_plain_text_without_none_or_nan(posts):
    for name, text in sentences(posts).items():
        assert isinstance(text, str) and text.strip(), name
        assert not BAD.search(text), (name, text)
        for seed_word in ("UCLG", "Montevideo", "Retreat", "Sevill", "seed"):
            assert seed_word not in text, (name, text)


def test_empty_feed():
    s = sentences(EMPTY)
    assert s["dating"] == "The feed has no posts to date."
    assert s["evidence"].startswith("No date evidence")
    assert s["windows"] == "No post to date."
    assert s["events"].startswith("No event")
    assert s["periods"].startswith("No post has a window bounded on both sides")
    assert s["contradictions"].startswith("No clue contradicts")


def test_one_post_names_its_day():
    s = sentences(ONE)
    assert "Reference year for dates written without one: 2025 (the commonest year the feed names)" in s["dating"]
    assert "No post carries a timestamp: windows come from the dates the 1 post name" in s["dating"]
    assert "'#IWD2025' (2025-03-08)" in s["evidence"]
    assert s["windows"].startswith("Of 1 post, 1 is dated by their own evidence")


def test_many_posts_numbers_match_the_timeline():
    tl = t.build_timeline(MANY, calendar=CALENDAR)
    s = sentences(MANY)
    ev = tl.evidence
    assert s["evidence"].startswith(f"{ev.height} clues in {ev['position'].n_unique()} posts")
    assert f"{int(ev['used'].sum())} of them bound a post's date" in s["evidence"]
    by = dict(zip(tl.posts["date_source"], tl.posts["date_source"], strict=True))
    assert s["windows"].startswith("Of 5 posts, ")
    assert "by their own evidence" in s["windows"] and set(by) >= {"evidence"}
    assert s["events"].startswith(f"{tl.events.height} event")


def test_no_reference_year_is_said_in_words():
    tl = t.build_timeline(feed("hello"), calendar=CALENDAR)
    assert tl.reference_year is None
    text = t.describe_dating(feed("hello"), tl)
    assert "No reference year: the feed names no year" in text and "None" not in text


def test_dated_feed_says_windows_come_from_timestamps():
    posts = feed("a", "b", created=["2025-05-03T10:00:00+00:00", "2025-05-02T23:30:00+00:00"])
    tl = t.build_timeline(posts)
    text = t.describe_dating(posts, tl)
    assert "All 2 posts carry a timestamp: their windows come from the timestamps (days in UTC)." in text
    assert t.describe_windows(tl.posts).startswith("Of 2 posts, 2 are dated by their timestamp.")
    assert t.describe_periods(t.period_counts(tl.posts, period="week")).startswith(
        "Posts certainly made in one week, by week starting: 2025-04-28 (2)."
    )


def test_undated_collection_of_many_accounts_says_order_inference_is_impossible():
    posts = feed(
        "Join us on 2-3 May 2025",
        "no date",
        "another",
        authors=["did:plc:a", "did:plc:b", "did:plc:c"],
        source_format="postviews",
    )
    tl = t.build_timeline(posts)
    text = t.describe_dating(posts, tl)
    assert "The posts come from 3 accounts" in text
    assert "order-based inference is not possible across accounts" in text
    assert "feed order (newest first)" not in text


def test_partly_dated_collection():
    posts = feed(
        "a",
        "b",
        created=["2025-05-03T10:00:00+00:00", None],
        authors=["did:plc:a", "did:plc:b"],
        source_format="jetstream",
    )
    text = t.describe_dating(posts, t.build_timeline(posts))
    assert "1 of 2 posts carry a timestamp" in text and "not possible across accounts" in text


def test_hidden_error_sentence_on_demo_and_unmeasurable():
    m = t.hidden_timestamp_error(demo_dated_feed())
    text = t.describe_hidden_error(m, "synthetic demo")
    assert text.startswith(f"synthetic demo: {m['n_dated']} dated posts, {m['n_estimated']} estimated")
    assert f"worst {m['worst_error_days']} days" in text and f"90th percentile {m['p90_error_days']:g} days" in text
    none = {"n_dated": 3, "n_estimated": 0, "median_error_days": None}
    assert "cannot be measured" in t.describe_hidden_error(none, "x") and "None" not in t.describe_hidden_error(
        none, "x"
    )


def test_long_event_lists_are_cut():
    events = pl.DataFrame(
        [
            {
                "event_id": f"E{i:02d}",
                "label": f"Event {i}",
                "date_min": None,
                "date_max": None,
                "event_date_min": None,
                "event_date_max": None,
                "n_posts": 2,
                "positions": [i, i + 1],
                "languages": [],
                "hashtags": [],
                "partners": [],
                "keys": [],
            }
            for i in range(12)
        ],
        schema=t.EVENTS_SCHEMA,
    )
    text = t.describe_events(events, limit=3)
    assert text.startswith("12 events: Event 0 (2 posts, posted on unknown dates)") and "… and 9 more" in text


# ------------------------------------------------------------------------------------------- the seed's findings


@pytest.fixture(scope="module")
def seed_text(seed_feed):
    return sentences(seed_feed.posts)


def test_seed_dating_and_evidence(seed_text):
    assert "Reference year for dates written without one: 2025" in seed_text["dating"]
    assert "No post carries a timestamp" in seed_text["dating"]
    ev = seed_text["evidence"]
    # eight #WorldSocialJusticeDay posts (20 February), #IWD2025 (8 March), #WorldRefugeeDay (20 June),
    # "until October 5th", the peace forum's first day (2 May) and "Día 2" (3 May)
    assert "'#WorldSocialJusticeDay' ×8 (2025-02-20)" in ev
    for clue in (
        "'#IWD2025' ×2 (2025-03-08)",
        "'#WorldRefugeeDay' (2025-06-20)",
        "'until October 5th' (2025-10-05)",
        "'Día 2' (2025-05-03)",
    ):
        assert clue in ev


def test_seed_windows_in_words(seed_text):
    # 26 posts dated by their own evidence (15 to the exact day, event cues included), 54 by neighbours, median
    # window 28 days,
    # the four oldest posts open, the newest reaching the end of 2025
    assert seed_text["windows"] == (
        "Of 80 posts, 26 are dated by their own evidence (15 to the exact day) and 54 by their neighbours in the "
        "feed order (3 to the exact day). The median window is 28 days; 76 windows are bounded on both sides, "
        "together spanning 2025-02-20 to 2025-12-31. 4 windows stay open on at least one side."
    )


def test_seed_events_and_weeks_in_words(seed_text):
    ev = seed_text["events"]
    assert ev.startswith("7 events: Retreat · #WorldSocialJusticeDay (17 posts, in en, fr and es")
    assert "Executive Bureau · #SevillaWorldForumLED · Sevilla (7 posts, in en and es" in ev
    assert "naming days from 2025-04-01 to 2025-04-04" in ev and "naming days from 2025-05-02 to 2025-05-03" in ev
    for label in ("#CSW69", "Online Training Academy", "Montevideo", "World Assembly", "UCLG Town Hall"):
        assert label in ev
    # certain bars: the Retreat week (14 posts), the Executive Bureau, the Montevideo forum, World Refugee Day
    assert seed_text["periods"].startswith(
        "Posts certainly made in one week, by week starting: 2025-02-17 (14), 2025-03-31 (6), 2025-04-28 (3) and "
        "2025-06-16 (1)."
    )
    # Spanish peaks with the Montevideo forum, French with the Retreat
    assert "es in the week of 2025-04-28" in seed_text["langs"] and "fr in the week of 2025-02-17" in seed_text["langs"]
    assert seed_text["contradictions"].startswith("1 clue set aside: position 23 ('Empieza el 5o Foro'")
