"""The streaming driver of ``feedtools parse``: :func:`parse_to_file`.

Reader batches are enriched in slices of ``batch_rows`` (:func:`feedtools.pipeline.enrich`) and written as
Arrow IPC files to a temporary folder beside the output; only the duplicate keys
(:func:`feedtools.clean.duplicate_keys`) of the slices waiting and the distinct authors stay in memory. A row's
copy is always an earlier row, so the duplicate columns of a group of slices are known once the keys before
them are (:class:`feedtools.clean.DuplicatesSoFar`): the slices are copied into the output, their duplicate
columns filled, while the feed is still read, and their files removed: at most about 1/:data:`FLUSH_SHARE` of
the rows wait on disk. (A parsed table among the inputs that does not number its rows in increasing order makes
every slice wait; the rows are then sorted by ``position``.) Memory is bounded by the reader's batch plus the
first position of each distinct key (about 40 bytes a key), not by the feed.

:func:`parse_to_file` is re-exported by :mod:`feedtools.pipeline` (import it from there).
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Self, cast

import polars as pl

from feedtools.clean import DuplicatesSoFar, duplicate_keys, resolve_duplicates
from feedtools.enrich import CHUNK_ROWS, Enricher, warm_workers
from feedtools.feed import ParseResult, as_paths, count_repeats, feed_kind, input_entry
from feedtools.parquetfeed import is_parquet, parquet_accounting, parquet_metadata
from feedtools.rangeparse import range_batches, reads_by_range
from feedtools.readers.base import FeedMeta, InputEntry, file_sha256
from feedtools.readers.inputs import hash_soon, input_facts
from feedtools.schema import POSTS_SCHEMA, conform, empty_posts, empty_rejects
from feedtools.slicefiles import SliceFile, WrittenSlice, mapped_slice, read_slice, write_enriched

if TYPE_CHECKING:
    import pyarrow.parquet as pq

__all__ = ["BATCH_ROWS", "FLUSH_SHARE", "WARM_BYTES", "parse_to_file"]

#: Rows enriched and written at a time by :func:`parse_to_file`.
BATCH_ROWS = 200_000


def parse_to_file(
    path: str | Path | Sequence[str | Path],
    output: str | Path,
    *,
    format: str = "auto",
    languages: Sequence[str] | None = None,
    known_names: Sequence[str] = (),
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], object] | None = None,
    workers: int = 1,
    dataset: bool = False,
) -> ParseResult:
    """Read, enrich and mark duplicates like :func:`load`, streaming, and write the posts table to ``output``.

    With ``dataset=True`` or an existing folder as ``output``: a dataset folder of Parquet parts with a manifest
    of the inputs (:mod:`feedtools.dataset`; each input entry gets its SHA-256), made whole and moved into place.

    ``path`` may be one path or a list (one table, as :func:`load` makes it); an input may be a parsed posts
    Parquet file (its rows are taken as enriched; duplicates are resolved again over all inputs). The file
    written holds the same rows and values as ``load(path).posts`` written with
    :func:`feedtools.export.write_table` (format by suffix: Parquet, JSON Lines or CSV; Parquet row groups follow
    the enriched slices, at most :data:`ROW_GROUP_ROWS` rows each); a Parquet output also carries the feed's
    stats, rejects and meta in its key-value metadata (:func:`parquet_metadata`), so loading it gives back the
    same accounting. ``progress(n)`` is called after each slice of ``n`` rows is enriched. ``workers`` > 1:
    enrichment in that many processes (the main module must be import-safe). Returns a :class:`ParseResult`
    (the caller writes its rejects). Raises what :func:`load` raises, ``ValueError`` for an unknown output
    suffix (before any reading), ``OSError`` when the output cannot be written. Enriched slices wait in a
    temporary folder next to ``output`` (``.NAME.tmp-XXXXXXXX``) until their duplicate columns are known (see
    the module). ``output`` appears whole or not at all: written to a temporary file beside it and renamed
    over it when complete; on any error or interrupt the earlier file stays (:func:`feedtools.safeio.atomic_path`).
    """
    from feedtools.export import SUFFIXES
    from feedtools.safeio import atomic_path, check_suffix, temp_prefix

    paths, output = as_paths(path), Path(output)
    if dataset or output.is_dir():
        return _parse_to_dataset(
            paths,
            output,
            format=format,
            languages=languages,
            known_names=known_names,
            batch_rows=batch_rows,
            progress=progress,
            workers=workers,
        )
    kind = SUFFIXES[check_suffix(output, SUFFIXES)]  # UsageError (a ValueError) for another suffix
    warm = _start_workers(paths, workers)
    with (
        atomic_path(output) as tmp_output,  # (parent folders made)
        tempfile.TemporaryDirectory(prefix=temp_prefix(output), dir=output.parent) as tmp_dir,
        _Output(tmp_output, kind) as out,
    ):
        as_read = out if _positions_increase(paths) else None  # else every slice waits, to be sorted
        stream = _Stream(Path(tmp_dir), len(paths) > 1, batch_rows, progress, warm, as_read)
        for input_path in paths:
            stream.add_input(input_path, format, tuple(known_names), languages, workers)
        dups, in_order = stream.finish(paths)
        _write_output(stream, dups, in_order, out)
    return stream.result


#: Inputs of at least this many bytes (not counting parsed Parquet) start :func:`parse_to_file`'s worker
#: processes before reading: about :data:`feedtools.enrich.PARALLEL_MIN_ROWS` scrape items.
WARM_BYTES = 5_000_000


def _positions_increase(paths: list[Path]) -> bool:
    """Whether every input numbers its rows in increasing ``position`` order, as the readers do: a parsed table
    among them (a Parquet file or a dataset folder) is checked, its ``position`` column read. False when one
    cannot be read (its reading then says why)."""
    from feedtools.dataset import is_dataset, part_files

    for path in paths:
        files = part_files(path) if is_dataset(path) else [path] if is_parquet(path) else []
        if not files:
            continue
        try:
            positions = pl.scan_parquet(files, glob=False).select("position").collect()["position"]
        except Exception:  # noqa: BLE001 - polars raises several types for a damaged file
            return False
        if positions.null_count() or not (positions.diff().drop_nulls() > 0).all():
            return False
    return True


def _start_workers(paths: list[Path], workers: int) -> bool:
    """With ``workers`` > 1 and at least :data:`WARM_BYTES` to enrich (input files other than parsed Parquet):
    start the worker processes now, so they are ready when this process has read the first batch. Returns
    whether they were started (then every batch is shared with them, whatever its size)."""
    if workers > 1 and sum(p.stat().st_size for p in paths if p.is_file() and not is_parquet(p)) >= WARM_BYTES:
        warm_workers(workers)
        return True
    return False


@dataclass
class _Found:
    """What one input gave while it is read: its counts and meta, its own inputs (a parsed table's), the posts
    dropped as read in an earlier input (by source), their ids (several inputs) and the last position written."""

    stats: Counter[str] = field(default_factory=Counter)
    meta: FeedMeta = field(default_factory=lambda: FeedMeta())
    entries: list[InputEntry] | None = None
    repeats: Counter[str | None] = field(default_factory=Counter)  # by the rows' source (null in a foreign table)
    ids: list[pl.Series] = field(default_factory=list)
    last_position: int = -1

    def take(self, rejects: pl.DataFrame, stats: Counter[str], meta: FeedMeta, all_rejects: list[pl.DataFrame]) -> None:
        """A batch's counts and meta added; its rejects appended to ``all_rejects``."""
        self.stats.update(stats)
        self.meta.update(meta)
        all_rejects.append(rejects)


@dataclass
class _Stream:
    """What :func:`parse_to_file` gathers while it streams: the enriched slices written to ``tmp_dir``
    (``parts``), the duplicate keys, the distinct authors (for :func:`feed_kind`) and the accounting."""

    tmp_dir: Path
    several: bool  # several inputs: positions continue, a post of an earlier input is skipped
    batch_rows: int
    progress: Callable[[int], object] | None
    warm: bool = False  # the worker processes are running: every batch is shared with them
    out: _Output | None = None  # the rows come in position order: slices written to it as their duplicates are known
    result: ParseResult = field(default_factory=ParseResult)
    parts: list[SliceFile] = field(default_factory=list)  # every slice (out is None), or those waiting
    rejects: list[pl.DataFrame] = field(default_factory=list)
    keys: list[pl.DataFrame] = field(default_factory=list)  # the keys of the slices in parts
    seen: DuplicatesSoFar = field(default_factory=DuplicatesSoFar)
    duplicates: int = 0  # duplicates written (out is not None)
    who: list[pl.DataFrame] = field(default_factory=list)  # distinct author/reposter combinations
    inputs: list[InputEntry] = field(default_factory=list)
    earlier_ids: pl.Series | None = None  # post_ids of earlier inputs (several inputs only)
    offset: int = 0  # position of the current input's first row

    def add_input(self, path: Path, format: str, known_names: tuple[str, ...], languages, workers: int) -> None:
        """Read one input, enrich its batches slice by slice (unless parsed already) and write them.

        A large JSON Lines Jetstream capture is read by byte ranges, each read, enriched, keyed and written by
        whichever process is free (:mod:`feedtools.rangeparse`). Any other input: the slices are those of
        ``batch_rows`` rows of each reader batch, whoever enriched them: with ``workers`` > 1 the worker processes
        enrich a batch while this process reads the next one and writes the slices finished
        (:class:`feedtools.enrich.Enricher`)."""
        digest = None if is_parquet(path) else hash_soon(path)  # the input's SHA-256, hashed while it is read
        found = _Found()
        if not is_parquet(path) and reads_by_range(path, format):
            for written, batch_rejects, batch_stats, batch_meta in range_batches(
                path, languages=languages, workers=workers, batch_rows=self.batch_rows, out_dir=self.tmp_dir
            ):
                found.take(batch_rejects, batch_stats, batch_meta, self.rejects)
                for w in written:
                    self._add_written(w, found)
            self.warm = self.warm or workers > 1
        else:
            self._read_batches(path, format, known_names, languages, workers, found)
        self.offset += found.last_position + 1
        if self.several and found.ids:
            ids = [self.earlier_ids] if self.earlier_ids is not None else []
            self.earlier_ids = pl.concat([*ids, *found.ids])
        self._add_entries(path, found.meta, found.stats, found.entries, found.repeats, digest)

    def _read_batches(
        self, path: Path, format: str, known_names: tuple[str, ...], languages, workers: int, found: _Found
    ) -> None:
        """An input read batch by batch (:func:`_iter_input`), its batches enriched here and in the worker
        processes (:class:`feedtools.enrich.Enricher`) and written slice by slice; what it holds goes to ``found``."""
        step = max(1, self.batch_rows)

        def write(slices: Iterable[tuple[pl.DataFrame, pl.DataFrame | None]]) -> None:
            for part, keys in slices:
                self._write_part(part, keys, found)
                del part, keys

        with Enricher(workers, languages, backlog=max(step, CHUNK_ROWS), warm=self.warm) as enricher:
            for posts, batch_rejects, batch_stats, batch_meta, enriched in _iter_input(
                path, format, known_names, self.batch_rows
            ):
                found.take(batch_rejects, batch_stats, batch_meta, self.rejects)
                if enriched and batch_meta.get("inputs"):  # a parsed table's own inputs come with its first slice
                    found.entries = batch_meta["inputs"]
                if enriched:  # a parsed table: written as it is (its keys computed when written)
                    write((posts.slice(start, step), None) for start in range(0, posts.height, step))
                else:  # the keys come from the process that enriched the rows
                    enricher.put(posts, step)
                    write(enricher.results())
                del posts
                _release_arrow_memory()
            write(enricher.results(final=True))
        self.warm = enricher.warm

    def _write_part(self, part: pl.DataFrame, keys: pl.DataFrame | None, found: _Found) -> None:
        """One enriched slice: earlier inputs' posts dropped (counted in ``found.repeats``), keys kept, rows
        written. ``keys``: the slice's duplicate keys (:func:`duplicate_keys`) when already computed, else None."""
        if part.height:
            found.last_position = max(found.last_position, int(cast(int, part["position"].max())))
        if self.earlier_ids is not None:
            rep = part["post_id"].is_in(self.earlier_ids.implode()).fill_null(False)
            if rep.any():
                found.repeats.update(dict(part.filter(rep)["source"].value_counts().iter_rows()))
                part = part.filter(~rep)
                keys = None if keys is None else keys.filter(~rep)
        if self.several:
            part = part.with_columns(pl.col("position") + self.offset)
            keys = None if keys is None else keys.with_columns(pl.col("position") + self.offset)
            found.ids.append(part["post_id"].drop_nulls())
        keys = duplicate_keys(part) if keys is None else keys
        self._add(write_enriched(part, keys, self.tmp_dir / f"{len(self.parts):06d}.arrow"))

    def _add_written(self, written: WrittenSlice, found: _Found) -> None:
        """A slice a range's process wrote (:mod:`feedtools.rangeparse`), positions counted from this input's start:
        kept as it is, or, with several inputs, read back and written again by :meth:`_write_part` (posts of
        earlier inputs dropped, positions moved on)."""
        if self.several:
            self._write_part(read_slice(written.file), written.keys, found)
            written.file.path.unlink()
            return
        if written.rows:
            found.last_position = max(found.last_position, written.file.shift + written.rows - 1)
        self._add(written)

    def _add(self, written: WrittenSlice) -> None:
        """A slice written: its file, keys and authors kept, its rows counted; with an output written as the
        rows come, the slices waiting go to it once they hold 1/:data:`FLUSH_SHARE` of the rows written."""
        self.keys.append(written.keys)
        self.who.append(written.who)
        self.result.rows += written.rows
        self.result.reposts += written.reposts
        self.result.placeholders += written.placeholders
        self.parts.append(written.file)
        if self.out is not None and sum(k.height for k in self.keys) * FLUSH_SHARE >= self.out.rows:
            self._flush()
        if self.progress is not None:
            self.progress(written.rows)

    def _flush(self) -> None:
        """The slices waiting written to the output, their duplicate columns resolved against every row before
        them (:class:`DuplicatesSoFar`), and their files removed."""
        if self.out is None or not self.parts:
            return
        keys = pl.concat(self.keys, how="vertical")
        dups = self.seen.resolve(keys).drop("position")
        del keys
        self.duplicates += int(dups["duplicate_of"].is_not_null().sum())
        _write_parts(self.out, self.parts, dups)
        for part in self.parts:
            part.path.unlink()
        self.parts, self.keys = [], []

    def _add_entries(
        self,
        path: Path,
        meta: FeedMeta,
        stats: Counter[str],
        entries: list[InputEntry] | None,
        repeats: Counter[str | None],
        digest: Callable[[], str] | None = None,
    ) -> None:
        """The input's entries in ``meta["inputs"]`` (a parsed file's own, else one), repeats moved to skipped;
        ``digest`` gives the input's SHA-256 (:func:`~feedtools.readers.inputs.hash_soon`)."""
        if not entries:
            meta.update(input_facts(path, meta, digest=digest))  # sha256 too: provenance carried by a Parquet output
            entries = [input_entry(meta, stats, -1)]
        entries = [{**e, "stats": dict(e["stats"])} for e in entries]
        for entry in entries:
            n = repeats.pop(entry["source"], 0)
            if n:
                count_repeats(entry, n)
        if repeats:
            count_repeats(entries[-1], sum(repeats.values()))
        self.inputs += entries
        if not self.several:
            self.result.meta = meta

    def finish(self, paths: list[Path]) -> tuple[pl.DataFrame | None, bool]:
        """Totals, the whole-feed step on the keys, and the feed's meta. Returns the duplicate columns of every
        row written (None when there is none) and whether the rows were written in ``position`` order."""
        result = self.result
        result.rejects = pl.concat(self.rejects, how="vertical") if self.rejects else empty_rejects()
        for entry in self.inputs:
            result.stats.update({k: v for k, v in entry["stats"].items() if k != "duplicates"})
        dups, in_order = None, True
        if self.out is not None:  # written as the rows came
            self._flush()
            result.stats["duplicates"] = self.duplicates
        elif not self.parts:
            result.stats["duplicates"] = 0
        else:  # the whole-feed step, on the keys only
            all_keys = pl.concat(self.keys)
            self.keys = []
            in_order = bool(all_keys["position"].is_sorted())
            dups = resolve_duplicates(all_keys).drop("position")
            del all_keys
            result.stats["duplicates"] = int(dups["duplicate_of"].is_not_null().sum())
        if self.several:
            formats = sorted({str(e["format"]) for e in self.inputs})
            result.meta = {
                "format": formats[0] if len(formats) == 1 else "mixed",
                "source": ", ".join(str(e["source"]) for e in self.inputs),
                "unit": "lines" if all(e.get("unit") == "lines" for e in self.inputs) else "records",
            }
        else:
            result.meta = {**result.meta, **input_facts(paths[0], result.meta, sha256=False)}
        for entry in self.inputs:
            if entry.get("rows", -1) < 0:
                entry["rows"] = int(entry["stats"].get("posts", 0))
        result.meta["inputs"] = self.inputs
        result.meta = {**result.meta, **feed_kind(pl.concat(self.who).unique() if self.who else empty_posts())}
        return dups, in_order


def _release_arrow_memory() -> None:
    """Give the Arrow memory pool's unused memory back to the system (it keeps freed blocks for reuse)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _write_output(stream: _Stream, dups: pl.DataFrame | None, in_order: bool, out: _Output) -> None:
    """The output finished with the feed's accounting (in a Parquet output's metadata): the slices waiting written
    with the duplicate columns ``dups`` (None when written already, or when no row was read: then an empty table
    with its columns), or, when ``in_order`` is false, every slice read back and sorted by ``position``."""
    result = stream.result
    metadata = parquet_metadata(result.stats, result.meta, result.rejects)
    if dups is not None and in_order:
        _write_parts(out, stream.parts, dups)
    elif dups is not None:  # a parsed table that does not number its rows in order: sorted in memory
        posts = pl.concat([read_slice(p) for p in stream.parts], how="vertical")
        out.finish(metadata, whole=conform(posts.with_columns(dups)).sort("position"))
        return
    out.finish(metadata)


def _write_parts(out: _Output, parts: list[SliceFile], dups: pl.DataFrame) -> None:
    """The slices ``parts`` written to ``out`` in turn, with the duplicate columns ``dups`` (their rows, in order)."""
    offset = 0
    for part in parts:
        offset += out.write(part, dups.slice(offset))


def _parse_to_dataset(paths: list[Path], output: Path, **options) -> ParseResult:
    """:func:`parse_to_file` into a dataset folder: one Parquet file in a temporary folder beside ``output``,
    split into parts with the manifest (:func:`feedtools.dataset.write_parts`)."""
    from feedtools.dataset import write_parts

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{output.name}.", dir=output.parent) as tmp:
        single = Path(tmp) / "posts.parquet"
        result = parse_to_file(paths if len(paths) > 1 else paths[0], single, **options)
        by_name = {p.name: p for p in paths}
        for entry in result.meta.get("inputs", []):
            src = by_name.get(str(entry.get("source")))
            if entry.get("sha256") is None and src is not None and src.exists():
                entry["sha256"] = file_sha256(src)
        if len(paths) == 1 and result.meta.get("sha256") is None and paths[0].exists():
            result.meta["sha256"] = file_sha256(paths[0])
        write_parts(single, output, result.stats, result.meta, result.rejects)
    return result


def _iter_input(path: Path, format: str, known_names: tuple[str, ...], batch_rows: int):
    """Batches of one input as ``(posts, rejects, stats, meta, enriched)``: a reader's batches
    (not yet enriched), or a parsed Parquet file's rows in slices (enriched; its stats,
    rejects and meta come with the first slice)."""
    from feedtools.dataset import dataset_accounting, is_dataset, iter_dataset_batches

    if is_dataset(path):
        feed_meta = dataset_accounting(path)
        first = True
        for posts in iter_dataset_batches(path, batch_rows):
            yield (
                posts,
                (feed_meta.rejects if first else empty_rejects()),
                (feed_meta.stats if first else Counter()),
                (feed_meta.meta if first else {}),
                True,
            )
            first = False
        if first:
            yield empty_posts(), feed_meta.rejects, feed_meta.stats, feed_meta.meta, True
        return
    if is_parquet(path):
        import pyarrow.parquet as pq

        feed_meta = parquet_accounting(path)
        first = True
        try:
            for batch in pq.ParquetFile(path).iter_batches(batch_size=max(1, batch_rows)):
                posts = conform(cast(pl.DataFrame, pl.from_arrow(batch)))  # a record batch gives a DataFrame
                if first:
                    yield posts, feed_meta.rejects, feed_meta.stats, feed_meta.meta, True
                    first = False
                else:
                    yield posts, empty_rejects(), Counter(), {}, True
        except Exception as e:  # noqa: BLE001 - polars/pyarrow raise several types for a damaged file
            from feedtools.readers import FeedError

            raise FeedError(f"{path.name}: a Parquet file that cannot be read ({type(e).__name__})") from None
        if first:
            yield empty_posts(), feed_meta.rejects, feed_meta.stats, feed_meta.meta, True
        return
    from feedtools import readers  # looked up at call time (a test may count the reads)

    for result in readers.iter_read(path, format, known_names=known_names):
        posts, result.posts = result.posts, empty_posts()  # the batch lets go of its rows
        yield posts, result.rejects, result.stats, result.meta, False


#: Most rows in one row group of a Parquet output (a slice of more rows is split).
ROW_GROUP_ROWS = 100_000

#: Slices wait until they hold at least 1/FLUSH_SHARE of the rows written so far, then are written to the output
#: together: the earlier keys are looked up once per group of slices (:class:`DuplicatesSoFar`), and at most
#: about 1/FLUSH_SHARE of the rows are left to write once the last slice is read.
FLUSH_SHARE = 8


class _Output:
    """The output file of :func:`parse_to_file`, written slice by slice in ``position`` order: Parquet row groups
    of at most :data:`ROW_GROUP_ROWS` rows (zstd, statistics; pyarrow's writer, which writes a table's row groups
    as they come, where polars' streaming sink gathers 100 000 rows of every column and held about 3x the slice's
    rows at once), JSON lines or CSV rows. Only one slice is in memory at a time. :meth:`finish` adds the feed's
    accounting (a Parquet file's key-value metadata) and closes it."""

    def __init__(self, path: Path, kind: str) -> None:
        self.path, self.kind = path, kind
        self.rows = 0  # rows written
        self._writer: pq.ParquetWriter | None = None  # the Parquet writer, once a slice is written
        self._file: BinaryIO | None = None  # the JSON Lines or CSV file, once a slice is written

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        try:
            self._close()
        except Exception:
            if exc_type is None:  # else the error that ended the run is the one to report
                raise

    def write(self, part: SliceFile, dups: pl.DataFrame) -> int:
        """The rows of ``part`` written with ``duplicate_of`` and ``duplicate_kind`` from the first rows of ``dups``;
        returns their number."""
        if self.kind == "parquet":
            return self._write_parquet(part, dups)
        from feedtools.export import csv_safe

        chunk = read_slice(part)
        chunk = conform(chunk.with_columns(dups.slice(0, chunk.height)))
        if self._file is None:
            self._file = open(self.path, "wb")  # noqa: SIM115 - closed by finish, or on leaving
            header = True
        else:
            header = False
        if self.kind == "jsonl":
            chunk.write_ndjson(self._file)
        else:
            csv_safe(chunk).write_csv(self._file, include_header=header)
        self.rows += chunk.height
        return chunk.height

    def _write_parquet(self, part: SliceFile, dups: pl.DataFrame) -> int:
        """:meth:`write` for a Parquet output: the slice mapped, its duplicate columns replaced, written as row groups."""
        import pyarrow.parquet as pq

        schema = _parquet_schema()
        if self._writer is None:  # no dictionary pages: on distinct texts they are written, then abandoned, and
            self._writer = pq.ParquetWriter(  # the file is 1.5x larger
                self.path, schema, compression="zstd", write_statistics=True, use_dictionary=False
            )
        table = mapped_slice(part).cast(schema)  # list items named as polars names them (no copy)
        for name in ("duplicate_of", "duplicate_kind"):
            i = table.schema.get_field_index(name)
            values = dups[name].slice(0, table.num_rows).to_arrow().cast(table.schema.field(i).type)
            table = table.set_column(i, table.schema.field(i), values)
        for start in range(0, table.num_rows, ROW_GROUP_ROWS):  # row groups whole: the bytes do not depend
            self._writer.write_table(table.slice(start, ROW_GROUP_ROWS).combine_chunks())  # on how rows were chunked
        self.rows += table.num_rows
        return table.num_rows

    def finish(self, metadata: dict[str, str], whole: pl.DataFrame | None = None) -> None:
        """The file closed with ``metadata`` (Parquet). When no slice was written: ``whole`` written at once, or an
        empty table with the posts table's columns."""
        if self._writer is None and self._file is None:
            posts = conform(pl.DataFrame(schema=POSTS_SCHEMA)) if whole is None else whole
            if self.kind == "parquet":
                posts.write_parquet(
                    self.path, compression="zstd", statistics=True, row_group_size=ROW_GROUP_ROWS, metadata=metadata
                )
            elif self.kind == "jsonl":
                posts.write_ndjson(self.path)
            else:
                from feedtools.export import csv_safe

                csv_safe(posts).write_csv(self.path)
            return
        if self._writer is not None and metadata:
            self._writer.add_key_value_metadata(metadata)
        self._close()

    def _close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._file is not None:
            self._file.close()
            self._file = None


@cache
def _parquet_schema():
    """The Arrow schema of the posts table as polars writes it to Parquet (list items named ``element``), without
    key-value metadata: the schema the output carries, whatever wrote the slices."""
    import io

    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pl.DataFrame(schema=POSTS_SCHEMA).write_parquet(buffer)
    buffer.seek(0)
    return pq.read_schema(buffer).remove_metadata()
