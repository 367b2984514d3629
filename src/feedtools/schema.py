"""The canonical posts table: one schema, documented in one place.

Every reader, whatever its input format, returns rows in this schema (see
:data:`POSTS_SCHEMA`); cleaning and enrichment fill the derived columns; every
analysis reads only these columns. :data:`COLUMNS` documents each column and is
the single source for docs/posts-table.md (``scripts/schema_doc.py``) and ``feedtools schema``.

Conventions
-----------
* ``null`` always means *unknown*, never zero or false-by-default: a scrape has no
  like counts, so ``like_count`` is null there, not 0.
* List columns hold zero or more strings in order of first appearance, without
  repeats; an empty list means "looked, found none".
* Times are ``Datetime("us", "UTC")``.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = [
    "COLUMNS",
    "POSTS_SCHEMA",
    "REJECTS_SCHEMA",
    "ROW_LOCAL_COLUMNS",
    "Column",
    "conform",
    "empty_posts",
    "empty_rejects",
    "markdown_table",
]

STR = pl.String()
INT = pl.Int64()
BOOL = pl.Boolean()
LIST = pl.List(pl.String)
TIME = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    doc: str
    filled_by: str  # "reader", "clean", "entities", "language" or "duplicates"


COLUMNS: tuple[Column, ...] = (
    Column(
        "position",
        INT,
        "0-based order of the item in the source (feed order: newest first for feeds); with "
        "several inputs it continues across them in the order given, so it stays unique.",
        "reader",
    ),
    Column(
        "post_id",
        STR,
        "Stable id: the post's AT-URI where the format has one (for a repost row, the repost "
        "record's URI, else `repost:<reposter>:<post URI>`); for a scrape `scrape:<hash of author, kind and "
        "text>` with `#2`, `#3`… on later identical copies.",
        "reader",
    ),
    Column("post_uri", STR, "AT-URI of the post shown (for a repost, the reposted post); null when unknown.", "reader"),
    Column(
        "source",
        STR,
        "File name of the input the row was read from (no directory, so outputs are portable); "
        "tells the files of a multi-file table apart (`feedtools.load([a, b])`, `parse A B`, `report --feed A "
        "--feed B`); kept when the table is saved as Parquet and read again.",
        "reader",
    ),
    Column(
        "source_format",
        STR,
        "Reader that produced the row (`scrape`, `authorfeed`, `postviews`, `car`, `jetstream`).",
        "reader",
    ),
    Column(
        "source_line", INT, "1-based line of the input where the item starts; null for formats without lines.", "reader"
    ),
    Column("source_location", STR, "Human-readable location (`line 12`, `page 2 item 5`, `block bafy…`).", "reader"),
    Column(
        "author_handle", STR, "Handle of the post's author (lower-case), null when the format does not say.", "reader"
    ),
    Column("author_did", STR, "DID of the post's author, null when unknown.", "reader"),
    Column("author_name", STR, "Display name of the post's author, null when unknown.", "reader"),
    Column(
        "is_repost",
        BOOL,
        "True when the item is a repost (amplification) rather than the account's own post.",
        "reader",
    ),
    Column("reposted_by", STR, "Display name or handle of the reposting account, null for own posts.", "reader"),
    Column("reposted_at", TIME, "When the repost was made (UTC), null when unknown.", "reader"),
    Column("is_pinned", BOOL, "True for the pinned item shown at the top of a profile.", "reader"),
    Column(
        "is_placeholder",
        BOOL,
        "True when the content never loaded (`[Not loaded yet]`, a repost record "
        "whose subject is not in the file): the row counts, its text is unknown (null).",
        "reader",
    ),
    Column(
        "text",
        STR,
        "Post text as posted, with app labels (`Reposted by …`, `Pinned`) removed; null for placeholders.",
        "reader",
    ),
    Column(
        "text_clean",
        STR,
        "`text` NFKC-normalised, zero-width and control characters removed, whitespace collapsed, trimmed.",
        "clean",
    ),
    Column(
        "lang", STR, "Detected language, ISO 639-1 (`en`, `es`, `fr`…), or `und` when too short/unsure.", "language"
    ),
    Column(
        "lang_confidence",
        pl.Float64(),
        "Detector probability of `lang` among the candidate languages (0-1); null for `und` rows with no text.",
        "language",
    ),
    Column(
        "langs_declared", LIST, "Languages the post declares (`record.langs`), normalised BCP-47 (`pt-BR`).", "reader"
    ),
    Column(
        "langs_declared_base", LIST, "`langs_declared` reduced to base language subtags (`pt-BR` -> `pt`).", "language"
    ),
    Column(
        "hashtags",
        LIST,
        "Hashtags as written, without `#`: from tag facets, `record.tags` and the text "
        "(Bluesky app rules). Compare them case-folded.",
        "entities",
    ),
    Column(
        "mentions",
        LIST,
        "Mentioned handles, lower-case, trailing punctuation stripped: from mention facets "
        "(only when the text they cover is a valid handle) and the text.",
        "entities",
    ),
    Column(
        "mention_dids",
        LIST,
        "DIDs of the accounts mention facets point at (stable, unlike handles), "
        "whatever the facet's byte range; empty without mention facets; null when the format has none.",
        "reader",
    ),
    Column(
        "urls",
        LIST,
        "Links as posted: the URI of every link facet (even one whose byte range is "
        "unusable) when present, else links found in the text (display-shortened ones kept with their "
        "`...`).",
        "entities",
    ),
    Column(
        "urls_canonical",
        LIST,
        "`urls`, then the link card's `card_url`, in canonical form for counting "
        "(`courlan.normalize_url`): scheme and host lower-case, `www.`, default port and fragment dropped, "
        "tracking parameters (`utm_*`, `fbclid`, `gclid`, `ref`, `source`…) removed, query sorted, path "
        "percent-encoded, trailing slash dropped; display-shortened links unchanged; repeats merged.",
        "entities",
    ),
    Column(
        "domains",
        LIST,
        "Registrable domain of each canonical link (public suffix list, offline): `gold.uclg.org` -> `uclg.org`.",
        "entities",
    ),
    Column(
        "url_truncated",
        BOOL,
        "True when a link in the text is display-shortened (ends in `...`): the full URL is lost, the domain is not.",
        "entities",
    ),
    Column(
        "emojis",
        LIST,
        "Emoji as whole sequences (ZWJ, skin tones, flags), variation selectors dropped, in order, repeats kept.",
        "entities",
    ),
    Column("created_at", TIME, "When the post says it was created (UTC); null when unknown or unparseable.", "reader"),
    Column("created_at_raw", STR, "`createdAt` exactly as in the input.", "reader"),
    Column(
        "created_at_flag",
        STR,
        "null when `created_at` is plausible; `implausible` (before 2000 or more than "
        "a day after it was indexed/seen) or `unparseable`.",
        "reader",
    ),
    Column(
        "duplicate_of",
        INT,
        "`position` of the first copy when this row repeats an earlier one (same author "
        "and kind, same normalised text); null otherwise. Placeholders are never duplicates.",
        "duplicates",
    ),
    Column(
        "duplicate_kind",
        STR,
        "`exact` (identical text) or `normalised` (same after case, accent, "
        "whitespace and punctuation folding); null when not a duplicate.",
        "duplicates",
    ),
    Column(
        "reply_to", STR, "AT-URI of the parent post when this is a reply; null when not a reply or unknown.", "reader"
    ),
    Column("reply_root", STR, "AT-URI of the thread root when this is a reply.", "reader"),
    Column(
        "reply_parent_author",
        STR,
        "DID of the author of the post replied to (from `reply_to`), null when not a reply.",
        "reader",
    ),
    Column(
        "reply_parent_handle",
        STR,
        "Handle of that author where the feed item's `reply` view hydrates it, else null.",
        "reader",
    ),
    Column("reply_root_author", STR, "DID of the author of the thread root (from `reply_root`).", "reader"),
    Column("reply_root_handle", STR, "Handle of the thread root's author where hydrated, else null.", "reader"),
    Column(
        "quote_of",
        STR,
        "AT-URI of the quoted post (record or recordWithMedia embed, or a non-standard embed "
        "naming a post); only ever an `app.bsky.feed.post` URI; null otherwise.",
        "reader",
    ),
    Column("quote_cid", STR, "CID of the quoted post as the embed pins it, null when not a quote.", "reader"),
    Column("quote_author", STR, "DID of the quoted post's author (hydrated view, else the quote URI's DID).", "reader"),
    Column("quote_author_handle", STR, "Handle of the quoted post's author where the post view hydrates it.", "reader"),
    Column("quote_text", STR, "Text of the quoted post where the post view hydrates it, else null.", "reader"),
    Column(
        "embedded_record",
        STR,
        "AT-URI of an embedded record that is not a post (starter pack, list, feed "
        "generator, labeler…), null otherwise; never in `quote_of`.",
        "reader",
    ),
    Column(
        "embed_kind",
        STR,
        "What the post embeds: `external` (link card), `images`, `video`, `record` (quote "
        "or other record), `recordWithMedia` (quote plus media), or the `$type` of a non-standard embed; null "
        "when it embeds nothing or the format has no embeds (scrape).",
        "reader",
    ),
    Column(
        "embed_other",
        STR,
        "`$type` of a non-standard embed (or media part) kept by name (also counted in "
        "the reader's `embeds_nonstandard` stat); null otherwise.",
        "reader",
    ),
    Column(
        "card_url", STR, "Link card (`app.bsky.embed.external`) URL as posted; often the post's only link.", "reader"
    ),
    Column("card_title", STR, "Link card title, null when none.", "reader"),
    Column("card_description", STR, "Link card description, null when empty.", "reader"),
    Column(
        "image_count",
        INT,
        "Images embedded (directly or with a quote); 0 when none; null when the format has no embeds.",
        "reader",
    ),
    Column(
        "image_alts",
        LIST,
        'Alt text of each image in order, `""` for an image without one (repeats kept, '
        "so its length is `image_count`).",
        "reader",
    ),
    Column("has_video", BOOL, "True when the post embeds a video; null when the format has no embeds.", "reader"),
    Column("video_alt", STR, "The video's alt text, null when none.", "reader"),
    Column(
        "like_count", INT, "Likes when the format carries counts; null when unknown (never 0 for unknown).", "reader"
    ),
    Column("repost_count", INT, "Reposts, as above.", "reader"),
    Column("reply_count", INT, "Replies, as above.", "reader"),
    Column("quote_count", INT, "Quotes, as above.", "reader"),
    Column(
        "facets_invalid",
        INT,
        "Facets that were out of range or split a character and were ignored (text "
        "extraction used instead); null when the post has no facets.",
        "reader",
    ),
    Column(
        "cid",
        STR,
        "CID of the post record (post view, Jetstream commit, repository block); null when unknown.",
        "reader",
    ),
    Column(
        "indexed_at", TIME, "When the AppView indexed the post (a post view's `indexedAt`), null elsewhere.", "reader"
    ),
    Column(
        "web_url",
        STR,
        "The post's web address `https://bsky.app/profile/<handle or DID>/post/<rkey>` "
        "(the handle when known and valid, else the DID); null when there is no post URI.",
        "reader",
    ),
    Column(
        "notes", STR, "Reader remarks on this row (e.g. a repost label split by heuristic), null when none.", "reader"
    ),
)

POSTS_SCHEMA: pl.Schema = pl.Schema({c.name: c.dtype for c in COLUMNS})

#: Columns computed row by row (no knowledge of other rows): safe to compute per batch or partition.
ROW_LOCAL_COLUMNS = tuple(c.name for c in COLUMNS if c.filled_by in {"clean", "entities", "language"})

REJECTS_SCHEMA: pl.Schema = pl.Schema(
    {
        "source": STR,  # file name
        "location": STR,  # "line 7", "page 2 item 4", "block bafy…"
        "line": INT,  # 1-based line when the format has lines
        "reason": STR,  # one sentence
        "raw": STR,  # the rejected content, cut to 500 characters
    }
)


def markdown_table() -> str:
    """The posts table's columns as a Markdown table: name, type, the step that fills it, meaning.

    One row per column of :data:`COLUMNS`, in order; pipes in the documentation are escaped and line breaks
    joined, so every row stays one table row. Printed by ``feedtools schema`` and embedded in
    docs/posts-table.md by ``scripts/schema_doc.py``.
    """

    def cell(text: str) -> str:
        return " ".join(text.split()).replace("|", "\\|")

    rows = ["| column | type | filled by | meaning |", "| --- | --- | --- | --- |"]
    rows += [f"| `{c.name}` | `{c.dtype}` | {c.filled_by} | {cell(c.doc)} |" for c in COLUMNS]
    return "\n".join(rows)


def empty_posts() -> pl.DataFrame:
    """An empty posts table with the canonical schema."""
    return pl.DataFrame(schema=POSTS_SCHEMA)


def empty_rejects() -> pl.DataFrame:
    """An empty rejects table."""
    return pl.DataFrame(schema=REJECTS_SCHEMA)


def conform(df: pl.DataFrame) -> pl.DataFrame:
    """Return ``df`` with exactly the canonical columns, in order, with canonical types.

    Missing columns are added as nulls; extra columns raise ``ValueError`` (a reader
    must not invent columns that analyses cannot rely on).
    """
    extra = [c for c in df.columns if c not in POSTS_SCHEMA]
    if extra:
        raise ValueError(f"columns not in the posts schema: {extra}")
    return df.select(
        [
            (pl.col(name) if name in df.columns else pl.lit(None)).cast(dtype).alias(name)
            for name, dtype in POSTS_SCHEMA.items()
        ]
    )
