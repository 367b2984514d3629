"""Rich-text facets of a post: hashtags, mentions and links read by **UTF-8 byte offsets** and validated."""

from __future__ import annotations

import unicodedata

from feedtools.readers.atproto.lexicon import _DID_RE, FACET_LINK, FACET_MENTION, FACET_TAG, HANDLE_RE, get, rtype

__all__ = ["clean_tag", "facet_fields"]


def _add(values: list[str], seen: set[str], v: str) -> None:
    if v and v not in seen:
        seen.add(v)
        values.append(v)


def clean_tag(tag: str) -> str:
    """A tag as counted: spaces and leading ``#`` dropped, trailing punctuation stripped once (``E,`` -> ``E``)."""
    tag = tag.strip().lstrip("#＃")
    end = len(tag)
    while end and unicodedata.category(tag[end - 1]).startswith("P"):
        end -= 1
    return tag[:end]


def _byte_span(facet, data: bytes) -> tuple[int, int] | None:
    """A facet's ``index`` as a usable ``(start, end)`` byte range of ``data``, else None: no index, out of
    range, empty, or splitting a UTF-8 character."""
    index = facet.get("index") if isinstance(facet, dict) else None
    s = get(index, "byteStart") if isinstance(index, dict) else None
    e = get(index, "byteEnd") if isinstance(index, dict) else None
    n = len(data)
    if (
        type(s) is not int
        or type(e) is not int
        or s < 0
        or e > n
        or s >= e
        or (data[s] & 0xC0) == 0x80
        or (e < n and (data[e] & 0xC0) == 0x80)
    ):
        return None
    return s, e


class _Found:
    """What a post's facets name, each list in first-seen order without repeats."""

    __slots__ = ("dids", "mentions", "seen", "tags", "urls")

    def __init__(self) -> None:
        self.tags: list[str] = []
        self.mentions: list[str] = []
        self.urls: list[str] = []
        self.dids: list[str] = []
        self.seen: tuple[set[str], set[str], set[str], set[str]] = (set(), set(), set(), set())

    def feature(self, feat: dict, data: bytes, span: tuple[int, int] | None) -> None:
        """Add what one facet feature carries; ``span`` is its facet's valid byte range (None if invalid)."""
        t = rtype(feat)
        if t == FACET_LINK:  # the URI stands by itself, whatever the range
            uri = feat.get("uri")
            if isinstance(uri, str):
                _add(self.urls, self.seen[2], uri.strip())
        elif t == FACET_MENTION:
            did = feat.get("did")
            if isinstance(did, str) and _DID_RE.match(did.strip()):
                _add(self.dids, self.seen[3], did.strip())
            if span is not None:
                handle = data[span[0] : span[1]].decode("utf-8").strip().lstrip("@").lower()
                if HANDLE_RE.match(handle):
                    _add(self.mentions, self.seen[1], handle)
        elif t == FACET_TAG and span is not None:
            tag = feat.get("tag")
            if isinstance(tag, str):
                _add(self.tags, self.seen[0], clean_tag(tag))
        # other feature types (non-standard) are ignored


def facet_fields(text: str, facets) -> tuple[list[str], list[str], list[str], list[str], int | None]:
    """Hashtags, mentions, links, mention DIDs and the number of invalid facets (offsets read as UTF-8 bytes).

    ``facets``: a record's ``facets`` value (anything; not a non-empty list gives empty lists and
    None). A facet counts as invalid when its byte range is unusable or it has no ``features``
    list. A facet with an unusable byte range still gives what it carries by itself: a link's URI
    and a mention's DID (it is counted in ``facets_invalid`` all the same); a mention's handle
    is read from the text slice only when the range is valid and the slice is a valid handle.
    Never raises.
    """
    if not isinstance(facets, list) or not facets:
        return [], [], [], [], None
    data = text.encode("utf-8")
    found = _Found()
    invalid = 0
    for facet in facets:
        span = _byte_span(facet, data)
        features = facet.get("features") if isinstance(facet, dict) else None
        if span is None or not isinstance(features, list):
            invalid += 1
        if not isinstance(features, list):
            continue
        for feat in features:
            if isinstance(feat, dict):
                found.feature(feat, data, span)
    return found.tags, found.mentions, found.urls, found.dids, invalid
