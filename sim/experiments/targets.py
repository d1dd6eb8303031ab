"""Where results go: output paths checked before the work starts, and files written whole or not at all.

Every command that writes checks its targets first (``check_file``, ``check_folder``): a bad path is
one message with exit status 2 before a long run, never a traceback after it. A target is refused
when it is empty, too long, of the wrong kind (a folder where a file goes, a device), one of the
command's own input files, or in a folder that is missing or cannot be written; the last is tried by
creating and removing a file there, so it holds for root and read-only file systems alike.

``atomic_write`` writes to a temporary name beside the target, flushes it to disk and renames it:
a reader, or a kill at any moment, sees the old file or the whole new one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from sim.book.inputs import InputError


def _same(path: Path, other: str | Path) -> bool:
    try:
        return path.resolve() == Path(other).resolve() or (path.exists() and os.path.samefile(path, other))
    except OSError:
        return False


def _kind(path: Path, key: str) -> int | None:
    """The file type bits of ``path``, None if there is nothing there; an InputError if it cannot be looked at."""
    try:
        return stat.S_IFMT(path.stat().st_mode)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InputError(f"cannot be used: {error.strerror}", path, key=key) from None


def _writable(folder: Path, path: Path, key: str) -> None:
    """Create and remove a file in ``folder``: the only test of writing that holds for root and read-only mounts alike."""
    if _kind(folder, key) != stat.S_IFDIR:
        raise InputError(f"cannot write it: {folder} does not exist or is not a folder", path, key=key)
    try:
        handle, probe = tempfile.mkstemp(prefix=".write-test-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise InputError(f"cannot write in {folder}: {error.strerror}", path, key=key) from None


def _named(text: str | Path, key: str) -> Path:
    if str(text).strip() == "":
        raise InputError("is empty; give a path", key=key)
    return Path(text)


def check_file(text: str | Path, key: str, inputs: Iterable[str | Path] = ()) -> Path:
    """A file the command will write: not a folder or device, not an input, in an existing folder that can be written."""
    path = _named(text, key)
    kind = _kind(path, key)
    if kind == stat.S_IFDIR:
        raise InputError("is a folder; give a file name", path, key=key)
    if kind is not None and kind != stat.S_IFREG:
        raise InputError("is not a regular file (a device, a pipe or a socket); give a file name", path, key=key)
    for source in inputs:
        if _same(path, source):
            raise InputError(f"is an input of this command ({source}); it would be overwritten: give another file", path, key=key)
    _writable(path.absolute().parent, path, key)
    return path


def check_folder(text: str | Path, key: str, inputs: Iterable[str | Path] = ()) -> Path:
    """A folder the command will write into (made if missing): not a file, not an input, in an existing folder, writable."""
    path = _named(text, key)
    kind = _kind(path, key)
    if kind is not None and kind != stat.S_IFDIR:
        raise InputError("exists and is not a folder; give a folder", path, key=key)
    for source in inputs:
        if _same(path, source):
            raise InputError(f"is an input of this command ({source}); give another folder", path, key=key)
    _writable(path if kind == stat.S_IFDIR else path.absolute().parent, path, key)
    return path


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write to a temporary name beside ``path``, flush it to disk, then rename: readers see the old file or the whole new one."""
    # A name of its own (mkstemp: never an existing file or link), so two threads writing one target cannot collide.
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


def atomic_text(path: Path, text: str) -> None:
    """``atomic_write`` of UTF-8 text."""
    atomic_write(path, lambda stream: stream.write(text.encode("utf-8")))

