"""Advisory locks between copies of the game that share one saves folder.

One hidden file, `.kuzbass.lock`, in the folder; POSIX record locks (`fcntl.lockf`) on single
bytes of it: the system releases them when a process ends, however it ends, so a lock is never
left behind by a crash.

- byte 0, shared while a process writes a temporary file, exclusive to remove leftover ones:
  a cleaner never removes the temporary file of a write in flight;
- byte 1, exclusive around a compare-then-replace of a slot (overwriting only the save that was
  listed);
- a byte per game id, held by the copy that autosaves that game: a second copy that plays the
  same game saves it as a game of its own instead of rotating out the first copy's autosaves.

Record locks belong to the process, and closing any descriptor of the file drops all of them,
so every store in a process shares one descriptor per folder (counted, closed with the last).
Where `fcntl` does not exist, or the file cannot be created, every lock succeeds and locks
nothing: per-game file names and atomic renames still keep the saves whole.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".kuzbass.lock"
_TEMP_BYTE = 0
_REPLACE_BYTE = 1
_GAME_BASE = 16
WAIT_SECONDS = 5.0

_shared: dict[str, list[int]] = {}  # real folder path -> [fd, users]
_shared_guard = threading.Lock()


class LockBusy(Exception):
    """Another copy of the game holds the lock for longer than we wait."""


def _offset(game_id: str) -> int:
    return _GAME_BASE + int(game_id[:15], 16)


class FolderLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._key: str | None = None
        self._games: set[str] = set()
        self._finalizer: object | None = None

    # ------------------------------------------------------------ the shared descriptor
    def _fd(self, create: bool) -> int | None:
        if fcntl is None:
            return None
        if self._key is not None:
            found = _shared.get(self._key)
            return found[0] if found else None
        path = self.folder / LOCK_NAME
        if not create and not path.exists():
            return None
        try:
            if create:
                self.folder.mkdir(parents=True, exist_ok=True)
            key = os.path.realpath(self.folder)
            with _shared_guard:
                entry = _shared.get(key)
                if entry is None:
                    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0), 0o600)
                    entry = _shared[key] = [fd, 0]
                entry[1] += 1
        except OSError:
            return None
        self._key = key
        self._finalizer = weakref.finalize(self, _release, key)
        return entry[0]

    def _try(self, fd: int, command: int, offset: int) -> bool:
        try:
            fcntl.lockf(fd, command | fcntl.LOCK_NB, 1, offset, os.SEEK_SET)
        except (BlockingIOError, PermissionError):
            return False
        except OSError:
            return True  # a file system without record locks: no lock, as without fcntl
        return True

    def _wait(self, fd: int, command: int, offset: int, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        pause = 0.002
        while not self._try(fd, command, offset):
            if time.monotonic() >= deadline:
                return False
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return True

    def _unlock(self, fd: int, offset: int) -> None:
        try:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset, os.SEEK_SET)
        except OSError:
            pass

    # ------------------------------------------------------------ the locks
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Shared: a temporary file of ours exists in the folder while this is held."""
        fd = self._fd(create=True)
        held = fd is not None and self._wait(fd, fcntl.LOCK_SH, _TEMP_BYTE, WAIT_SECONDS)
        try:
            yield
        finally:
            if held and fd is not None:
                self._unlock(fd, _TEMP_BYTE)

    @contextmanager
    def cleaning(self) -> Iterator[bool]:
        """Exclusive, without waiting: True if no other copy is writing (temporary files are leftovers)."""
        fd = self._fd(create=True)
        if fd is None:
            yield False
            return
        held = self._try(fd, fcntl.LOCK_EX, _TEMP_BYTE)
        try:
            yield held
        finally:
            if held:
                self._unlock(fd, _TEMP_BYTE)

    @property
    def available(self) -> bool:
        return self._fd(create=True) is not None

    @contextmanager
    def replacing(self) -> Iterator[None]:
        """Exclusive: a slot is compared with what was listed, then replaced. LockBusy after WAIT_SECONDS."""
        fd = self._fd(create=True)
        if fd is not None and not self._wait(fd, fcntl.LOCK_EX, _REPLACE_BYTE, WAIT_SECONDS):
            raise LockBusy("another copy of the game is busy saving")
        try:
            yield
        finally:
            if fd is not None:
                self._unlock(fd, _REPLACE_BYTE)

    def claim_game(self, game_id: str) -> bool:
        """Hold the lock of a game (until released or the process ends); False if another copy holds it."""
        if game_id in self._games:
            return True
        fd = self._fd(create=True)
        if fd is None:
            return True
        if not self._try(fd, fcntl.LOCK_EX, _offset(game_id)):
            return False
        self._games.add(game_id)
        return True

    def release_game(self, game_id: str) -> None:
        if game_id in self._games:
            self._games.discard(game_id)
            fd = self._fd(create=False)
            if fd is not None:
                self._unlock(fd, _offset(game_id))

    def holds(self, game_id: str) -> bool:
        return game_id in self._games


def _release(key: str) -> None:
    with _shared_guard:
        entry = _shared.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del _shared[key]
            try:
                os.close(entry[0])
            except OSError:
                pass
