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

Errors are :class:`ReportError` (a :class:`~feedtools.errors.FeedtoolsError`) with a one-line message naming the
notebook and the failing cell, or :class:`feedtools.FeedError` for a feed that cannot
be read or has no posts.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import html
import json
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

_ALTAIR_ID = re.compile(r"altair-viz-[0-9a-f]{32}")
_LOADER_CALL = re.compile(r'maybeLoadScript\("(vega|vega-lite|vega-embed)", "([^"]+)"\)')


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

#: Page CSS. Text wraps at spaces only (nbconvert's ``word-break: break-all`` on printed output is removed from its
#: stylesheet by the template); a word longer than the line may break (``overflow-wrap: break-word``). Tables scroll
#: sideways inside their own box, headers and short values on one line.
_PAGE_CSS = """
main { max-width: 980px; margin: 0 auto; }
.jp-OutputArea-output pre { word-break: normal; overflow-wrap: break-word; white-space: pre-wrap; }
.feedtools-table-box { overflow-x: auto; max-width: 100%; margin: 2px 0 12px; }
.jp-RenderedHTMLCommon table.feedtools-table, table.feedtools-table { border-collapse: collapse; font-size: 13px;
  margin: 0; table-layout: auto; width: auto; }
.jp-RenderedHTMLCommon table.feedtools-table th, .jp-RenderedHTMLCommon table.feedtools-table td,
table.feedtools-table th, table.feedtools-table td { border: 1px solid #ddd; padding: 2px 8px; text-align: left;
  vertical-align: top; white-space: nowrap; max-width: none; }
.jp-RenderedHTMLCommon table.feedtools-table td.long, table.feedtools-table td.long { white-space: normal;
  min-width: 22em; max-width: 40em; overflow-wrap: break-word; }
table.feedtools-table th { background: #f3f3f3; cursor: pointer; user-select: none; }
table.feedtools-table th::after { content: " \\21C5"; color: #aaa; font-weight: normal; }
table.feedtools-table th[aria-sort="ascending"]::after { content: " \\25B2"; color: #333; }
table.feedtools-table th[aria-sort="descending"]::after { content: " \\25BC"; color: #333; }
.feedtools-table-tools { margin: 6px 0 2px; font-size: 13px; color: #555; }
.feedtools-table-tools input { font-size: 13px; padding: 2px 6px; width: 16em; margin-right: 8px; }
#vg-tooltip-element { overflow-wrap: break-word; max-width: 420px; }
"""

#: Sorting and searching for every ``table.feedtools-table`` of a page, offline, in one small script per page.
#: Rows are moved and hidden, never rebuilt: cell text is only ever read (``textContent``), so untrusted text
#: stays text. A column sorts as numbers when every non-empty cell is a number, else as text (natural order);
#: empty cells go last; equal values keep their original order. A second click reverses the order.
TABLE_SCRIPT = """
(function () {
  "use strict";
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
  function number(text) { return text === "" ? NaN : Number(text); }
  function setup(table) {
    var head = table.tHead, body = table.tBodies[0];
    if (!head || !body || !head.rows.length) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    var box = table.parentNode && table.parentNode.classList.contains("feedtools-table-box") ? table.parentNode : table;
    var tools = document.createElement("div");
    tools.className = "feedtools-table-tools";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Search this table";
    input.setAttribute("aria-label", "Search this table");
    var count = document.createElement("span");
    count.className = "feedtools-table-count";
    tools.appendChild(input);
    tools.appendChild(count);
    box.parentNode.insertBefore(tools, box);
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (row) {
        var hit = !query || row.textContent.toLowerCase().indexOf(query) >= 0;
        row.hidden = !hit;
        if (hit) { shown += 1; }
      });
      count.textContent = query ? shown + " of " + rows.length + " rows" : "";
    });
    var headers = Array.prototype.slice.call(head.rows[0].cells);
    headers.forEach(function (th, column) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      th.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var values = rows.map(function (row) {
          var cell = row.cells[column];
          return cell ? cell.textContent.trim() : "";
        });
        var numeric = values.some(function (v) { return v !== ""; }) &&
          values.every(function (v) { return v === "" || !isNaN(number(v)); });
        var order = rows.map(function (row, i) { return i; });
        order.sort(function (a, b) {
          var x = values[a], y = values[b];
          if (x === "" || y === "") { return (x === "") - (y === "") || a - b; }
          var c = numeric ? number(x) - number(y) : collator.compare(x, y);
          return (ascending ? c : -c) || a - b;
        });
        order.forEach(function (i) { body.appendChild(rows[i]); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }
  function start() { document.querySelectorAll("table.feedtools-table").forEach(setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
"""

_TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block notebook_css -%}{{ super() | replace("word-break: break-all;", "") }}{%- endblock notebook_css -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">
{{ resources.feedtools_css }}
</style>
{{ resources.feedtools_head }}
{{ resources.feedtools_tables }}
{%- endblock html_head_css -%}
"""


def _table_script(nb: NotebookNode) -> str:
    """The table script in a ``<script>`` element when ``nb`` shows a feedtools table, else ''."""
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if 'class="feedtools-table"' in str(o.get("data", {}).get("text/html", "")):
                return f'<script type="text/javascript">{TABLE_SCRIPT}</script>'
    return ""


def _vega_head(nb: NotebookNode) -> str:
    """The inline Vega libraries for the charts in ``nb``, once ('' when it has none).

    Charts of the ``feedtools`` renderer (:mod:`feedtools.charts.render`) find the
    libraries in the page and draw; charts of Altair's default renderer also get
    ``VEGA_DEBUG`` versions, so its loader uses them instead of its CDN.
    """
    from feedtools.charts.render import CHART_CLASS, vega_bundle, vegalite_minor

    versions: dict[str, str] = {}
    ours = False
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            page = str(o.get("data", {}).get("text/html", ""))
            versions.update(_LOADER_CALL.findall(page))
            ours = ours or f'class="{CHART_CLASS}"' in page
    if not versions and not ours:
        return ""
    schema = {"$schema": f"/vega-lite/v{versions['vega-lite']}.json"} if "vega-lite" in versions else None
    head = f'<script type="text/javascript">\n{vega_bundle(vegalite_minor(schema))}\n</script>'
    if versions:
        debug = {f"{lib.replace('-', '')}_version": v for lib, v in sorted(versions.items())}
        head = f'<script type="text/javascript">var VEGA_DEBUG = {json.dumps(debug, sort_keys=True)};</script>\n{head}'
    return head


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
        extra_loaders=[jinja2.DictLoader({"feedtools_report.html.j2": _TEMPLATE})],
        template_file="feedtools_report.html.j2",
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    resources = {"feedtools_head": _vega_head(nb), "feedtools_css": _PAGE_CSS, "feedtools_tables": _table_script(nb)}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = renumber_chart_ids(body, {})
    refs = external_references(body)
    if refs:
        raise ReportError(f"{title}: the page would load {refs[0]} from outside")
    return body


_EXTERNAL = re.compile(
    r"""<(?:script|img|iframe|link|source|video|audio|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?"""
    r"""((?:https?:)?//[^"'\s>]+)"""
    r"""|@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s]+)"""
    r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)


def external_references(page: str) -> list[str]:
    """URLs a browser would fetch from outside when opening ``page`` (script/img/link sources, CSS urls).

    Links the reader may click (``<a href>``) and text that merely mentions a URL are
    not fetches and are not listed.
    """
    return [next(g for g in m.groups() if g) for m in _EXTERNAL.finditer(page)]


def _index_html(head: dict[str, Any], pages: list[tuple[str, str]]) -> str:
    e = html.escape
    span = f"{head['first']} to {head['last']}" if head.get("first") else "no dates in this feed"
    figures = [
        ("input file", head["source"]),
        ("SHA-256", head.get("sha256") or "one per input (see the data-quality table)"),
        ("kind of feed", "collection of accounts" if head.get("kind") == "collection" else "one account's feed"),
        ("accounts (authors of original posts)", head.get("accounts")),
        (
            "rows (original posts + reposts)" if head.get("kind") == "collection" else "rows (own posts + reposts)",
            head["rows"],
        ),
        ("original posts" if head.get("kind") == "collection" else "own posts", head["own"]),
        ("reposts", head["reposts"]),
        ("of which unloaded placeholders", head["placeholders"]),
        ("rejected records", head["rejected"]),
        ("languages detected", ", ".join(head["languages"]) or "none"),
        ("date span", span),
    ]
    rows = "\n".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in figures)
    links = "\n".join(f'<li><a href="{e(href)}">{e(title)}</a></li>' for href, title in pages)
    provenance = ""
    if head.get("provenance"):  # a fetch folder: where and when the data was collected (manifest.json)
        cells = "\n".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in head["provenance"])
        provenance = f"<h2>Provenance</h2>\n<table>\n{cells}\n</table>\n"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Feed reports: {e(str(head["source"]))}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; max-width: 820px; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }}
th {{ background: #f3f3f3; font-weight: normal; white-space: nowrap; }}
td {{ max-width: 36em; }}
li {{ margin: 0.4em 0; }}
</style>
</head>
<body>
<h1>Feed reports</h1>
<h2>Headline figures</h2>
<table>
{rows}
</table>
{provenance}<h2>Reports</h2>
<ol>
{links}
</ol>
<p>Built by <code>feedtools report</code>. Each report is one self-contained page: it opens offline and its
charts show their values when hovered.</p>
</body>
</html>
"""


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


#: Default folder of the parsed-feed cache of ``feedtools report`` (git-ignored).
from feedtools.paths import PROCESSED as _PROCESSED

DEFAULT_CACHE = _PROCESSED / "cache"


def _code_fingerprint() -> str:
    """SHA-256 of the package version and its source files: a cache made by other code is never reused."""
    import feedtools

    h = hashlib.sha256(feedtools.__version__.encode())
    package = Path(feedtools.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _dataset_sha256(folder: Path) -> str:
    """SHA-256 over a dataset folder's manifest and Parquet parts (relative path and SHA-256 of each, in order)."""
    from feedtools.dataset import MANIFEST, part_files
    from feedtools.readers.base import file_sha256

    h = hashlib.sha256()
    files = ([folder / MANIFEST] if (folder / MANIFEST).is_file() else []) + part_files(folder)
    for f in files:
        h.update(f.relative_to(folder).as_posix().encode() + b"\0" + file_sha256(f).encode() + b"\0")
    return h.hexdigest()


def cached_feed_path(feeds: Sequence[Path], languages: Sequence[str] | None, cache_dir: Path) -> Path:
    """Where the parsed Parquet of ``feeds`` lives in ``cache_dir``: ``<key>/<name>``.

    ``key`` is the SHA-256 of the inputs' SHA-256s (in order), the candidate languages
    and the package's version and source. ``name`` is the input's own file name (several
    joined with ``+``; control characters and path separators replaced by ``_``), so a
    notebook that prints ``Path(feed_path).name`` still names the user's file; the
    content is Parquet whatever the name says (inputs are recognised by content).
    Raises :class:`FeedError` for a missing input.
    """
    from feedtools.dataset import is_dataset
    from feedtools.readers.base import file_sha256
    from feedtools.readers.fetchdir import is_fetch_dir

    h = hashlib.sha256(_code_fingerprint().encode())
    for feed in feeds:
        if is_dataset(feed):  # a parsed dataset folder: its manifest and parts, by content
            h.update(b"\0" + _dataset_sha256(feed).encode())
            continue
        if not (feed.is_file() or is_fetch_dir(feed)):
            raise FeedError(f"{feed.name}: no such file" if not feed.exists() else f"{feed.name}: not a file")
        h.update(b"\0" + file_sha256(feed).encode())
    h.update(b"\0" + json.dumps(sorted(languages) if languages else None).encode())
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", "+".join(f.name for f in feeds))
    if len(name.encode()) > 200:
        name = name.encode()[:200].decode("utf-8", "ignore") + "…"
    return cache_dir / h.hexdigest()[:32] / (name if name.strip(".") else "feed")


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
    from feedtools.explore import headline
    from feedtools.pipeline import is_parquet, load, read_parquet_feed, write_parquet_feed

    feeds = [Path(feed)] if isinstance(feed, (str, Path)) else [Path(f) for f in feed]
    if not feeds:
        raise FeedError("no feed given")
    sources = find_notebooks(notebooks_dir)
    cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE
    cached = cached_feed_path(feeds, languages, cache_dir).resolve()
    loaded = None
    if is_parquet(cached):
        try:
            loaded = read_parquet_feed(cached)
        except FeedError:  # a damaged cache entry is made again
            loaded = None
    if loaded is None:
        loaded = load(feeds if len(feeds) > 1 else feeds[0], languages=languages)
        if loaded.posts.height == 0:
            names = ", ".join(f.name for f in feeds)
            raise FeedError(
                f"{names}: no posts in this feed ({loaded.stats.get('records', 0)} records), nothing to report"
            )
        write_parquet_feed(loaded, cached)
    head = headline(loaded)
    from feedtools.readers.fetchdir import is_fetch_dir, provenance

    if len(feeds) == 1 and is_fetch_dir(feeds[0]):
        head["provenance"] = provenance(feeds[0])
    del loaded
    out = Path(out)
    replacing = (out / "index.html").exists()
    params: dict[str, Any] = {"feed_path": str(cached), "languages": list(languages) if languages else None}
    written: list[Path] = []
    pages: list[tuple[str, str]] = []
    with (
        staged_folder(out, last=["index.html"]) as stage,
        tempfile.TemporaryDirectory(prefix="feedtools-report-") as scratch,
    ):
        workdir = _scratch_layout(Path(scratch), Path(notebooks_dir).resolve())
        scrub = _machine_paths(
            scratch,
            os.path.realpath(scratch),
            cached.parent,
            cache_dir.resolve(),
            *{f.resolve().parent for f in feeds},
            Path.cwd(),
        )
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
            for cell in done.cells:  # the injected absolute path is shown (with --show-code) as the bare name
                if "injected-parameters" in cell.metadata.get("tags", []):
                    cell.source = _scrub(cell.source, scrub)
            title = notebook_title(done, name)
            page = out / f"{name}.html"
            (stage / page.name).write_text(render_html(done, title, show_code), encoding="utf-8")
            written.append(page)
            pages.append((page.name, title))
            _progress(progress, f"-> {page.name} ({time.perf_counter() - start:.1f} s)")
        index = out / "index.html"
        (stage / index.name).write_text(_index_html(head, pages), encoding="utf-8")
        written.append(index)
    _progress(
        progress,
        terminal_safe(
            f"{len(pages)} reports and {index.name} written to {out.name or out}/"
            + (" (replacing the earlier report; other files left as they were)" if replacing else "")
        ),
    )
    return written


def renumber_chart_ids(text: str, ids: dict[str, str]) -> str:
    """``text`` with each random chart id (``altair-viz-<32 hex>``) replaced by ``altair-viz-N``, numbered in
    order of first appearance; ``ids`` (old -> new) carries the numbering across several texts (one page, one
    notebook) and is updated in place. Same input, same output."""
    return _ALTAIR_ID.sub(lambda m: ids.setdefault(m.group(0), f"altair-viz-{len(ids) + 1}"), text)


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
