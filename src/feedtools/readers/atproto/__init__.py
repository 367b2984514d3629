"""Shared pieces of the AT Protocol readers (author feeds, postViews, repository CARs, Jetstream).

The package is split along its seams; every name is re-exported here, so
``from feedtools.readers.atproto import …`` works as before:

* :mod:`.lexicon`: record types, handle/DID syntax, :func:`get` (wire camelCase or SDK
  snake_case key), :func:`rtype` (``$type`` or ``py_type``), :func:`at_uri_did`.
* :mod:`.records`: :func:`post_fields` turns one ``app.bsky.feed.post`` record into the
  reader columns it can fill (text, ``created_at_raw``, declared languages, facets,
  ``record.tags``, reply and quote URIs, embeds); :func:`repost_row`.
* :mod:`.facets`: hashtags, mentions and links read by **UTF-8 byte offsets** and validated.
* :mod:`.embeds`: :func:`embed_fields` (link card, images, video, quoted post, other records).
* :mod:`.times`: :func:`parse_times` / :func:`parse_time_series` (tolerant vectorised
  ISO-8601), :func:`tid_micros`.
* :mod:`.rows`: :class:`RowBuffer` collects rows as column lists (no per-record DataFrame)
  and builds one canonical DataFrame per batch, parsing every time column there in one
  vectorised pass; :func:`read_item_batches`, :func:`read_items`, :func:`finish_stats`, :func:`check_readable`.
* :mod:`.jsonload`: :func:`load_json`, :func:`iter_lines`, :func:`load_document_or_lines`,
  :func:`raw_json` read JSON and JSON Lines with orjson.
* :mod:`.sniff`: :func:`sniff_json` recognises which JSON shape a file starts with.

A record that cannot be read raises :class:`RecordError`; the reader puts it in the
rejects table with its location and goes on.
"""

from __future__ import annotations

from feedtools.errors import RecordError
from feedtools.readers.atproto.embeds import EMBED_COLUMNS, embed_fields
from feedtools.readers.atproto.facets import clean_tag, facet_fields
from feedtools.readers.atproto.jsonload import (
    BOM,
    BadItem,
    first_byte,
    iter_line_items,
    iter_lines,
    load_document_or_lines,
    load_json,
    raw_json,
)
from feedtools.readers.atproto.lexicon import (
    EMBED_KINDS,
    HANDLE_RE,
    POST,
    REPOST,
    at_uri_did,
    count_or_none,
    get,
    rtype,
)
from feedtools.readers.atproto.records import post_fields, repost_row
from feedtools.readers.atproto.rows import (
    BATCH_SIZE,
    ROW_COLUMNS,
    RowBuffer,
    check_readable,
    finish_stats,
    read_item_batches,
    read_items,
    web_url_expr,
)
from feedtools.readers.atproto.sniff import sniff_json
from feedtools.readers.atproto.times import (
    FUTURE_SLACK_US,
    PLAUSIBLE_FROM_US,
    parse_time_series,
    parse_times,
    tid_micros,
)

__all__ = [
    "BATCH_SIZE",
    "BOM",
    "EMBED_COLUMNS",
    "EMBED_KINDS",
    "FUTURE_SLACK_US",
    "HANDLE_RE",
    "PLAUSIBLE_FROM_US",
    "POST",
    "REPOST",
    "ROW_COLUMNS",
    "BadItem",
    "RecordError",
    "RowBuffer",
    "at_uri_did",
    "check_readable",
    "clean_tag",
    "count_or_none",
    "embed_fields",
    "facet_fields",
    "finish_stats",
    "first_byte",
    "get",
    "iter_line_items",
    "iter_lines",
    "load_document_or_lines",
    "load_json",
    "parse_time_series",
    "parse_times",
    "post_fields",
    "raw_json",
    "read_item_batches",
    "read_items",
    "repost_row",
    "rtype",
    "sniff_json",
    "tid_micros",
    "web_url_expr",
]
