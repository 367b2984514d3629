"""Checks shared by the chart tests: walk a Vega-Lite spec (``chart.to_dict()``) for its colour scales and axes."""

from __future__ import annotations

from collections.abc import Iterator

from feedtools.charts import KIND_COLORS

UNLOADED_GREY = KIND_COLORS["unloaded"]
COLOR_CHANNELS = ("color", "fill", "stroke")


def units(spec: dict) -> Iterator[dict]:
    """Every single-view spec inside ``spec`` (layers, concatenations), itself included when it has an encoding."""
    if "encoding" in spec:
        yield spec
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for sub in spec.get(key, []):
            yield from units(sub)


def rows_of(spec: dict, unit: dict) -> list[dict]:
    """The data rows a view draws (its own named dataset, else the top level's)."""
    name = (unit.get("data") or spec.get("data") or {}).get("name")
    return spec.get("datasets", {}).get(name, [])


def check_colors(spec: dict) -> list[tuple[str, list, list]]:
    """Assert the colour rules on every colour encoding of a field; return ``(field, domain, range)`` of each.

    * the scale has an explicit domain listing exactly the values present in the data,
    * colours never repeat inside the scale,
    * the "unloaded" grey is used only for the category ``unloaded``.
    """
    found = []
    for unit in units(spec):
        for channel in COLOR_CHANNELS:
            enc = unit["encoding"].get(channel)
            if not isinstance(enc, dict) or "field" not in enc or enc.get("type") not in ("nominal", "ordinal"):
                continue
            scale = enc.get("scale") or {}
            domain, colors = scale.get("domain"), scale.get("range")
            assert domain is not None and colors is not None, f"{channel} {enc['field']}: no explicit domain/range"
            rows = rows_of(spec, unit)
            if rows and enc["field"] in rows[0]:
                present = {r[enc["field"]] for r in rows}
                assert set(domain) == present, f"{enc['field']}: legend {domain} but data {sorted(present)}"
            assert len(set(colors)) == len(colors) == len(domain), f"{enc['field']}: colours repeat {colors}"
            for value, color in zip(domain, colors, strict=True):
                assert (color.lower() == UNLOADED_GREY) == (value == "unloaded"), f"{value!r} is drawn {color}"
            found.append((enc["field"], domain, colors))
    return found


def count_axes(spec: dict, fields: set[str]) -> list[dict]:
    """The axes of the quantitative x/y encodings of ``fields``; assert each has integer ticks only."""
    axes = []
    for unit in units(spec):
        for channel in ("x", "y"):
            enc = unit["encoding"].get(channel)
            if isinstance(enc, dict) and enc.get("field") in fields and enc.get("type") == "quantitative":
                axis = enc.get("axis") or {}
                assert axis.get("tickMinStep") == 1 and axis.get("format") == "d", f"{enc['field']}: {axis}"
                axes.append(axis)
    return axes
