"""A parsed feed as a folder of Parquet parts (a dataset), and inputs given as folders or globs.

A dataset folder holds the canonical posts table split into Parquet parts (any
depth, so a hive-partitioned layout such as ``date=2024-05-01/part-0.parquet``
reads too) and, when written by feedtools (``feedtools parse -o DIR/`` or
:func:`feedtools.spark.write`), a manifest :data:`MANIFEST` with the inputs (names,
sizes, SHA-256, record accounting per input), the feed's stats, rejects and meta,
and each part's name and row count. Files whose name starts with ``_`` or ``.``
are not parts (Spark's convention: ``_SUCCESS``, ``_feedtools.json``).

A folder is recognised by content (:func:`is_dataset`): it holds at least one
file starting with the Parquet magic and no fetch-folder ``manifest.json``.
"""

from __future__ import annotations

import glob as _glob
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import polars as pl

from feedtools.readers.base import FeedMeta
from feedtools.schema import POSTS_SCHEMA, conform, empty_rejects

__all__ = [
    "MANIFEST",
    "PART_ROWS",
    "dataset_accounting",
    "expand_inputs",
    "is_dataset",
    "iter_dataset_batches",
    "manifest_doc",
    "part_files",
    "read_dataset",
    "scan_dataset",
    "write_dataset_manifest",
    "write_parts",
]

#: Name of the manifest inside a dataset folder (leading ``_``: Spark and polars globs skip it).
MANIFEST = "_feedtools.json"
#: Rows per part file written by ``feedtools parse -o DIR/``.
PART_ROWS = 500_000

_GLOB_CHARS = set("*?[")


def _is_part_name(name: str) -> bool:
    return not name.startswith(("_", "."))


def part_files(folder: str | Path) -> list[Path]:
    """The Parquet part files of a dataset folder, at any depth, sorted by path (content-checked: ``PAR1``).

    Files and folders whose name starts with ``_`` or ``.`` are skipped.
    """
    from feedtools.parquetfeed import is_parquet

    folder = Path(folder)
    out = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if _is_part_name(d))
        for name in sorted(files):
            p = Path(root) / name
            if _is_part_name(name) and is_parquet(p):
                out.append(p)
    return sorted(out, key=lambda p: p.relative_to(folder).as_posix())


def is_dataset(path: str | Path) -> bool:
    """True when ``path`` is a folder of Parquet parts (decided by content; a fetch folder is not one)."""
    path = Path(path)
    if not path.is_dir() or (path / "manifest.json").is_file():
        return False
    if (path / MANIFEST).is_file():
        return True
    return bool(part_files(path))


def expand_inputs(paths: Sequence[str | Path]) -> list[Path]:
    """Inputs as given on a command line, expanded: a glob pattern (quoted, so the shell left it) becomes the
    files it matches, sorted; a plain folder (not a fetch folder, not a dataset) becomes the files in it,
    sorted by name (hidden files skipped). Other paths are kept as they are (missing ones too, so the reader
    reports them). Raises :class:`FeedError` for a pattern that matches nothing or an empty folder."""
    from feedtools.readers import FeedError

    out: list[Path] = []
    for raw in paths:
        text = str(raw)
        p = Path(text)
        if not p.exists() and _GLOB_CHARS & set(text):
            matches = sorted(Path(m) for m in _glob.glob(text, recursive=True) if Path(m).is_file())
            if not matches:
                raise FeedError(f"{text}: no file matches this pattern")
            out += matches
        elif p.is_dir() and not (p / "manifest.json").is_file() and not is_dataset(p):
            files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
            if not files:
                raise FeedError(f"{p.name}: an empty folder (no feed file inside)")
            out += files
        else:
            out.append(p)
    return out


def manifest_doc(
    stats: Counter[str] | dict[str, int], meta: FeedMeta, rejects: pl.DataFrame, parts: list[dict]
) -> dict:
    """The manifest written into a dataset folder: the Parquet metadata document of
    :func:`feedtools.pipeline.parquet_metadata` plus ``parts`` (``file``, ``rows``)."""
    from feedtools.parquetfeed import PARQUET_META_KEY, parquet_metadata

    doc = json.loads(parquet_metadata(stats, meta, rejects)[PARQUET_META_KEY])
    doc["kind"] = "feedtools posts dataset"
    doc["parts"] = parts
    return doc


def write_dataset_manifest(folder: Path, doc: dict) -> None:
    """Write ``doc`` as the folder's :data:`MANIFEST` (sorted keys, so the same feed gives the same bytes)."""
    (Path(folder) / MANIFEST).write_text(
        json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1, default=str) + "\n", encoding="utf-8"
    )


def write_parts(
    source: Path,
    output: Path,
    stats: Counter[str] | dict[str, int],
    meta: FeedMeta,
    rejects: pl.DataFrame,
    part_rows: int = PART_ROWS,
) -> None:
    """Split the posts Parquet file ``source`` into parts of ``part_rows`` rows in the folder ``output``
    with its manifest, streaming (one part in memory at a time).

    The folder is built beside ``output`` and moved into place at the end (a run that fails leaves no
    half-written dataset); an existing ``output`` folder is replaced only when it is a dataset or empty.
    Raises ``OSError`` when ``output`` exists and is something else.
    """
    import pyarrow.parquet as pq

    from feedtools.readers.base import file_sha256

    output = Path(output)
    if output.exists() and not (output.is_dir() and (is_dataset(output) or not any(output.iterdir()))):
        raise OSError(f"{output}: exists and is not a feedtools dataset folder; not replaced")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        parts: list[dict] = []
        pf = pq.ParquetFile(source)
        for batch in pf.iter_batches(batch_size=part_rows):
            name = f"part-{len(parts):05d}.parquet"
            frame = conform(cast(pl.DataFrame, pl.from_arrow(batch)))  # a record batch gives a DataFrame
            frame.write_parquet(tmp / name, compression="zstd", statistics=True, row_group_size=100_000)
            parts.append({"file": name, "rows": frame.height, "sha256": file_sha256(tmp / name)})
            del frame
        if not parts:  # an empty table still has its columns
            conform(pl.DataFrame(schema=POSTS_SCHEMA)).write_parquet(tmp / "part-00000.parquet")
            parts.append({"file": "part-00000.parquet", "rows": 0, "sha256": file_sha256(tmp / "part-00000.parquet")})
        write_dataset_manifest(tmp, manifest_doc(stats, meta, rejects, parts))
        if output.exists():
            old = output.with_name(f".{output.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(output, old)
            os.replace(tmp, output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def scan_dataset(folder: str | Path) -> pl.LazyFrame:
    """The posts of a dataset folder as a lazy frame in the canonical schema (parts in path order; hive
    partition columns that are posts columns are taken, others ignored). Raises :class:`FeedError` when the
    folder has no part or a part is not a posts table."""
    from feedtools.readers import FeedError

    folder = Path(folder)
    files = part_files(folder)
    if not files:
        raise FeedError(f"{folder.name}: a dataset folder without Parquet parts")
    try:
        lf = pl.scan_parquet(files, hive_partitioning=True)
        names = lf.collect_schema().names()
    except Exception as e:  # noqa: BLE001 - polars/pyarrow raise several types for damaged parts
        raise FeedError(f"{folder.name}: its Parquet parts cannot be read together ({type(e).__name__})") from None
    missing = [c for c in POSTS_SCHEMA if c not in names]
    if missing:
        raise FeedError(
            f"{folder.name}: a folder of Parquet parts, but not a feedtools posts table "
            f"({len(missing)} columns missing)"
        )
    return lf.select([pl.col(c).cast(t) for c, t in POSTS_SCHEMA.items()])


def dataset_accounting(folder: str | Path):
    """A dataset folder's stats, rejects and meta as a :class:`feedtools.pipeline.Feed` with empty ``posts``,
    from its manifest (without one: ``records = posts = rows`` of the parts' footers and
    ``meta["accounting"] = "not recorded"``). Raises :class:`FeedError` for a damaged manifest or part."""
    import pyarrow.parquet as pq

    from feedtools.feed import Feed, input_entry
    from feedtools.readers import FeedError
    from feedtools.schema import empty_posts

    folder = Path(folder)
    manifest = folder / MANIFEST
    if manifest.is_file():
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
            stats = Counter({str(k): int(v) for k, v in doc["stats"].items()})
            meta = cast(FeedMeta, dict(doc["meta"]))  # written by manifest_doc from a FeedMeta
            rejects = (
                pl.DataFrame(doc["rejects"], schema=empty_rejects().schema, orient="row")
                if doc["rejects"]
                else empty_rejects()
            )
            rows = sum(int(p.get("rows", 0)) for p in doc.get("parts", []))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise FeedError(f"{folder.name}: its {MANIFEST} is damaged ({type(e).__name__})") from None
        if "inputs" not in meta:
            meta["inputs"] = [input_entry(meta, stats, rows)]
        return Feed(posts=empty_posts(), rejects=rejects, stats=stats, meta=meta)
    files = part_files(folder)
    try:
        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in files)
    except Exception as e:  # noqa: BLE001 - polars/pyarrow raise several types for damaged parts
        raise FeedError(f"{folder.name}: a Parquet part cannot be read ({type(e).__name__})") from None
    stats = Counter({"records": rows, "posts": rows, "rejected": 0, "skipped": 0})
    meta = {
        "format": "unknown",
        "source": folder.name,
        "unit": "records",
        "sha256": None,
        "size_bytes": sum(p.stat().st_size for p in files),
        "accounting": "not recorded",
    }
    meta["inputs"] = [input_entry(meta, stats, rows)]
    return Feed(posts=empty_posts(), rejects=empty_rejects(), stats=stats, meta=meta)


def iter_dataset_batches(folder: str | Path, batch_rows: int):
    """The posts of a dataset folder in canonical frames of at most ``batch_rows`` rows, part after part."""
    import pyarrow.parquet as pq

    from feedtools.readers import FeedError

    folder = Path(folder)
    scan_dataset(folder)  # checks the columns (FeedError)
    for p in part_files(folder):
        try:
            batches = list(pq.ParquetFile(p).iter_batches(batch_size=max(1, batch_rows))) or []
        except Exception as e:  # noqa: BLE001 - pyarrow raises several types for a damaged part
            raise FeedError(f"{folder.name}: a Parquet part cannot be read ({type(e).__name__})") from None
        for batch in batches:
            frame = cast(pl.DataFrame, pl.from_arrow(batch))  # a record batch gives a DataFrame
            yield conform(frame.select(list(POSTS_SCHEMA)))


def read_dataset(folder: str | Path):
    """A :class:`feedtools.pipeline.Feed` from a dataset folder: rows sorted by ``position``; stats, rejects
    and meta from its manifest (see :func:`dataset_accounting`). Raises :class:`FeedError` for an
    unreadable folder or manifest."""
    from feedtools.readers import FeedError

    folder = Path(folder)
    feed = dataset_accounting(folder)
    try:
        posts = conform(scan_dataset(folder).collect())
    except FeedError:
        raise
    except Exception as e:  # noqa: BLE001 - polars/pyarrow raise several types for damaged parts
        raise FeedError(f"{folder.name}: a Parquet part cannot be read ({type(e).__name__})") from None
    if not posts["position"].is_sorted():
        posts = posts.sort("position")
    feed.posts = posts
    if feed.meta.get("accounting") == "not recorded":
        feed.stats["duplicates"] = int(posts["duplicate_of"].is_not_null().sum())
        formats = posts["source_format"].drop_nulls().unique().sort().to_list()
        feed.meta["format"] = formats[0] if len(formats) == 1 else ("mixed" if formats else "unknown")
    return feed
