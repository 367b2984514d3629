"""Findings in words (``describe_*``): the sentences the campaigns notebook prints, computed from the tables of
:mod:`feedtools.campaigns`.

Each takes the table the notebook already has and returns a plain ``str`` true for THIS feed: zero, one and
many are said as such, unknown values as "unknown" (never None/nan), long lists cut to the first few.
"""

from __future__ import annotations

import polars as pl

from feedtools.campaigns.aliases import UND
from feedtools.campaigns.core import alias_table_use
from feedtools.prose import count_accounts, counted, join_list, pct, plural, span

__all__ = [
    "describe_alias_use",
    "describe_amplified",
    "describe_campaign_accounts",
    "describe_campaign_dates",
    "describe_campaign_languages",
    "describe_campaigns",
    "describe_network",
    "describe_pairs",
    "describe_related",
    "describe_series",
    "describe_suggestions",
    "describe_voice",
    "feed_accounts",
]


def _lang_counts(campaign_langs: pl.DataFrame, campaign_id: str) -> str:
    rows = campaign_langs.filter(pl.col("campaign_id") == campaign_id)
    return join_list(
        [f"{'undetermined' if r['lang'] == UND else r['lang']} {r['posts']}" for r in rows.iter_rows(named=True)], 6
    )


def describe_alias_use(posts: pl.DataFrame, aliases: pl.DataFrame | None, *, limit: int = 8) -> str:
    """What the alias table did on this feed, from :func:`~feedtools.campaigns.alias_table_use`: how many of its
    hashtags (and of its campaigns) occur in the loaded posts of ``posts``, which ones (posts each, most first),
    which do not, and which campaigns it joins here (two or more of its tags in the feed). When none of its tags
    occurs, says plainly that the table joined nothing on this feed. An empty table (or None): says there is
    none."""
    use = alias_table_use(posts, aliases)
    if use.height == 0:
        return "No alias table: tags are joined by case and accent folding only."
    n_tags, n_camps = use.height, use["campaign_id"].n_unique()
    found = use.filter(pl.col("posts") > 0).sort("posts", descending=True, maintain_order=True)
    of = f"the alias table's {plural(n_tags, 'hashtag')} (in {plural(n_camps, 'campaign')})"
    if found.height == 0:
        return (
            f"Not one of {of} occurs in this feed, so the table joined nothing here: every campaign on this page is "
            "a single tag, its spellings joined by case and accent folding only. To join this feed's tags, add "
            "them to the table (the alias suggestions are candidates)."
        )
    items = [f"#{r['hashtag']} ({plural(r['posts'], 'post')})" for r in found.iter_rows(named=True)]
    text = (
        f"{found.height} of {of} {'occurs' if found.height == 1 else 'occur'} in this feed, from "
        f"{found['campaign_id'].n_unique()} of its campaigns: {join_list(items, limit)}."
    )
    missing = use.filter(pl.col("posts") == 0)["hashtag"].to_list()
    if missing:
        text += f" Not in the feed: {join_list(['#' + t for t in missing], limit)}."
    per = found.group_by("campaign_id", maintain_order=True).agg(pl.col("label").first(), n=pl.len())
    joined = per.filter(pl.col("n") > 1)["label"].to_list()
    if joined:
        return text + f" Here the table joins tags in {plural(len(joined), 'campaign')}: {join_list(joined, limit)}."
    return text + " Here it joins no two tags: each of its campaigns met in the feed is one tag."


def describe_campaigns(metrics: pl.DataFrame, *, limit: int = 5) -> str:
    """Sentences reading :func:`campaign_metrics`: how many campaigns, how many the alias table names, how many run
    in several languages, the largest ones, and those that join several spellings or languages of a tag."""
    if metrics.height == 0:
        return "No campaign: no loaded post carries a hashtag."
    n = metrics.height
    in_table = int(metrics["in_table"].sum())
    multi = int(metrics["multilingual"].sum())
    largest = join_list([f"{r['label']} ({plural(r['posts'], 'post')})" for r in metrics.iter_rows(named=True)], limit)
    text = (
        f"{plural(n, 'campaign')} ({in_table} from the alias table, {n - in_table} single tags); "
        f"{plural(multi, 'campaign')} {'runs' if multi == 1 else 'run'} in more than one detected language. "
        f"Largest: {largest}."
    )
    joined = metrics.filter(pl.col("hashtags").list.len() > 1)
    if joined.height:
        items = [f"{r['campaign_id']} ({counted(r['hashtags'], 4)})" for r in joined.iter_rows(named=True)]
        text += (
            f" {plural(joined.height, 'campaign')} {'joins' if joined.height == 1 else 'join'} several "
            f"spellings or languages of a tag: {join_list(items, limit)}."
        )
    return text


def describe_campaign_dates(metrics: pl.DataFrame, *, estimated: bool, limit: int = 5) -> str:
    """When the largest campaigns ran, from the ``first_date``/``last_date`` of :func:`campaign_metrics`
    (``estimated``: the dates are the timeline's estimates, the feed having no timestamps)."""
    if metrics.height == 0:
        return "No campaign, so no campaign dates."
    dated = metrics.filter(pl.col("first_date").is_not_null() | pl.col("last_date").is_not_null())
    what = "estimated dates" if estimated else "dates"
    if dated.height == 0:
        return f"No campaign post has a known date ({'no date could be estimated' if estimated else 'no timestamps'})."
    items = [f"{r['label']} {span(r['first_date'], r['last_date'])}" for r in metrics.head(limit).iter_rows(named=True)]
    rest = metrics.height - min(limit, metrics.height)
    more = f"; {plural(rest, 'smaller campaign')} in the table" if rest else ""
    return f"Largest campaigns by {what}: {'; '.join(items)}{more}."


def describe_campaign_languages(campaign_langs: pl.DataFrame, *, limit: int = 6) -> str:
    """Sentences reading :func:`campaign_languages`: campaigns in one detected language against several, with the
    posts per language of the multilingual ones (largest first)."""
    if campaign_langs.height == 0:
        return "No campaign, so no campaign languages."
    known_langs = campaign_langs.filter(pl.col("lang") != UND)
    per = known_langs.group_by("campaign_id", maintain_order=True).agg(n=pl.len())
    total = campaign_langs["campaign_id"].n_unique()
    multi = per.filter(pl.col("n") >= 2)["campaign_id"].to_list()
    single = per.filter(pl.col("n") == 1).height
    text = (
        f"{single} of {plural(total, 'campaign')} {'has' if single == 1 else 'have'} posts in a single detected "
        f"language; {len(multi)} {'runs' if len(multi) == 1 else 'run'} in several"
    )
    if not multi:
        return text + "."
    labels = dict(campaign_langs.select("campaign_id", "label").unique("campaign_id").iter_rows())
    items = [f"{labels.get(c) or c} ({_lang_counts(campaign_langs, c)})" for c in multi]
    return text + f": {join_list(items, limit)}."


def _is_collection(n_accounts: int, kind: str | None) -> bool:
    return kind == "collection" if kind in ("account", "collection") else n_accounts > 1


def describe_campaign_accounts(
    accounts: pl.DataFrame, n_accounts: int, *, kind: str | None = None, limit: int = 5
) -> str:
    """Which accounts push the campaigns, reading :func:`campaign_accounts`. ``n_accounts``: the feed's number of
    accounts; ``kind``: ``"account"`` or ``"collection"`` (``feed.meta["kind"]``; when None, a collection is a feed
    of more than one account). On one account's feed, says so."""
    if not _is_collection(n_accounts, kind):
        return (
            "The rows come from one account, so every campaign is pushed by it; own posts against reposts are "
            "counted under 'Voice and amplification'."
        )
    if accounts.height == 0:
        return f"A collection of {plural(n_accounts, 'account')}, but no loaded post carries a hashtag: no campaign."
    shared = accounts.filter(pl.col("n_accounts") >= 2)
    text = (
        f"A collection of {plural(n_accounts, 'account')}; {plural(shared.height, 'campaign')} of "
        f"{accounts.height} {'is' if shared.height == 1 else 'are'} posted or reposted by two or more accounts"
    )
    if shared.height == 0:
        return text + ": each campaign is one account's."
    items = [
        f"{r['label']} ({r['n_accounts']} accounts: {counted(r['accounts'], 3)})" for r in shared.iter_rows(named=True)
    ]
    return text + f". Widest: {join_list(items, limit)}."


def _voice_terms(collection: bool) -> tuple[str, str]:
    if collection:
        return "original posts (not reposts)", "original posts"
    return "the account's own posts", "the account's own posts"


def describe_voice(
    summary: pl.DataFrame, by_language: pl.DataFrame, n_accounts: int, *, kind: str | None = None
) -> str:
    """Sentences reading :func:`voice_summary` and :func:`voice_by_language`: own (or, on a collection of
    ``n_accounts`` accounts, original) posts against loaded and unloaded reposts, and the languages used only
    in one voice. ``kind`` as in :func:`describe_campaign_accounts`."""
    v = dict(zip(summary["kind"].to_list(), summary["posts"].to_list(), strict=True))
    if "original post" in v:  # voice_summary of a collection
        v["own post"] = v.pop("original post")
    total = sum(v.values())
    if total == 0:
        return "The feed has no rows."
    collection = _is_collection(n_accounts, kind)
    own_long, own_short = _voice_terms(collection)
    who = f"In this collection of {plural(n_accounts, 'account')}, " if collection else ""
    text = (
        f"{who}{v['own post']} of {plural(total, 'row')} ({pct(v['own post'], total)}) "
        f"{'is' if v['own post'] == 1 else 'are'} {own_long}; "
        f"{v['repost']} ({pct(v['repost'], total)}) {'is a repost' if v['repost'] == 1 else 'are reposts'} "
        "whose content loaded and "
        f"{v['repost not loaded']} ({pct(v['repost not loaded'], total)}) reposts that never loaded "
        "(text, language and tags unknown)."
    )
    langs = by_language.filter(pl.col("lang") != UND)
    only_own = langs.filter((pl.col("own_posts") > 0) & (pl.col("reposts") == 0))["lang"].to_list()
    only_rep = langs.filter((pl.col("own_posts") == 0) & (pl.col("reposts") > 0))["lang"].to_list()
    if v["repost"] and only_own:
        text += f" Used only in {own_short}: {join_list(only_own, 6)}."
    if v["own post"] and only_rep:
        text += f" Used only in reposts: {join_list(only_rep, 6)}."
    return text


def describe_amplified(
    amplified: pl.DataFrame, summary: pl.DataFrame, n_accounts: int, *, kind: str | None = None, limit: int = 5
) -> str:
    """Sentences reading :func:`amplified_accounts` (with :func:`voice_summary` for the number of reposts whose
    content loaded): whose posts are reposted (when the source names them), who reposts (on a collection of
    ``n_accounts`` accounts; ``kind`` as in :func:`describe_campaign_accounts`) and whom the loaded reposts
    mention."""
    authors = amplified.filter(pl.col("role") == "author")
    total = int(authors["reposts"].sum()) if authors.height else 0
    if total == 0:
        return "No repost in this feed: nothing is amplified."
    unknown = int(authors.filter(pl.col("account") == "(unknown)")["reposts"].sum())
    named = authors.filter(pl.col("account") != "(unknown)")
    if named.height == 0:
        text = f"The source names no author of the {plural(total, 'repost')}."
    else:
        items = [f"{r['account']} ({r['reposts']})" for r in named.iter_rows(named=True)]
        text = f"Authors reposted most: {join_list(items, limit)}"
        text += f"; {unknown} of {total} reposts have no named author." if unknown else "."
    if _is_collection(n_accounts, kind):
        by = amplified.filter((pl.col("role") == "reposted_by") & (pl.col("account") != "(unknown)"))
        if by.height:
            items = [f"{r['account']} ({r['reposts']})" for r in by.iter_rows(named=True)]
            text += f" Reposting accounts: {join_list(items, limit)}."
    mentioned = amplified.filter(pl.col("role") == "mentioned")
    if int(summary.filter(pl.col("kind") == "repost")["posts"].sum()) == 0:
        return text + " No repost loaded, so whom they mention is unknown."
    if mentioned.height:
        items = [f"{r['account']} ({r['reposts']} of {total})" for r in mentioned.iter_rows(named=True)]
        text += f" Accounts mentioned most in the reposts: {join_list(items, limit)}."
    else:
        text += " The loaded reposts mention no account."
    return text


def describe_suggestions(suggestions: pl.DataFrame, *, limit: int = 4) -> str:
    """Sentences reading :func:`suggest_aliases`: how many suggestions of each kind and the strongest ones."""
    if suggestions.height == 0:
        return "No alias suggestion: no two tags in different campaigns look alike or say the same in two languages."
    kinds = suggestions.group_by("kind").len().sort(["len", "kind"], descending=[True, False])
    by_kind = join_list([f"{r['kind']} {r['len']}" for r in kinds.iter_rows(named=True)], 6)
    items = [
        f"#{r['tag_a']} / #{r['tag_b']} ({r['kind']}, score {r['score']:.2f})"
        for r in suggestions.iter_rows(named=True)
    ]
    text = f"{plural(suggestions.height, 'suggestion')} ({by_kind}). Strongest: {join_list(items, limit)}."
    numbered = suggestions.filter(pl.col("kind") == "numbered")
    if numbered.height:
        r = numbered.row(0, named=True)
        text += (
            f" Numbered pairs such as #{r['tag_a']} / #{r['tag_b']} are usually different editions of one "
            "series rather than one tag."
        )
    return text


def describe_related(related: pl.DataFrame, *, limit: int = 4) -> str:
    """Sentences reading :func:`related_campaigns`: how many related campaign pairs and the strongest ones."""
    if related.height == 0:
        return "No related campaigns: no two campaigns in different languages share posts, partners or neighbours."
    items = [
        f"{r['campaign_a']} ({r['lang_a']}) / {r['campaign_b']} ({r['lang_b']}), score {r['score']:.2f} "
        f"({r['evidence']})"
        for r in related.iter_rows(named=True)
    ]
    return f"{plural(related.height, 'related campaign pair')}. Strongest: {join_list(items, limit)}."


def describe_pairs(pairs: pl.DataFrame, *, limit: int = 3) -> str:
    """Sentences reading :func:`cross_language_pairs`: how many candidate pairs and the strongest ones with their
    evidence."""
    if pairs.height == 0:
        return "No candidate pair: no two posts in different languages share enough evidence."
    items = [
        f"positions {r['position_a']} ({r['lang_a']}) and {r['position_b']} ({r['lang_b']}), score "
        f"{r['score']:.2f} ({r['evidence']})"
        for r in pairs.iter_rows(named=True)
    ]
    top = pairs.head(10)
    exact = (
        pl.sum_horizontal(
            [
                pl.col(c).list.len()
                for c in ("shared_words", "shared_partners", "shared_links", "shared_dates", "shared_numbers")
            ]
        )
        > 0
    )
    backed = int(top.select(exact).to_series().sum()) if "shared_words" in top.columns else top.height
    return (
        f"{plural(pairs.height, 'candidate pair')}; {backed} of the top {top.height} share words or exact "
        f"partners, links, dates or numbers, not only a place in the feed. Strongest: {join_list(items, limit)}."
    )


def describe_series(markers: pl.DataFrame, *, limit: int = 4) -> str:
    """Sentences reading :func:`series_markers`: how many recurring openers and, for the commonest, the posts
    they open with their campaigns, partners and languages."""
    if markers.height == 0:
        return "No recurring opener: no leading emoji, hashtag or label opens two or more posts."
    items = []
    for r in markers.head(limit).iter_rows(named=True):
        parts = [f"{r['marker']} opens {plural(r['posts'], 'post')}"]
        if r["campaigns"]:
            parts.append(f"campaigns {counted(r['campaigns'], 3)}")
        if r["partners"]:
            parts.append(f"partners {counted(r['partners'], 3)}")
        if r["langs"]:
            parts.append(f"languages {counted(r['langs'], 4)}")
        items.append(", ".join(parts))
    rest = markers.height - min(limit, markers.height)
    more = f"; and {plural(rest, 'other opener')} in the table" if rest else ""
    return f"{plural(markers.height, 'recurring opener')}: {'; '.join(items)}{more}."


def describe_network(graph, *, limit: int = 5) -> str:
    """Sentences reading :func:`partner_graph`: nodes of each kind, edges, connected parts and the best-connected
    nodes (weighted degree)."""
    import networkx as nx

    n = graph.number_of_nodes()
    if n == 0:
        return "No network: no loaded post carries a hashtag or mentions an account."
    kinds = [d.get("kind") for _, d in graph.nodes(data=True)]
    camps, accs = kinds.count("campaign"), kinds.count("account")
    parts = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    deg = dict(graph.degree(weight="weight"))
    best = sorted(graph.nodes, key=lambda v: (-deg[v], v))[:limit]
    items = [f"{graph.nodes[v].get('label') or v} ({graph.nodes[v].get('kind')}, {deg[v]})" for v in best if deg[v] > 0]
    text = (
        f"{plural(n, 'node')} ({plural(camps, 'campaign')}, {plural(accs, 'account')}) and "
        f"{plural(graph.number_of_edges(), 'line')} in {plural(len(parts), 'connected part')}; the largest part "
        f"has {plural(parts[0], 'node')}."
    )
    if items:
        text += f" Best-connected (weighted degree): {join_list(items, limit)}."
    return text


def feed_accounts(posts: pl.DataFrame) -> int:
    """Number of accounts that put rows in the feed (:func:`feedtools.prose.count_accounts`: authors of original
    posts and reposting accounts), the accounts :func:`campaign_accounts` lists. Whether the feed is one account's
    or a collection is ``feed.meta["kind"]`` (:func:`feedtools.pipeline.feed_kind`); the describe functions take it
    as ``kind`` and fall back on this count (more than one account) when it is not given."""
    return count_accounts(posts)
