"""Multilingual campaign analysis (see :mod:`.suggest`, which holds the module as it was before the split)."""

from feedtools.campaigns.suggest import *  # noqa: F401,F403
from feedtools.campaigns.suggest import (  # noqa: F401  (names tests and callers read that __all__ leaves out)
    ALIASES_SCHEMA,
    GRAPH_SUFFIXES,
    KINDS,
    RELATED_SCHEMA,
    SUGGESTION_SCHEMA,
    TAG_STOPWORDS,
    UND,
    __all__,
    _date_tokens,
    describe_related,
)
