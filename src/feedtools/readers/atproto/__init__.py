"""Shared pieces of the AT Protocol readers (a package; this module re-exports its public names)."""

from feedtools.readers.atproto.records import *  # noqa: F403
from feedtools.readers.atproto.records import (  # noqa: F401
    BOM,
    EMBED_COLUMNS,
    HANDLE_RE,
    POST,
    REPOST,
    __all__,
    clean_tag,
    embed_fields,
    web_url_expr,
)
