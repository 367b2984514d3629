"""Which JSON feed shape a file starts with (:func:`sniff_json`), for the readers' ``sniff`` functions."""

from __future__ import annotations

import json
import re

import orjson

from feedtools.readers.atproto.jsonload import BOM

__all__ = ["sniff_json"]


_JSON_KEY = {
    "jetstream": (
        re.compile(rb'"(?:time_us|cursor)"\s*:\s*\d'),
        re.compile(rb'"kind"\s*:\s*"(?:commit|identity|account)"'),
    ),
    "authorfeed": (re.compile(rb'"(?:feed|post)"\s*:\s*[\[{]'),),
    "postviews": (re.compile(rb'"uri"\s*:\s*"at://'), re.compile(rb'"record"\s*:\s*\{')),
}


def _shape(value) -> str | None:
    """Which reader a parsed JSON value (an object, or a list judged by its items) belongs to."""
    if isinstance(value, list):
        return _list_shape(value)
    if not isinstance(value, dict):
        return None
    if "kind" in value and "did" in value and ("time_us" in value or "cursor" in value):
        return "jetstream"
    if isinstance(value.get("feed"), list) or isinstance(value.get("post"), dict):
        return "authorfeed"
    if isinstance(value.get("posts"), list) or ("uri" in value and "record" in value):
        return "postviews"
    return None


def _list_shape(items: list) -> str | None:
    """The shape of a list of items (or of JSON Lines): its first item's, except that a post list mixing
    bare postViews with feed items ``{post, …}`` is a post list (``postviews``) wherever the first view sits."""
    if not items:
        return None
    first = _shape(items[0]) if not isinstance(items[0], list) else None
    if first == "authorfeed":
        sample = items[:1000]
        if any(isinstance(v, dict) and "uri" in v and "record" in v and "post" not in v for v in sample) and not any(
            isinstance(v, dict) and isinstance(v.get("feed"), list) for v in sample
        ):
            return "postviews"
    return first


_DECODER = json.JSONDecoder()


def _head_values(text: bytes) -> list:
    """The complete values at the start of a head cut anywhere: the items of a top-level JSON list, or the
    lines of JSON Lines (the last, possibly cut, one is left out). Empty when none is complete."""
    s = text.decode("utf-8", "ignore")
    out: list = []
    if s.startswith("["):
        i, n = 1, len(s)
        while i < n and len(out) < 1000:
            while i < n and s[i] in " \t\r\n,":
                i += 1
            try:
                value, i = _DECODER.raw_decode(s, i)
            except (ValueError, RecursionError):
                break
            out.append(value)
        return out
    for line in s.split("\n")[:-1][:1000]:
        if line.strip():
            try:
                out.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                break
    return out


def sniff_json(head: bytes) -> str | None:
    """The JSON feed shape the start of a file shows: ``jetstream``, ``authorfeed``, ``postviews`` or None.

    A head that is one whole document is parsed; JSON Lines are judged by their complete
    lines; a large list cut at the head's end by its complete items; otherwise key patterns
    decide. A list mixing bare postViews with feed items is ``postviews`` (a post list).
    """
    if head.startswith(BOM):
        head = head[3:]
    text = head.lstrip()
    if not text or text[:1] not in (b"{", b"["):
        return None
    try:
        return _shape(orjson.loads(text))
    except orjson.JSONDecodeError:
        pass
    lines = text.split(b"\n", 1)
    try:
        first = orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        first = None
    else:
        if text[:1] == b"{":  # JSON Lines: judge by the complete lines of the head
            values = _head_values(text)
            return _list_shape(values) if values else _shape(first)
        return _shape(first)
    values = _head_values(text)
    if values:
        shape = _list_shape(values)
        if shape is not None:
            return shape
    for name, patterns in _JSON_KEY.items():
        if all(p.search(text) for p in patterns):
            return name
    return None
