"""Entities in post text: hashtags, mentions, links and their domains, emoji (row-local).

Rules follow what the Bluesky app detects (docs/enrichment.md, "Entities"), vectorised as polars
regular expressions:

* **hashtag**: ``#`` (or full-width ``＃``) not preceded by a letter, digit, ``_``,
  ``&`` or ``/``; then a letter or emoji; then letters, marks, digits, emoji, ``_``
  or ``-``; trailing punctuation stripped; longer than 64 characters is not a tag.
  ``#2025`` is not a tag, ``#Día2`` is. Unlike the app we also accept a tag glued
  to a preceding emoji (``🟡#UCLGMeets``): organisations write series markers
  that way, and the tag is plainly meant; and we drop emoji glued to the end of
  a tag (``#CiudadesYTerritoriosDePaz🕊️`` -> ``CiudadesYTerritoriosDePaz``),
  which the app would keep as part of the tag and so split one campaign in two.
* **mention**: ``@`` + a domain-like handle (labels separated by dots) whose last
  label is a real top-level domain; lower-cased.
* **link**: ``http(s)://…`` or a bare ``host.tld/path`` whose top-level domain is
  real (public suffix list, offline); trailing punctuation stripped unless the
  link ends in ``...`` (display-shortened by the app: flagged in
  ``url_truncated``, its domain kept).
* **emoji**: whole sequences from the Unicode emoji list shipped with the
  ``emoji`` package (ZWJ sequences, skin tones, flags, keycaps), variation
  selectors dropped so ``❤️`` and ``❤`` count alike.

Values already present in ``hashtags``/``mentions``/``urls`` (filled by readers
from facets) are kept and the text's are added after them (links: facets win,
text links are used only when the post has no link facet).
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

import polars as pl

from feedtools.series import map_unique

__all__ = [
    "HASHTAG_PATTERN",
    "MENTION_PATTERN",
    "URL_PATTERN",
    "add_entities",
    "canonical_urls",
    "emoji_pattern",
    "registrable_domains",
    "strip_entities_expr",
]

_TAG_BODY = r"[\p{L}\p{Extended_Pictographic}][\p{L}\p{M}\p{N}\p{Extended_Pictographic}\x{200d}\x{fe0f}_-]*"
HASHTAG_PATTERN = r"(?:^|[^\p{L}\p{N}_&/#＃])[#＃]" + _TAG_BODY
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
MENTION_PATTERN = r"(?i)(?:^|[^\p{L}\p{N}_.@/])@(?:" + _LABEL + r"\.)+[a-z][a-z0-9-]*"
URL_PATTERN = (
    r"(?i)(?:^|[\s(\[<«\"'])"
    r"(?:https?://[^\s<>\"]+|(?:" + _LABEL + r"\.)+[a-z][a-z0-9-]*(?::\d{1,5})?(?:/[^\s<>\"]*)?)"
)
_TRAILING_PUNCT = r"[\p{P}]+$"
_TRAILING_EMOJI = r"[\p{Extended_Pictographic}\x{fe0f}\x{200d}\x{1F3FB}-\x{1F3FF}\p{P}]+$"
_URL_TRAILING = r"[.,;:!?)\]}\"'»›]+$"
_PICTOGRAPH = r"[\p{Extended_Pictographic}\x{fe0f}\x{200d}\x{20e3}\x{1F3FB}-\x{1F3FF}]"
_HOST = r"(?i)^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#\s]*@)?([^/?#:\s]+)"
MAX_TAG_CHARS = 64
LIST_STR = pl.List(pl.String)


@cache
def _extractor():
    import tldextract

    # suffix_list_urls=() and no cache: use the public suffix list snapshot shipped in the package (offline).
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domains(hosts: list[str]) -> list[str | None]:
    """Registrable domain (``uclg.org`` for ``gold.uclg.org``) of each host, None when its suffix is unknown."""
    ext = _extractor()
    out = []
    for h in hosts:
        r = ext(h)
        out.append(r.top_domain_under_public_suffix or None if r.suffix else None)
    return out


@cache
def emoji_pattern() -> str:
    """A regex alternation of every emoji sequence, longest first (so sequences win over their parts)."""
    import emoji

    keys = []
    for k, info in emoji.EMOJI_DATA.items():
        # Bare © ® ™ ‼ ↔ … (below U+2300) are ordinary text unless followed by U+FE0F: skip their bare form.
        # Bare symbols from U+2300 on (❤ ☀ ✈ ⬇) are written as emoji in posts, with or without U+FE0F.
        if info.get("status") == emoji.STATUS["unqualified"] and len(k) == 1 and ord(k) < 0x2300:
            continue
        keys.append(k)
    keys.sort(key=len, reverse=True)
    return "(?:" + "|".join(re.escape(k) for k in keys) + ")"


def strip_entities_expr(text: pl.Expr) -> pl.Expr:
    """``text`` without links, mentions, hashtags and emoji (what language detection reads)."""
    return (
        text.str.replace_all(URL_PATTERN, " ")
        .str.replace_all(MENTION_PATTERN, " ")
        .str.replace_all(HASHTAG_PATTERN, " ")
        .str.replace_all(emoji_pattern(), " ")  # (kept apart: the emoji list alone runs as a fast literal search)
        .str.replace_all(_PICTOGRAPH, " ")
    )


def _has_values(posts: pl.DataFrame, column: str) -> bool:
    """True when some row already holds values in ``column`` (from the reader's facets)."""
    return column in posts.columns and bool(posts[column].list.len().fill_null(0).max() or 0)


def _merge(existing: pl.Expr, found: pl.Expr) -> pl.Expr:
    return pl.concat_list(existing.fill_null(pl.lit([], dtype=LIST_STR)), found).list.unique(maintain_order=True)


def add_entities(posts: pl.DataFrame) -> pl.DataFrame:
    """Fill ``hashtags``, ``mentions``, ``urls``, ``urls_canonical``, ``domains``, ``url_truncated`` and ``emojis``.

    Input: posts with ``text`` and ``urls`` (and, optionally, facet-derived ``hashtags``,
    ``mentions`` from the reader). Output: same rows, those columns filled
    (empty lists for a row with no text). Row-local.

    The regular expressions run once per distinct text and the results are joined
    back (feeds repeat texts: reposts, copies, campaign templates); what depends on
    the row's own facets is merged per row. The work is done on a frame of the few columns it reads, and the
    results are set on ``posts`` (its other columns are not copied).
    """
    text = pl.col("text").fill_null("")
    found = _text_entities(posts.select(_t=text).unique())
    reads = [c for c in ("hashtags", "mentions", "urls", "card_url") if c in posts.columns or c == "urls"]
    df = posts.select(*reads, _t=text).join(found, on="_t", how="left", maintain_order="left")
    has_facet_links = pl.col("urls").list.len().fill_null(0) > 0
    df = df.select(
        *(["card_url"] if "card_url" in df.columns else []),
        hashtags=_merge(pl.col("hashtags"), pl.col("_tags")) if _has_values(posts, "hashtags") else pl.col("_tags"),
        mentions=(
            _merge(pl.col("mentions"), pl.col("_mentions")) if _has_values(posts, "mentions") else pl.col("_mentions")
        ),
        urls=pl.when(has_facet_links).then(pl.col("urls")).otherwise(pl.col("_urls")),
        emojis=pl.col("emojis"),
        url_truncated=pl.col("url_truncated"),
    )
    canonical = _canonical_lists(df)
    df = df.drop("card_url", strict=False).with_columns(urls_canonical=canonical, domains=_domain_lists(canonical))
    # Columns in the order the earlier, join-based version gave: replaced ones in place, new ones at the end.
    dropped = {"emojis", "url_truncated", "urls_canonical"}
    order = [c for c in posts.columns if c not in dropped] + ["emojis", "url_truncated"]
    order += [c for c in ("hashtags", "mentions") if c not in posts.columns] + ["urls_canonical"]
    order += [] if "domains" in posts.columns else ["domains"]
    return posts.with_columns(df).select(order)


def canonical_urls(urls: list[str]) -> list[str]:
    """The canonical form of each URL, for counting (``courlan.normalize_url``, Apache-2.0).

    Scheme and host lower-cased, a leading ``www.`` dropped, the scheme's default port
    and the fragment dropped, tracking parameters removed (courlan's list: ``utm_*``,
    ``fbclid``, ``gclid``, ``igshid``, ``ref``, ``source``, ``campaign``…), remaining query
    items sorted, path percent-encoded consistently (``día`` and ``d%C3%ADa`` are one
    link; ``@`` kept readable), trailing slashes dropped (``example.com/`` and ``example.com`` are one link). A display-shortened link
    (ending in ``...``) or a value that does not parse as a URL is returned unchanged.
    Input: a list of strings. Output: a list of the same length, in the same order.
    Never raises.
    """
    from courlan import normalize_url

    out = []
    for u in urls:
        if u.endswith(("...", "…")):
            out.append(u)
            continue
        try:
            parts = urlsplit(u)
            if not parts.netloc:  # not an absolute URL: nothing to normalise
                out.append(u)
                continue
            if parts.netloc[:4].lower() == "www." and "." in parts.netloc[4:]:
                parts = parts._replace(netloc=parts.netloc[4:])
            # fragment dropped; trailing slashes dropped here, courlan puts "/" back before a query on an empty path
            c = normalize_url(parts._replace(path=parts.path.rstrip("/"), fragment=""))
            if c and "%40" in c:  # courlan percent-encodes "@", legal in paths (youtube.com/@channel): put it back
                scheme, sep, rest = c.partition("://")
                host, slash, tail = rest.partition("/")
                c = scheme + sep + host + slash + tail.replace("%40", "@")
        except ValueError:  # invalid port, IPv6 bracket or IDNA label: the URL is kept as posted
            c = u
        out.append(c or u)
    return out


def _canonical_lists(df: pl.DataFrame) -> pl.Series:
    """``urls_canonical`` for the rows of ``df`` (``urls`` and, when present, ``card_url``): ``urls`` then
    ``card_url``, each distinct URL normalised once (:func:`canonical_urls`), repeats that become equal merged,
    in order; an empty list for a row without links."""
    shared = pl.col("urls").fill_null(pl.lit([], dtype=LIST_STR))
    # The link card's URL is shared too (often the post's only link); nothing to add when no row has a card.
    if "card_url" in df.columns and df["card_url"].null_count() < df.height:
        shared = pl.concat_list(
            shared,
            pl.when(pl.col("card_url").is_null())
            .then(pl.lit([], dtype=LIST_STR))
            .otherwise(pl.concat_list(pl.col("card_url").cast(pl.String))),
        )
    lists = df.select(urls_canonical=shared.list.drop_nulls())["urls_canonical"]
    distinct = lists.explode().drop_nulls().unique().sort()
    if distinct.len() == 0:
        return lists
    canon = pl.Series(canonical_urls(distinct.to_list()), dtype=pl.String)
    return lists.list.eval(pl.element().replace_strict(distinct, canon)).list.unique(maintain_order=True)


def _domain_lists(urls: pl.Series) -> pl.Series:
    """``domains`` for lists of URLs: the registrable domain of each link's host (each distinct host looked up
    once), links without one left out, repeats merged, in order."""
    distinct = urls.explode().drop_nulls().unique()
    if distinct.len() == 0:
        return urls.alias("domains")
    domains = map_unique(_hosts(distinct), registrable_domains, batch=True)
    return (
        urls.list.eval(pl.element().replace_strict(distinct, domains, default=None).drop_nulls())
        .list.unique(maintain_order=True)
        .alias("domains")
    )


def _hosts(values: pl.Series) -> pl.Series:
    """The host of each link or handle, lower-cased, without a trailing dot (null when there is none)."""
    return values.str.extract(_HOST, 1).str.to_lowercase().str.strip_chars_end(".")


def _text_entities(texts: pl.DataFrame) -> pl.DataFrame:
    """Entities found in each text of ``texts`` (column ``_t``, distinct values, no nulls).

    Returns ``_t`` with ``_tags``, ``_mentions``, ``_urls`` (links found in the text, real
    top-level domains only), ``url_truncated``
    and ``emojis``.
    """
    text = pl.col("_t")
    no_urls = text.str.replace_all(URL_PATTERN, " ")
    tags = (
        no_urls.str.extract_all(HASHTAG_PATTERN)
        .list.eval(
            pl.element()
            .str.replace(r"^[^#＃]*[#＃]", "")
            .str.replace(_TRAILING_EMOJI, "")
            .str.replace(_TRAILING_PUNCT, "")
        )
        .list.eval(
            pl.element().filter((pl.element().str.len_chars() > 0) & (pl.element().str.len_chars() <= MAX_TAG_CHARS))
        )
    )
    mentions = text.str.extract_all(MENTION_PATTERN).list.eval(
        pl.element().str.replace(r"^[^@]*@", "").str.to_lowercase()
    )
    raw_urls = text.str.extract_all(URL_PATTERN).list.eval(
        pl.element()
        .str.replace(r"^[\s(\[<«\"']", "")
        .pipe(
            lambda u: (
                pl.when(u.str.ends_with("...") | u.str.ends_with("…"))
                .then(u)
                .otherwise(u.str.replace(_URL_TRAILING, ""))
            )
        )
    )
    df = texts.with_columns(
        _tags=tags,
        _mentions=mentions,
        _urls=raw_urls,
        emojis=text.str.extract_all(emoji_pattern()).list.eval(
            pl.element().str.replace_all("\ufe0f", "", literal=True)
        ),
    )
    return _validate_domains(df).with_columns(
        # In order of first appearance, without repeats (as merging with the reader's values gives).
        _tags=pl.col("_tags").list.unique(maintain_order=True),
        _mentions=pl.col("_mentions").list.unique(maintain_order=True),
        url_truncated=pl.col("_urls")
        .list.eval(pl.element().str.ends_with("...") | pl.element().str.ends_with("…"))
        .list.any(),
    )


def _validate_domains(df: pl.DataFrame) -> pl.DataFrame:
    """Drop text links and mentions whose top-level domain is not real (``learningwith.u``, ``e.g``): each
    distinct value's host is looked up once, and the lists keep the values that passed, in order."""
    values = pl.concat([df["_urls"].explode(), df["_mentions"].explode()]).drop_nulls().unique()
    if values.len() == 0:
        return df
    real = values.filter(map_unique(_hosts(values), registrable_domains, batch=True).is_not_null())
    keep = pl.element().filter(pl.element().is_in(pl.lit(real).implode()))
    return df.with_columns(pl.col("_urls").list.eval(keep), pl.col("_mentions").list.eval(keep))
