"""Opening an input for the readers: regular files as they are, pipes and stdin spooled once, the rest refused.

Format detection reads the head of a file and the reader then reads the file again
(often more than once). A pipe cannot be read twice: what detection read would be
lost. So a non-seekable input — ``-`` (stdin), ``/dev/stdin`` when it is a pipe, a
process substitution ``<(…)`` (``/dev/fd/N``), a named FIFO — is copied once, in
1 MiB chunks (memory stays flat), into a temporary file named after the input,
which detection and the reader then share; it is removed when reading ends.

Refused with one line (:class:`FeedError`), before anything is read: a missing
path, a directory (except a fetch folder holding ``manifest.json``, read in place), a
terminal on stdin, character and block devices (``/dev/zero``
never ends, ``/dev/null`` holds nothing), sockets, and a named FIFO that no writer
opens within :data:`FIFO_WAIT_SECONDS` (``FEEDTOOLS_FIFO_WAIT`` in the environment;
a writer that has started may then take as long as it needs).
"""

from __future__ import annotations

import hashlib
import os
import select
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from feedtools.readers.base import FeedError, FeedMeta

__all__ = ["FIFO_WAIT_SECONDS", "STDIN", "Input", "display_name", "hash_soon", "input_facts", "open_input"]

#: The path that names standard input.
STDIN = "-"
#: Seconds to wait for a writer on a named FIFO before refusing it.
FIFO_WAIT_SECONDS = 10.0
CHUNK = 1 << 20
#: The file that makes a directory a readable input (a fetch folder).
FETCH_MANIFEST = "manifest.json"


@dataclass
class Input:
    """A readable regular file standing for an input: ``path`` (the input itself or its spool), ``name``
    (what messages and the ``source`` column call it) and, for a spooled input, ``facts``
    (``sha256``, ``size_bytes`` of what was read, ``spooled_from``)."""

    path: Path
    name: str
    facts: FeedMeta = field(default_factory=lambda: FeedMeta())


def display_name(path: str | Path) -> str:
    """The name an input is shown under: ``stdin`` for ``-``, else the path's last component."""
    return "stdin" if str(path) == STDIN else (Path(path).name or str(path))


def _fifo_wait() -> float:
    try:
        return max(0.0, float(os.environ.get("FEEDTOOLS_FIFO_WAIT", FIFO_WAIT_SECONDS)))
    except ValueError:
        return FIFO_WAIT_SECONDS


def _is_anonymous_pipe(path: str) -> bool:
    """True for ``/dev/stdin``, ``/dev/fd/N``, ``/proc/self/fd/N`` naming a pipe (a writer exists already)."""
    try:
        target = os.readlink(path) if os.path.islink(path) else ""
        while target.startswith(("/proc/self/fd/", "/dev/fd/")):
            target = os.readlink(target)
    except OSError:
        return False
    return target.startswith("pipe:")


def _stdin_is_tty() -> bool:
    try:
        return os.isatty(0)
    except OSError:
        return False


def _kind(path: str, name: str) -> str:
    """``file``, ``dir`` (a fetch folder), ``stdin``, ``pipe`` (anonymous: wait for EOF) or ``fifo``
    (named: wait for a writer)."""
    if path == STDIN:
        try:
            st = os.fstat(sys.stdin.fileno())
        except (OSError, ValueError, AttributeError):
            raise FeedError("stdin: standard input is closed") from None
        if os.isatty(sys.stdin.fileno()):
            raise FeedError("stdin: standard input is a terminal: pipe a feed into it or give a file")
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            raise FeedError("stdin: standard input is a device, not a feed (it may never end)")
        return "stdin"
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FeedError(f"{name}: no such file") from None
    except OSError as e:
        raise FeedError(f"{name}: {e.strerror or e}") from None
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        if os.path.isfile(os.path.join(path, FETCH_MANIFEST)):
            return "dir"  # a folder written by `feedtools fetch`: its reader reads it in place
        raise FeedError(f"{name}: is a directory, not a feed file (nor a fetch folder: no {FETCH_MANIFEST})")
    if stat.S_ISFIFO(mode):
        return "pipe" if _is_anonymous_pipe(path) else "fifo"
    if stat.S_ISCHR(mode) and path in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0") and _stdin_is_tty():
        raise FeedError(f"{name}: standard input is a terminal: pipe a feed into it or give a file")
    what = (
        "a character device"
        if stat.S_ISCHR(mode)
        else "a block device"
        if stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise FeedError(f"{name}: {what}, not a feed file (it may never end)")


def _copy_fd(fd: int, out, h, *, wait_first: float | None) -> int:
    """Copy ``fd`` (non-blocking) to ``out`` until EOF; ``wait_first``: seconds to wait for the first data."""
    size = 0
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    first = True
    while True:
        timeout = int(wait_first * 1000) if (first and wait_first is not None) else None
        if not poller.poll(timeout):
            raise TimeoutError
        first = False
        try:
            chunk = os.read(fd, CHUNK)
        except BlockingIOError:
            continue
        if not chunk:
            return size
        out.write(chunk)
        h.update(chunk)
        size += len(chunk)


@contextmanager
def open_input(path: str | Path) -> Iterator[Input]:
    """The input at ``path`` as a regular file the readers can read (and reopen) as often as they need.

    A regular file (or a fetch folder) is used in place. ``-`` (stdin), an anonymous pipe or a named FIFO is
    read once into a temporary spool file (removed on exit), whose ``facts`` give the
    SHA-256 and size of what was read. Raises :class:`FeedError` (one line, name
    neutralised) for a missing path, a directory, a device, a socket, a terminal on
    stdin, a FIFO no writer opens in time, or an input that cannot be read.
    """
    raw = str(path)
    name = display_name(path)
    kind = _kind(raw, name)
    if kind in ("file", "dir"):
        yield Input(Path(path), name)
        return
    tmp = Path(tempfile.mkdtemp(prefix="feedtools-spool-"))
    try:
        local = tmp / (name if name not in (".", "..") else "input")
        h = hashlib.sha256()
        try:
            with open(local, "wb") as out:
                if kind == "stdin":
                    src = sys.stdin.buffer
                    size = 0
                    for chunk in iter(lambda: src.read(CHUNK), b""):
                        out.write(chunk)
                        h.update(chunk)
                        size += len(chunk)
                else:
                    fd = os.open(raw, os.O_RDONLY | os.O_NONBLOCK)
                    try:
                        size = _copy_fd(fd, out, h, wait_first=_fifo_wait() if kind == "fifo" else None)
                    except TimeoutError:
                        raise FeedError(
                            f"{name}: a FIFO that no writer opened within {_fifo_wait():g} s "
                            "(start the writer first, or set FEEDTOOLS_FIFO_WAIT)"
                        ) from None
                    finally:
                        os.close(fd)
        except OSError as e:
            raise FeedError(f"{name}: cannot read it ({e.strerror or e})") from None
        yield Input(local, name, {"sha256": h.hexdigest(), "size_bytes": size, "spooled_from": kind})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def input_facts(
    path: str | Path, meta: FeedMeta, *, sha256: bool = True, digest: Callable[[], str] | None = None
) -> FeedMeta:
    """``source``, ``size_bytes`` and (``sha256=True``) ``sha256`` of an input that has been read.

    For a spooled input (``meta`` from :func:`feedtools.readers.iter_read` holds
    ``spooled_from``) they come from ``meta``, as the pipe cannot be read again;
    for a regular file (or a fetch folder) they are taken from it (``digest``: what gives its SHA-256 when
    it is being computed already, :func:`hash_soon`).
    """
    if meta.get("spooled_from"):
        facts: FeedMeta = {"source": meta.get("source") or display_name(path), "size_bytes": meta.get("size_bytes")}
        if sha256:
            facts["sha256"] = meta.get("sha256")
        return facts
    from feedtools.readers.base import file_sha256, input_size

    p = Path(path)
    facts = FeedMeta(source=p.name, size_bytes=input_size(p))
    if sha256:
        facts["sha256"] = digest() if digest is not None else file_sha256(p)
    return facts


def hash_soon(path: Path) -> Callable[[], str] | None:
    """Start computing a regular file's SHA-256 (:func:`~feedtools.readers.base.file_sha256`) in a thread, while
    the caller reads the file (hashing lets go of the GIL, so the end of a parse does not wait for it); return
    what gives it (raising what hashing raised), or None for anything but a regular file. The thread is a
    daemon: an error or interrupt that ends the program does not wait for it."""
    if not path.is_file():
        return None
    from feedtools.readers.base import file_sha256

    outcome: list = []

    def run() -> None:
        try:
            outcome.append((file_sha256(path), None))
        except BaseException as e:  # noqa: BLE001 - raised again where the digest is asked for
            outcome.append((None, e))

    thread = threading.Thread(target=run, name="feedtools-sha256", daemon=True)
    thread.start()

    def result() -> str:
        thread.join()
        value, error = outcome[0]
        if error is not None:
            raise error
        return value

    return result
