"""The package's main job: run the ordered notebooks on a feed and publish self-contained HTML reports.

``build_reports(feed, out)`` executes every ``notebooks/NN_*.py`` (jupytext
``py:percent``) in order, with the feed injected as a parameter, renders each to one
HTML page, and writes ``index.html`` linking them with the feed's headline figures.

What the pages guarantee:

* **Self-contained.** Charts (the ``feedtools`` renderer, :mod:`feedtools.charts.render`:
  interactive, with tooltips) find the Vega, Vega-Lite and Vega-Embed libraries the
  page carries once, inline (``vl_convert.javascript_bundle()``). nbconvert's CDN tags (require.js, MathJax,
  Mermaid, widgets) are left out of the template. :func:`external_references` finds
  anything that would still be fetched; a page with any is not written.
* **Parsed once, never run.** The feed is parsed once per build into a Parquet
  file (a cache keyed by the inputs' SHA-256) that every notebook opens by its absolute
  path; the notebooks' working folder holds no file of the user's, so a feed named
  ``feedtools.py`` or ``polars.py`` is read as data and never imported.
* **No machine paths.** The notebook runs in a scratch copy of the project's layout
  (links), so ``../data/…`` paths in notebooks still resolve; outputs are scrubbed of
  the scratch folder, the cache folder, the feed's folder, the repository and the
  Python environment's paths.
* **Deterministic.** Chart ids are renumbered (``altair-viz-1``…), no timings
  or run dates are recorded, and a cell's consecutive prints are merged into one
  output (:func:`coalesce_streams`) however the kernel happened to split them.
* **Escaped.** Untrusted text reaches the page only through escaped table cells,
  plain-text outputs and script-safe chart data (see :mod:`feedtools.charts`).

The page's HTML apart from nbconvert (CSS, table script, Vega head, chart ids, outside references, the
index page) is in :mod:`feedtools.report_html`; the parsed-feed cache in :mod:`feedtools.report_cache`. Both
need no extra; their public names are importable from here as before.

Errors are :class:`ReportError` (a :class:`~feedtools.errors.FeedtoolsError`) with a one-line message naming the
notebook and the failing cell, or :class:`feedtools.FeedError` for a feed that cannot
be read or has no posts.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from feedtools.extras import require

require("report", "building reports (feedtools.report)")  # one line naming the extra when it is missing

import nbformat
from nbformat import NotebookNode

from feedtools.readers import FeedError
from feedtools.report_cache import (
    DEFAULT_CACHE,
    cached_feed_path,  # noqa: F401  (re-exported: its old home)
    load_cached,
)
from feedtools.report_html import (
    PAGE_CSS,
    TABLE_SCRIPT,
    TEMPLATE,
    external_references,
    index_html,
    renumber_chart_ids,
    table_script,
    vega_head,
)
from feedtools.safeio import atomic_open, staged_folder, terminal_safe

__all__ = [
    "NOTEBOOK_PATTERN",
    "TABLE_SCRIPT",
    "ReportError",
    "build_reports",
    "coalesce_streams",
    "execute_notebook",
    "external_references",
    "find_notebooks",
    "inject_parameters",
    "notebook_parameters",
    "notebook_title",
    "read_notebook",
    "render_html",
    "update_notebooks",
]

#: Notebook sources: two digits, an underscore, a name, ``.py`` (jupytext py:percent).
NOTEBOOK_PATTERN = re.compile(r"^\d{2}_[A-Za-z0-9][A-Za-z0-9_-]*\.py$")
from feedtools.errors import ReportError
from feedtools.paths import NOTEBOOKS as DEFAULT_NOTEBOOKS
from feedtools.paths import ROOT
from feedtools.paths import SEED as DEFAULT_FEED

CELL_TIMEOUT = 1800  # seconds per cell: generous, for a million-post feed


# --- notebooks --------------------------------------------------------------------------------------------------


def find_notebooks(directory: str | Path = DEFAULT_NOTEBOOKS) -> list[Path]:
    """The notebook sources in ``directory`` (``NN_name.py``), in order of their names.

    Raises :class:`ReportError` when the folder is missing or holds none.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ReportError(f"notebooks folder not found: {directory.name or directory}")
    found = sorted(p for p in directory.iterdir() if p.is_file() and NOTEBOOK_PATTERN.match(p.name))
    if not found:
        raise ReportError(f"no notebooks (NN_name.py) in {directory.name}")
    return found


def read_notebook(path: str | Path) -> NotebookNode:
    """Read a ``py:percent`` notebook source (or an ``.ipynb``) as a notebook, without outputs for ``.py``.

    Cells of a ``.py`` source get ids derived from their content (stable across runs).
    """
    import jupytext

    path = Path(path)
    try:
        nb = jupytext.read(path)
    except Exception as e:  # jupytext raises several types for a malformed file
        raise ReportError(f"{path.name}: cannot be read as a notebook: {_first_line(str(e))}") from e
    if path.suffix == ".py":  # ids from content, not random: regenerated notebooks diff cleanly
        seen: dict[str, int] = {}
        for cell in nb.cells:
            digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode()).hexdigest()[:8]
            seen[digest] = seen.get(digest, 0) + 1
            cell["id"] = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    return nb


def _parameters_cells(nb: NotebookNode) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]


def notebook_parameters(nb: NotebookNode, name: str = "notebook") -> dict[str, Any]:
    """The defaults of the notebook's one ``parameters`` cell, as a dict.

    The cell must hold only assignments of literals (``name = "text"``, numbers,
    ``None``, lists…). Raises :class:`ReportError` when there is no such cell, more
    than one, or a statement that is not a literal assignment.
    """
    cells = _parameters_cells(nb)
    if len(cells) != 1:
        raise ReportError(f"{name}: needs exactly one cell tagged 'parameters', found {len(cells)}")
    source = nb.cells[cells[0]].source
    try:
        tree = ast.parse(source)
    except SyntaxError as e:
        raise ReportError(f"{name}: parameters cell is not valid Python: {e.msg}") from e
    values: dict[str, Any] = {}
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            raise ReportError(f"{name}: parameters cell line {stmt.lineno} is not a simple assignment")
        try:
            values[stmt.targets[0].id] = ast.literal_eval(stmt.value)
        except ValueError as e:
            raise ReportError(f"{name}: parameter {stmt.targets[0].id!r} is not a literal") from e
    return values


def inject_parameters(nb: NotebookNode, values: dict[str, Any], name: str = "notebook") -> NotebookNode:
    """A copy of ``nb`` with a cell tagged ``injected-parameters`` after its parameters cell.

    Only names the parameters cell declares are injected (others are ignored, so one
    set of report options serves notebooks with different parameters).
    """
    declared = notebook_parameters(nb, name)
    lines = [f"{k} = {v!r}" for k, v in values.items() if k in declared]
    out = copy.deepcopy(nb)
    if not lines:
        return out
    cell = nbformat.v4.new_code_cell("# Parameters injected by `feedtools report`\n" + "\n".join(lines))
    cell.metadata["tags"] = ["injected-parameters"]
    cell["id"] = "injected-parameters"
    out.cells.insert(_parameters_cells(out)[0] + 1, cell)
    return out


def notebook_title(nb: NotebookNode, default: str) -> str:
    """The text of the notebook's first Markdown heading, else ``default``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return default


def _first_line(text: str, limit: int = 300) -> str:
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def execute_notebook(
    nb: NotebookNode, cwd: str | Path, name: str = "notebook", scrub: Sequence[str] = ()
) -> NotebookNode:
    """Execute ``nb`` (a copy) with its working directory ``cwd`` and return it with outputs.

    No timings are recorded. ``scrub`` lists strings (paths) replaced by ``.`` in the
    outputs. Raises :class:`ReportError` naming the notebook, the failing cell (its
    number among code cells and first line) and the error type and message, in one line.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    out = copy.deepcopy(nb)
    kernel = out.metadata.get("kernelspec", {}).get("name", "python3")
    try:
        with tempfile.TemporaryDirectory(prefix="feedtools-kernel-") as sockets:
            # Local sockets in a private folder: no open TCP ports, no sockets left in the working directory.
            config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "kernel")}})
            client = NotebookClient(
                out,
                kernel_name=kernel,
                timeout=CELL_TIMEOUT,
                resources={"metadata": {"path": str(cwd)}},
                record_timing=False,
                config=config,
            )
            # No progress widgets in built reports: nobody watches them, and they would leave stale text behind.
            client.execute(env={**os.environ, "FEEDTOOLS_PROGRESS": "0"})
    except CellExecutionError as e:
        message = _first_line(_scrub(e.evalue, scrub))
        raise ReportError(f"{name}: {_failing_cell(out)} raised {e.ename}: {message}") from None
    except CellTimeoutError:
        raise ReportError(f"{name}: {_failing_cell(out)} timed out after {CELL_TIMEOUT} s") from None
    except DeadKernelError as e:
        raise ReportError(f"{name}: the kernel died ({_first_line(str(e))})") from None
    coalesce_streams(out)
    _scrub_outputs(out, scrub)
    return out


def coalesce_streams(nb: NotebookNode) -> NotebookNode:
    """Merge consecutive stream outputs of the same stream (stdout, stderr) of each cell into one, in place.

    How a cell's prints are split into messages depends on the kernel's flush timing,
    so on a loaded machine one ``print`` can arrive as two outputs (and would render
    as two ``<pre>`` blocks). Coalescing makes stored notebooks and pages independent
    of that timing. Carriage-return overwrites inside a stream are applied as a
    terminal would (nbconvert's ``CoalesceStreamsPreprocessor``). Returns ``nb``.
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    CoalesceStreamsPreprocessor().preprocess(nb, {})
    return nb


def _failing_cell(nb: NotebookNode) -> str:
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "injected-parameters" not in cell.metadata.get("tags", []):
            number += 1
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            first = _first_line(cell.source, 80)
            return f"code cell {number} ({first})"
    return "a cell"


def _scrub(text: str, scrub: Sequence[str]) -> str:
    for s in sorted({s for s in scrub if s}, key=len, reverse=True):
        text = text.replace(s + os.sep, "").replace(s, ".")
    return text


def _scrub_outputs(nb: NotebookNode, scrub: Sequence[str]) -> None:
    if not scrub:
        return
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if "text" in o:
                o["text"] = _scrub(o["text"], scrub)
            for mime, value in o.get("data", {}).items():
                if isinstance(value, str):
                    o["data"][mime] = _scrub(value, scrub)
            if "traceback" in o:
                o["traceback"] = [_scrub(t, scrub) for t in o["traceback"]]


def _machine_paths(*extra: str | Path) -> list[str]:
    """Paths that must not appear in outputs: the repository, the Python environment, home, and ``extra``."""
    paths = [str(ROOT), sys.prefix, sys.base_prefix, str(Path.home()), *map(str, extra)]
    return [p for p in paths if p and p != os.sep]


# --- HTML -------------------------------------------------------------------------------------------------------


def _html_outputs(nb: NotebookNode) -> list[str]:
    """The ``text/html`` of every output of ``nb`` ('' for outputs without one), in order."""
    return [str(o.get("data", {}).get("text/html", "")) for cell in nb.cells for o in cell.get("outputs", [])]


def render_html(nb: NotebookNode, title: str, show_code: bool = False) -> str:
    """One self-contained HTML page for an executed notebook.

    Code cells are hidden unless ``show_code``; input and output prompts always are.
    Stream outputs are coalesced first (:func:`coalesce_streams`). Text wraps at
    spaces, never mid-word; feedtools tables scroll sideways in their own box and are
    sortable and searchable through :data:`TABLE_SCRIPT` (inline, once per page).
    Raises :class:`ReportError` if the page would still fetch anything from outside.
    """
    import jinja2
    from nbconvert import HTMLExporter

    nb = coalesce_streams(copy.deepcopy(nb))
    nb.metadata["title"] = title
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"feedtools_report.html.j2": TEMPLATE})],
        template_file="feedtools_report.html.j2",
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    outputs = _html_outputs(nb)
    resources = {
        "feedtools_head": vega_head(outputs),
        "feedtools_css": PAGE_CSS,
        "feedtools_tables": table_script(outputs),
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = renumber_chart_ids(body, {})
    refs = external_references(body)
    if refs:
        raise ReportError(f"{title}: the page would load {refs[0]} from outside")
    return body


# --- the main job -----------------------------------------------------------------------------------------------


def _progress(stream: TextIO | None, text: str, end: str = "\n") -> None:
    if stream is not None:
        print(text, end=end, file=stream, flush=True)


def _scratch_layout(scratch: Path, notebooks_dir: Path) -> Path:
    """A working folder that looks like the project from the notebooks' point of view.

    ``scratch/<name>`` links to each entry beside the notebooks folder (so ``../data/…``
    still resolves) and ``scratch/<notebooks>/`` links to each file in it. The feed is
    NOT linked there: the notebooks get it as an absolute path, so no file of the user's
    can shadow a module the notebooks import (``feedtools.py``, ``polars.py``…).
    Returns the working folder.
    """
    for entry in notebooks_dir.parent.iterdir():
        if entry.name != notebooks_dir.name:
            os.symlink(entry, scratch / entry.name)
    workdir = scratch / notebooks_dir.name
    workdir.mkdir()
    for entry in notebooks_dir.iterdir():
        os.symlink(entry, workdir / entry.name)
    return workdir


def _feed_headline(feeds: list[Path], languages: Sequence[str] | None, cache_dir: Path) -> tuple[Path, dict[str, Any]]:
    """``(cached, head)``: the parsed feed's absolute Parquet path in the cache and its headline figures for the
    index page (with the fetch folder's provenance when the one input is a fetch folder). Raises
    :class:`FeedError` as :func:`feedtools.report_cache.load_cached` does."""
    from feedtools.explore import headline
    from feedtools.readers.fetchdir import is_fetch_dir, provenance

    cached, loaded = load_cached(feeds, languages, cache_dir)
    head = headline(loaded)
    if len(feeds) == 1 and is_fetch_dir(feeds[0]):
        head["provenance"] = provenance(feeds[0])
    return cached, head


def _feed_folders(cached: Path, cache_dir: Path, feeds: Sequence[Path]) -> list[Path]:
    """Folders a build's outputs must not name: the cache entry's, the cache's, each input's, the current one."""
    return [cached.parent, cache_dir.resolve(), *{f.resolve().parent for f in feeds}, Path.cwd()]


def _page(done: NotebookNode, name: str, scrub: Sequence[str], show_code: bool) -> tuple[str, str]:
    """``(title, html)`` of the executed notebook ``done``; the injected cell's absolute paths are scrubbed too
    (with ``show_code`` it shows the bare file name). Raises :class:`ReportError` as :func:`render_html` does."""
    for cell in done.cells:  # the injected absolute path is shown (with --show-code) as the bare name
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = _scrub(cell.source, scrub)
    title = notebook_title(done, name)
    return title, render_html(done, title, show_code)


def _write_pages(
    sources: Sequence[Path],
    params: dict[str, Any],
    workdir: Path,
    scrub: Sequence[str],
    stage: Path,
    show_code: bool,
    progress: TextIO | None,
) -> list[tuple[str, str]]:
    """Execute each notebook of ``sources`` in order in ``workdir`` with ``params`` injected and write its page
    into ``stage``; one progress line each. Returns ``(file name, title)`` per page. Raises :class:`ReportError`
    at the first notebook that fails."""
    pages: list[tuple[str, str]] = []
    for i, source in enumerate(sources, 1):
        name = source.stem
        _progress(progress, f"[{i}/{len(sources)}] {name} ", end="")
        start = time.perf_counter()
        nb = inject_parameters(read_notebook(source), params, name)
        try:
            done = execute_notebook(nb, workdir, name, scrub)
        except ReportError:
            _progress(progress, "failed")
            raise
        title, page_html = _page(done, name, scrub, show_code)
        page = f"{name}.html"
        (stage / page).write_text(page_html, encoding="utf-8")
        pages.append((page, title))
        _progress(progress, f"-> {page} ({time.perf_counter() - start:.1f} s)")
    return pages


def build_reports(
    feed: str | Path | Sequence[str | Path] = DEFAULT_FEED,
    out: str | Path = "reports",
    *,
    show_code: bool = False,
    notebooks_dir: str | Path = DEFAULT_NOTEBOOKS,
    languages: Sequence[str] | None = None,
    progress: TextIO | None = sys.stderr,
    cache_dir: str | Path | None = None,
) -> list[Path]:
    """Execute every notebook on ``feed`` and write one HTML page each plus ``index.html`` into ``out``.

    ``feed`` may be in any format the package reads, a parsed posts Parquet file, or a
    list of such files (one table, see :func:`feedtools.load`). The input(s) are parsed
    ONCE per build into a Parquet file in ``cache_dir`` (default :data:`DEFAULT_CACHE`,
    ``data/processed/cache``; keyed by the inputs' SHA-256, the languages and the
    package's version and source, so a later build of the same input reuses it), which
    carries the feed's stats, rejects and metadata; every notebook gets that file as an
    absolute ``feed_path``, and the working folder of the notebooks holds no file of the
    user's. Returns the written paths, ``index.html`` last. Prints one progress line per
    notebook to ``progress``. Raises :class:`feedtools.FeedError` when the feed cannot
    be read or has no rows (before any notebook runs), :class:`ReportError` when a
    notebook fails (the build stops there). The pages are built in a temporary sibling
    folder of ``out`` and published only when all are done
    (:func:`feedtools.safeio.staged_folder`): a failed or interrupted build leaves an
    earlier report in ``out`` whole; a finished one replaces its pages (each file whole,
    ``index.html`` last) and never touches other files in ``out``.
    """
    feeds = [Path(feed)] if isinstance(feed, (str, Path)) else [Path(f) for f in feed]
    if not feeds:
        raise FeedError("no feed given")
    sources = find_notebooks(notebooks_dir)
    cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE
    cached, head = _feed_headline(feeds, languages, cache_dir)
    out = Path(out)
    replacing = (out / "index.html").exists()
    params: dict[str, Any] = {"feed_path": str(cached), "languages": list(languages) if languages else None}
    with (
        staged_folder(out, last=["index.html"]) as stage,
        tempfile.TemporaryDirectory(prefix="feedtools-report-") as scratch,
    ):
        workdir = _scratch_layout(Path(scratch), Path(notebooks_dir).resolve())
        scrub = _machine_paths(scratch, os.path.realpath(scratch), *_feed_folders(cached, cache_dir, feeds))
        pages = _write_pages(sources, params, workdir, scrub, stage, show_code, progress)
        written = [out / page for page, _ in pages]
        index = out / "index.html"
        (stage / index.name).write_text(index_html(head, pages), encoding="utf-8")
        written.append(index)
    _progress(
        progress,
        terminal_safe(
            f"{len(pages)} reports and {index.name} written to {out.name or out}/"
            + (" (replacing the earlier report; other files left as they were)" if replacing else "")
        ),
    )
    return written


def _number_chart_ids(nb: NotebookNode) -> None:
    """Replace Altair's random chart ids by ``altair-viz-1``, ``-2``… in order, so a stored notebook that
    did not change gives no diff when regenerated."""
    ids: dict[str, str] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            for mime, value in o.get("data", {}).items():
                if isinstance(value, str):
                    o["data"][mime] = renumber_chart_ids(value, ids)


def update_notebooks(
    notebooks_dir: str | Path = DEFAULT_NOTEBOOKS, *, only: Sequence[str] = (), progress: TextIO | None = sys.stderr
) -> list[Path]:
    """Regenerate each ``NN_name.ipynb`` from its ``.py`` source, executed with its defaults (the seed).

    Run from the notebooks folder, exactly as the regression tests run them; the
    stored notebook keeps the jupytext pairing metadata. ``only`` restricts to the
    given stems. Returns the written ``.ipynb`` paths. Raises :class:`ReportError` as
    :func:`execute_notebook` does.
    """
    import jupytext

    directory = Path(notebooks_dir).resolve()
    written = []
    for source in find_notebooks(directory):
        if only and source.stem not in only:
            continue
        _progress(progress, f"{source.stem} ", end="")
        start = time.perf_counter()
        nb = read_notebook(source)
        notebook_parameters(nb, source.stem)
        done = execute_notebook(nb, directory, source.stem, _machine_paths())
        _number_chart_ids(done)
        target = source.with_suffix(".ipynb")
        with atomic_open(target, "w", encoding="utf-8") as fh:  # whole or not at all
            jupytext.write(done, fh, fmt="ipynb")
        written.append(target)
        _progress(progress, f"-> {target.name} ({time.perf_counter() - start:.1f} s)")
    return written
