"""The alias table: which hashtags a researcher declared to be one campaign (``data/campaigns.csv``).

Also the constants every seam of :mod:`feedtools.campaigns` shares (``UND``, ``LIST_STR``): this module is the
bottom of the package and imports none of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from feedtools.errors import TableError
from feedtools.paths import CAMPAIGN_ALIASES
from feedtools.text import fold_tag
from feedtools.usertables import line_error, read_user_table

__all__ = [
    "ALIAS_COLUMNS",
    "REQUIRED_ALIAS_COLUMNS",
    "aliases_from",
    "default_aliases_path",
    "empty_aliases",
    "load_aliases",
]

#: Columns an alias table may have, in the documented order.
ALIAS_COLUMNS = ("campaign_id", "label", "lang", "hashtag", "note")
#: Columns it must have.
REQUIRED_ALIAS_COLUMNS = ("campaign_id", "hashtag")
UND = "und"
LIST_STR = pl.List(pl.String)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_BAD_TAG_RE = re.compile(r"[\s#＃,|]")

ALIASES_SCHEMA = pl.Schema(
    {
        "campaign_id": pl.String(),
        "label": pl.String(),
        "lang": LIST_STR,
        "hashtag": pl.String(),
        "tag_folded": pl.String(),
        "note": pl.String(),
        "line": pl.Int64(),
    }
)


def empty_aliases() -> pl.DataFrame:
    """An alias frame with no rows (campaigns from folding only)."""
    return pl.DataFrame(schema=ALIASES_SCHEMA)


def default_aliases_path() -> Path | None:
    """The shipped alias table (``data/campaigns.csv`` of the source tree), or None when it is not there."""
    path = CAMPAIGN_ALIASES
    return path if path.is_file() else None


def load_aliases(path: str | Path) -> pl.DataFrame:
    """Read and validate an alias table (CSV, UTF-8; format in ``data/README.md``).

    Output columns: ``campaign_id``, ``label`` (the campaign's label on every row;
    the first hashtag when the table gives none), ``lang`` (list of codes, ``["und"]``
    when empty), ``hashtag`` (as written, without ``#``), ``tag_folded``, ``note``,
    ``line`` (1-based line in the file), in file order.

    Lines starting with ``#`` are comments and blank lines are skipped; the first
    other line is the header. Raises :class:`~feedtools.errors.TableError` (a ``ValueError``) naming the file
    and line for:
    a missing/unknown/repeated column, a row with the wrong number of fields, an
    empty or malformed ``campaign_id`` or ``hashtag``, a malformed language code,
    two labels for one campaign, and a hashtag listed twice (same folded form),
    in one campaign or two. ``OSError`` when the file cannot be read.
    """
    rows: list[dict] = []
    seen_tags: dict[str, tuple[str, int]] = {}
    labels: dict[str, tuple[str, int]] = {}
    for lineno, rec in read_user_table(path, columns=ALIAS_COLUMNS, required=REQUIRED_ALIAS_COLUMNS):
        row = _checked_row(path, lineno, rec, seen_tags)
        label = rec.get("label", "")
        if label:
            cid = row["campaign_id"]
            if cid in labels and labels[cid][0] != label:
                raise line_error(
                    path,
                    lineno,
                    f"campaign {cid!r} has label {labels[cid][0]!r} on line {labels[cid][1]}; "
                    "give a label once or repeat it exactly",
                )
            labels.setdefault(cid, (label, lineno))
        rows.append(row)
    return _labelled(rows, {cid: label for cid, (label, _) in labels.items()})


def _checked_row(path: str | Path, lineno: int, rec: dict[str, str], seen_tags: dict[str, tuple[str, int]]) -> dict:
    """One alias-table row checked (see :func:`load_aliases`; ``seen_tags``: folded tag -> (campaign, line) of
    the rows before, updated): ``campaign_id, hashtag, lang, tag_folded, note, line``. Raises
    :class:`~feedtools.errors.TableError` naming the file and line."""
    cid = rec["campaign_id"]
    tag = rec["hashtag"].lstrip("#＃").strip()
    if not cid:
        raise line_error(path, lineno, "empty campaign_id")
    if not _ID_RE.match(cid):
        raise line_error(path, lineno, f"campaign_id {cid!r} must be lower-case letters, digits, '-' or '_'")
    if not tag:
        raise line_error(path, lineno, "empty hashtag")
    if _BAD_TAG_RE.search(tag):
        raise line_error(
            path, lineno, f"hashtag {rec['hashtag']!r} is not one hashtag (no spaces, commas, '|' or inner '#')"
        )
    folded = fold_tag(tag)
    if not folded:
        raise line_error(path, lineno, f"hashtag {rec['hashtag']!r} has no letters or digits")
    if folded in seen_tags:
        other, other_line = seen_tags[folded]
        where = "this campaign" if other == cid else f"campaign {other!r}"
        raise line_error(
            path,
            lineno,
            f"hashtag {tag!r} is already listed in {where} (line {other_line}); "
            "tags are compared case- and accent-folded, list each once",
        )
    seen_tags[folded] = (cid, lineno)
    langs = [c.strip() for c in re.split(r"[|\s]+", rec.get("lang", "")) if c.strip()] or [UND]
    for code in langs:
        if code != UND and not _LANG_RE.match(code):
            raise line_error(path, lineno, f"language {code!r} is not an ISO 639 code such as 'en' or 'pt-BR'")
    return {
        "campaign_id": cid,
        "hashtag": tag,
        "lang": langs,
        "tag_folded": folded,
        "note": rec.get("note") or None,
        "line": lineno,
    }


def _labelled(rows: list[dict], labels: dict[str, str]) -> pl.DataFrame:
    """The checked rows of an alias table as a frame, each with its campaign's label: the one the table gives,
    else ``#`` + the campaign's first hashtag."""
    if not rows:
        return empty_aliases()
    first_tag: dict[str, str] = {}
    for r in rows:
        first_tag.setdefault(r["campaign_id"], "#" + r["hashtag"])
    for r in rows:
        r["label"] = labels.get(r["campaign_id"], first_tag[r["campaign_id"]])
    return pl.DataFrame(rows, schema=ALIASES_SCHEMA)


def aliases_from(path: str | Path | None) -> tuple[pl.DataFrame, str]:
    """Load the alias table at ``path`` and say which file was used: ``(aliases, description)``.

    The shipped table (:func:`default_aliases_path`) is used when ``path`` is None,
    when it is that file, and when it does not exist but names a file called like
    the shipped one (the notebooks' default ``../data/campaigns.csv`` seen from
    another folder, e.g. a report build); the description then says "shipped". A
    missing file with another name also falls back to the shipped table, and the
    description says it was not found. No shipped table either: no aliases
    (folding only), said likewise. A malformed file raises :class:`~feedtools.errors.TableError` (see
    :func:`load_aliases`).
    """
    default = default_aliases_path()

    def describe(table: pl.DataFrame, name: str) -> str:
        return f"alias table {name}: {table.height} hashtags in {table['campaign_id'].n_unique()} campaigns"

    if path is not None and Path(path).is_file() and (default is None or Path(path).resolve() != default):
        table = load_aliases(path)
        return table, describe(table, Path(path).name)
    if default is None:
        return empty_aliases(), "no alias table found: folding only, no aliases"
    table = load_aliases(default)
    note = describe(table, f"{default.name} (shipped with feedtools)")
    if path is not None and not Path(path).is_file() and Path(path).name != default.name:
        note = f"{Path(path).name} not found; {note}"
    return table, note


def _aliases(aliases: pl.DataFrame | None) -> pl.DataFrame:
    """``aliases``, or an empty alias frame for None. Raises :class:`~feedtools.errors.TableError` when the frame
    lacks the columns :func:`load_aliases` gives."""
    if aliases is None:
        return empty_aliases()
    missing = [c for c in ("campaign_id", "tag_folded") if c not in aliases.columns]
    if missing:
        raise TableError(f"alias frame lacks {missing}; build it with load_aliases()")
    return aliases
