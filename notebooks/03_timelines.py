# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Event timelines: when was each post made, and around which events?
#
# **What this answers:** when were the posts made, around which events, for how long and in which languages —
# even when the feed carries no dates at all. Where posts carry timestamps (author feeds, repository CARs,
# Jetstream captures, post lists), their windows come from the timestamps: the day in the chosen time zone.
# Where they carry none (a profile scrape), the posts' text still names dates ("2-3 May", "until October
# 5th", "Monday 3 March"), observance days (`#SomeDay` hashtags in the calendar), years (`#Tag2025`) and event
# days ("Day 2"), and one account's feed is ordered newest first. `feedtools.dates` reads that evidence;
# `feedtools.timeline` turns it into a **window** of possible days for every post (`date_min` to `date_max`), a
# point estimate `date_est`, and says where each date comes from (`date_source`: timestamp, evidence,
# neighbours in the feed order, or unknown). Dates named in a post are *event* dates: the post's tense ("will",
# "has just finished", "today") says whether it comes before, on or after them. Nothing is invented: a window
# stays open where nothing bounds it. The feed order bounds a post only inside one account's feed: a collection
# of many accounts' posts (a post list, a Jetstream capture) has no such order, so a post without a timestamp
# there is dated by its own text alone. On a dated feed the same inference run with the timestamps hidden
# measures its own error.
#
# The observance calendar (`data/observances.csv`) is yours to edit: one row per day, with its hashtags and
# names in any language. The sentences under each heading are computed from this feed by `feedtools.timeline`.

# %% tags=["parameters"]
feed_path = "../data/raw/000_802a2c4cd511184e.txt"
calendar_path = "../data/observances.csv"
timezone = "UTC"
year_hint = None

# %%
from pathlib import Path

import feedtools
from feedtools import explore, timeline
from feedtools.charts import table
from feedtools.charts import timeline as charts
from feedtools.dates import load_observances
from feedtools.pipeline import summary_line

feed = feedtools.load(feed_path)
posts = feed.posts
calendar = load_observances(calendar_path)
tl = timeline.build_timeline(posts, calendar=calendar, year_hint=year_hint, timezone=timezone)
print(f"Input file: {Path(feed_path).name}")
print(summary_line(feed))
print(timeline.describe_dating(posts, tl, calendar_days=calendar.height, kind=explore.feed_kind_of(feed),
                               accounts=explore.account_count(posts)))

# %% [markdown]
# ## The evidence
#
# Every clue found in the text, one row each: its `kind`, the `text` matched, the event days it names
# (`date_min`–`date_max`), where the year came from (`explicit`, a `weekday` that confirms it, a `hashtag`
# suffix, or the feed's `reference` year), how the post relates to the event (`relation`, set by the `cue`
# words) and the bounds that puts on the post's own date (`post_min`–`post_max`; empty = open). `used` is
# true for clues that bound the post's date in the inference; it is false for clues that bound nothing (an
# event day whose event has no known first day, a year with no tense cue) and for clues set aside because
# they contradict the feed order (see the end). Event-day ordinals get a date once their event's first day is
# known (`note`). Relative words such as "today" are counted but not shown.

# %%
print(timeline.describe_evidence(tl.evidence))
table(tl.evidence.filter(tl.evidence["kind"] != "relative").select(
    "position", "kind", "text", "date_min", "date_max", "year_source", "relation", "cue", "post_min", "post_max",
    "used", "note"), max_rows=30)

# %% [markdown]
# ## How sure is each date?
#
# Posts grouped by where their date comes from: their `timestamp`, their own `evidence`, or their `neighbours`
# in the feed order (a post is no later than the post above it and no earlier than the post below it).
# `exact_day` counts one-day windows, `within_week` windows of a week or less; `open` windows are unbounded on one
# side (nothing above or below them says how far they go).

# %%
print(timeline.describe_windows(tl.posts))
table(timeline.window_summary(tl.posts))

# %%
charts.window_chart(timeline.window_bands(tl.posts))

# %% [markdown]
# The dates of the first posts in feed order (the chart above shows all of them). `date_est` is given only when
# both bounds are known: interpolated by feed position between posts with their own evidence, and always inside
# the window.

# %%
table(tl.posts.select("position", "is_repost", "lang", "date_min", "date_max", "window_days", "date_est",
                      "date_source", "event_id"), max_rows=30)

# %% [markdown]
# ## Events
#
# Posts that belong together: they share a campaign hashtag used in a burst (tags used all year long do not
# link), an event name (forum/foro, séminaire, bureau, summit/cumbre, academy, assembly, town hall…; the full
# en/es/fr list is `feedtools.text.EVENT_NOUNS`) or a place,
# within a few posts of each other, or have the same narrow dates. Each event lists its posts, languages,
# hashtags and partners (accounts mentioned), the window in which its posts were made (`date_min`–`date_max`)
# and the dates its posts name (`event_date_min`–`event_date_max`).

# %%
print(timeline.describe_events(tl.events))
table(tl.events.select("event_id", "label", "date_min", "date_max", "event_date_min", "event_date_max", "n_posts",
                       "languages", "hashtags", "partners"), max_rows=30)

# %%
charts.events_chart(tl.events)

# %% [markdown]
# ## Timelines
#
# Posts per week. Dark bars count the posts *certainly* made that week (their whole window lies in it), light
# bars the posts *possibly* made then (their window touches it), and the orange line the *expected* number if
# each post is spread evenly over its window. On a dated feed the three agree: exact counts of days in the
# chosen time zone (`timezone` parameter); on an undated one, between exact days only ranges can be said.
#
# To compare with your own calendar of events, load it with `timeline.load_event_calendar(path)` (columns
# `start,end,label`) and draw `charts.with_calendar(chart, calendar)`.

# %%
weekly = timeline.period_counts(tl.posts, period="week")
print(timeline.describe_periods(weekly))
charts.posts_over_time(weekly)

# %% [markdown]
# Languages and the commonest hashtags over time (expected posts per week, stacked; tooltips give the certain
# and possible counts).

# %%
weekly_langs = timeline.period_counts(tl.posts, by="lang", period="week")
print(timeline.describe_groups_over_time(weekly_langs, noun="language"))
charts.groups_over_time(weekly_langs, title="Languages over time", group_title="language")

# %%
weekly_tags = timeline.period_counts(tl.posts, by="hashtag", posts=posts, period="week", top=8)
print(timeline.describe_groups_over_time(weekly_tags, noun="hashtag"))
charts.groups_over_time(weekly_tags, title="Hashtags over time", group_title="hashtag")

# %% [markdown]
# ## Contradictions
#
# Evidence that cannot hold with the feed order is set aside (the posts whose clues conflict with the most
# others first) and listed here with what the rest of the feed allows at that position — for example a post
# repeated later, whose "first day" clue no longer describes its own date.

# %%
print(timeline.describe_contradictions(tl.contradictions))
table(tl.contradictions, max_rows=30)

# %% [markdown]
# ## How wrong is the inference? (timestamps hidden)
#
# On a dated feed the same inference is run with the timestamps hidden — evidence and feed order only — and
# each estimate is compared with the true day. On an undated feed the error cannot be measured; the
# measurement then runs on a small **synthetic** dated feed shipped with the package
# (`timeline.demo_dated_feed()`: 16 made-up posts of a fictional city network with the usual kinds of clues) —
# a demonstration of the method, not evidence about this feed. Give `feed_path` a dated export (author feed,
# CAR, Jetstream) to measure it on real data.

# %%
if timeline.has_timestamps(posts):
    measured, name = timeline.hidden_timestamp_error(posts, timezone=timezone, calendar=calendar), Path(feed_path).name
else:
    print(timeline.describe_estimate_error(timeline.estimate_error(posts, timezone=timezone)))
    measured, name = timeline.hidden_timestamp_error(timeline.demo_dated_feed(), timezone=timezone), "synthetic demo"
print(timeline.describe_hidden_error(measured, name))
table(measured["per_post"], max_rows=30)
