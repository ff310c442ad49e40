"""Reading a file we do not trust: regular files only, never blocking, never more than a limit.

A story or saves folder may hold a FIFO named `x.yaml` (opening it would wait forever for a
writer), a symbolic link to `/dev/zero` (reading it never ends) or to a file far outside the
folder. `read_regular` opens without blocking (O_NONBLOCK), checks with `fstat` on the open
file that it is a regular file, and reads at most `limit + 1` bytes; `inside` tells whether a
path, with every symbolic link resolved, stays inside a folder.
"""

from __future__ import annotations

import os
import stat

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_CHUNK = 1 << 20


class Refused(Exception):
    """A file that is not read, and why (the message completes "this file ...")."""


class NotRegular(Refused):
    pass


class TooLarge(Refused):
    def __init__(self, message: str, size: int | None) -> None:
        super().__init__(message)
        self.size = size  # None when the file grew while it was read


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


def inside(path: str | os.PathLike[str], root_real: str) -> bool:
    """Whether `path`, with its symbolic links resolved, is `root_real` or lies under it."""
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def open_regular(path: str | os.PathLike[str], *, follow: bool = True) -> tuple[int, os.stat_result]:
    """An open descriptor on `path` and its `fstat`, if it is a regular file; never blocks.

    Raises OSError when it cannot be opened, NotRegular when it is a FIFO, a device, a folder...
    `follow=False` refuses a symbolic link itself (ELOOP, an OSError).
    """
    flags = _FLAGS if follow else _FLAGS | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(f"is {kind_of(info.st_mode)}, not an ordinary file")
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def read_fd(fd: int, info: os.stat_result, limit: int) -> bytes:
    """Read a regular file's open descriptor to its end: TooLarge past `limit` bytes (reads at most limit + 1)."""
    if info.st_size > limit:
        raise TooLarge(f"is too large ({info.st_size} bytes; at most {limit})", info.st_size)
    want = limit + 1
    chunks: list[bytes] = []
    total = 0
    for _ in range(want // 4096 + 64):  # a regular file returns full reads until its end
        chunk = os.read(fd, min(max(info.st_size + 1 - total, 4096), want - total, _CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total >= want:
            raise TooLarge(f"grew past {limit} bytes while it was read", None)
    else:
        raise TooLarge("could not be read to its end", None)
    return b"".join(chunks)


def read_regular(path: str | os.PathLike[str], limit: int, *, follow: bool = True) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most `limit` bytes, and its `fstat`.

    Raises OSError, NotRegular or TooLarge; never blocks and never reads more than `limit + 1` bytes.
    """
    fd, info = open_regular(path, follow=follow)
    try:
        return read_fd(fd, info, limit), info
    finally:
        os.close(fd)
