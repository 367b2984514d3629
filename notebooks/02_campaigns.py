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
# **What this answers:** which causes does the feed push, in which languages, and with whom? Who speaks and who
# amplifies others? Which posts announce the same thing in two languages, and which recurring openers (a
# leading emoji, hashtag or `Label:`) mark a series?
#
# A *campaign* is a set of hashtags that stand for one cause. Tags are compared case- and accent-folded
# (`#Tag` = `#tag`), and the alias table `data/campaigns.csv` joins tags that differ in spelling or language
# (say `#Tag` in English and `#Etiqueta` in Spanish). A tag that is not in the table is its own campaign. The
# package also *suggests* aliases — near-identical spellings and tags in different languages that share
# partners, links and neighbouring posts — but never applies them: to accept one, add a row to the alias table
# and run the notebook again. The lines below say which table was used and how many of its hashtags occur in
# this feed (a table written for another feed may join nothing here). All numbers and every sentence below the
# headings come from `feedtools.campaigns`; charts from `feedtools.charts.campaigns`.

# %% tags=["parameters"]
feed_path = "../data/raw/000_802a2c4cd511184e.txt"
aliases_path = "../data/campaigns.csv"
languages = None

# %%
from pathlib import Path

import feedtools
from feedtools import campaigns, explore, interactions, similarity, timeline
from feedtools.charts import campaigns as charts
from feedtools.charts import table
from feedtools.pipeline import summary_line

feed = feedtools.load(feed_path, languages=languages)
posts = feed.posts
aliases, aliases_note = campaigns.aliases_from(aliases_path)
kind, n_accounts = explore.feed_kind_of(feed), explore.account_count(posts)
print(f"Input file: {Path(feed_path).name}")
print(summary_line(feed))
print(aliases_note)
print(campaigns.describe_alias_use(posts, aliases))

# %% [markdown]
# ## The campaigns
#
# One row per campaign, largest first. `posts` counts posts carrying any of its tags (a post can belong to
# several campaigns); `langs` and `lang_shares` are the languages *detected in the posts' text*, while
# `tag_langs` are the languages of the hashtags themselves, as the alias table records them (`und` for a tag
# not in the table). `multilingual` is true when the campaign's posts are in two or more languages.

# %%
metrics = campaigns.campaign_metrics(posts, aliases)
print(campaigns.describe_campaigns(metrics))
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
# Which accounts push each campaign. In a collection of many accounts (a post list, a Jetstream capture) each
# campaign lists the accounts that posted or reposted its posts (`account:posts`, at most five); in one
# account's feed every campaign is that account's, and "Voice and amplification" below splits its own posts from
# its reposts.

# %%
accounts = campaigns.campaign_accounts(posts, aliases)
print(campaigns.describe_campaign_accounts(accounts, n_accounts, kind=kind))
if kind == "collection":
    table(accounts, max_rows=15)

# %% [markdown]
# When each campaign ran. Where the feed has timestamps the dates are the posts' own days; where it has none
# (a profile scrape) they are the estimates of `feedtools.timeline` (from dates and observance days mentioned in
# the posts, carried along the feed order). Positions count from the top of the feed (newest first in an
# account's feed), so a campaign's `first_date` goes with its `last_position`.

# %%
dated = timeline.with_timeline(posts, timeline.build_timeline(posts))
dated_metrics = campaigns.campaign_metrics(dated, aliases)
print(campaigns.describe_campaign_dates(dated_metrics, estimated=not timeline.has_timestamps(posts)))
table(dated_metrics.select(
    "campaign_id", "posts", "first_position", "last_position", "first_date", "last_date"), max_rows=12)

# %% [markdown]
# ## Campaigns × languages
#
# Each cell counts a campaign's posts in one detected language; the colour is that language's share of the
# campaign.

# %%
campaign_langs = campaigns.campaign_languages(posts, aliases)
print(campaigns.describe_campaign_languages(campaign_langs))
charts.language_heatmap(campaign_langs, top=20)

# %% [markdown]
# ## Suggested aliases (not applied)
#
# Pairs of tags that the alias table keeps apart but that may belong together, with a score (higher is
# stronger) and the evidence, so a researcher can decide. `plural`, `spelling`, `numbered` and `prefix` compare
# the folded spellings (`#Tag`/`#Tags`, `#Tag1`/`#Tag2`); `translation` pairs are tags that, split into words
# (`#CiudadesYTerritoriosDePaz` → ciudades y territorios de paz), say the same thing word for word: the same word,
# a cognate (territorios/territories) or one concept of the bundled English/Spanish/French campaign vocabulary
# (`data/campaign_vocabulary.csv`: paz/peace, ODS/SDG), with equal numbers (`#SDG3`/`#ODS3`). Campaigns that only
# appear together are not aliases: they are listed below as related campaigns.
# Accepting one is one row in the alias table.

# %%
suggestions = campaigns.suggest_aliases(posts, aliases)
print(campaigns.describe_suggestions(suggestions))
table(suggestions, max_rows=20)

# %% [markdown]
# ### Related campaigns (not aliases)
#
# Campaigns whose posts are in different languages and that go together: tags in the same posts, shared
# partners or link domains (rarer ones weigh more), posts near each other in the feed. Useful context, but two
# causes, not one under two names.

# %%
related = campaigns.related_campaigns(posts, aliases)
print(campaigns.describe_related(related))
table(related, max_rows=15)

# %% [markdown]
# ## Voice and amplification
#
# Own posts are an account's voice (in a collection of many accounts: *original posts*, not reposts); reposts
# amplify other accounts. Some reposts may never have loaded in a scrape (placeholders): they count as
# amplification, but their text, language and tags are unknown, so they are in no campaign and their language is
# `und`.

# %%
voice = campaigns.voice_summary(posts, kind=kind)
voice_langs = campaigns.voice_by_language(posts)
print(campaigns.describe_voice(voice, voice_langs, n_accounts, kind=kind))
table(voice)

# %%
charts.voice_chart(voice_langs, key="lang", kind=kind)

# %%
charts.voice_chart(campaigns.voice_by_campaign(posts, aliases), top=15, kind=kind)

# %% [markdown]
# Which accounts are amplified. A profile scrape does not name the authors of reposted posts (they show as
# `(unknown)`); the accounts mentioned inside the reposts show whom the amplified posts address.

# %%
amplified = campaigns.amplified_accounts(posts)
print(campaigns.describe_amplified(amplified, voice, n_accounts, kind=kind))
table(amplified, max_rows=20)

# %% [markdown]
# Whom the campaign posts talk to: the accounts that posts in at least one campaign reply to, mention or
# quote (by DID, with the handle where known; the author's own threads left out), and the campaigns in
# which each is addressed, the campaign with most such posts first.

# %%
tagged = interactions.campaign_posts(posts, aliases)
campaign_talks = interactions.talks_to(tagged, n=20)
print(interactions.describe_talks_to(campaign_talks, interactions.interaction_summary(tagged), what="campaign post"))
table(campaign_talks)

# %% [markdown]
# ## Posts that announce the same thing in two languages
#
# Pairs of posts in different detected languages, ranked by what they say. Each text becomes accent-folded
# character 4-grams of its words (so names and cognates match across languages: Londres/London, Consejo
# Ejecutivo/Executive Council, Séminaire/Seminar), plus its numbers, day-month dates in English, Spanish or
# French, mentions, links and hashtags split into words; rarer features weigh more (TF-IDF-like) and two posts'
# similarity is the cosine. Only posts close to each other are compared, so the work grows with the feed: within
# two days of each other when every post has a date, else within 12 positions (the first line below says which);
# closeness only breaks near-ties. The evidence column shows the shared words (`londres~london`: a
# shared stem) and the exact shared partners, links, dates and numbers. The method's precision at 10 and recall
# are measured below on a bundled hand-labelled set of parallel announcements; on this feed, the summary says how
# many of the top 10 pairs rest on shared words or exact values rather than on their place in the feed.
# No multilingual embedding model is used: none ships with an installed package, and nothing is downloaded.

# %%
print(campaigns.describe_pair_window(posts))
print(similarity.describe_quality(similarity.measure_labelled()))
pairs = campaigns.cross_language_pairs(posts, aliases)
print(campaigns.describe_pairs(pairs))
table(pairs.select("position_a", "position_b", "lang_a", "lang_b", "score", "evidence", "text_a", "text_b"),
      max_rows=15)

# %% [markdown]
# ## Series markers
#
# Recurring openers of the feed's own (original) posts: a leading emoji, a leading hashtag or a `Label:`.
# Generic openers (a megaphone, sparkles) recur too: the campaigns and partners columns tell a series from a
# habit.

# %%
markers = campaigns.series_markers(posts, aliases)
print(campaigns.describe_series(markers))
charts.series_chart(markers)

# %%
table(markers.select("marker", "kind", "posts", "positions", "campaigns", "partners", "langs"), max_rows=20)

# %% [markdown]
# ## Partner network
#
# Campaigns (red) and mentioned accounts (blue); a line joins a campaign and an account its posts mention, two
# campaigns used in one post, or two accounts mentioned together, thicker for more posts. The drawing shows
# the 40 best-connected nodes of the largest connected part; `feedtools campaigns FEED -o campaigns.csv
# --network graph.gexf` exports the whole graph for Gephi or other network tools.

# %%
graph = campaigns.partner_graph(posts, aliases)
print(campaigns.describe_network(graph))
nodes, edges = campaigns.graph_layout(graph, max_nodes=40)
charts.network_chart(nodes, edges, own=(feed.meta.get("account") or {}).get("handle"))
