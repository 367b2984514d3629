"""Writing files safely: whole outputs or none, never over an input, messages safe for a terminal.

Every file the package writes goes through :func:`atomic_path` (or :func:`atomic_open`,
:func:`atomic_write_text`, :func:`staged_folder` for a folder of pages):

* the content is written to a temporary file **in the target's folder**, named
  ``.NAME.tmp-XXXXXXXX`` (hidden, and recognisable as a leftover should the process be
  killed with SIGKILL), flushed to disk (``fsync``), then renamed over the target with
  ``os.replace``. A reader therefore sees the old file or the new one, never a part of
  one; two runs writing the same output each use their own temporary file, and the
  last rename wins whole;
* on any exception, ``KeyboardInterrupt`` included (and SIGTERM, which the command
  line turns into an exception), the temporary file is removed and the old file stays.

:func:`check_outputs` is the one check of output paths the command line runs before
reading anything: known suffix, not a folder, not two options naming one file, and
never a path that resolves to an input (the same file through a symlink or a hard
link included: compared by device and inode, and by resolved path). It raises
:class:`UsageError` (exit status 2).

:func:`terminal_safe` neutralises control characters (escape sequences, bidi
overrides, newlines) in messages that include a path or other untrusted text;
:func:`describe_oserror` renders an ``OSError`` as one line without ``None``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from feedtools.errors import UsageError  # re-exported: also imported from here

__all__ = [
    "UsageError",
    "atomic_open",
    "atomic_path",
    "atomic_write_text",
    "check_outputs",
    "check_suffix",
    "default_rejects_path",
    "describe_oserror",
    "same_file",
    "staged_folder",
    "terminal_safe",
]

#: Temporary files and folders are named ``.NAME.tmp-XXXXXXXX`` beside their target.
TEMP_MARK = ".tmp-"


def temp_prefix(path: str | Path) -> str:
    """``.NAME.tmp-`` for a temporary file or folder beside ``path``, with characters other than letters, digits,
    ``.``, ``_`` and ``-`` in NAME written ``_`` (libraries that expand globs must not see ``[`` or ``*``)."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", Path(path).name)[:100] or "out"
    return f".{name}{TEMP_MARK}"


# --- messages ---------------------------------------------------------------------------------------------------

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, line and paragraph separators, lone surrogates
# (undecodable bytes in a file name).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_safe(text: object) -> str:
    """``str(text)`` with every control character written as a visible escape (``\\x1b``, ``\\n``, ``\\u202e``).

    For any message that may hold a path or other untrusted text: an escape sequence in
    a file name must not reach the terminal, and a message stays on one line.
    """

    def esc(m: re.Match[str]) -> str:
        c = ord(m.group(0))
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    return _UNSAFE.sub(esc, str(text))


def describe_oserror(e: OSError) -> str:
    """One line for an ``OSError``: ``strerror: filename`` (and ``-> filename2``), no ``None``, control
    characters neutralised. Falls back to the exception's text, then to its type's name."""
    names = [os.fsdecode(f) if isinstance(f, bytes) else str(f) for f in (e.filename, e.filename2) if f is not None]
    reason = e.strerror or str(e) or type(e).__name__
    if names and e.strerror:
        return terminal_safe(f"{reason}: {' -> '.join(names)}")
    return terminal_safe(reason)


# --- paths ------------------------------------------------------------------------------------------------------


def default_rejects_path(output: str | Path) -> Path:
    """Where ``feedtools parse -o OUTPUT`` writes its rejects by default: ``OUTPUT`` without its *last* suffix,
    plus ``.rejects.csv``: ``run.a.csv`` -> ``run.a.rejects.csv``, ``posts.rejects.csv`` ->
    ``posts.rejects.rejects.csv``.
    """
    output = Path(output)
    return output.with_name(output.stem + ".rejects.csv")


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when ``a`` and ``b`` are one file: the same device and inode (hard links, symlinks), or the same
    resolved path (also when neither exists yet). Never raises."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        pass
    else:
        if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
            return True
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return os.path.abspath(a) == os.path.abspath(b)


def check_suffix(path: str | Path, suffixes: Iterable[str], *, option: str | None = None) -> str:
    """The lower-case suffix of ``path`` when it is one of ``suffixes`` (``.csv``…, lower case); else
    :class:`UsageError` ``[OPTION: ]unknown output type '.x' for NAME; use one of …``. The one suffix check
    of outputs: :func:`check_outputs`, :func:`feedtools.export.write_table` and
    :func:`feedtools.pipeline.parse_to_file` use it."""
    path, known = Path(path), list(suffixes)
    suffix = path.suffix.lower()
    if suffix not in known:
        raise UsageError(
            terminal_safe(
                f"{option + ': ' if option else ''}unknown output type "
                f"{path.suffix or '(none)'!r} for {path.name}; use one of {', '.join(known)}"
            )
        )
    return suffix


def check_outputs(
    inputs: Iterable[str | Path | None],
    outputs: Sequence[tuple[str, str | Path | None, Sequence[str]]],
) -> None:
    """Refuse, before any work, output paths that would lose data or cannot be written as asked.

    ``inputs``: files the command reads (None entries are ignored). ``outputs``: ``(option,
    path, suffixes)`` for each output; ``path`` None means the option was not given;
    ``suffixes`` lists the accepted ones (lower case, with the dot; empty: any).
    Raises :class:`UsageError` (one line naming the option and the file) when a path
    has another suffix, is an existing folder, resolves to an input (same file, symlink
    or hard link) or is named by two options.
    """
    ins = [Path(p) for p in inputs if p is not None]
    seen: list[tuple[str, Path]] = []
    for option, path, suffixes in outputs:
        if path is None:
            continue
        path = Path(path)
        if suffixes:
            check_suffix(path, suffixes, option=option)
        if path.is_dir():
            raise UsageError(terminal_safe(f"{option}: {path} is a folder; give a file name"))
        for src in ins:
            if same_file(path, src):
                what = f"the input file {src}" if str(path) == str(src) else f"{path}: it is the input file {src}"
                raise UsageError(terminal_safe(f"{option}: refusing to overwrite {what}"))
        for other_option, other in seen:
            if same_file(path, other):
                raise UsageError(terminal_safe(f"{other_option} and {option} both name {path}; give two files"))
        seen.append((option, path))


# --- atomic writing ---------------------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _new_file_mode() -> int:
    return 0o666 & ~_umask()


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened or synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error, move it over ``path`` whole.

    The caller (or a library) writes the complete content to the yielded path. On
    success the file is synced to disk, given the usual permissions for a new file
    (``0o666`` less the umask) and renamed over ``path`` with ``os.replace`` (atomic on
    one file system). On any exception, ``KeyboardInterrupt`` and ``SystemExit``
    included, the temporary file (or folder, if a library made one) is removed, ``path``
    is left as it was, and the exception propagates. Parent folders are created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if tmp.is_file():
            _fsync_file(tmp)
            os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(path.parent)


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "wb", encoding: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing (``mode`` "w"/"wb"); moved over ``path`` whole on
    success, removed on any exception (see :func:`atomic_path`)."""
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode 'w' or 'wb', not {mode!r}")
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding if "b" not in mode else None) as fh:
        yield fh
        fh.flush()


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` whole (see :func:`atomic_path`)."""
    with atomic_open(path, "w", encoding=encoding) as fh:
        fh.write(text)


@contextlib.contextmanager
def staged_folder(out: str | Path, *, last: Sequence[str] = ()) -> Iterator[Path]:
    """Yield a temporary sibling folder of ``out``; when the block succeeds, publish what was written there.

    * ``out`` missing (or an empty folder): the staged folder is renamed to ``out`` in
      one step.
    * ``out`` holding files: each staged file is moved over its namesake in ``out`` with
      ``os.replace`` (each whole), names in ``last`` after the others (an index after the
      pages it links to). Files in ``out`` that this build did not write stay untouched.

    Until the block succeeds nothing in ``out`` changes: a build that fails half-way
    leaves an earlier build whole. On any exception the staged folder is removed.
    Only regular files directly inside the staged folder are published.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and not out.is_dir():
        raise UsageError(terminal_safe(f"{out} is a file, not a folder"))
    stage = Path(tempfile.mkdtemp(prefix=temp_prefix(out), dir=out.parent))
    try:
        yield stage
        for f in stage.iterdir():
            if f.is_file():
                _fsync_file(f)
                os.chmod(f, _new_file_mode())
        try:
            os.rename(stage, out)  # one step when out is missing or an empty folder; fails when it holds files
            renamed = True
        except OSError:
            renamed = False
        if renamed:
            os.chmod(out, 0o777 & ~_umask())
        else:
            files = sorted((f for f in stage.iterdir() if f.is_file()), key=lambda f: (f.name in last, f.name))
            for f in files:
                os.replace(f, out / f.name)
            _fsync_dir(out)
            _remove(stage)
    except BaseException:
        _remove(stage)
        raise
    _fsync_dir(out.parent)
