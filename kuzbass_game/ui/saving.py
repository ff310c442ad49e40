"""The UI's one door to saved games: wraps the engine's `SaveStore` and turns failures into messages.

Screens never see an exception from saving or loading: every call here returns what to tell the
player. When the folder cannot be read, saving is unavailable and the screens show
Continue/Load/Save disabled with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kuzbass_game.engine.model import Story
from kuzbass_game.engine.runtime import Game

from kuzbass_game.engine.saves import SaveError, SaveStore, SlotInfo


@dataclass(frozen=True)
class Loaded:
    """A game read back from a slot, with its play time and anything the player should know."""

    game: Game
    play_seconds: float
    notice: str | None = None


class Saves:
    """Save, load and list slots for one story; `problem` explains why saving is unavailable."""

    def __init__(self, saves_dir: Path, story: Story) -> None:
        self.problem: str | None = None
        self._store: SaveStore | None = None
        try:
            self._store = SaveStore(saves_dir, story)
        except (OSError, SaveError) as err:
            self.problem = f"Saves cannot be used: {err}"

    @property
    def available(self) -> bool:
        return self._store is not None

    def slots(self) -> list[SlotInfo]:
        """Every slot, newest first; an unreadable folder reads as none (and sets `problem`)."""
        if not self.available:
            return []
        try:
            slots = list(self._store.list())
        except (OSError, SaveError) as err:
            self.problem = str(err)
            return []
        self.problem = None
        return slots

    def latest(self) -> SlotInfo | None:
        if not self.available:
            return None
        try:
            return self._store.latest()
        except (OSError, SaveError):
            return None

    def save(self, game: Game, name: str, seconds: float) -> str | None:
        """Save into slot `name`; None on success, else the reason it failed."""
        return self._attempt(lambda: self._store.save(game, name, play_seconds=seconds))

    def quicksave(self, game: Game, seconds: float) -> str | None:
        return self._attempt(lambda: self._store.quicksave(game, seconds))

    def autosave(self, game: Game, seconds: float) -> str | None:
        return self._attempt(lambda: self._store.autosave(game, seconds))

    def rename(self, old: str, new: str) -> str | None:
        return self._attempt(lambda: self._store.rename(old, new))

    def delete(self, name: str) -> str | None:
        return self._attempt(lambda: self._store.delete(name))

    def load(self, name: str) -> Loaded | str:
        """The loaded game, or the reason it could not be loaded."""
        return self._read(lambda: self._store.load(name))

    def quickload(self) -> Loaded | str:
        return self._read(lambda: self._store.quickload())

    def _attempt(self, action: Callable[[], Any]) -> str | None:
        if not self.available:
            return self.problem
        try:
            action()
        except (OSError, SaveError, ValueError) as err:
            return str(err) or type(err).__name__
        return None

    def _read(self, action: Callable[[], Any]) -> Loaded | str:
        if not self.available:
            return self.problem or "Saving is not available."
        try:
            loaded = action()
        except (OSError, SaveError, ValueError) as err:
            return str(err) or type(err).__name__
        return Loaded(loaded.game, float(loaded.play_seconds), loaded.notice)
