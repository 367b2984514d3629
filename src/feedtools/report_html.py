"""The HTML of the report pages, apart from executing notebooks: the page's CSS, template and table script,
the inline Vega libraries a page needs, chart-id renumbering, the check for outside fetches, and the index page.

Used by :mod:`feedtools.report` (which renders the notebooks with nbconvert); everything here works on strings
(a page, or the ``text/html`` outputs of a notebook) and needs no extra.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "PAGE_CSS",
    "TABLE_SCRIPT",
    "TEMPLATE",
    "external_references",
    "index_html",
    "renumber_chart_ids",
    "table_script",
    "vega_head",
]

_ALTAIR_ID = re.compile(r"altair-viz-[0-9a-f]{32}")
_LOADER_CALL = re.compile(r'maybeLoadScript\("(vega|vega-lite|vega-embed)", "([^"]+)"\)')

#: Page CSS. Text wraps at spaces only (nbconvert's ``word-break: break-all`` on printed output is removed from its
#: stylesheet by the template); a word longer than the line may break (``overflow-wrap: break-word``). Tables scroll
#: sideways inside their own box, headers and short values on one line.
PAGE_CSS = """
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
table.feedtools-table td.feedtools-empty { color: #555; font-style: italic; }
table.feedtools-table:has(td.feedtools-empty) th { cursor: default; }
table.feedtools-table:has(td.feedtools-empty) th::after { content: none; }
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
    if (!head || !body || !head.rows.length || body.querySelector("td.feedtools-empty")) { return; }
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

TEMPLATE = r"""
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


def table_script(outputs: Iterable[str]) -> str:
    """The table script in a ``<script>`` element when one of the notebook's ``text/html`` ``outputs`` shows a
    feedtools table, else ''."""
    for page in outputs:
        if 'class="feedtools-table"' in page:
            return f'<script type="text/javascript">{TABLE_SCRIPT}</script>'
    return ""


def vega_head(outputs: Iterable[str]) -> str:
    """The inline Vega libraries for the charts in a notebook's ``text/html`` ``outputs``, once ('' when it has
    none).

    Charts of the ``feedtools`` renderer (:mod:`feedtools.charts.render`) find the
    libraries in the page and draw; charts of Altair's default renderer also get
    ``VEGA_DEBUG`` versions, so its loader uses them instead of its CDN.
    """
    from feedtools.charts.render import CHART_CLASS, vega_bundle, vegalite_minor

    versions: dict[str, str] = {}
    ours = False
    for page in outputs:
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


def renumber_chart_ids(text: str, ids: dict[str, str]) -> str:
    """``text`` with each random chart id (``altair-viz-<32 hex>``) replaced by ``altair-viz-N``, numbered in
    order of first appearance; ``ids`` (old -> new) carries the numbering across several texts (one page, one
    notebook) and is updated in place. Same input, same output."""
    return _ALTAIR_ID.sub(lambda m: ids.setdefault(m.group(0), f"altair-viz-{len(ids) + 1}"), text)


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


def index_html(head: dict[str, Any], pages: list[tuple[str, str]]) -> str:
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
