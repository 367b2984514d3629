"""Shared chart and table helpers: one look for every chart, and safe display of untrusted text.

* :data:`WIDTH` and the ``feedtools`` Altair theme (enabled on import) give every
  chart of every notebook the same width, fonts and colours.
* Importing this package enables the ``feedtools`` Altair renderer
  (:mod:`feedtools.charts.render`): a static SVG image of each chart that becomes the
  interactive chart where the Vega libraries are at hand (JupyterLab through this
  project's server extension, the HTML reports inline), with no network. Its chart
  specification is written script-safe: ``<``, ``>`` and ``&`` inside the JSON are
  written as ``\\u003c``, ``\\u003e``, ``\\u0026``, so a post text such as
  ``</script><script>…`` in a chart's data cannot close the ``<script>`` element the
  chart lives in (Altair itself writes it raw).
* :func:`bar_chart` is the horizontal bar chart most summaries use; :func:`table`
  wraps a small frame for display with every cell HTML-escaped.
* Colours: :data:`KIND_COLORS` for row kinds (its grey means "unloaded" and nothing
  else), :data:`CATEGORY_COLORS` (no grey, all distinct) for any other category.
  :func:`category_scale` and :func:`kind_scale` build scales whose domain is the
  categories present in a chart's data, so legends list only those;
  :func:`top_categories` folds a long tail into "other" so no colour repeats.
  :func:`count_axis` gives a count axis integer ticks; :func:`readable` adds the
  Unicode names of emoji to a label (for viewers without an emoji font).

Chart functions take already aggregated frames (a few hundred rows at most) and
return ``alt.Chart``; they never aggregate per post themselves.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import altair as alt
import polars as pl

from feedtools.charts.safejson import ScriptSafeJSONEncoder

__all__ = [
    "BAR_HEIGHT",
    "CATEGORY_COLORS",
    "KIND_COLORS",
    "LONG_CELL",
    "WIDTH",
    "ScriptSafeJSONEncoder",
    "Table",
    "bar_chart",
    "category_scale",
    "count_axis",
    "emoji_names",
    "empty_note",
    "kind_scale",
    "readable",
    "table",
    "top_categories",
    "use_safe_renderer",
]

#: Width of every chart, in pixels (fits a report page and a JupyterLab cell).
WIDTH = 560
#: Height of one bar in horizontal bar charts, in pixels.
BAR_HEIGHT = 18
#: Colours of the row kinds (own posts, reposts, unloaded placeholders).
KIND_COLORS = {"own": "#1f77b4", "repost": "#ff7f0e", "unloaded": "#bbbbbb"}
#: Colours for categories (languages, hashtags, sources…): twelve distinct hues, none of them grey (grey is
#: reserved for "unloaded"). A chart shows at most this many categories (see :func:`top_categories`).
CATEGORY_COLORS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#ad494a",
    "#637939",
]
#: The label of the category that gathers the values beyond a chart's top ones.
OTHER = "other"


def category_scale(values: Iterable[Any], colors: Sequence[str] = CATEGORY_COLORS) -> alt.Scale:
    """A colour scale for exactly the categories ``values`` (distinct, in first-seen order, nulls dropped).

    Each gets its own colour of ``colors``, in order, so a legend lists only these
    categories and no two share a colour. Raises ``ValueError`` when there are more
    categories than colours (fold the tail first with :func:`top_categories`).
    """
    domain = list(dict.fromkeys(v for v in values if v is not None))
    if len(domain) > len(colors):
        raise ValueError(f"{len(domain)} categories but only {len(colors)} colours: fold the rest into 'other'")
    return alt.Scale(domain=domain, range=list(colors[: len(domain)]))


def kind_scale(values: Iterable[Any]) -> alt.Scale:
    """The row-kind colour scale (:data:`KIND_COLORS`) restricted to the kinds present in ``values``.

    Kinds keep their fixed colours (the grey is always "unloaded") and their fixed
    order. Raises ``ValueError`` for a value that is not a kind.
    """
    present = {v for v in values if v is not None}
    unknown = present - set(KIND_COLORS)
    if unknown:
        raise ValueError(f"not row kinds: {sorted(unknown)}")
    domain = [k for k in KIND_COLORS if k in present]
    return alt.Scale(domain=domain, range=[KIND_COLORS[k] for k in domain])


def top_categories(df: pl.DataFrame, column: str, weight: str, n: int = len(CATEGORY_COLORS)) -> pl.DataFrame:
    """``df`` with ``column`` keeping its ``n - 1`` heaviest values (sum of ``weight``) and the rest as "other".

    When there are at most ``n`` distinct values nothing changes. Ties are broken by
    the value, so the result does not depend on row order. Rows are not aggregated:
    callers sum again over the relabelled column. Raises ``ValueError`` for a missing
    column or ``n < 2``.
    """
    if n < 2:
        raise ValueError("n must be at least 2 (the top value and 'other')")
    missing = [c for c in (column, weight) if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {missing}")
    totals = df.group_by(column).agg(pl.col(weight).sum()).sort([weight, column], descending=[True, False])
    if totals.height <= n:
        return df
    keep = totals[column].head(n - 1).implode()
    return df.with_columns(
        pl.when(pl.col(column).is_in(keep)).then(pl.col(column)).otherwise(pl.lit(OTHER)).alias(column)
    )


def count_axis(**kwargs: Any) -> alt.Axis:
    """An axis for counts: integer labels only; ``kwargs`` go to ``alt.Axis``.

    ``tickMinStep=1`` and format ``d`` ask for whole numbers, but Vega-Lite ignores ``tickMinStep`` on domains
    under about 5 (vega/vega-lite#9034), so a count axis from 0 to 1 would read "0, 1, 1" (0.5 rounded); the
    label of a tick that is not a whole number is therefore left blank.
    """
    return alt.Axis(tickMinStep=1, format="d", labelExpr="datum.value % 1 ? '' : datum.label", **kwargs)


def _emoji_names(text: str) -> list[str]:
    # Called row by row from Python, never from polars' worker threads: the emoji package builds its tables
    # lazily on first use and, raced by two threads, returns no match for some emoji.
    import emoji

    names = []
    for found in emoji.emoji_list(text):
        name = emoji.demojize(found["emoji"], delimiters=("", "")).replace("_", " ").strip()
        if not name or name == found["emoji"]:
            name = " ".join(unicodedata.name(ch, "").lower() for ch in found["emoji"] if unicodedata.name(ch, ""))
        names.append(name or "emoji")
    return names


def emoji_names(text: str | None) -> str:
    """The Unicode names of the emoji in ``text``, comma-separated ('' for none or ``None``): ``"💜"`` gives
    ``"purple heart"``."""
    return ", ".join(_emoji_names(text)) if text else ""


def readable(text: str | None) -> str | None:
    """``text`` followed by the names of the emoji it holds, for viewers without an emoji font.

    ``"🌍"`` gives ``"🌍 globe showing Europe-Africa"``; text without emoji, and
    ``None``, come back unchanged.
    """
    if text is None:
        return None
    names = emoji_names(text)
    return f"{text} {names}" if names else text


def use_safe_renderer() -> None:
    """Enable the ``feedtools`` renderer (offline, static image fallback) with the script-safe encoder (on import)."""
    from feedtools.charts.render import chart_mimebundle

    alt.renderers.register("feedtools", chart_mimebundle)
    alt.renderers.enable("feedtools", json_kwds={"cls": ScriptSafeJSONEncoder})


@alt.theme.register("feedtools", enable=True)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": 300, "stroke": None},
            "font": "Helvetica, Arial, sans-serif",
            "title": {"anchor": "start", "fontSize": 14},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 260},
            "legend": {"labelFontSize": 11, "titleFontSize": 12},
            "range": {"category": list(CATEGORY_COLORS)},
        }
    }


use_safe_renderer()


def empty_note(title: str) -> alt.Chart:
    """A chart with no marks and a title saying there is nothing to show (keeps a report's layout)."""
    return (
        alt.Chart(pl.DataFrame({"note": ["nothing to show for this feed"]}))
        .mark_text(align="left", fontSize=12, color="#666")
        .encode(text="note:N")
        .properties(width=WIDTH, height=30, title=title)
    )


def bar_chart(
    df: pl.DataFrame,
    x: str,
    y: str,
    tooltip: Sequence[str] | None = None,
    *,
    title: str = "",
    color: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    color_scale: alt.Scale | None = None,
    color_title: str | None = None,
) -> alt.Chart:
    """A horizontal bar chart: one bar per row of ``df``, bars in the frame's order.

    ``x`` is the quantitative column (bar length), ``y`` the category column (one
    bar each, shown top to bottom in the order of ``df``, which callers sort). Every
    bar carries a tooltip with the ``tooltip`` columns (default: ``y`` and ``x``).
    ``x`` is a count: its axis has integer ticks. ``color`` optionally names a column
    to colour by (``color_scale`` defaults to :func:`category_scale` of its values).
    An empty ``df`` gives :func:`empty_note`. Raises ``ValueError`` if a named column
    is missing.
    """
    tooltip = list(tooltip or [y, x])
    missing = [c for c in {x, y, *tooltip, *([color] if color else [])} if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the frame: {sorted(missing)}")
    if df.height == 0:
        return empty_note(title)
    enc: dict[str, Any] = {
        "x": alt.X(f"{x}:Q", title=x_title if x_title is not None else x, axis=count_axis()),
        "y": alt.Y(f"{y}:N", sort=None, title=y_title if y_title is not None else y),
        "tooltip": [alt.Tooltip(c) for c in tooltip],
    }
    if color:
        enc["color"] = alt.Color(
            f"{color}:N",
            scale=color_scale or category_scale(df[color].to_list()),
            title=color_title if color_title is not None else color,
        )
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(**enc)
        .properties(width=WIDTH, height=max(BAR_HEIGHT * df.height, 40), title=title)
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join("" if v is None else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


#: A cell whose text is longer than this wraps (at spaces) inside a wide column; shorter cells stay on one line.
LONG_CELL = 40
EMPTY_TABLE = "No rows."


class Table:
    """A small frame shown as a table: HTML with every cell escaped, and polars' text repr.

    Untrusted text (posts, names, bios) stays visible text: ``<script>`` shows as
    ``<script>``. The HTML has one row per line so a diff of stored notebook
    outputs is readable. Lists show as comma-separated values, nulls as empty cells.
    A table without rows keeps its header and says :data:`EMPTY_TABLE` in one cell.
    The table sits in a ``feedtools-table-box`` that scrolls sideways when the table
    is wider than the page; headers and short values stay on one line, cells longer
    than :data:`LONG_CELL` characters get the class ``long`` and wrap at spaces. The
    HTML carries no script: report pages make every such table sortable and
    searchable with one small script per page (see :mod:`feedtools.report`).
    """

    def __init__(self, df: pl.DataFrame, max_rows: int = 50, caption: str | None = None, links: tuple[str, ...] = ()):
        self.df = df
        self.max_rows = max_rows
        self.caption = caption
        self.links = tuple(links)

    def _td(self, column: str, value) -> str:
        """One cell; in a ``links`` column an ``https:`` URL becomes a safe link (anything else stays text)."""
        raw = _cell(value)
        cls = ' class="long"' if len(raw) > LONG_CELL else ""
        text = html.escape(raw)
        if (
            column in self.links
            and isinstance(value, str)
            and value.startswith("https://")
            and not any(c.isspace() or ord(c) < 32 for c in value)
        ):
            return f'<td{cls}><a href="{html.escape(value, quote=True)}" rel="noopener noreferrer">{text}</a></td>'
        return f"<td{cls}>{text}</td>"

    def _repr_html_(self) -> str:
        shown = self.df.head(self.max_rows)
        lines = ['<div class="feedtools-table-box">', '<table class="feedtools-table">']
        if self.caption:
            lines.append(f"<caption>{html.escape(self.caption)}</caption>")
        lines.append("<thead><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in shown.columns) + "</tr></thead>")
        lines.append("<tbody>")
        for row in shown.iter_rows():
            lines.append("<tr>" + "".join(self._td(c, v) for c, v in zip(shown.columns, row, strict=True)) + "</tr>")
        if self.df.height == 0:  # say so, rather than a bare header a reader may take for a rendering fault
            lines.append(f'<tr><td class="feedtools-empty" colspan="{max(1, self.df.width)}">{EMPTY_TABLE}</td></tr>')
        lines.append("</tbody>")
        lines.append("</table>")
        lines.append("</div>")
        if self.df.height > shown.height:
            lines.append(f"<p>{shown.height} of {self.df.height} rows shown.</p>")
        return "\n".join(lines)

    def __repr__(self) -> str:
        with pl.Config(
            tbl_rows=self.max_rows,
            tbl_cols=-1,
            fmt_str_lengths=60,
            fmt_table_cell_list_len=6,
            tbl_width_chars=160,
            tbl_hide_dataframe_shape=True,
        ):
            text = repr(self.df.head(self.max_rows))
        if self.df.height > self.max_rows:
            text += f"\n{self.max_rows} of {self.df.height} rows shown."
        if self.df.height == 0:
            text += f"\n{EMPTY_TABLE}"
        return text


def table(df: pl.DataFrame, max_rows: int = 50, caption: str | None = None, links: tuple[str, ...] = ()) -> Table:
    """Wrap ``df`` for display (HTML-escaped cells, at most ``max_rows`` rows); see :class:`Table`.

    ``links``: columns whose ``https:`` URLs render as links (``rel="noopener noreferrer"``);
    any other value in them (``javascript:``, ``http:``, text) stays escaped text.
    """
    return Table(df, max_rows=max_rows, caption=caption, links=links)
