"""Script-safe JSON for chart specifications: a leaf module, so :mod:`feedtools.charts` and
:mod:`feedtools.charts.render` both use it without importing each other."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["ScriptSafeJSONEncoder"]


class ScriptSafeJSONEncoder(json.JSONEncoder):
    """JSON encoder whose output can sit inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` only ever occur inside JSON strings, where the escapes
    ``\\u003c``, ``\\u003e`` and ``\\u0026`` decode to the same characters, so the
    data are unchanged while ``</script>`` and ``<!--`` can no longer appear.
    """

    def iterencode(self, o: Any, _one_shot: bool = False):
        for chunk in super().iterencode(o, _one_shot):
            yield chunk.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
