"""Writing a file so that a crash or a full disk leaves the old version or the new, never half."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"


class TargetExists(FileExistsError):
    """`no_clobber` was asked and the file already exists (nothing was written)."""


def temp_prefix(path: Path) -> str:
    """How the temporary files of a write to `path` begin (hidden: listings skip them)."""
    return f".{path.name}."


def write_atomic(path: Path, data: bytes, *, no_clobber: bool = False) -> None:
    """Temp file in the same folder, write, flush, fsync, rename, fsync the folder.

    With `no_clobber`, the file is put in place only if none exists at `path` (a hard link,
    which the system refuses atomically if the name is taken): TargetExists otherwise, so two
    processes creating the same file can never overwrite each other.
    Raises OSError (with the temp file removed) if any step fails; the old file is untouched.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if no_clobber:
            _link_into_place(temp_name, path)
        else:
            os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    _fsync_folder(folder)


def _link_into_place(temp_name: str, path: Path) -> None:
    try:
        os.link(temp_name, path)
    except FileExistsError:
        raise TargetExists(errno.EEXIST, "a file of this name already exists", str(path)) from None
    except (AttributeError, NotImplementedError, OSError) as err:
        if isinstance(err, OSError) and err.errno not in (
            errno.EPERM,
            errno.ENOTSUP,
            errno.EOPNOTSUPP,
            errno.EXDEV,
            errno.ENOSYS,
            errno.EMLINK,
            errno.EACCES,
        ):
            raise
        # A file system without hard links: check, then rename (a narrow race, only there).
        if os.path.lexists(path):
            raise TargetExists(errno.EEXIST, "a file of this name already exists", str(path)) from None
        os.replace(temp_name, path)
        return
    try:
        os.unlink(temp_name)
    except OSError:
        pass


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
