"""The UI's one door to saved games: wraps the engine's `SaveStore` and turns failures into messages.

Screens never see an exception from saving or loading: every call here returns what to tell the
player (a `Problem`, which is the message itself, plus what kind of failure it was). When the
folder cannot be read, saving is unavailable and the screens show Continue/Load/Save disabled
with the reason.

The title screen needs to know whether there is a save at all, and which one Continue would
resume: `has_slots()` answers from the folder listing alone, so when the folder is empty the
engine's save code is not even imported; `latest()` asks the store for the most recently saved
game (by the time stored in the file, not the file's date).

`shown()` (and the engine's `play_time()`) word a slot's facts for the screens: a saved chapter or date is
author markup whose values the engine escaped, and is shown as the plain text it reads as.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kuzbass_game.engine.storage import QUICKSAVE_FILE, SLOT_SUFFIX  # file names only: the save store is not imported
from kuzbass_game.text import markup_to_plain

if TYPE_CHECKING:
    from kuzbass_game.engine.core import Story
    from kuzbass_game.engine.play import Game
    from kuzbass_game.engine.storage import GameGroup, PendingAutosave, SaveStore, SlotInfo  # launch: the save store's modules on first use


class Problem(str):
    """Why a save, load, rename or delete failed, in the player's words (it *is* the message).

    `kind` says what failed: "exists" (a new slot's name is taken: ask before replacing it),
    "changed" (another running copy of the game changed the slot since it was listed), "autosave",
    or "error". `first` is False for an autosave failure the player was already told about: it is
    told once, not after every choice, until an autosave works again.
    """

    kind: str
    first: bool

    def __new__(cls, message: str, kind: str = "error", first: bool = True) -> Problem:
        problem = super().__new__(cls, message)
        problem.kind = kind
        problem.first = first
        return problem


@dataclass(frozen=True)
class Loaded:
    """A game read back from a slot, with its play time and anything the player should know."""

    game: Game
    play_seconds: float
    notice: str | None = None


def shown(markup: str | None) -> str:
    """A saved chapter, date or ending title as the plain text it reads as: author styling dropped,
    the engine's escapes removed, nothing left to parse (show it as plain `Content`)."""
    return markup_to_plain(markup) if markup else ""


class Saves:
    """Save, load and list slots for one story; `problem` explains why saving is unavailable."""

    def __init__(self, saves_dir: Path, story: Story) -> None:
        self.folder = Path(saves_dir)
        self.story = story
        self.problem: str | None = None
        self._store: SaveStore | None = None
        self._broken = False
        self._pending: PendingAutosave | None = None  # the last autosave prepared (written in a worker)

    @property
    def store(self) -> SaveStore | None:
        """The engine's store, made (and its module imported) on first use."""
        if self._store is None and not self._broken:
            from kuzbass_game.engine.storage import SaveError, SaveStore  # launch: the save store's modules on first use

            try:
                self._store = SaveStore(self.folder, self.story)
            except (OSError, SaveError) as err:
                self._broken = True
                self.problem = f"Saves cannot be used: {err}"
        return self._store

    @property
    def available(self) -> bool:
        return self.store is not None

    @property
    def autosave_problem(self) -> str | None:
        """Why the last autosave failed (None once one works, or before any was tried), once those
        being written are written."""
        self.flush()
        return self._store.autosave_problem if self._store is not None else None

    def slots(self) -> list[SlotInfo]:
        """Every slot, newest first; an unreadable folder reads as none (and sets `problem`)."""
        from kuzbass_game.engine.storage import SaveError  # launch: the save store's modules on first use

        store = self.store
        if store is None:
            return []
        self.flush()
        try:
            slots = list(store.list())
        except (OSError, SaveError) as err:
            self.problem = str(err)
            return []
        self.problem = None
        return slots

    def games(self) -> list[GameGroup]:
        """The slots grouped by game, the most recently saved game first (damaged files last)."""
        from kuzbass_game.engine.storage import SaveError  # launch: the save store's modules on first use

        store = self.store
        if store is None:
            return []
        self.flush()
        try:
            groups = list(store.games())
        except (OSError, SaveError) as err:
            self.problem = str(err)
            return []
        self.problem = None
        return groups

    def _slot_files(self) -> list[Path] | None:
        """The slot files, from the listing alone (None: the folder cannot be read)."""
        try:
            with os.scandir(self.folder) as entries:
                found = [
                    Path(entry.path) for entry in entries if entry.name.endswith(SLOT_SUFFIX) and not entry.name.startswith(".") and entry.is_file()
                ]
        except FileNotFoundError:
            found = []
        except OSError:
            return None
        return found

    def has_slots(self) -> bool:
        """Whether there is any slot (even one that cannot be loaded), without reading one."""
        if self._broken:
            return False
        self.flush()
        files = self._slot_files()
        if files is None:
            return bool(self.slots())  # the engine words the problem
        self.problem = None
        return bool(files)

    def has_quicksave(self) -> bool:
        self.flush()
        return not self._broken and (self.folder / QUICKSAVE_FILE).is_file()

    def latest(self) -> SlotInfo | None:
        """What Continue resumes: the most recently saved game where it was left (the newest slot,
        by the time stored in it, that loads and has not ended); None when there is none."""
        from kuzbass_game.engine.storage import SaveError  # launch: the save store's modules on first use

        if self._broken:
            return None
        self.flush()
        if not self._slot_files() or self.store is None:
            return None
        try:
            return self.store.latest()
        except (OSError, SaveError):
            return None

    def name_problem(self, name: str) -> str | None:
        """Why `name` cannot name a save (the engine's rule), or None: for checking as the player types."""
        from kuzbass_game.engine.storage import SaveError, check_slot_name  # launch: the save store's modules on first use

        try:
            check_slot_name(name)
        except SaveError as err:
            text = str(err)
            return text[:1].upper() + text[1:] + "."
        return None

    def save(self, game: Game, name: str, seconds: float, *, overwrite: bool = True, expect: SlotInfo | None = None) -> Problem | None:
        """Save into slot `name`; None on success, else the reason it failed.

        `overwrite=False`: only into a new slot (kind "exists" if the name is taken). `expect`: only
        over the slot as it was listed (kind "changed" if another copy of the game changed it).
        """
        return self._attempt(lambda store: store.save(game, name, play_seconds=seconds, overwrite=overwrite, expect=expect))

    def quicksave(self, game: Game, seconds: float) -> Problem | None:
        return self._attempt(lambda store: store.quicksave(game, seconds))

    def autosave(self, game: Game, seconds: float) -> Problem | None:
        """Autosave now, on this thread: None when autosaved; else the reason, with `first` False
        if the player was already told."""
        prepared = self.prepare_autosave(game, seconds)
        return prepared if isinstance(prepared, Problem) else self.write_autosave(prepared)

    def prepare_autosave(self, game: Game, seconds: float) -> PendingAutosave | Problem:
        """The game read and encoded on this (the UI) thread; `write_autosave` does the disk work
        on any thread. Autosaves are written in the order they were prepared."""
        prepared: list[PendingAutosave] = []
        problem = self._attempt(lambda store: prepared.append(store.prepare_autosave(game, seconds)), settle=False)
        if problem is not None:
            return problem
        self._pending = prepared[0]
        return prepared[0]

    def write_autosave(self, pending: PendingAutosave) -> Problem | None:
        """Write a prepared autosave (and every one prepared before it), on any thread."""
        return self._attempt(lambda _store: pending.write(), settle=False)

    def flush(self) -> None:
        """Finish writing every autosave prepared so far (a failure is told by whoever wrote it):
        a list, a load or the latest game then see the game as it was last played."""
        pending = self._pending
        if pending is not None:
            self.write_autosave(pending)

    def rename(self, old: str, new: str) -> Problem | None:
        """Rename a slot; never over another one (kind "exists")."""
        return self._attempt(lambda store: store.rename(old, new))

    def delete(self, slot: SlotInfo) -> Problem | None:
        """Delete the slot as listed (damaged files too); kind "changed" if it changed since."""
        return self._attempt(lambda store: store.delete(slot))

    def load(self, name: str) -> Loaded | str:
        """The loaded game, or the reason it could not be loaded."""
        return self._read(lambda store: store.load(name))

    def quickload(self) -> Loaded | str:
        return self._read(lambda store: store.quickload())

    def _attempt(self, action: Callable[[SaveStore], Any], settle: bool = True) -> Problem | None:
        """`settle`: first finish the autosaves being written (a save, rename or delete then sees
        the folder as the game in play left it)."""
        from kuzbass_game.engine.storage import AutosaveFailed, SaveError, SlotChanged, SlotExists  # launch: the save store's modules on first use

        store = self.store
        if store is None:
            return Problem(self.problem or "Saving is not available.")
        if settle:
            self.flush()
        try:
            action(store)
        except AutosaveFailed as err:
            return Problem(str(err) or "the game could not be autosaved", "autosave", first=err.first)
        except SlotExists as err:
            return Problem(str(err), "exists")
        except SlotChanged as err:
            return Problem(str(err), "changed")
        except (OSError, SaveError, ValueError) as err:
            return Problem(str(err) or type(err).__name__)
        return None

    def _read(self, action: Callable[[SaveStore], Any]) -> Loaded | str:
        from kuzbass_game.engine.storage import SaveError  # launch: the save store's modules on first use

        store = self.store
        if store is None:
            return self.problem or "Saving is not available."
        self.flush()
        try:
            loaded = action(store)
        except (OSError, SaveError, ValueError) as err:
            return str(err) or type(err).__name__
        return Loaded(loaded.game, float(loaded.play_seconds), loaded.notice)
