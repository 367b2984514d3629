"""One-sentence readings of the exploration tables, for the notebooks' prose (see :mod:`feedtools.explore`).

Every ``describe_*`` handles zero, one and many (``1 post``, ``2 posts``) and never prints ``None`` or ``nan``.
"""

from __future__ import annotations

import polars as pl

from feedtools.explore._frames import own_noun
from feedtools.explore.accounts import account_count, feed_kind_of
from feedtools.pipeline import Feed
from feedtools.prose import join_list as _listing
from feedtools.prose import pct as _pct
from feedtools.prose import plural as _n


def describe_feed(feed: Feed) -> str:
    """One sentence saying whose feed this is: one account's (named by handle, name or DID where known) or a
    collection (how many accounts wrote its original posts, and how many input files it comes from)."""
    kind = feed_kind_of(feed)
    inputs = feed.meta.get("inputs") or []
    files = f" read from {_n(len(inputs), 'file')}" if len(inputs) > 1 else ""
    accounts = int(feed.meta["accounts"]) if "accounts" in feed.meta else account_count(feed)
    if kind == "collection":
        return (
            f"This feed is a collection{files}: its original posts were written by {_n(accounts, 'account')}, "
            "so the pages speak of original posts (not reposts) and count them per account."
        )
    account = feed.meta.get("account")
    names = [f"@{account['handle']}" if account["handle"] else None, account["name"], account["did"]] if account else []
    named = ", ".join(dict.fromkeys(n for n in names if n))
    who = f"one account's ({named})" if named else "one account's (its name is not in the data)"
    return f"This feed is {who}{files}: the pages speak of its own posts and of what it amplifies (reposts)."


def describe_accounts(accounts: pl.DataFrame, total_accounts: int, original_posts: int) -> str:
    """Sentences reading :func:`accounts_table`: how many accounts wrote the original posts, the most active
    ones and how concentrated the activity is. ``total_accounts`` counts all of them (the table holds the top)."""
    if total_accounts == 0 or accounts.height == 0:
        return f"No original post has a known author ({_n(original_posts, 'original post')})."
    first = accounts.row(0, named=True)
    if total_accounts == 1:
        if first["posts"] == 1:
            return f"The 1 original post is by one account, {first['account']}."
        return f"All {first['posts']} original posts are by one account, {first['account']}."
    top = [f"{r['account']} ({r['posts']})" for r in accounts.head(3).iter_rows(named=True)]
    singles = int((accounts["posts"] == 1).sum()) if accounts.height == total_accounts else None
    tail = (f"; {_n(singles, 'account')} wrote a single post" if singles else "") if singles is not None else ""
    return (
        f"{_n(original_posts, 'original post')} by {_n(total_accounts, 'account')}; most active: "
        f"{_listing(top)}; the most active account wrote {_pct(first['posts'], original_posts)} of them{tail}."
    )


def describe_amplification(table: pl.DataFrame, kind: str = "account", reposting_accounts: int | None = None) -> str:
    """One sentence reading :func:`amplifiers`: who reposts, how much, and how many authors they amplify.

    ``reposting_accounts``: the number of all reposting accounts (:func:`reposter_count`), when the table
    holds only the top ones; by default the table's rows.
    """
    if table.height == 0:
        return "No repost in this feed: " + (
            "the account amplifies no one here." if kind == "account" else "no account amplifies another here."
        )
    if kind == "account" and table.height == 1:
        r = table.row(0, named=True)
        by = f"by {_n(r['authors'], 'distinct author')}" if r["authors"] else "their authors are not in the data"
        return f"The account reposted {_n(r['reposts'], 'post')} ({r['loaded']} loaded); {by}."
    accounts = reposting_accounts if reposting_accounts is not None else table.height
    total = int(table["reposts"].sum())
    share = "" if accounts <= table.height else f" (the top {table.height} made {_n(total, 'repost')})"
    top = [f"{r['reposted_by']} ({r['reposts']})" for r in table.head(3).iter_rows(named=True)]
    return f"{_n(accounts, 'account')} reposted posts{share}; most reposts: {_listing(top)}."


def describe_volume(volume_df: pl.DataFrame, kind: str = "account") -> str:
    """One sentence reading :func:`volume`'s table: own posts (``kind="account"``) or original posts
    (``kind="collection"``), loaded reposts and placeholders, with shares of all rows."""
    v = dict(zip(volume_df["kind"].to_list(), volume_df["posts"].to_list(), strict=True))
    total = sum(v.values())
    if total == 0:
        return "The feed has no rows."
    own = "the account's own posts" if kind == "account" else "original posts (not reposts)"
    verb = "is" if v["own"] == 1 else "are"
    if v["own"] == 1:
        own = "the account's own post" if kind == "account" else "an original post (not a repost)"
    return (
        f"{v['own']} of {_n(total, 'row')} ({_pct(v['own'], total)}) {verb} {own}; "
        f"{v['repost']} ({_pct(v['repost'], total)}) {'is a repost' if v['repost'] == 1 else 'are reposts'} "
        f"whose content loaded and {v['unloaded']} ({_pct(v['unloaded'], total)}) "
        f"{'is a repost' if v['unloaded'] == 1 else 'are reposts'} that never loaded (text unknown)."
    )


def describe_top(top: pl.DataFrame, key: str, noun: str, loaded_posts: int) -> str:
    """One sentence naming the ``noun`` (singular, e.g. ``"hashtag"``) in most posts of a top-``n`` table."""
    if top.height == 0:
        return f"No {noun} in the {_n(loaded_posts, 'loaded post')}."
    first = top.row(0, named=True)
    tied = top.filter(pl.col("posts") == first["posts"]).height
    lead = (
        f"the {noun} in most posts is {first[key]}"
        if tied == 1
        else (f"{tied} values share the lead, {first[key]} first in order")
    )
    shown = f"the top {top.height}" if top.height > 1 else "it"
    return (
        f"Among {_n(loaded_posts, 'loaded post')}, {lead} ({_n(first['posts'], 'post')}, "
        f"{_pct(first['posts'], loaded_posts)}); the table and chart show {shown}."
    )


def describe_lengths(stats: pl.DataFrame, kind: str = "account") -> str:
    """One sentence reading :func:`length_stats` (median and longest post per kind of row)."""
    parts = []
    for row in stats.filter(pl.col("kind") != "all").iter_rows(named=True):
        if row["posts"] and row["median"] is not None:
            label = own_noun(kind == "collection") if row["kind"] == "own" else "reposts"
            parts.append(f"{label}: median {row['median']:.0f}, longest {_n(row['max'], 'character')}")
    return ("; ".join(parts) + ".") if parts else "No loaded post has text."


def describe_languages(languages: pl.DataFrame) -> str:
    """One sentence reading :func:`language_table` (detected languages and declared ones)."""
    detected = languages.filter(pl.col("detected") > 0)
    if detected.height == 0:
        return "No loaded post to detect a language in."
    listing = ", ".join(f"{r['lang']} {r['detected']}" for r in detected.iter_rows(named=True))
    declared = int(languages["declared"].sum())
    agree = int(languages["agree"].sum())
    tail = (
        "no post declares its language, so detection is the only source"
        if declared == 0
        else f"{_n(declared, 'language declaration')}, {agree} of them matching the detected language"
    )
    return f"Detected languages (posts): {listing}; {tail}."


def describe_quality(quality: pl.DataFrame) -> str:
    """One sentence reading :func:`data_quality`: whether every record is accounted for."""
    q = dict(zip(quality["check"].to_list(), quality["count"].to_list(), strict=True))
    status = (
        "every input record is accounted for"
        if q["unaccounted"] == 0
        else (f"{_n(q['unaccounted'], 'input record is', 'input records are')} NOT accounted for")
    )
    return (
        f"{_n(q['records read'], 'record')} read: {_n(q['rows'], 'row')}, {q['rejected']} rejected, "
        f"{q['skipped']} skipped, so {status}; {_n(q['unloaded placeholders'], 'placeholder')}, "
        f"{_n(q['duplicates'], 'duplicate')}, {_n(q['truncated links'], 'post')} with truncated links."
    )


def describe_cards(cards: pl.DataFrame, loaded_posts: int, embeds_known: int | None = None) -> str:
    """One sentence reading :func:`top_cards`: how many cards, which one most posts share.

    ``embeds_known``: loaded posts whose format records embeds (``alt_text_coverage``'s
    column); 0 says the format cannot show cards at all (a profile scrape).
    """
    if embeds_known == 0 and loaded_posts:
        return "This feed's format does not record link cards (a profile page scrape), so none can be counted."
    if cards.height == 0:
        return f"No link card is shared in the {_n(loaded_posts, 'loaded post')}."
    first = cards.row(0, named=True)
    name = first["title"] or ""
    title = f" ({name[:77] + '…' if len(name) > 80 else name})" if name else ""
    if cards.height == 1:
        return (
            f"One link card is shared: {first['card']}{title}, by {_n(first['posts'], 'post')} of "
            f"{_n(loaded_posts, 'loaded post')}."
        )
    tied = cards.filter(pl.col("posts") == first["posts"]).height
    lead = (
        f"the card in most posts is {first['card']}{title}"
        if tied == 1
        else f"{tied} cards share the lead, {first['card']}{title} first in order"
    )
    return (
        f"The table shows the top {cards.height} link cards; {lead}, shared by "
        f"{_n(first['posts'], 'post')} ({_pct(first['posts'], loaded_posts)} of the loaded posts)."
    )


def describe_alt_text(coverage: pl.DataFrame) -> str:
    """One sentence reading :func:`alt_text_coverage`."""
    c = coverage.row(0, named=True)
    if c["embeds_known"] == 0:
        return "No loaded post records its embeds (a profile page scrape has none), so alt-text coverage is unknown."
    if c["image_posts"] == 0:
        return "No loaded post embeds an image, so there is no alt text to measure."
    every = (
        ("it describes every image" if c["posts_all_alt"] == 1 else "it leaves an image undescribed")
        if c["image_posts"] == 1
        else (f"{c['posts_all_alt']} of them ({_pct(c['posts_all_alt'], c['image_posts'])}) describe every image")
    )
    return (
        f"{_n(c['image_posts'], 'loaded post')} embed{'s' if c['image_posts'] == 1 else ''} "
        f"{_n(c['images'], 'image')}; {every}, and {c['images_with_alt']} of the {_n(c['images'], 'image')} "
        f"have alt text ({_pct(c['images_with_alt'], c['images'])})."
    )
