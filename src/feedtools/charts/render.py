"""How charts reach the screen: an Altair renderer that draws offline, and the Jupyter server route for Vega.

Altair's own renderers each fail somewhere a researcher opens a notebook offline
(measured: docs/reports.md, "Charts in JupyterLab"): ``default`` loads Vega from a CDN,
``mimetype`` needs a Vega-Lite 6 extension JupyterLab lacks, ``html`` inline carries
0.9 MB of JavaScript per chart, ``jupyter`` needs a live kernel and widget state.
The ``feedtools`` renderer (enabled by importing :mod:`feedtools.charts`) writes, per chart,
one ``text/html`` output holding:

* a **static SVG image** of the chart (``vl_convert``), as an ``<img>`` with a
  ``data:`` URI: what untrusted notebooks, GitHub/nbviewer-style static views and any
  frontend that runs no script show;
* the chart's Vega-Lite **specification**, written with
  :class:`~feedtools.charts.ScriptSafeJSONEncoder` (untrusted text cannot close the
  ``<script>``);
* a short **script** that replaces the image by the interactive chart (tooltips) once
  the Vega libraries are at hand: already in the page (HTML reports inline them once,
  see :func:`vega_bundle`), or served by this project's Jupyter server extension at
  ``<base_url>feedtools/vega.js`` (:data:`ROUTE`, enabled by ``jupyter-config/``, which
  ``make lab`` uses). If neither is there, the static image stays.

No output ever names an outside URL, and the libraries are never stored in a notebook.
"""

from __future__ import annotations

import base64
import html
import json
import uuid
from functools import lru_cache
from typing import Any

from feedtools.charts.safejson import ScriptSafeJSONEncoder

__all__ = ["CHART_CLASS", "ROUTE", "chart_mimebundle", "vega_bundle", "vegalite_minor"]

#: Class of each chart's container ``<div>`` (how reports and tests find the charts of this renderer).
CHART_CLASS = "feedtools-chart"
#: Path of the Vega bundle under the Jupyter server's base URL.
ROUTE = "feedtools/vega.js"

_SCRIPT = """(function (spec, id, route) {
  var me = document.currentScript, el = me && me.previousElementSibling;
  if (!el || el.id !== id) { el = document.getElementById(id); }
  if (!el) { return; }
  var w = window;
  function libraries() {
    if (typeof w.vegaEmbed === "function") { return Promise.resolve(w.vegaEmbed); }
    if (!w.__feedtoolsVega) {
      w.__feedtoolsVega = new Promise(function (resolve, reject) {
        var config = document.getElementById("jupyter-config-data");
        var base = config ? JSON.parse(config.textContent).baseUrl : null;
        if (!base) { reject(new Error("no Jupyter server to load Vega from")); return; }
        var s = document.createElement("script");
        s.src = base.replace(/\\/?$/, "/") + route;
        s.onload = function () { w.vegaEmbed ? resolve(w.vegaEmbed) : reject(new Error("Vega did not load")); };
        s.onerror = function () { reject(new Error("Vega is not served at " + s.src)); };
        document.head.appendChild(s);
      });
    }
    return w.__feedtoolsVega;
  }
  libraries().then(function (embed) {
    var target = document.createElement("div");
    el.appendChild(target);
    return embed(target, spec, {mode: "vega-lite"}).then(function () {
      var still = el.querySelector("img.feedtools-static");
      if (still) { still.remove(); }
    }, function (err) { target.remove(); throw err; });
  }).catch(function (err) { el.setAttribute("data-static-because", String(err && err.message || err)); });
})(%(spec)s, %(id)s, %(route)s);"""


def vegalite_minor(spec: dict[str, Any] | None = None) -> str | None:
    """The Vega-Lite ``major.minor`` of ``spec``'s ``$schema`` (or Altair's) if vl-convert knows it, else None."""
    import altair as alt
    import vl_convert

    version = alt.SCHEMA_VERSION.lstrip("v")
    schema = (spec or {}).get("$schema", "")
    if "/vega-lite/v" in schema:
        version = schema.rsplit("/vega-lite/v", 1)[1].removesuffix(".json")
    minor = ".".join(version.split(".")[:2])
    return minor if minor in vl_convert.get_vegalite_versions() else None


@lru_cache(maxsize=4)
def vega_bundle(vegalite_version: str | None = None) -> str:
    """Vega, Vega-Lite and Vega-Embed as one classic script (sets ``window.vegaEmbed``, which charts use).

    From ``vl_convert.javascript_bundle`` (no network); ``vegalite_version`` is a
    ``major.minor`` vl-convert knows (None: its newest). Safe to inline in an HTML
    ``<script>`` element: ``</script`` and ``<!--`` are escaped.
    """
    import vl_convert

    # vl-convert's stub marks ``snippet`` required; the function documents it as optional (no snippet: the bare
    # libraries, which is what the report pages need).
    bundle = vl_convert.javascript_bundle(vl_version=vegalite_version)  # type: ignore[call-arg]
    return bundle.replace("</script", "<\\/script").replace("<!--", "<\\!--")


def _static_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(spec, vl_version=vegalite_minor(spec))


def _title(spec: dict[str, Any]) -> str:
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title) if title else "chart"


def chart_mimebundle(spec: dict[str, Any], **options: Any) -> dict[str, str]:
    """The ``feedtools`` Altair renderer: ``spec`` (a Vega-Lite dict) to a ``text/html`` + ``text/plain`` bundle.

    The HTML holds the static SVG image, the script-safe specification and the script
    that swaps in the interactive chart (see the module's docstring). ``options`` are
    Altair's renderer options; ``json_kwds`` are passed to :func:`json.dumps` for the
    specification (``feedtools.charts`` sets its script-safe encoder there). The chart's
    container id is ``altair-viz-<32 hex>``, random like Altair's (reports and stored
    notebooks renumber them). Raises ``ValueError`` from vl-convert for an invalid spec.
    """
    json_kwds = {"cls": ScriptSafeJSONEncoder, **options.get("json_kwds", {})}
    div = f"altair-viz-{uuid.uuid4().hex}"
    title = _title(spec)
    svg = base64.b64encode(_static_svg(spec).encode("utf-8")).decode("ascii")
    script = _SCRIPT % {
        "spec": json.dumps(spec, **json_kwds),
        "id": json.dumps(div),
        "route": json.dumps(ROUTE),
    }
    page = (
        f'<div id="{div}" class="{CHART_CLASS}">'
        f'<img class="feedtools-static" alt="{html.escape(title)} (static image)" '
        f'src="data:image/svg+xml;base64,{svg}"></div>\n'
        f'<script type="text/javascript">\n{script}\n</script>'
    )
    return {"text/html": page, "text/plain": f"<chart: {title}>"}


# --- Jupyter server extension: serves the bundle at <base_url>feedtools/vega.js -----------------------------------


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "feedtools.charts.render"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the ``feedtools/vega.js`` route (authenticated like every Jupyter page) to ``serverapp``."""
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from tornado import web

    class VegaBundleHandler(JupyterHandler):
        @web.authenticated
        def get(self) -> None:
            self.set_header("Content-Type", "text/javascript; charset=utf-8")
            self.set_header("Cache-Control", "no-cache")
            self.finish(vega_bundle(vegalite_minor()))

    route = url_path_join(serverapp.web_app.settings["base_url"], ROUTE)
    serverapp.web_app.add_handlers(".*$", [(route, VegaBundleHandler)])
    serverapp.log.info("feedtools: Vega bundle served at %s", route)
