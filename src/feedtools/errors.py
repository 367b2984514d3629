"""The one error hierarchy of feedtools: what the package raises for a problem the user can fix.

Every error the package raises *on purpose* is a :class:`FeedtoolsError`; its ``str()`` is one
line for the user, with control characters, escape sequences and bidi overrides (from file names
or feed content) written as visible escapes by :func:`neutralise`. The command line catches
``FeedtoolsError`` (and ``OSError``, rendered without ``None``), prints that line and exits with
the class's ``exit_code``; anything else is a bug and is reported as one (``--debug`` or
``FEEDTOOLS_DEBUG=1`` shows the traceback)::

    FeedtoolsError                      exit 1
    ├── InputError                      the data given cannot be used
    │   ├── FeedError                   a feed (file, folder, table) cannot be read at all
    │   └── RecordError (ValueError)    one record cannot be read: it becomes a rejected row
    ├── TableError (ValueError)         a user-edited table (aliases, calendar) is malformed: file and line
    ├── OptionError (ValueError)        an option value a step cannot use (benchmark sizes, formats)
    ├── UsageError (ValueError)         exit 2: bad arguments (an output path over an input, unknown suffix)
    ├── ReportError (ValueError)        a report cannot be built: the notebook and the cause
    ├── FetchError                      a fetch cannot go on: what was saved is kept
    └── MissingExtra (ImportError)      an optional extra a step needs is not installed: which, and how

The classes marked ``ValueError`` were ``ValueError`` subclasses before this hierarchy existed and
stay so, so that code written against the old types keeps working. A plain ``ValueError``,
``KeyError`` or ``TypeError`` from inside the package is a programming error (or a wrong argument
passed by a caller), never a statement about the input.

This module imports nothing from feedtools, so every module may import it.
"""

from __future__ import annotations

import re

__all__ = [
    "FeedError",
    "FeedtoolsError",
    "FetchError",
    "InputError",
    "MissingExtra",
    "OptionError",
    "RecordError",
    "ReportError",
    "TableError",
    "UsageError",
    "neutralise",
]

#: Characters that must not reach a terminal raw: C0/C1 controls (ESC starts escape sequences), the
#: line and paragraph separators and the bidirectional overrides (which reorder what is shown).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def neutralise(text: str) -> str:
    """``text`` with every control, separator and bidi-override character written as an escape
    (``\\x1b``, ``\\n``, ``\\u202e``), so that a file name or a value from a feed printed in a message
    shows as text and never acts on the terminal. Other characters are kept as they are. Idempotent."""

    def esc(m: re.Match[str]) -> str:
        c = m.group()
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (
            f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"
        )

    return _UNSAFE.sub(esc, text)


class FeedtoolsError(Exception):
    """A problem the user can fix, described in one line (``str(err)``, control characters neutralised).

    ``exit_code`` is the command line's exit status for it (1; 2 for :class:`UsageError`).
    """

    exit_code = 1

    def __init__(self, message: object = "") -> None:
        super().__init__(neutralise(str(message)))


class InputError(FeedtoolsError):
    """The data given (a feed, a record of it, a posts table) cannot be used."""


class FeedError(InputError):
    """An input that cannot be read at all (missing, empty, not a feed, a damaged table)."""


class RecordError(InputError, ValueError):
    """One record that cannot be read; ``str(err)`` is the reason written to the rejects table."""


class TableError(FeedtoolsError, ValueError):
    """A user-edited table (campaign aliases, observance or event calendar) that cannot be used;
    the message names the file and the line: ``<file>, line <n>: <what is wrong>``."""


class OptionError(FeedtoolsError, ValueError):
    """An option value a step cannot use (benchmark sizes, formats, text variants)."""


class UsageError(FeedtoolsError, ValueError):
    """Bad arguments (an output path that would overwrite an input, an unknown suffix…): exit status 2."""

    exit_code = 2


class ReportError(FeedtoolsError, ValueError):
    """A report could not be built; ``str(err)`` is one line naming the notebook and the cause."""


class FetchError(FeedtoolsError):
    """A fetch that cannot go on; ``str(err)`` is one line for the user. What was saved is kept."""


class MissingExtra(FeedtoolsError, ImportError):
    """A step needs an optional extra that is not installed; ``str(err)`` names the step, the extra, the missing
    modules and the ``pip install`` line. Raised by :func:`feedtools.extras.require`. An ``ImportError`` too, so
    ``except ImportError`` around an optional import also catches it."""
