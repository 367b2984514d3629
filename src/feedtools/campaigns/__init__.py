"""Multilingual campaign analysis: which causes a feed pushes, in which languages, with whom.

A **campaign** is a set of hashtags that stand for one cause. Hashtags are joined
into campaigns in two ways, and only these two:

1. **folding** (:func:`fold_tag`, from :mod:`feedtools.text`, the key timelines and
   observances use too): case, accents, ``_``/``-`` and other punctuation are ignored,
   so ``#UCLGMeets`` and ``#UCLGmeets`` are one tag;
2. the **alias table** (:func:`load_aliases`), a CSV a researcher edits
   (``data/campaigns.csv``; format in ``data/README.md``): one row per hashtag,
   ``campaign_id,label,lang,hashtag[,note]``. A tag not in the table is its own
   campaign, keyed by its folded form (``#LocalGovs`` -> ``localgovs``).

Everything else is a **suggestion** (:func:`suggest_aliases`): computed, scored,
shown with its evidence, never applied. Pairs the table already merges are not
suggested.

:func:`load_aliases` validates a table (:class:`~feedtools.errors.TableError`, a ``ValueError``, naming the
file and line);
:func:`aliases_from` also says which table was used (notebooks print it).

Analyses (each a plain function over the canonical posts table plus the alias
frame; none modifies its input):

* :func:`assign_campaigns` — the per-post ``campaigns`` list column;
* :func:`alias_table_use` — which of the alias table's hashtags occur in the feed (and in how many posts);
* :func:`campaign_metrics` — one row per campaign (size, voice, languages, partners…);
* :func:`campaign_languages` — campaign × detected language counts (heatmap input);
* :func:`voice_summary`, :func:`voice_by_campaign`, :func:`voice_by_language`,
  :func:`amplified_accounts` — own posts versus reposts;
* :func:`suggest_aliases` — tags that may be one campaign (spelling variants, translations);
* :func:`related_campaigns` — campaigns in different languages that go together (never aliases);
* :func:`cross_language_pairs` — posts that announce the same thing in two languages, ranked by content
  (:mod:`feedtools.similarity`), compared within a window of time when every post is dated, else of positions
  (:func:`pair_basis`, :func:`describe_pair_window`);
* :func:`series_markers` — leading emoji and other recurring openers;
* :func:`partner_graph`, :func:`graph_layout`, :func:`write_graph` — accounts and
  campaigns as a network (GEXF / GraphML);
* ``describe_*`` — the findings in words the campaigns notebook prints.

Bounds on hostile input: work that grows with the square of a post's tags (campaign
co-occurrence, partner-graph edges, tag pairs for suggestions) considers at most
``max_tags_per_post`` distinct tags of each post (:data:`MAX_TAGS_PER_POST`, in order
of first use; ``max_mentions_per_post`` mentions for co-mention edges), and
:func:`suggest_aliases` keeps the ``max_suggestions`` strongest suggestions
(:data:`MAX_SUGGESTIONS`); the three are the fields of :class:`CampaignCaps`. Membership and counts (posts per campaign…) always use every
tag. Pass ``stats={}`` to these functions to learn what a cap left out:
``posts_over_tag_cap``, ``tags_over_cap``, ``suggestions_found``, ``suggestions_kept``….

Conventions: placeholders (reposts that never loaded) have unknown hashtags, so
their ``campaigns`` is null and they are in no campaign; "share of the feed" is
over loaded posts. Positions are feed order (newest first in a profile feed).
Every output table is sorted deterministically.

Tuning numbers are named parameters (:mod:`.params`, frozen dataclasses the functions take and reports can
print): :class:`CampaignCaps` (the caps above), :class:`SuggestParams` (spelling and translation scores of
:func:`suggest_aliases`), :class:`RelatedParams` (the evidence weights of :func:`related_campaigns`),
:class:`PairParams` (position and time windows and thresholds of :func:`cross_language_pairs`). The older keyword arguments
(``max_tags_per_post=``, ``window=``, ``min_score=``…) still work and override the field of the same name.

The package, one module per seam (data flows down this list):

* :mod:`.aliases`: the alias table (load, validate, which file was used);
* :mod:`.params`: the named parameters;
* :mod:`.core`: posts -> tags -> campaigns (:func:`assign_campaigns` and the long tables the others read);
* :mod:`.metrics`: one row per campaign, campaign × language, accounts per campaign;
* :mod:`.voice`: own posts against reposts, amplified accounts;
* :mod:`.suggest`: alias suggestions (spelling, translation) and the campaign vocabulary;
* :mod:`.related`: related campaigns across languages;
* :mod:`.pairs`: cross-language post pairs (similarity in :mod:`feedtools.similarity`);
* :mod:`.series`: series markers and the per-post check table;
* :mod:`.network`: the partner network, its layout and export;
* :mod:`.describe`: the findings in words.
"""

from __future__ import annotations

from feedtools.campaigns.aliases import (
    ALIAS_COLUMNS,
    ALIASES_SCHEMA,
    LIST_STR,
    REQUIRED_ALIAS_COLUMNS,
    UND,
    aliases_from,
    default_aliases_path,
    empty_aliases,
    load_aliases,
)
from feedtools.campaigns.core import SHORTENER_DOMAINS, alias_table_use, assign_campaigns
from feedtools.campaigns.describe import (
    describe_alias_use,
    describe_amplified,
    describe_campaign_accounts,
    describe_campaign_dates,
    describe_campaign_languages,
    describe_campaigns,
    describe_network,
    describe_pairs,
    describe_related,
    describe_series,
    describe_suggestions,
    describe_voice,
    feed_accounts,
)
from feedtools.campaigns.metrics import campaign_accounts, campaign_languages, campaign_metrics
from feedtools.campaigns.network import GRAPH_SUFFIXES, graph_layout, partner_graph, write_graph
from feedtools.campaigns.pairs import (  # noqa: F401  (_date_tokens: tests)
    PAIRS_SCHEMA,
    _date_tokens,
    cross_language_pairs,
    describe_pair_window,
    pair_basis,
)
from feedtools.campaigns.params import (
    DEFAULT_CAPS,
    DEFAULT_PAIR_PARAMS,
    DEFAULT_RELATED_PARAMS,
    DEFAULT_SUGGEST_PARAMS,
    MAX_MENTIONS_PER_POST,
    MAX_SUGGESTIONS,
    MAX_TAGS_PER_POST,
    CampaignCaps,
    PairParams,
    RelatedParams,
    SuggestParams,
)
from feedtools.campaigns.related import RELATED_SCHEMA, related_campaigns
from feedtools.campaigns.series import posts_with_campaigns, series_markers
from feedtools.campaigns.suggest import SUGGESTION_SCHEMA, TAG_STOPWORDS, load_vocabulary, suggest_aliases, tag_words
from feedtools.campaigns.voice import KINDS, amplified_accounts, voice_by_campaign, voice_by_language, voice_summary
from feedtools.similarity import PROXIMITY_WEIGHT, content_pairs, date_tokens, pair_score  # noqa: F401 (re-exported)
from feedtools.text import fold_tag, fold_tags

__all__ = [
    "ALIASES_SCHEMA",
    "ALIAS_COLUMNS",
    "DEFAULT_CAPS",
    "DEFAULT_PAIR_PARAMS",
    "DEFAULT_RELATED_PARAMS",
    "DEFAULT_SUGGEST_PARAMS",
    "GRAPH_SUFFIXES",
    "KINDS",
    "LIST_STR",
    "MAX_MENTIONS_PER_POST",
    "MAX_SUGGESTIONS",
    "MAX_TAGS_PER_POST",
    "PAIRS_SCHEMA",
    "RELATED_SCHEMA",
    "REQUIRED_ALIAS_COLUMNS",
    "SHORTENER_DOMAINS",
    "SUGGESTION_SCHEMA",
    "TAG_STOPWORDS",
    "UND",
    "CampaignCaps",
    "PairParams",
    "RelatedParams",
    "SuggestParams",
    "alias_table_use",
    "aliases_from",
    "amplified_accounts",
    "assign_campaigns",
    "campaign_accounts",
    "campaign_languages",
    "campaign_metrics",
    "cross_language_pairs",
    "default_aliases_path",
    "describe_alias_use",
    "describe_amplified",
    "describe_campaign_accounts",
    "describe_campaign_dates",
    "describe_campaign_languages",
    "describe_campaigns",
    "describe_network",
    "describe_pair_window",
    "describe_pairs",
    "describe_related",
    "describe_series",
    "describe_suggestions",
    "describe_voice",
    "empty_aliases",
    "feed_accounts",
    "fold_tag",
    "fold_tags",
    "graph_layout",
    "load_aliases",
    "load_vocabulary",
    "pair_basis",
    "partner_graph",
    "posts_with_campaigns",
    "related_campaigns",
    "series_markers",
    "suggest_aliases",
    "tag_words",
    "voice_by_campaign",
    "voice_by_language",
    "voice_summary",
    "write_graph",
]
