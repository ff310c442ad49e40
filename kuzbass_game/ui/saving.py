"""The UI's one door to saved games: wraps the engine's `SaveStore` and turns failures into messages.

Screens never see an exception from saving or loading: every call here returns what to tell the
player. When the folder cannot be read, saving is unavailable and the screens show
Continue/Load/Save disabled with the reason.

The title screen only needs to know whether there is a save at all and which one Continue would
resume; `has_slots()` and `latest()` answer from the folder listing and read at most the few
newest files, so the engine's save code is not even imported until a save is written or read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from kuzbass_game.engine.model import Story
    from kuzbass_game.engine.runtime import Game
    from kuzbass_game.engine.saves import SaveStore, SlotInfo

SLOT_SUFFIX = ".json"  # the engine's saves.SUFFIX (a test keeps them equal)


@dataclass(frozen=True)
class Loaded:
    """A game read back from a slot, with its play time and anything the player should know."""

    game: Game
    play_seconds: float
    notice: str | None = None


class Saves:
    """Save, load and list slots for one story; `problem` explains why saving is unavailable."""

    def __init__(self, saves_dir: Path, story: Story) -> None:
        self.folder = Path(saves_dir)
        self.story = story
        self.problem: str | None = None
        self._store: SaveStore | None = None
        self._broken = False

    @property
    def store(self) -> SaveStore | None:
        """The engine's store, made (and its module imported) on first use."""
        if self._store is None and not self._broken:
            from kuzbass_game.engine.saves import SaveError, SaveStore

            try:
                self._store = SaveStore(self.folder, self.story)
            except (OSError, SaveError) as err:
                self._broken = True
                self.problem = f"Saves cannot be used: {err}"
        return self._store

    @property
    def available(self) -> bool:
        return self.store is not None

    def slots(self) -> list[SlotInfo]:
        """Every slot, newest first; an unreadable folder reads as none (and sets `problem`)."""
        from kuzbass_game.engine.saves import SaveError

        if not self.available:
            return []
        try:
            slots = list(self.store.list())
        except (OSError, SaveError) as err:
            self.problem = str(err)
            return []
        self.problem = None
        return slots

    def _slot_files(self) -> list[Path] | None:
        """The slot files, most recently written first, from the listing alone (None: unreadable)."""
        try:
            with os.scandir(self.folder) as entries:
                found = [(entry.stat().st_mtime_ns, entry.name, entry.path) for entry in entries
                         if entry.name.endswith(SLOT_SUFFIX) and not entry.name.startswith(".") and entry.is_file()]
        except FileNotFoundError:
            found = []
        except OSError:
            return None
        return [Path(path) for _, _, path in sorted(found, reverse=True)]

    def has_slots(self) -> bool:
        """Whether there is any slot (even one that cannot be loaded), without reading one."""
        if self._broken:
            return False
        files = self._slot_files()
        if files is None:
            return bool(self.slots())  # the engine words the problem
        self.problem = None
        return bool(files)

    def latest(self) -> SlotInfo | None:
        """What Continue resumes: the most recently written slot that loads and has not ended.

        Reads the newest files one by one and stops at the first good one (usually the first),
        instead of loading and replaying every save.
        """
        files = None if self._broken else self._slot_files()
        if not files or self.store is None:
            return None
        for path in files:
            info = self.store.info(path)
            if info.loadable and info.ending is None:
                return info
        return None

    def save(self, game: Game, name: str, seconds: float) -> str | None:
        """Save into slot `name`; None on success, else the reason it failed."""
        return self._attempt(lambda: self.store.save(game, name, play_seconds=seconds))

    def quicksave(self, game: Game, seconds: float) -> str | None:
        return self._attempt(lambda: self.store.quicksave(game, seconds))

    def autosave(self, game: Game, seconds: float) -> str | None:
        return self._attempt(lambda: self.store.autosave(game, seconds))

    def rename(self, old: str, new: str) -> str | None:
        return self._attempt(lambda: self.store.rename(old, new))

    def delete(self, name: str) -> str | None:
        return self._attempt(lambda: self.store.delete(name))

    def load(self, name: str) -> Loaded | str:
        """The loaded game, or the reason it could not be loaded."""
        return self._read(lambda: self.store.load(name))

    def quickload(self) -> Loaded | str:
        return self._read(lambda: self.store.quickload())

    def _attempt(self, action: Callable[[], Any]) -> str | None:
        from kuzbass_game.engine.saves import SaveError

        if not self.available:
            return self.problem
        try:
            action()
        except (OSError, SaveError, ValueError) as err:
            return str(err) or type(err).__name__
        return None

    def _read(self, action: Callable[[], Any]) -> Loaded | str:
        from kuzbass_game.engine.saves import SaveError

        if not self.available:
            return self.problem or "Saving is not available."
        try:
            loaded = action()
        except (OSError, SaveError, ValueError) as err:
            return str(err) or type(err).__name__
        return Loaded(loaded.game, float(loaded.play_seconds), loaded.notice)
