"""Who the posts talk to: the accounts that original posts reply to, mention or quote (issue 14).

Input everywhere: the canonical posts table (see :mod:`feedtools.schema`). Only loaded original posts
count (reposts are other accounts' posts; placeholders have no content), each post once however often it
appears. Targets are identified by DID where the data gives one:

* **replies**: ``reply_parent_author`` (the DID in the parent post's URI; its handle from the feed item's
  ``reply`` view where hydrated);
* **mentions**: ``mention_dids`` (mention facets, stable DIDs); a post without mention facets (a profile
  scrape, a mention typed without a facet) counts the handles found in its text (``mentions``) instead;
* **quotes**: ``quote_author`` (the hydrated view's author, else the DID in the quoted post's URI).

A handle is attached to a DID wherever the feed pairs them (post authors, hydrated reply parents and roots,
quoted authors), so a handle-only mention of a known account merges with its DID. Replies, mentions and
quotes of the post's own author (thread continuations, self-quotes) are not "talking to" anyone: they are
counted apart (``is_self``).
"""

from __future__ import annotations

import polars as pl

from feedtools.prose import join_list, pct, plural

_EMPTY_LIST = pl.lit([], dtype=pl.List(pl.String))


def _originals(posts: pl.DataFrame) -> pl.DataFrame:
    """Loaded original posts, one row per post (first appearance in feed order), with ``_post``/``_author``."""
    df = posts.filter(~pl.col("is_placeholder").fill_null(False) & ~pl.col("is_repost").fill_null(False))
    return (
        df.sort("position")
        .with_columns(_post=pl.coalesce("post_uri", "post_id", pl.col("position").cast(pl.String)))
        .unique("_post", keep="first", maintain_order=True)
    )


def handle_directory(posts: pl.DataFrame) -> pl.DataFrame:
    """Every DID the feed pairs with a handle: ``did``, ``handle`` (lower-case, one per DID).

    Pairs come from the post authors (``author_did``/``author_handle``), hydrated reply parents and
    roots and quoted authors; ``handle.invalid`` is ignored. When the data gives a DID several handles
    (a renamed account), the alphabetically first is kept so the result is deterministic.
    """
    pairs = [
        ("author_did", "author_handle"),
        ("reply_parent_author", "reply_parent_handle"),
        ("reply_root_author", "reply_root_handle"),
        ("quote_author", "quote_author_handle"),
    ]
    frames = [
        posts.select(did=pl.col(d), handle=pl.col(h).str.to_lowercase().str.strip_chars_start("@"))
        for d, h in pairs
        if d in posts.columns and h in posts.columns
    ]
    if not frames:
        return pl.DataFrame(schema={"did": pl.String, "handle": pl.String})
    return (
        pl.concat(frames)
        .filter(
            pl.col("did").str.starts_with("did:")
            & pl.col("handle").is_not_null()
            & (pl.col("handle") != "")
            & (pl.col("handle") != "handle.invalid")
        )
        .group_by("did")
        .agg(pl.col("handle").min())
        .sort("did")
    )


def _addressed(originals: pl.DataFrame) -> pl.DataFrame:
    """Every (post, kind, target) the posts name before resolution: replies and quotes (``did``), mention facets
    (``did``) and, in posts without mention facets, handles typed in the text (``_typed``); with the post's
    ``_post``, ``_author_did`` and ``_author_handle``. Rows in the order replies, mentions, quotes."""
    base = originals.select(
        "_post",
        _author_did=pl.col("author_did"),
        _author_handle=pl.col("author_handle").str.to_lowercase(),
        _reply=pl.col("reply_parent_author"),
        _quote=pl.col("quote_author"),
        _mdids=pl.col("mention_dids").fill_null(_EMPTY_LIST),
        _mhandles=pl.col("mentions").fill_null(_EMPTY_LIST),
    )
    keys = ("_post", "_author_did", "_author_handle")
    none = pl.lit(None, pl.String)
    replies = base.select(*keys, kind=pl.lit("reply"), did=pl.col("_reply"), _typed=none)
    quotes = base.select(*keys, kind=pl.lit("quote"), did=pl.col("_quote"), _typed=none)
    mention_dids = base.select(*keys, kind=pl.lit("mention"), did=pl.col("_mdids"), _typed=none).explode("did")
    # handles typed in the text count only in posts without mention facets (else the facets' DIDs stand for them)
    mention_handles = (
        base.filter(pl.col("_mdids").list.len() == 0)
        .select(*keys, kind=pl.lit("mention"), did=none, _typed=pl.col("_mhandles"))
        .explode("_typed")
    )
    return pl.concat([replies, mention_dids, mention_handles, quotes])


def _self_target() -> pl.Expr:
    """True where the target is the post's own author (by DID when both are known, else by handle)."""
    return (
        pl.when(pl.col("did").is_not_null() & pl.col("_author_did").is_not_null())
        .then(pl.col("did") == pl.col("_author_did"))
        .otherwise(pl.col("handle") == pl.col("_author_handle"))
        .fill_null(False)
    )


def interactions(posts: pl.DataFrame) -> pl.DataFrame:
    """One row per (original post, addressed account, way): who each loaded original post talks to.

    Columns: ``post`` (AT-URI, else post id), ``author`` (the post's author DID, else handle),
    ``kind`` (``reply``, ``mention`` or ``quote``), ``did`` (the target's DID, null when only a handle is
    known), ``handle`` (lower-case, null when unknown), ``target`` (the DID, else ``@handle``: the key to
    count by) and ``is_self`` (True when the target is the post's own author). A post mentioning one account
    twice gives one row. Empty (same columns) when no post replies, mentions or quotes. Never raises on
    a conforming table.
    """
    directory = handle_directory(posts)
    by_handle = directory.group_by("handle").agg(_hdid=pl.col("did").min())
    return (
        _addressed(_originals(posts))
        .with_columns(_typed=pl.col("_typed").str.to_lowercase().str.strip_chars_start("@"))
        .filter(
            pl.col("did").str.starts_with("did:").fill_null(False)
            | (pl.col("did").is_null() & (pl.col("_typed").str.len_chars() > 0).fill_null(False))
        )
        .join(by_handle, left_on="_typed", right_on="handle", how="left", maintain_order="left")
        .with_columns(did=pl.coalesce("did", "_hdid"))
        .join(directory, on="did", how="left", maintain_order="left")
        .with_columns(handle=pl.coalesce("handle", "_typed"))
        .with_columns(target=pl.coalesce("did", "@" + pl.col("handle")), is_self=_self_target())
        .unique(["_post", "kind", "target"], keep="first", maintain_order=True)
        .select(
            post="_post",
            author=pl.coalesce("_author_did", "_author_handle"),
            kind="kind",
            did="did",
            handle="handle",
            target="target",
            is_self="is_self",
        )
    )


#: Columns of :func:`talks_to` (plus ``campaigns`` when the posts carry campaigns).
_TALKS_TO_SCHEMA = pl.Schema(
    {
        "account": pl.String,
        "did": pl.String,
        "posts": pl.Int64,
        "replies": pl.Int64,
        "mentions": pl.Int64,
        "quotes": pl.Int64,
    }
)


def _campaigns_by_target(posts: pl.DataFrame, long: pl.DataFrame) -> pl.DataFrame:
    """``target``, ``campaigns``: the campaigns of the posts addressing each target, most such posts first
    (then by name); targets only addressed by posts without a campaign are left out."""
    tags = (
        posts.select(
            post=pl.coalesce("post_uri", "post_id", pl.col("position").cast(pl.String)),
            campaign=pl.col("campaigns"),
        )
        .unique("post", keep="first")
        .explode("campaign")
    )
    return (
        long.select("target", "post")
        .unique()
        .join(tags, on="post", how="inner")
        .drop_nulls("campaign")
        .group_by("target", "campaign")
        .agg(n=pl.len())
        .sort(["target", "n", "campaign"], descending=[False, True, False])
        .group_by("target", maintain_order=True)
        .agg(campaigns=pl.col("campaign"))
    )


def talks_to(posts: pl.DataFrame, n: int = 20) -> pl.DataFrame:
    """The ``n`` accounts the loaded original posts address most (replies, mentions, quotes; self left out).

    Columns: ``account`` (``@handle`` where the feed gives one, else the DID), ``did`` (null when only a
    typed handle is known), ``posts`` (distinct posts addressing the account in any way), ``replies``,
    ``mentions``, ``quotes`` (posts addressing it that way). Sorted by posts, replies, mentions, quotes
    (descending), then account. Empty (same columns) when no post addresses another account.
    When ``posts`` has a ``campaigns`` list column (:func:`campaign_posts`), a ``campaigns`` column lists
    the campaigns of the posts addressing each account, the campaign with most such posts first.
    """
    long = interactions(posts).filter(~pl.col("is_self"))
    schema = pl.Schema(_TALKS_TO_SCHEMA)
    by_campaign = "campaigns" in posts.columns
    if by_campaign:
        schema["campaigns"] = pl.List(pl.String)
    if long.height == 0:
        return pl.DataFrame(schema=schema)
    out = (
        long.group_by("target")
        .agg(
            did=pl.col("did").drop_nulls().first(),
            handle=pl.col("handle").drop_nulls().min(),
            posts=pl.col("post").n_unique(),
            replies=(pl.col("kind") == "reply").sum(),
            mentions=(pl.col("kind") == "mention").sum(),
            quotes=(pl.col("kind") == "quote").sum(),
        )
        .with_columns(account=pl.coalesce("@" + pl.col("handle"), "did"))
    )
    if by_campaign:
        out = out.join(_campaigns_by_target(posts, long), on="target", how="left").with_columns(
            campaigns=pl.col("campaigns").fill_null(pl.lit([], dtype=pl.List(pl.String)))
        )
    out = out.sort(
        ["posts", "replies", "mentions", "quotes", "account"], descending=[True, True, True, True, False]
    ).head(n)
    return out.select(list(schema)).cast(schema)


def campaign_posts(posts: pl.DataFrame, aliases: pl.DataFrame | None = None) -> pl.DataFrame:
    """The rows that belong to at least one campaign, with their ``campaigns`` list column.

    Campaigns as :func:`feedtools.campaigns.assign_campaigns` assigns them (hashtags folded, joined
    by the alias table ``aliases``; None: folding only). Input and output: canonical posts tables;
    rows keep their order. Pass the result to :func:`talks_to` and :func:`interaction_summary` to see
    whom the campaign posts address.
    """
    from feedtools.campaigns import assign_campaigns

    return assign_campaigns(posts, aliases).filter(pl.col("campaigns").list.len().fill_null(0) > 0)


def interaction_summary(posts: pl.DataFrame) -> pl.DataFrame:
    """How much the loaded original posts talk to other accounts: one row.

    Columns: ``posts`` (loaded original posts), ``context_known`` (those whose format records replies
    and quotes: 0 for a profile scrape, where only typed mentions are seen), ``replying``, ``mentioning``,
    ``quoting`` (posts that reply to, mention, quote another account), ``addressing`` (posts doing any of
    these), ``self_replies`` (replies to the author's own posts: thread continuations) and ``accounts``
    (distinct accounts addressed).
    """
    originals = _originals(posts)
    long = interactions(posts)
    others = long.filter(~pl.col("is_self"))

    def posts_with(frame: pl.DataFrame, kind: str | None = None) -> int:
        rows = frame if kind is None else frame.filter(pl.col("kind") == kind)
        return int(rows["post"].n_unique())

    schema = {
        k: pl.Int64
        for k in (
            "posts",
            "context_known",
            "replying",
            "mentioning",
            "quoting",
            "addressing",
            "self_replies",
            "accounts",
        )
    }
    return pl.DataFrame(
        {
            "posts": [originals.height],
            "context_known": [int(originals["image_count"].is_not_null().sum())],
            "replying": [posts_with(others, "reply")],
            "mentioning": [posts_with(others, "mention")],
            "quoting": [posts_with(others, "quote")],
            "addressing": [posts_with(others)],
            "self_replies": [posts_with(long.filter(pl.col("is_self")), "reply")],
            "accounts": [int(others["target"].n_unique())],
        },
        schema=schema,
    )


def _verb(n: int, singular: str, plural_form: str) -> str:
    return singular if n == 1 else plural_form


def _caveat_and_threads(s: dict) -> tuple[str, str]:
    """The sentence saying a profile scrape cannot show replies and quotes, and the one counting the replies
    that continue the author's own threads ('' when they do not apply); ``s`` is the summary's row."""
    caveat = (
        " This format does not record whom a post replies to or quotes (a profile page scrape): only "
        "mentions typed in the text are counted."
        if s["context_known"] == 0
        else ""
    )
    own = (
        f" {plural(s['self_replies'], 'reply', 'replies')} {_verb(s['self_replies'], 'continues', 'continue')} "
        "the author's own threads."
        if s["self_replies"]
        else ""
    )
    return caveat, own


def _ways(s: dict) -> list[str]:
    """``["3 reply to one", "1 mentions one"…]``: posts addressing another account each way (summary row ``s``)."""
    return [
        f"{s[key]} {_verb(s[key], one, many)} one"
        for key, one, many in (
            ("replying", "replies to", "reply to"),
            ("mentioning", "mentions", "mention"),
            ("quoting", "quotes", "quote"),
        )
        if s[key]
    ]


def _how(first: dict) -> str:
    """How the posts address the leading account: ``"2 replies and 1 mention"`` (row ``first`` of talks_to)."""
    return join_list(
        [
            plural(first[key], one, many)
            for key, one, many in (
                ("replies", "reply", "replies"),
                ("mentions", "mention", None),
                ("quotes", "quote", None),
            )
            if first[key]
        ]
    )


def _lead(s: dict, table: pl.DataFrame) -> str:
    """How many accounts the posts address and which leads (one, a single leader, or a tie)."""
    first = table.row(0, named=True)
    they = "It" if s["addressing"] == 1 else "They"
    address = _verb(s["addressing"], "addresses", "address")
    tied = table.filter(pl.col("posts") == first["posts"]).height
    if s["accounts"] == 1:
        return f"{they} {address} one account, {first['account']}"
    if tied == 1:
        return f"{they} {address} {plural(s['accounts'], 'account')}; the one in most posts is {first['account']}"
    return (
        f"{they} {address} {plural(s['accounts'], 'account')}; {tied} share the lead, {first['account']} first in order"
    )


def describe_talks_to(table: pl.DataFrame, summary: pl.DataFrame, *, what: str = "original post") -> str:
    """Sentences reading :func:`talks_to` and :func:`interaction_summary`, true for any feed.

    Says how many original posts reply to, mention or quote other accounts, how many accounts they
    address, and which one most posts address (with each way counted); says when the format cannot tell
    replies and quotes (a profile scrape) and when there is nothing to read. ``what`` names the posts
    counted (``"campaign post"`` for :func:`campaign_posts`' rows).
    """
    s = summary.row(0, named=True)
    n = s["posts"]
    if n == 0:
        return f"No {what} is loaded, so no reply, mention or quote can be read."
    caveat, own = _caveat_and_threads(s)
    if s["addressing"] == 0 or table.height == 0:
        subject = f"The 1 {what} does not" if n == 1 else f"The {n} {what}s do not"
        return f"{subject} reply to, mention or quote another account.{own}{caveat}"
    first = table.row(0, named=True)
    whole = f"the 1 {what}" if n == 1 else f"the {n} {what}s"
    return (
        f"Of {whole}, {plural(s['addressing'], 'post')} ({pct(s['addressing'], n)}) "
        f"{_verb(s['addressing'], 'talks', 'talk')} to other accounts: {join_list(_ways(s))}. "
        f"{_lead(s, table)} ({plural(first['posts'], 'post')}: {_how(first)}).{own}{caveat}"
    )
