"""Timelines: date windows for undated feeds, events, aggregates and findings in words (see :mod:`.windows`)."""

from feedtools.timeline.windows import *  # noqa: F401,F403
from feedtools.timeline.windows import __all__, _check_timezone  # noqa: F401
