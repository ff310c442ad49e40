"""The save folder: named slots, rotating autosaves, a quicksave, written atomically.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then
renamed over the slot: a crash or a full disk at any moment leaves the old save or the new
one, never a broken one. Reading one slot never touches another.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kuzbass_game.engine import atomic
from kuzbass_game.engine.model import Story
from kuzbass_game.engine.runtime import Game
from kuzbass_game.engine.savefile import MAX_SAVE_BYTES, SaveError, SaveMeta, decode, encode, restore

SUFFIX = ".json"
AUTOSAVES = 3
AUTO_PREFIX = "autosave-"
QUICK_NAME = "quicksave"
_SLOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _\-]{0,39}\Z")


@dataclass(frozen=True)
class SlotInfo:
    """What the save screen and `kuzbass saves` show about one slot."""

    name: str
    kind: str
    path: Path
    chapter: str | None = None
    date: str | None = None
    excerpt: str = ""
    turn: int = 0
    play_seconds: float = 0.0
    saved_at: datetime | None = None
    ending: str | None = None
    problem: str | None = None  # why it cannot be loaded; None when it loads
    notice: str | None = None  # it loads, but the player should know this (story changed...)

    @property
    def loadable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class LoadedGame:
    game: Game
    play_seconds: float
    notice: str | None
    slot: str


def check_slot_name(name: str) -> str:
    """A slot name is also a file name, so only a safe alphabet is allowed (no '../../etc/passwd')."""
    name = name.strip()
    if not _SLOT_NAME.match(name):
        raise SaveError("a slot name may have 1-40 letters, digits, spaces, '-' or '_', and must start with a letter or digit")
    if name.lower().startswith(AUTO_PREFIX) or name.lower() == QUICK_NAME:
        raise SaveError(f"'{name}' is reserved for automatic saves; choose another name")
    return name


def format_play_time(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m {int(seconds % 60):02d}s"


class SaveStore:
    def __init__(self, folder: Path, story: Story) -> None:
        self.folder = Path(folder)
        self.story = story

    # ---------------------------------------------------------------- paths
    def _path(self, name: str) -> Path:
        return self.folder / f"{name}{SUFFIX}"

    def _existing(self, name: str) -> Path:
        path = self._path(name)
        if not path.is_file():
            raise SaveError(f"there is no save called '{name}'")
        return path

    # ---------------------------------------------------------------- writing
    def save(self, game: Game, name: str, play_seconds: float = 0.0, *, kind: str = "manual") -> SlotInfo:
        if kind == "manual":
            name = check_slot_name(name)
        meta = SaveMeta(name, kind, datetime.now(timezone.utc), play_seconds)
        path = self._path(name)
        text, summary = encode(game, meta)
        write_atomic(path, text.encode("utf-8"))
        return SlotInfo(name, kind, path, summary["chapter"], summary["date"], summary["excerpt"], summary["turn"],
                        play_seconds, meta.saved_at, summary["ending"])

    def autosave(self, game: Game, play_seconds: float = 0.0) -> SlotInfo:
        """Write into the oldest of the rotating autosave slots."""
        slots = [f"{AUTO_PREFIX}{i}" for i in range(1, AUTOSAVES + 1)]

        def age(name: str) -> float:
            try:
                return self._path(name).stat().st_mtime
            except OSError:
                return -1.0

        return self.save(game, min(slots, key=age), play_seconds, kind="auto")

    def quicksave(self, game: Game, play_seconds: float = 0.0) -> SlotInfo:
        return self.save(game, QUICK_NAME, play_seconds, kind="quick")

    def rename(self, old: str, new: str) -> SlotInfo:
        source = self._existing(old)
        new = check_slot_name(new)
        target = self._path(new)
        if target.exists():
            raise SaveError(f"a save called '{new}' already exists")
        loaded = self.load(old)
        info = self.save(loaded.game, new, loaded.play_seconds)
        source.unlink()
        return info

    def delete(self, name: str) -> None:
        self._existing(name).unlink()

    # ---------------------------------------------------------------- reading
    def load(self, name: str) -> LoadedGame:
        if not (_SLOT_NAME.match(name) or name == QUICK_NAME):
            raise SaveError(f"'{name}' is not a valid slot name")
        path = self._existing(name)
        decoded = decode(_read_bounded(path))
        restored = restore(decoded, self.story)
        return LoadedGame(restored.game, decoded.meta.play_seconds, restored.notice, name)

    def quickload(self) -> LoadedGame:
        return self.load(QUICK_NAME)

    def info(self, path: Path) -> SlotInfo:
        """Everything about one slot file, including why it would not load. Never raises."""
        name = path.name[: -len(SUFFIX)]
        kind = "auto" if name.startswith(AUTO_PREFIX) else "quick" if name == QUICK_NAME else "manual"
        try:
            decoded = decode(_read_bounded(path))
            restored = restore(decoded, self.story)
        except SaveError as err:
            return SlotInfo(name, kind, path, problem=str(err))
        except OSError as err:
            return SlotInfo(name, kind, path, problem=f"cannot read the file: {err.strerror or err}")
        view = restored.game.view()
        summary = decoded.summary
        excerpt = summary.get("excerpt") if isinstance(summary.get("excerpt"), str) else ""
        return SlotInfo(name, decoded.meta.kind, path, view.chapter, view.date, excerpt[:400], view.turn,
                        decoded.meta.play_seconds, decoded.meta.saved_at, view.ending, None, restored.notice)

    def list(self) -> list[SlotInfo]:
        """Every slot, newest first; damaged ones included, with their problem."""
        try:
            paths = [p for p in self.folder.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith(".")]
        except FileNotFoundError:
            return []
        except OSError as err:
            raise SaveError(f"cannot read the saves folder {self.folder}: {err.strerror or err}") from None
        infos = [self.info(p) for p in paths if p.is_file()]
        epoch = datetime.min.replace(tzinfo=timezone.utc)
        return sorted(infos, key=lambda i: (i.saved_at or epoch, i.name), reverse=True)

    def latest(self) -> SlotInfo | None:
        """The newest slot that loads: what "Continue" resumes."""
        return next((info for info in self.list() if info.loadable and info.ending is None), None)


def _read_bounded(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SAVE_BYTES + 1)
    except OSError as err:
        raise SaveError(f"cannot read the save: {err.strerror or err}") from None
    return data


def write_atomic(path: Path, data: bytes) -> None:
    """Atomic write (see atomic.py), with the failure told in the player's words."""
    try:
        atomic.write_atomic(path, data)
    except FileExistsError as err:
        raise SaveError(f"cannot create the saves folder {path.parent}: {err.strerror or err}") from None
    except NotADirectoryError as err:
        raise SaveError(f"cannot create the saves folder {path.parent}: {err.strerror or err}") from None
    except OSError as err:
        reason = "the disk is full" if err.errno in (errno.ENOSPC, errno.EDQUOT) else (err.strerror or str(err))
        raise SaveError(f"could not save ({reason}); your previous save is untouched") from None
