"""Named tuning parameters of the campaign analyses: what was inline numbers is a frozen dataclass the functions take.

Each analysis takes its parameters as one object (``params=`` or ``caps=``); the keyword arguments of the older
signatures (``max_tags_per_post=``, ``window=``, ``min_score=``…) still work and override the field of the same
name. ``str(params)`` is one line a report can print next to a result that depends on it
(:meth:`Params.describe`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any, Final, Self

__all__ = [
    "DEFAULT_CAPS",
    "DEFAULT_PAIR_PARAMS",
    "DEFAULT_RELATED_PARAMS",
    "DEFAULT_SUGGEST_PARAMS",
    "MAX_MENTIONS_PER_POST",
    "MAX_SUGGESTIONS",
    "MAX_TAGS_PER_POST",
    "CampaignCaps",
    "PairParams",
    "RelatedParams",
    "SuggestParams",
]


class _Unset:
    """The default of an older keyword argument: "not given, take the field of the parameters object"."""

    def __repr__(self) -> str:
        return "<from params>"


#: Default of the older keyword arguments (``max_tags_per_post=`` …): use the field of ``params``/``caps``.
#: A sentinel rather than None, because None is a value for the caps (no cap).
UNSET: Final[Any] = _Unset()

#: Distinct tags (and so campaigns) of one post considered for co-occurrence: campaign pairs in
#: :func:`~feedtools.campaigns.campaign_metrics`, edges in :func:`~feedtools.campaigns.partner_graph`, tag pairs in
#: :func:`~feedtools.campaigns.suggest_aliases`. A real post has a handful (Bluesky allows 300 characters and 8
#: extra tags); one with 2,000 would make ~2M pairs.
MAX_TAGS_PER_POST = 30
#: Mentions of one post considered for the partner graph's edges (co-mention pairs, campaign-mention edges).
MAX_MENTIONS_PER_POST = 30
#: Suggestions :func:`~feedtools.campaigns.suggest_aliases` returns: the strongest; the total found is counted in
#: ``stats``.
MAX_SUGGESTIONS = 1000


class Params:
    """What the parameter dataclasses below share: a copy with overrides, and a line for reports."""

    def but(self, **overrides: Any) -> Self:
        """A copy with the ``overrides`` that were given (values other than :data:`UNSET`; None is a value: no
        cap). Keyword arguments of the older signatures, such as ``related_campaigns(..., window=4)``, map onto
        the fields of the same name. Raises ``TypeError`` for an unknown name."""
        names = {f.name for f in fields(self)}  # type: ignore[arg-type]
        unknown = set(overrides) - names
        if unknown:
            raise TypeError(f"unknown {type(self).__name__} field(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in overrides.items() if v is not UNSET})  # type: ignore[type-var]

    def describe(self) -> str:
        """``Name(field=value, …)`` with every field, for a report to print beside a result that depends on it."""
        return repr(self)


@dataclass(frozen=True)
class CampaignCaps(Params):
    """Bounds on hostile input: work that grows with the square of a post's tags or mentions considers only the
    first few of each post (in order of first use); membership and counts (posts per campaign…) always use every
    tag. None: no cap. What a cap left out goes into the ``stats`` dict of the function.

    * ``max_tags_per_post`` (:data:`MAX_TAGS_PER_POST`, 30): campaign pairs of
      :func:`~feedtools.campaigns.campaign_metrics`, edges of :func:`~feedtools.campaigns.partner_graph`, tag
      pairs of :func:`~feedtools.campaigns.suggest_aliases` and :func:`~feedtools.campaigns.related_campaigns`.
    * ``max_mentions_per_post`` (:data:`MAX_MENTIONS_PER_POST`, 30): co-mention and campaign-mention edges of
      :func:`~feedtools.campaigns.partner_graph`.
    * ``max_suggestions`` (:data:`MAX_SUGGESTIONS`, 1000): the strongest suggestions
      :func:`~feedtools.campaigns.suggest_aliases` returns (it counts them all).
    """

    max_tags_per_post: int | None = MAX_TAGS_PER_POST
    max_mentions_per_post: int | None = MAX_MENTIONS_PER_POST
    max_suggestions: int | None = MAX_SUGGESTIONS


@dataclass(frozen=True)
class SuggestParams(Params):
    """How :func:`~feedtools.campaigns.suggest_aliases` scores two tags in different campaigns.

    Spelling (on folded forms):

    * ``plural`` (0.95): score of a tag and the same + ``s``/``es``/``x`` (tags of ``min_plural_length``, 3, or
      more characters).
    * ``min_length`` (4): shorter tags get only plural suggestions.
    * ``max_edits`` (2), ``long_tag`` (8): edit distance at most ``max_edits``, and distance 2 only between tags
      of ``long_tag`` or more characters; score 1 - distance / length of the longer tag.
    * ``numbered`` (0.5): factor on that score when the tags differ only in digits (``csw68``/``csw69``:
      usually different editions).
    * ``prefix`` (0.5): score factor on the length ratio when one tag starts the other; a prefix is compared with
      at most ``max_prefix_matches`` (50) longer tags (a stem of more is generic).
    * ``block_rows`` (512): rows of the edit-distance matrix computed at once (512 × 20k tags = 10 MB; memory
      only, the result does not depend on it).

    Translation (word for word, see :func:`feedtools.campaigns.suggest._translated_tag_pairs`):

    * ``translation`` (0.9): score factor on the mean word match.
    * ``cognate_prefix`` (5): two words sharing this many first letters are cognates (territories /
      territorios); ``cognate_short_prefix`` (3) with ``cognate_similarity`` (0.75) too; both words need
      ``cognate_min_length`` (4) letters.
    * ``max_tags_per_key`` (50): a blocking key (a word's concept or first 4 letters) shared by more tags is
      skipped.
    """

    plural: float = 0.95
    min_plural_length: int = 3
    min_length: int = 4
    max_edits: int = 2
    long_tag: int = 8
    numbered: float = 0.5
    prefix: float = 0.5
    max_prefix_matches: int = 50
    block_rows: int = 512
    translation: float = 0.9
    cognate_prefix: int = 5
    cognate_short_prefix: int = 3
    cognate_similarity: float = 0.75
    cognate_min_length: int = 4
    max_tags_per_key: int = 50


@dataclass(frozen=True)
class RelatedParams(Params):
    """How :func:`~feedtools.campaigns.related_campaigns` weighs the evidence that two tags in different
    languages go together.

    score = ``cooccurrence`` (0.35) × co-occurrence + ``partners`` (0.3) × partner overlap + ``domains`` (0.15) ×
    domain overlap + ``neighbours`` (0.2) × neighbouring share, where

    * co-occurrence = shared posts / posts of the smaller tag;
    * partner and domain overlap = weighted Jaccard of the mentioned accounts / link domains, each value weighing
      its idf ln(N / posts with it), at least ``idf_floor`` (0.1); a value used with more than
      ``max_tags_per_value`` (50) tags is ignored;
    * neighbouring share = posts of either tag with a post of the other within ``window`` (3) positions / posts
      of both.

    Pairs under ``min_score`` (0.15), and pairs with fewer than ``min_kinds`` (2) kinds of evidence, are dropped.
    """

    window: int = 3
    min_score: float = 0.15
    cooccurrence: float = 0.35
    partners: float = 0.3
    domains: float = 0.15
    neighbours: float = 0.2
    min_kinds: int = 2
    idf_floor: float = 0.1
    max_tags_per_value: int = 50


@dataclass(frozen=True)
class PairParams(Params):
    """How :func:`~feedtools.campaigns.cross_language_pairs` finds posts announcing the same thing in two
    languages. When every compared post has a date, posts at most ``time_window`` (2 days) apart are compared,
    and at most ``max_neighbours`` (200) posts apart in time order (a bound on the work in a dense feed, such as
    a firehose capture); otherwise (an undated feed, or ``time_window=None``) posts at most ``window`` (12)
    positions apart. Features in more than ``max_share`` (0.02) of the posts are ignored; pairs need
    ``score >= min_score`` (0.1). The closeness tie-break weight is :data:`feedtools.similarity.PROXIMITY_WEIGHT`.

    Two days: announcements of one thing in two languages are posted the same day or the next (a profile feed of
    a few posts a day puts 12 positions at about two days too)."""

    window: int = 12
    min_score: float = 0.1
    max_share: float = 0.02
    time_window: dt.timedelta | None = dt.timedelta(days=2)
    max_neighbours: int = 200


#: The defaults (the values the analyses have always used).
DEFAULT_CAPS = CampaignCaps()
DEFAULT_SUGGEST_PARAMS = SuggestParams()
DEFAULT_RELATED_PARAMS = RelatedParams()
DEFAULT_PAIR_PARAMS = PairParams()
