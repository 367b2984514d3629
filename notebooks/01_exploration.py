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
# # 01 · Exploring a feed
#
# **What this answers:** what is in this feed, and can it be trusted? How many items are the account's own
# posts, how many are reposts, and how many never loaded; which hashtags, mentions, link domains and emoji it
# uses; how long its posts are; which languages it writes in (detected from the text, and as the posts declare
# them); and whether every record of the input file is accounted for.
#
# Every number here comes from functions in `feedtools.explore` (tables) and `feedtools.charts.explore`
# (charts); this notebook only calls them. Tables are aggregates, so the notebook runs the same way on a
# feed of a million posts. Hover over a bar to see its values.

# %% tags=["parameters"]
feed_path = "../data/raw/000_802a2c4cd511184e.txt"
languages = None

# %%
from pathlib import Path

import feedtools
from feedtools import explore
from feedtools.charts import explore as charts
from feedtools.charts import table
from feedtools.pipeline import summary_line

feed = feedtools.load(feed_path, languages=languages)
posts = feed.posts
loaded = int((~posts["is_placeholder"]).sum())
print(f"Input file: {Path(feed_path).name}")
print(summary_line(feed))

# %% [markdown]
# ## Volume: own posts, reposts and unloaded items
#
# A profile feed mixes the account's own posts with reposts (amplification of other accounts). Some reposts
# are only placeholders: the page never loaded their content, so they count as activity but have no text,
# language or hashtags. The chart shows the three kinds as shares of all rows.

# %%
volume = explore.volume(posts)
print(explore.describe_volume(volume))
charts.volume_chart(volume)

# %%
table(volume)

# %% [markdown]
# ## Hashtags
#
# Hashtags are compared case-folded, so `#UCLGMeets` and `#UCLGmeets` count as one tag; the `spellings`
# column keeps the forms actually written. The chart ranks tags by the number of posts that use them.

# %%
hashtags = explore.top_hashtags(posts, n=15)
print(explore.describe_top(hashtags, "hashtag", "hashtag", loaded))
charts.entity_chart(hashtags, "hashtag", "Hashtags by number of posts (case-folded)")

# %%
table(hashtags)

# %% [markdown]
# ## Mentions and link domains
#
# Mentions show which accounts the feed addresses or credits. Link domains show where it sends readers; a
# link that the app shortened for display (`gold.uclg.org/sites/defaul...`) has lost its full address but
# still counts under its registrable domain (`uclg.org`). Link shorteners (`t.ly`, `bit.ly`) hide the real
# destination.

# %%
mentions = explore.top_mentions(posts, n=15)
print(explore.describe_top(mentions, "mention", "mentioned account", loaded))
charts.entity_chart(mentions, "mention", "Mentioned accounts by number of posts")

# %%
domains = explore.top_domains(posts, n=15)
print(explore.describe_top(domains, "domain", "link domain", loaded))
charts.entity_chart(domains, "domain", "Link domains by number of posts")

# %% [markdown]
# ## Emoji
#
# Emoji are counted as whole sequences (flags, skin tones and joined sequences stay one emoji). Many
# organisations use them as bullet points, so the most frequent ones often mark a recurring post format.

# %%
emoji = explore.top_emoji(posts, n=15)
print(explore.describe_top(emoji, "emoji", "emoji", loaded))
charts.emoji_chart(emoji)

# %% [markdown]
# ## Post length
#
# Lengths are in characters of the text as posted. Bluesky allows 300 graphemes per post, so a pile-up just
# under 300 means the account writes to the limit. Placeholders have no text and are left out.

# %%
lengths = explore.length_stats(posts)
print(explore.describe_lengths(lengths))
table(lengths)

# %%
charts.length_chart(explore.length_histogram(posts, bin_width=25))

# %% [markdown]
# The longest posts, with the start of their text in the tooltip:

# %%
charts.longest_posts_chart(explore.longest_posts(posts, n=10))

# %% [markdown]
# ## Languages: detected and declared
#
# `detected` is the language identified from the text (fastText's offline model; `und` when a post is too
# short or the model is unsure). `declared` is what the post itself says in its `langs` field, which scrapes
# do not carry and which is often wrong when present; `agree` counts posts where both say the same.

# %%
langs = explore.language_table(posts)
print(explore.describe_languages(langs))
charts.languages_chart(langs)

# %%
table(langs)

# %% [markdown]
# ## Data quality
#
# What was read, and where every input record went. `unaccounted` must be 0: each record ends as a row, a
# rejected record (with its location and reason) or a record skipped by design. The file is identified by
# its name and SHA-256, so a result can be traced to the exact input.

# %%
table(explore.input_summary(feed))

# %%
quality = explore.data_quality(feed)
print(explore.describe_quality(quality))
table(quality)

# %% [markdown]
# Rejected records by reason (empty when every record could be read):

# %%
table(explore.rejects_by_reason(feed))

# %% [markdown]
# Duplicates are kept as rows and point at their first copy (`duplicate_of` is that copy's position):

# %%
table(explore.duplicates_sample(posts, n=10))
