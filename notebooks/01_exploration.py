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
# **What this answers:** what is in this feed, and can it be trusted? Whose feed is it: one account's (a
# profile scrape, an author feed, a repository export) or a collection of many accounts (a post list, a
# Jetstream capture, several files read together)? How many rows are original posts (written by their
# account), how many are reposts, and how many never loaded; which accounts write and amplify; which
# hashtags, mentions, link domains and emoji appear; how long the posts are; which languages they are
# written in (detected from the text, and as the posts declare them); and whether every record of every
# input file is accounted for.
#
# Every number and every sentence of findings here comes from functions in `feedtools.explore` (tables and
# their readings) and `feedtools.charts.explore` (charts); this notebook only calls them. Tables are
# aggregates, so the notebook runs the same way on a feed of a million posts. Hover over a bar to see its
# values.

# %% [markdown]
# **Your own feed.** Set `feed_path` in the next cell to your file: a path relative to this `notebooks/`
# folder (`"../data/raw/my_feed.json"`) or an absolute one, in any format the package reads (profile scrape,
# author feed, post list, repository CAR, Jetstream capture; detected from the content), a posts table
# already parsed with `feedtools parse FEED -o posts.parquet` (faster: parsed once), or a list of paths
# (`["a.json", "b.jsonl"]`) read into one table with each row's file in the `source` column.
# `languages` optionally restricts language detection to a list of ISO 639-1 codes (`["en", "es"]`).
# `feedtools report --feed FILE` runs this notebook on a feed for you.

# %% tags=["parameters"]
feed_path = "../data/raw/000_802a2c4cd511184e.txt"
languages = None

# %%
import feedtools
from feedtools import explore, interactions
from feedtools.charts import explore as charts
from feedtools.charts import table
from feedtools.pipeline import summary_line

feed = feedtools.load(feed_path, languages=languages)
posts = feed.posts
kind = explore.feed_kind_of(feed)
loaded = int((~posts["is_placeholder"]).sum())
print(f"Input: {feed.meta['source']}")
print(summary_line(feed))
print(explore.describe_feed(feed))

# %% [markdown]
# ## Volume: original posts, reposts and unloaded items
#
# Rows are of three kinds. Original posts are written by their account (in one account's feed, its own
# posts); reposts are other posts an account amplified. Some reposts are only placeholders: their content
# never loaded, so they count as activity but have no text, language or hashtags. The chart shows the three
# kinds as shares of all rows.

# %%
volume = explore.volume(posts)
print(explore.describe_volume(volume, kind))
charts.volume_chart(volume, kind)

# %%
table(explore.kind_labels(volume, kind))

# %% [markdown]
# ## Accounts
#
# Who wrote the original posts, and who reposted. An account is identified by its DID, else its handle,
# else its display name, whichever the format carries. In one account's feed this section has one account;
# in a collection it shows how activity spreads over the accounts (a long tail: a few accounts write much,
# many write little), the languages each writes in, and which accounts amplify others.

# %%
accounts = explore.accounts_table(posts, n=20)
originals = int((~posts["is_repost"]).sum())
print(explore.describe_accounts(accounts, explore.account_count(posts), originals))
charts.accounts_chart(explore.account_activity(posts))

# %%
table(accounts)

# %%
charts.account_languages_chart(explore.account_languages(posts, n=15))

# %% [markdown]
# Amplification: reposts per reposting account (`loaded`: reposts whose content loaded; `authors`: distinct
# accounts amplified, where the format names them).

# %%
amplifiers = explore.amplifiers(posts, n=15)
print(explore.describe_amplification(amplifiers, kind, explore.reposter_count(posts)))
charts.amplifiers_chart(amplifiers)

# %% [markdown]
# Most mentioned accounts: the handles the posts address or credit, by number of posts mentioning them.

# %%
mentions = explore.top_mentions(posts, n=15)
print(explore.describe_top(mentions, "mention", "mentioned account", loaded))
charts.entity_chart(mentions, "mention", "Mentioned accounts by number of posts")

# %% [markdown]
# Who the posts talk to: the accounts the original posts reply to, mention or quote, identified by DID
# (stable, whereas handles change) with the handle where the data gives one. Replies to the author's own
# posts (threads) are counted apart. A profile page scrape records neither replies nor quotes, only the
# mentions typed in the text.

# %%
talks = interactions.talks_to(posts, n=15)
print(interactions.describe_talks_to(talks, interactions.interaction_summary(posts)))
table(talks)

# %% [markdown]
# ## Hashtags
#
# Hashtags are compared case-folded, so `#CityNews` and `#citynews` count as one tag; the `spellings`
# column keeps the forms actually written. The chart ranks tags by the number of posts that use them.

# %%
hashtags = explore.top_hashtags(posts, n=15)
print(explore.describe_top(hashtags, "hashtag", "hashtag", loaded))
charts.entity_chart(hashtags, "hashtag", "Hashtags by number of posts (case-folded)")

# %%
table(hashtags)

# %% [markdown]
# ## Link domains
#
# Link domains show where the posts send readers. A link that the app shortened for display
# (`example.org/news/2024/annual-rep...`) has lost its full address but still counts under its registrable
# domain (`example.org`). Link shorteners (`t.ly`, `bit.ly`) hide the real destination.

# %%
domains = explore.top_domains(posts, n=15)
print(explore.describe_top(domains, "domain", "link domain", loaded))
charts.entity_chart(domains, "domain", "Link domains by number of posts")

# %% [markdown]
# Links are counted in canonical form: the same article shared with and without tracking parameters
# (`?utm_source=…`, `fbclid`), with `www.` or a trailing slash, counts once.

# %%
links = explore.top_links(posts, n=10)
print(explore.describe_top(links, "url", "link", loaded))
charts.entity_chart(links, "url", "Links by number of posts (canonical form)")

# %% [markdown]
# ## Link cards
#
# A link card is the preview (title, description) a post attaches to a link; in many posts it is the only
# link. Cards are grouped by canonical URL; `example` opens the first post sharing each card on bsky.app.

# %%
coverage = explore.alt_text_coverage(posts)
cards = explore.top_cards(posts, n=10)
print(explore.describe_cards(cards, loaded, coverage["embeds_known"][0]))
table(cards, links=("example",))

# %% [markdown]
# ## Image descriptions (alt text)
#
# Alt text describes an image for screen readers, and is often the only text of an image post (sometimes in
# another language than the post). Coverage is the share of posts with images whose images all carry one.

# %%
print(explore.describe_alt_text(coverage))
table(coverage)

# %% [markdown]
# ## Emoji
#
# Emoji are counted as whole sequences (flags, skin tones and joined sequences stay one emoji). Many
# accounts use them as bullet points, so the most frequent ones often mark a recurring post format.

# %%
emoji = explore.top_emoji(posts, n=15)
print(explore.describe_top(emoji, "emoji", "emoji", loaded))
charts.emoji_chart(emoji)

# %% [markdown]
# ## Post length
#
# Lengths are in characters of the text as posted. Bluesky allows 300 graphemes per post, so a pile-up just
# under 300 means posts are written to the limit. Placeholders have no text and are left out.

# %%
lengths = explore.length_stats(posts)
print(explore.describe_lengths(lengths, kind))
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
# rejected record (with its location and reason) or a record skipped by design. Each file is identified by
# its name and SHA-256, so a result can be traced to the exact input; the table by source accounts for each
# input file separately (`repeated`: records already read from an earlier input, or twice in one export).

# %%
table(explore.input_summary(feed))

# %%
quality = explore.data_quality(feed)
print(explore.describe_quality(quality))
table(quality)

# %%
table(explore.data_quality_by_source(feed), caption="Record accounting by source file")

# %% [markdown]
# Rejected records by reason (empty when every record could be read):

# %%
table(explore.rejects_by_reason(feed))

# %% [markdown]
# Duplicates are kept as rows and point at their first copy (`duplicate_of` is that copy's position):

# %%
table(explore.duplicates_sample(posts, n=10))
