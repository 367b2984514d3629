"""The feedtools Altair renderer: static image + script-safe spec + loader, never an outside URL."""

from __future__ import annotations

import base64
import json
import re

import polars as pl

from feedtools.charts import bar_chart
from feedtools.charts.render import CHART_CLASS, ROUTE, chart_mimebundle, vega_bundle, vegalite_minor
from feedtools.report import external_references

HOSTILE = "</script><script>alert(1)</script> & <!--"


def _bundle(df: pl.DataFrame | None = None) -> dict[str, str]:
    df = df if df is not None else pl.DataFrame({"tag": [HOSTILE, "ok"], "n": [3, 1]})
    return bar_chart(df, "n", "tag", title="Tags <b>")._repr_mimebundle_()


def test_importing_charts_enables_the_feedtools_renderer():
    import altair as alt

    assert alt.renderers.active == "feedtools"
    bundle = _bundle()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == "<chart: Tags <b>>"


def test_output_holds_a_static_svg_image_of_the_chart():
    page = _bundle()["text/html"]
    m = re.search(
        r'<div id="altair-viz-[0-9a-f]{32}" class="' + CHART_CLASS + r'"><img class="feedtools-static" '
        r'alt="Tags &lt;b&gt; \(static image\)" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"></div>',
        page,
    )
    assert m, page[:300]
    svg = base64.b64decode(m.group(1)).decode("utf-8")
    assert svg.startswith("<svg") and "Tags &lt;b&gt;" in svg  # the title, XML-escaped by Vega
    assert "<script" not in svg


def test_untrusted_text_cannot_close_the_script_and_nothing_is_fetched():
    page = _bundle()["text/html"]
    script = page.split("<script", 1)[1]
    assert script.count("</script>") == 1 and "<!--" not in script
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in script
    spec = json.loads(re.search(r"\}\)\((\{.*\}), \"altair-viz-", script, flags=re.DOTALL).group(1))
    assert HOSTILE in json.dumps(spec["datasets"], ensure_ascii=False)  # the data are unchanged
    assert external_references(page) == []
    # no CDN: the libraries come from the page or the Jupyter server; the only URL is the schema's name
    assert re.findall(r"https?://[^\"]+", script) == [spec["$schema"]]
    assert json.dumps(ROUTE) in script


def test_each_chart_gets_its_own_container_id():
    a, b = _bundle()["text/html"], _bundle()["text/html"]
    ids = re.findall(r'id="(altair-viz-[0-9a-f]{32})"', a + b)
    assert len(ids) == 2 and ids[0] != ids[1]


def test_json_kwds_option_is_honoured():
    spec = bar_chart(pl.DataFrame({"tag": ["a"], "n": [1]}), "n", "tag").to_dict()
    page = chart_mimebundle(spec, json_kwds={"indent": 1})["text/html"]
    assert '\n "$schema"' in page


def test_vega_bundle_defines_the_globals_and_is_safe_inline():
    bundle = vega_bundle(vegalite_minor())
    assert "window.vegaEmbed=" in bundle
    assert "</script" not in bundle and "<!--" not in bundle
    assert vegalite_minor({"$schema": "https://vega.github.io/schema/vega-lite/v1.0.0.json"}) is None


def test_a_count_axis_from_zero_to_one_labels_each_whole_number_once():
    # Vega-Lite ignores tickMinStep on small domains (vega/vega-lite#9034): 0.5 was labelled "1" a second time.
    import altair as alt
    import vl_convert as vlc

    from feedtools.charts import count_axis

    chart = (
        alt.Chart(alt.Data(values=[{"account": "a", "posts": 1}, {"account": "b", "posts": 1}]))
        .mark_bar()
        .encode(x=alt.X("posts:Q", axis=count_axis(title="posts")), y=alt.Y("account:N", axis=None))
    )
    svg = vlc.vegalite_to_svg(chart.to_dict())
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    numbers = [t for t in labels if t.strip().isdigit()]
    assert numbers == ["0", "1"], labels
