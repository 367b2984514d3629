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
# # 02 · Campaigns across languages, spellings and partners
#
# **What this answers:** which causes does the account push, in which languages, and with whom? How much
# does it speak itself and how much does it amplify others? Which posts announce the same thing in two
# languages, and which recurring openers (🟡, 💜, 💦…) mark its series?
#
# A *campaign* is a set of hashtags that stand for one cause. Tags are compared case- and accent-folded
# (`#UCLGMeets` = `#UCLGmeets`), and the alias table `data/campaigns.csv` joins tags that differ in
# spelling or language (`#LRGs` in English, `#GLRs` in French and Spanish). A tag that is not in the table is
# its own campaign. The package also *suggests* aliases — near-identical spellings and tags in different
# languages that share partners, links and neighbouring posts — but never applies them: to accept one, add a
# row to the alias table and run the notebook again. All numbers come from `feedtools.campaigns`; charts from
# `feedtools.charts.campaigns`.

# %% tags=["parameters"]
feed_path = "../data/raw/000_802a2c4cd511184e.txt"
aliases_path = "../data/campaigns.csv"
languages = None

# %%
from pathlib import Path

import feedtools
from feedtools import campaigns, timeline
from feedtools.charts import campaigns as charts
from feedtools.charts import table
from feedtools.pipeline import summary_line

feed = feedtools.load(feed_path, languages=languages)
posts = feed.posts
aliases, aliases_note = campaigns.aliases_from(aliases_path)
print(f"Input file: {Path(feed_path).name}")
print(summary_line(feed))
print(aliases_note)

# %% [markdown]
# ## The campaigns
#
# One row per campaign, largest first. `posts` counts posts carrying any of its tags (a post can belong to
# several campaigns); `langs` and `lang_shares` are the languages *detected in the posts' text*, while
# `tag_langs` are the languages of the hashtags themselves, as the alias table records them (`und` for a tag
# not in the table). `multilingual` is true when the campaign's posts are in two or more languages.
#
# On the bundled seed, the four causes named in the alias table each end up as one campaign:
# `uclgmeets` (#UCLGMeets 16 + #UCLGmeets 2 = 18 posts: 13 English, 3 French, 2 Spanish), `lrgs`
# (#LRGs 6 + #GLRs 3 = 9 posts: 6 English, 2 French, 1 Spanish), `peace-forum` (6 posts: 5 Spanish, 1 English repost that
# carries both the English and the Spanish tag) and `sdgs` (#SDGs 2 + #ODS 1: 2 English, 1 Spanish).

# %%
metrics = campaigns.campaign_metrics(posts, aliases)
print(f"{metrics.height} campaigns; {int(metrics['multilingual'].sum())} run in more than one language")
table(
    metrics.select("campaign_id", "label", "hashtags", "posts", "own_posts", "reposts", "share_of_feed",
                   "lang_shares", "multilingual", "tag_langs", "first_position", "last_position"),
    max_rows=20,
)

# %% [markdown]
# Who each campaign runs with: the campaigns it shares posts with, the accounts its posts mention (partners)
# and the sites it links to (at most ten each, commonest first, `value:count`).

# %%
table(metrics.select("campaign_id", "co_campaigns", "partners", "n_partners", "domains", "n_domains"),
      max_rows=15)

# %% [markdown]
# When each campaign ran. A profile scrape has no dates, so the dates below are the estimates of
# `feedtools.timeline` (from dates and observance days mentioned in the posts, carried along the feed order);
# for a feed with timestamps they are the posts' own days. Positions count from the top of the feed (newest
# first), so a campaign's `first_date` goes with its `last_position`. On the seed the World Social Justice Day
# posts fall on 20–21 February 2025 and the peace forum in April–May 2025.

# %%
dated = timeline.with_timeline(posts, timeline.build_timeline(posts))
table(campaigns.campaign_metrics(dated, aliases).select(
    "campaign_id", "posts", "first_position", "last_position", "first_date", "last_date"), max_rows=12)

# %% [markdown]
# ## Campaigns × languages
#
# Each cell counts a campaign's posts in one detected language; the colour is that language's share of the
# campaign. On the seed most campaigns are English-only; six run in several languages: the statutory meetings
# (`uclgmeets`), the local and regional governments cause (`lrgs`), World Social Justice Day (4 English,
# 3 French, 1 Spanish), `#Listen2Cities` (one Spanish post), the SDGs and the peace forum, which is mostly
# Spanish.

# %%
charts.language_heatmap(campaigns.campaign_languages(posts, aliases), top=20)

# %% [markdown]
# ## Suggested aliases (not applied)
#
# Pairs of tags that the alias table keeps apart but that may belong together, with a score (higher is
# stronger) and the evidence, so a researcher can decide. `plural`, `spelling`, `numbered` and `prefix` compare
# the folded spellings; `cross-language` pairs are tags whose posts are in different languages but appear
# together, share partners or link domains, and sit near each other in the feed. On the seed the strongest
# are `#LocalGov`/`#LocalGovs` (singular/plural), `#SDG3`/`#SDGs`-style goal numbers and the Spanish forum tag
# with `#Montevideo`; `#CSW68`/`#CSW69` come out as numbered editions rather than one tag. Accepting one is
# one row in the alias table.

# %%
suggestions = campaigns.suggest_aliases(posts, aliases)
print(f"{suggestions.height} suggestions")
table(suggestions, max_rows=20)

# %% [markdown]
# ## Voice and amplification
#
# Own posts are the account's voice; reposts amplify other accounts. Some reposts never loaded in the scrape
# (placeholders): they count as amplification, but their text, language and tags are unknown, so they are in
# no campaign and their language is `und`. On the seed, 51 of 80 rows are own posts, 15 loaded reposts and
# 14 reposts that never loaded; Spanish is used only in the account's own voice.

# %%
table(campaigns.voice_summary(posts))

# %%
charts.voice_chart(campaigns.voice_by_language(posts), key="lang")

# %%
charts.voice_chart(campaigns.voice_by_campaign(posts, aliases), top=15)

# %% [markdown]
# Which accounts the feed amplifies. A profile scrape does not name the authors of reposted posts (they show
# as `(unknown)`); the accounts mentioned inside the reposts show whom the amplified posts address — on the
# seed, mostly the account itself (`uclg.bsky.social`): it reposts what partners say about it.

# %%
table(campaigns.amplified_accounts(posts), max_rows=20)

# %% [markdown]
# ## Posts that announce the same thing in two languages
#
# Pairs of posts in different detected languages that share partners, links, link domains, dates, numbers or
# campaigns, scored with rarer shared values weighing more and nearby positions adding a little. The top
# pairs on the seed are the English and Spanish announcements of the Executive Bureau in Seville (positions
# 40 and 42: same partner `worldledforum.bsky.social`, same campaign) and the English and French posts of the
# World Social Justice Day series.

# %%
pairs = campaigns.cross_language_pairs(posts, aliases)
print(f"{pairs.height} candidate pairs")
table(pairs.select("position_a", "position_b", "lang_a", "lang_b", "score", "evidence", "text_a", "text_b"),
      max_rows=15)

# %% [markdown]
# ## Series markers
#
# Recurring openers of the account's own posts: a leading emoji, a leading hashtag or a `Label:`. On the seed
# 🟡 opens 8 posts, 7 of them in the #UCLGMeets campaign (English and French); 💜 opens 7, mostly World
# Social Justice Day (care, "new essentials"); 💦 opens the 4 posts of the water-management academy, always
# with the same two partners; 🟠 opens 4 Executive Bureau posts in Seville. Generic openers such as 📢 and ✨
# recur too: the campaigns and partners columns tell a series from a habit.

# %%
markers = campaigns.series_markers(posts, aliases)
charts.series_chart(markers)

# %%
table(markers.select("marker", "kind", "posts", "positions", "campaigns", "partners", "langs"), max_rows=20)

# %% [markdown]
# ## Partner network
#
# Campaigns (red) and mentioned accounts (blue); a line joins a campaign and an account its posts mention, two
# campaigns used in one post, or two accounts mentioned together, thicker for more posts. The drawing shows
# the 40 best-connected nodes of the largest connected part; `feedtools campaigns FEED -o campaigns.csv
# --network graph.gexf` exports the whole graph for Gephi or other network tools. On the seed the account's own
# handle sits in the middle (the reposts mention it), with `uclgmeets`, `lrgs` and World Social Justice Day
# tied together and the gender-equality tags (#CSW69, #Beijing30, #IWD2025) in a cluster of their own.

# %%
graph = campaigns.partner_graph(posts, aliases)
print(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
nodes, edges = campaigns.graph_layout(graph, max_nodes=40)
charts.network_chart(nodes, edges)
