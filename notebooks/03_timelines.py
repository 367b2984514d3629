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
# **What this answers:** when did the account post what, around which events, for how long and in which
# languages — even when the feed carries no dates at all. A profile scrape has no timestamps, but its posts
# name dates ("El 2 y 3 de mayo", "1-4 de abril", "open until October 5th", "El lunes 3 de marzo"),
# observance days (`#WorldRefugeeDay`, `#IWD2025`), years (`Retreat 2025`, `#HLPF2025`) and event days
# ("Day 2", "Día 2", "4e jour"), and the feed is ordered newest first. `feedtools.dates` reads that
# evidence; `feedtools.timeline` turns it into a **window** of possible days for every post (`date_min` to
# `date_max`), a point estimate `date_est`, and says where each date comes from (`date_source`: timestamp,
# evidence, neighbours in the feed order, or unknown). Dates named in a post are *event* dates: the post's
# tense ("will", "será", "has just finished", "today") says whether it comes before, on or after them. Nothing
# is invented: a window stays open where nothing bounds it. On a dated feed the timestamps are used (days in
# the chosen time zone), and the same inference run with them hidden measures its own error.
#
# The observance calendar (`data/observances.csv`) is yours to edit: one row per day, with its hashtags and
# names in any language.

# %% tags=["parameters"]
feed_path = "../data/raw/000_802a2c4cd511184e.txt"
calendar_path = "../data/observances.csv"
timezone = "UTC"
year_hint = None

# %%
from pathlib import Path

import feedtools
from feedtools import timeline
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
print(f"Observance calendar: {calendar.height} days; reference year for dates written without one: "
      f"{tl.reference_year} ({'given' if year_hint else 'the commonest year the feed names'})")
print(f"Timestamps in this feed: {'yes' if timeline.has_timestamps(posts) else 'none'}")

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
# known (`note`).
#
# On the bundled seed: `2-3 de mayo` and `El 2 y 3 de mayo` (the peace forum in Montevideo, posts made
# *before* it: "será", "exploraremos"), `1-4 de abril` (the Executive Bureau in Seville), `lunes 3 de marzo`
# (a deadline; Monday confirms 2025), `until October 5th`, `#WorldRefugeeDay` (20 June), `#IWD2025`
# (8 March) and eight `#WorldSocialJusticeDay` posts (20 February) during the Retreat, and the day ordinals
# "Day 4"/"4e jour" that tie the Retreat's fourth day to 20 February.

# %%
shown = tl.evidence.filter(tl.evidence["kind"] != "relative").select(
    "position", "kind", "text", "date_min", "date_max", "year_source", "relation", "cue", "post_min", "post_max",
    "used", "note")
print(f"{tl.evidence.height} clues in {tl.evidence['position'].n_unique()} posts "
      f"({tl.evidence.filter(tl.evidence['kind'] == 'relative').height} relative words such as 'today' not shown)")
table(shown, max_rows=30)

# %% [markdown]
# ## How sure is each date?
#
# Posts grouped by where their date comes from: their own `evidence`, or their `neighbours` in the feed order
# (a post is no later than the post above it and no earlier than the post below it). `exact_day` counts
# one-day windows, `within_week` windows of a week or less; `open` windows are unbounded on one side (nothing
# above or below them says how far they go).
#
# On the seed 24 posts are dated by their own evidence (13 to the exact day) and 56 by their neighbours; the
# median window is 28 days. The four oldest posts have no lower bound (nothing below them), and the newest
# ones reach to the end of 2025 (the top post announces the 2025 World Council as still to come).

# %%
table(timeline.window_summary(tl.posts))

# %%
charts.window_chart(timeline.window_bands(tl.posts))

# %% [markdown]
# The inferred dates of the newest posts, feed order (the chart above shows all of them). `date_est` is given
# only when both bounds are known: interpolated by feed position between posts with their own evidence, and
# always inside the window.

# %%
table(tl.posts.select("position", "is_repost", "lang", "date_min", "date_max", "window_days", "date_est",
                      "date_source", "event_id"), max_rows=30)

# %% [markdown]
# ## Events
#
# Posts that belong together: they share a campaign hashtag used in a burst (tags the account uses all year,
# such as its own standing tags, do not link), an event name (retreat/retiro/séminaire, forum/foro, bureau,
# academy, assembly, town hall…) or a place, within a few posts of each other, or have the same narrow dates.
# Each event lists its posts, languages, hashtags and partners (accounts mentioned), the window in which its
# posts were made (`date_min`–`date_max`) and the dates its posts name (`event_date_min`–`event_date_max`).
#
# On the seed seven events come out, the ones a careful reader lists: the **Retreat 2025** in Barcelona
# around World Social Justice Day (17 posts in English, French and Spanish), **CSW69** with International
# Women's Day, the online **Training Academy** on climate resilience and water, the **Executive Bureau in
# Seville** with the World Forum on Local Economic Development (1-4 April), the **5th World Forum of Cities and
# Territories of Peace** in Montevideo (2-3 May), the **World Assembly** at FfD4 in Seville, and the **UCLG
# Town Hall**.

# %%
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
# chosen time zone (`timezone` parameter). On the seed the certain bars sit on the Retreat week (14 posts), the
# Executive Bureau, the Montevideo forum and World Refugee Day; in between, only ranges can be said.
#
# To compare with your own calendar of events, load it with `timeline.load_event_calendar(path)` (columns
# `start,end,label`) and draw `charts.with_calendar(chart, calendar)`.

# %%
charts.posts_over_time(timeline.period_counts(tl.posts, period="week"))

# %% [markdown]
# Languages and the commonest hashtags over time (expected posts per week, stacked; tooltips give the certain
# and possible counts). On the seed Spanish peaks with the Montevideo forum and French with the Retreat.

# %%
charts.groups_over_time(timeline.period_counts(tl.posts, by="lang", period="week"), title="Languages over time",
                        group_title="language")

# %%
charts.groups_over_time(timeline.period_counts(tl.posts, by="hashtag", posts=posts, period="week", top=8),
                        title="Hashtags over time", group_title="hashtag")

# %% [markdown]
# ## Contradictions
#
# Evidence that cannot hold with the feed order is set aside (the posts whose clues conflict with the most
# others first) and listed here with what the rest of the feed allows at that position. On the seed there is
# one: position 23 repeats the "¡Empieza el 5º Foro…!" post (the forum's first day, 2 May) *above* the "Día 2"
# post (3 May); the repeat was posted again later, so its "first day" clue no longer describes its own date.

# %%
table(tl.contradictions, max_rows=30)

# %% [markdown]
# ## How wrong is the inference? (timestamps hidden)
#
# On a dated feed the same inference is run with the timestamps hidden — evidence and feed order only — and
# each estimate is compared with the true day. The bundled seed is **undated**, so its error cannot be
# measured; its windows were checked by hand against the public record of the events it names (see
# `tests/test_timeline.py`). To show the measurement, it runs below on a small **synthetic** dated feed
# shipped with the package (`timeline.demo_dated_feed()`: 16 made-up posts of a fictional city network with the
# same kinds of clues) — a demonstration of the method, not evidence about real feeds. Give `feed_path` a dated
# export (author feed, CAR, Jetstream) to measure it on real data.

# %%
if timeline.has_timestamps(posts):
    measured, name = timeline.hidden_timestamp_error(posts, timezone=timezone, calendar=calendar), Path(feed_path).name
else:
    measured, name = timeline.hidden_timestamp_error(timeline.demo_dated_feed(), timezone=timezone), "synthetic demo"
if measured["n_estimated"]:
    print(f"{name}: {measured['n_dated']} dated posts, {measured['n_estimated']} estimated; error of date_est: "
          f"median {measured['median_error_days']} days, worst {measured['worst_error_days']} days; "
          f"true day inside the window for {measured['coverage']:.0%} of posts; "
          f"median window {measured['median_window_days']} days")
else:
    print(f"{name}: {measured['n_dated']} dated posts, none of which can be dated from its text and the feed "
          "order alone, so the error of the inference cannot be measured on this feed")
table(measured["per_post"], max_rows=30)
