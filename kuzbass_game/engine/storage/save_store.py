"""The save folder: named slots, rotating autosaves per game, a quicksave, written atomically.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then
renamed over the slot: a crash or a full disk at any moment leaves the old save or the new
one, never a broken one. Reading one slot never touches another, and no failure while reading
one slot escapes: it is listed as damaged, with the reason.

Each game has an id (kept in its saves, and on the `Game` object as `game_id`), and its own
three rotating autosaves, `autosave-<game id>-<1..3>.json`: a new game, or a second copy of the
game running on the same folder, never rotates out another game's autosaves. A second copy that
plays the very same game (both pressed Continue) saves it under a new id of its own, so neither
rotates out the other (see locks.py). Named slots are created without overwriting (`overwrite=False`)
or replaced only if still the save that was listed (`expect=`).
"""

from __future__ import annotations

import builtins
import errno
import json
import threading
from collections import deque
import os
import re
import secrets
import stat
import time
from dataclasses import dataclass
from datetime import datetime, UTC
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator

from kuzbass_game.engine.files import atomic
from kuzbass_game.engine.files.locks import FolderLocks, LockBusy
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.core.text import escape_markup, is_plain, plain_text
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.play.state import Action
from kuzbass_game.engine.storage.names import AUTO_PREFIX, QUICK_NAME, SUFFIX
from kuzbass_game.engine.storage.journal import (
    MIN_SNAPSHOT_BYTES,
    append_line,
    encode_line,
    journal_path,
    read_journal,
    remove_journal,
    saved_at_of_journal,
    start_journal,
)
from kuzbass_game.engine.files.bounded import NotRegular, Refused, TooLarge, inside, open_regular, read_fd
from kuzbass_game.engine.storage.save_format import (
    GAME_ID,
    MAX_SAVE_BYTES,
    Decoded,
    Restored,
    SaveError,
    SaveMeta,
    Summary,
    apply_journal,
    _parse_time,
    decode,
    encode,
    parse_int,
    restore,
    summarize,
)

AUTOSAVES = 3  # per game
MAX_LISTED = 1000  # slot files read for a listing: the most recently written
MAX_SCANNED = 100_000  # names looked at in the saves folder
MAX_NAME_CHARS = 200  # a file name we will try to load (a slot name we create is at most 40)
STALE_TEMP_SECONDS = 600  # without locks, a temporary file this old is a leftover
_SLOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _\-]{0,39}\Z")
_AUTO_NAME = re.compile(r"autosave-(?:([0-9a-f]{16})-)?([0-9]+)\Z")
Stamp = tuple[int, int, int, int]  # a slot file as it was read: mtime (ns), size, inode, device
_HEAD_BYTES = 16 * 1024  # where a save written by us keeps its "slot" line


class SlotExists(SaveError):
    """A new slot was asked for (`overwrite=False`) and one of that name exists: ask the player first."""


class SlotChanged(SaveError):
    """The slot is no longer the save that was listed (another copy of the game wrote it)."""


class AutosaveFailed(SaveError):
    """An autosave could not be written; the game in play is unharmed.

    `first` is True for the first failure since the last autosave that worked: tell the player
    then (once), not after every choice. `SaveStore.autosave_problem` holds the reason until an
    autosave works again.
    """

    def __init__(self, message: str, first: bool) -> None:
        super().__init__(message)
        self.first = first


@dataclass(frozen=True)
class SlotInfo:
    """What the save screen and `kuzbass saves` show about one slot; every string is plain text."""

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
    game_id: str | None = None  # the game it belongs to (None: unknown, the file is damaged)
    stamp: Stamp | None = None  # the file as it was read (see `SaveStore.save(expect=...)`)

    @property
    def loadable(self) -> bool:
        return self.problem is None

    @property
    def label(self) -> str:
        """The name to show: "Autosave 2", "Quicksave", or the slot's own name (plain text)."""
        auto = _AUTO_NAME.match(self.name)
        if auto:
            return f"Autosave {auto.group(2)}"
        return "Quicksave" if self.name == QUICK_NAME else self.name


@dataclass(frozen=True)
class GameGroup:
    """The slots of one game, newest first (`SaveStore.games`)."""

    game_id: str | None  # None: files too damaged to tell which game they belong to
    slots: tuple[SlotInfo, ...]

    @property
    def newest(self) -> SlotInfo:
        return self.slots[0]

    @property
    def saved_at(self) -> datetime | None:
        return self.slots[0].saved_at

    @property
    def resume(self) -> SlotInfo | None:
        """The slot that continues this game: its newest that loads and has not ended."""
        return next((s for s in self.slots if s.loadable and s.ending is None), None)

    @property
    def autosaves(self) -> tuple[SlotInfo, ...]:
        return tuple(s for s in self.slots if s.kind == "auto")


@dataclass(frozen=True)
class LoadedGame:
    game: Game
    play_seconds: float
    notice: str | None
    slot: str
    game_id: str | None = None
    saved_at: datetime | None = None  # when the slot was saved (a rename keeps it)


def check_slot_name(name: str) -> str:
    """A slot name is also a file name, so only a safe alphabet is allowed (no '../../etc/passwd')."""
    name = name.strip()
    if not _SLOT_NAME.match(name):
        raise SaveError("a slot name may have 1-40 letters, digits, spaces, '-' or '_', and must start with a letter or digit")
    if name.lower().startswith(AUTO_PREFIX) or name.lower() == QUICK_NAME:
        raise SaveError(f"'{name}' is reserved for automatic saves; choose another name")
    return name


def new_game_id() -> str:
    """A fresh game id: 16 hex digits, random."""
    return secrets.token_hex(8)


# ------------------------------------------------------------------ a game's id
_FALLBACK_IDS: dict[int, tuple[Game, str]] = {}  # for a Game that takes no new attribute (bounded)


def game_id_of(game: Game) -> str | None:
    """The id of the game in play, if it has one yet (it gets one when first saved or loaded)."""
    found = getattr(game, "game_id", None)
    if isinstance(found, str) and GAME_ID.match(found):
        return found
    held = _FALLBACK_IDS.get(id(game))
    return held[1] if held is not None and held[0] is game else None


def set_game_id(game: Game, game_id: str) -> None:
    """Give the game in play its id (a New game gets a fresh one on its first save)."""
    try:
        game.game_id = game_id  # type: ignore[attr-defined]
    except AttributeError:
        if len(_FALLBACK_IDS) >= 64:
            _FALLBACK_IDS.pop(next(iter(_FALLBACK_IDS)))
        _FALLBACK_IDS[id(game)] = (game, game_id)


def slot_kind(name: str) -> str:
    return "auto" if name.startswith(AUTO_PREFIX) else "quick" if name == QUICK_NAME else "manual"


def _loadable_name(name: str) -> bool:
    """A name that is one file right inside the folder: no separator, not hidden, plain text."""
    return (
        0 < len(name) <= MAX_NAME_CHARS
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and "\0" not in name
        and is_plain(name)
        and name == name.strip()
    )


def _stamp(info: os.stat_result) -> Stamp:
    return (info.st_mtime_ns, info.st_size, info.st_ino, info.st_dev)


@dataclass(frozen=True)
class _Encoded:
    """A slot ready to write: its file, its bytes, and what it is listed as."""

    path: Path
    data: bytes
    meta: SaveMeta
    summary: Summary
    game_id: str


class PendingAutosave:
    """One autosave, prepared (the game read and encoded) on the thread that plays the game.

    `write()` does the disk work and may run on any thread. Autosaves are written in the order they
    were prepared: writing one first writes each one prepared before it and not yet written; writing
    one again returns what it wrote, or raises what it raised (AutosaveFailed).
    """

    def __init__(self, store: SaveStore, seq: int, name: str, job: Callable[[], SlotInfo]) -> None:
        self.seq = seq
        self.name = name
        self._store = store
        self._job = job
        self._done = False
        self._info: SlotInfo | None = None
        self._error: AutosaveFailed | None = None

    def write(self) -> SlotInfo:
        if not self._done:
            self._store._flush(self)
        if self._error is not None:
            raise self._error
        assert self._info is not None
        return self._info

    def _run(self) -> None:
        try:
            self._info = self._job()
        except AutosaveFailed as err:
            self._error = err
        self._done = True


@dataclass
class _Journal:
    """The journal of the autosave a game is being written into (journal.py), as this store will
    have written it once every prepared autosave is written."""

    game: Game  # the game it follows: another game object (a load, a new game) starts a new snapshot
    slot: Path  # the snapshot
    token: str  # which the snapshot holds and each line names
    actions: list[Action]  # the history the snapshot and its lines hold
    size: int  # bytes of lines since the snapshot
    limit: int  # a new snapshot once `size` reaches it
    broken: bool = False  # a write failed: the next autosave is a snapshot


class SaveStore:
    def __init__(self, folder: Path, story: Story, *, journal_bytes: int = MIN_SNAPSHOT_BYTES) -> None:
        """`journal_bytes`: a game's next autosave is a whole snapshot once its journal holds this
        many bytes and at least as many as its snapshot (0: every autosave is a snapshot)."""
        self.folder = Path(folder)
        self.journal_bytes = journal_bytes
        self.story = story
        self.autosave_problem: str | None = None  # why the last autosave failed; None once one works
        self.forked: list[tuple[str, str]] = []  # (game id, new id): a game another running copy was saving
        self._locks = FolderLocks(self.folder)
        self._cleaned = False
        self._next_auto: dict[str, int] = {}
        self._current_game: str | None = None
        self._known: dict[str, datetime] = {}  # game id -> when this store last loaded or wrote it
        self._queue: deque[PendingAutosave] = deque()  # prepared autosaves not yet written, oldest first
        self._prepared = 0  # autosaves prepared so far (each pending one's place in the order)
        self._order = threading.Lock()  # guards the queue
        self._writing = threading.Lock()  # one writer of autosaves at a time, in order
        self._journals: dict[str, _Journal] = {}  # game id -> the journal its autosaves append to

    # ---------------------------------------------------------------- paths
    def _path(self, name: str) -> Path:
        return self.folder / f"{name}{SUFFIX}"

    def _existing(self, name: str) -> Path:
        if not (_SLOT_NAME.match(name) or _AUTO_NAME.match(name) or name == QUICK_NAME or _loadable_name(name)):
            raise SaveError(f"'{plain_text(name)[:60]}' is not a valid slot name")
        path = self._path(name)
        try:
            info = os.lstat(path)
        except OSError:
            raise SaveError(f"there is no save called '{name}'") from None
        if stat.S_ISDIR(info.st_mode):
            raise SaveError(f"there is no save called '{name}'")
        return path

    def _start(self) -> None:
        if not self._cleaned:
            self._cleaned = True
            self.remove_leftovers()

    # ---------------------------------------------------------------- a game's id
    def game_id(self, game: Game) -> str:
        """The game's id, given to it now if it has none (a game started in this copy)."""
        found = game_id_of(game)
        if found is None:
            found = new_game_id()
            set_game_id(game, found)
        return found

    def _claim(self, game: Game) -> str:
        """The id to autosave `game` under: its own, unless another copy of the game is saving that
        game now (it holds the game's lock) or saved it since this copy loaded it (its autosaves
        are newer): then this game becomes a game of its own, and neither rotates out the other."""
        game_id = self.game_id(game)
        if game_id != self._current_game:
            if self._current_game is not None:
                self._locks.release_game(self._current_game)
            if not self._locks.claim_game(game_id) or self._saved_elsewhere(game_id):
                self._locks.release_game(game_id)
                fork = new_game_id()
                self.forked.append((game_id, fork))
                set_game_id(game, fork)
                game_id = fork
                self._locks.claim_game(game_id)
            self._current_game = game_id
        return game_id

    def _saved_elsewhere(self, game_id: str) -> bool:
        """Whether an autosave of this game is newer than what this store loaded or wrote of it."""
        since = self._known.get(game_id)
        if since is None:
            return False
        for index in range(1, AUTOSAVES + 1):
            path = self._path(f"{AUTO_PREFIX}{game_id}-{index}")
            if path.exists() and _saved_at_of(path, self.folder) > since:
                return True
        return False

    # ---------------------------------------------------------------- writing
    def save(
        self,
        game: Game,
        name: str,
        play_seconds: float = 0.0,
        *,
        kind: str = "manual",
        overwrite: bool = True,
        expect: SlotInfo | None = None,
        game_id: str | None = None,
        saved_at: datetime | None = None,
    ) -> SlotInfo:
        """Write the game into slot `name` (`saved_at`: the time to record, when not now: a rename).

        `overwrite=False`: only if no slot of that name exists (else SlotExists, nothing written;
        two copies of the game can never both create it). `expect`: replace the slot only if it is
        still the file that was listed in `expect` (else SlotChanged).
        """
        self._start()
        if kind == "manual":
            name = check_slot_name(name)
        slot = self._encoded(game, name, play_seconds, kind, game_id, saved_at)
        if expect is not None:
            try:
                with self._locks.replacing():
                    if self._stamp_of(slot.path) != expect.stamp:
                        raise SlotChanged(
                            f"the save '{name}' was changed by another copy of the game since it was listed; look at it again before you replace it"
                        )
                    self._write(slot.path, slot.data)
            except LockBusy as err:
                raise SaveError(f"could not save: {err}; try again") from None
        else:
            self._write(slot.path, slot.data, no_clobber=not overwrite)
        return self._written(slot)

    def _encoded(
        self,
        game: Game,
        name: str,
        play_seconds: float,
        kind: str,
        game_id: str | None = None,
        saved_at: datetime | None = None,
        journal: str | None = None,
    ) -> _Encoded:
        """The slot's bytes and what it will be listed as: everything that reads the game, done on
        the thread that plays it (`_written` then needs only the file)."""
        game_id = game_id if game_id is not None and GAME_ID.match(game_id) else self.game_id(game)
        set_game_id(game, game_id)
        meta = SaveMeta(name, kind, saved_at or datetime.now(UTC), play_seconds, game_id, journal)
        text, summary = encode(game, meta)
        # A lone surrogate (undecodable bytes typed at a terminal) cannot be UTF-8: written as the
        # JSON escape it stands for, which reads back as the same string (then as plain text).
        return _Encoded(self._path(name), text.encode("utf-8", "backslashreplace"), meta, summary, game_id)

    def _written(self, slot: _Encoded) -> SlotInfo:
        """What a slot just written is listed as; the game is known as saved at its time."""
        meta, summary, game_id = slot.meta, slot.summary, slot.game_id
        self._known[game_id] = max(meta.saved_at, self._known.get(game_id, meta.saved_at))
        return SlotInfo(
            meta.name,
            meta.kind,
            slot.path,
            summary["chapter"],
            summary["date"],
            summary["excerpt"],
            summary["turn"],
            meta.play_seconds,
            meta.saved_at,
            summary["ending"],
            game_id=game_id,
            stamp=self._stamp_of(slot.path),
        )

    def _write(self, path: Path, data: bytes, no_clobber: bool = False) -> None:
        with self._locks.writing():
            write_atomic(path, data, no_clobber=no_clobber)

    @staticmethod
    def _stamp_of(path: Path) -> Stamp | None:
        try:
            return _stamp(os.stat(path))
        except OSError:
            return None

    def autosave(self, game: Game, play_seconds: float = 0.0) -> SlotInfo:
        """Write into the oldest of this game's three rotating autosaves, now (see `prepare_autosave`).

        Raises AutosaveFailed (a SaveError) when it cannot; `first` tells whether to tell the player.
        """
        return self.prepare_autosave(game, play_seconds).write()

    def prepare_autosave(self, game: Game, play_seconds: float = 0.0) -> PendingAutosave:
        """An autosave of the game as it is now, read and encoded on this thread; `write()` on the
        result does the disk work (a face calls it from a worker thread, so that a key press draws
        the next scene before any write). AutosaveFailed if it cannot even be prepared.

        Most autosaves append the actions since the last one to the journal of the game's newest
        autosave (journal.py): the same few hundred bytes at choice 10 and at choice 10,000. The
        first autosave of a game in this store, and each one after the journal has grown as large
        as its snapshot, writes a whole snapshot into the next of the game's three autosaves."""
        try:
            self._start()
            game_id = self._claim(game)
            journal = self._journals.get(game_id)
            if journal is not None and journal.game is game and not journal.broken and journal.size < journal.limit:
                name, job = self._journal_line(journal, game, play_seconds)
            else:
                name, job = self._snapshot(game, game_id, play_seconds)
        except (SaveError, OSError) as err:
            raise self._autosave_failed(err) from None
        with self._order:
            self._prepared += 1
            pending = PendingAutosave(self, self._prepared, name, job)
            self._queue.append(pending)
        return pending

    def _snapshot(self, game: Game, game_id: str, play_seconds: float) -> tuple[str, Callable[[], SlotInfo]]:
        """A whole autosave into the game's next slot, and an empty journal beside it."""
        index = self._next_autosave(game_id)
        token = secrets.token_hex(8)
        slot = self._encoded(game, f"{AUTO_PREFIX}{game_id}-{index}", play_seconds, "auto", game_id, journal=token)
        limit = max(self.journal_bytes, len(slot.data)) if self.journal_bytes > 0 else 0
        journal = _Journal(game, slot.path, token, list(game.actions), 0, limit)
        self._journals[game_id] = journal
        self._next_auto[game_id] = index % AUTOSAVES + 1

        def job() -> SlotInfo:
            info = self._write_autosave(slot, journal)
            try:
                start_journal(journal_path(slot.path))
            except OSError:
                journal.broken = True  # the snapshot is whole; the next autosave is a snapshot again
            return info

        return slot.meta.name, job

    def _journal_line(self, journal: _Journal, game: Game, play_seconds: float) -> tuple[str, Callable[[], SlotInfo]]:
        """The actions since the last autosave, as one line for the journal."""
        at, added = game.actions_after(journal.actions)
        summary = summarize(game)
        saved_at = datetime.now(UTC)
        line = encode_line(journal.token, at, [action.to_json() for action in added], summary, saved_at, play_seconds)
        del journal.actions[at:]
        journal.actions.extend(added)
        journal.size += len(line)
        name = journal.slot.name[: -len(SUFFIX)]
        game_id = self.game_id(game)
        path = journal_path(journal.slot)

        def job() -> SlotInfo:
            try:
                append_line(path, line)
            except OSError as err:
                journal.broken = True
                raise self._autosave_failed(_write_failed(err)) from None
            self.autosave_problem = None
            self._known[game_id] = max(saved_at, self._known.get(game_id, saved_at))
            return SlotInfo(
                name,
                "auto",
                journal.slot,
                summary.get("chapter"),
                summary.get("date"),
                summary.get("excerpt", ""),
                summary.get("turn", 0),
                play_seconds,
                saved_at,
                summary.get("ending"),
                game_id=game_id,
                stamp=self._stamp_of(journal.slot),
            )

        return name, job

    def _flush(self, upto: PendingAutosave) -> None:
        """Write every pending autosave prepared up to `upto`, oldest first, one writer at a time."""
        with self._writing:
            while True:
                with self._order:
                    if not self._queue or self._queue[0].seq > upto.seq:
                        return
                    pending = self._queue.popleft()
                pending._run()

    def _write_autosave(self, slot: _Encoded, journal: _Journal) -> SlotInfo:
        try:
            self._write(slot.path, slot.data)
        except (SaveError, OSError) as err:
            journal.broken = True
            raise self._autosave_failed(err) from None
        self.autosave_problem = None
        return self._written(slot)

    def _autosave_failed(self, err: SaveError | OSError) -> AutosaveFailed:
        """The failure to raise, told to the player only if the last autosave worked."""
        first = self.autosave_problem is None
        self.autosave_problem = str(err) if isinstance(err, SaveError) else f"could not save ({err.strerror or err})"
        return AutosaveFailed(self.autosave_problem, first)

    def _next_autosave(self, game_id: str) -> int:
        """This game's autosave to write next: the one after the last we wrote, else a free one, else the oldest."""
        known = self._next_auto.get(game_id)
        if known is not None:
            return known
        ages = []
        for index in range(1, AUTOSAVES + 1):
            try:
                ages.append((os.stat(self._path(f"{AUTO_PREFIX}{game_id}-{index}")).st_mtime_ns, index))
            except OSError:
                return index
        return min(ages)[1]

    def quicksave(self, game: Game, play_seconds: float = 0.0) -> SlotInfo:
        return self.save(game, QUICK_NAME, play_seconds, kind="quick")

    def rename(self, old: str, new: str) -> SlotInfo:
        """Rename a slot; never over an existing one (SlotExists)."""
        source = self._existing(old)
        new = check_slot_name(new)
        if self._path(new).exists():
            raise SlotExists(f"a save called '{new}' already exists")
        loaded = self.load(old)
        try:
            info = self.save(
                loaded.game, new, loaded.play_seconds, overwrite=False, game_id=loaded.game_id, saved_at=loaded.saved_at
            )  # a new name, the same save: its time is kept
        except SlotExists:
            raise SlotExists(f"a save called '{new}' already exists") from None
        try:
            source.unlink()
            remove_journal(source)
        except OSError as err:
            raise SaveError(f"saved as '{new}', but could not remove '{old}': {err.strerror or err}") from None
        return info

    def delete(self, name: str | SlotInfo, *, expect: SlotInfo | None = None) -> None:
        """Delete a slot, by name or as listed (a listed slot can be deleted even if its file name
        is one no save could have); `expect`: only if it is still the save that was listed."""
        if isinstance(name, SlotInfo):
            expect = expect or name
            path = name.path
            if os.path.realpath(path.parent) != os.path.realpath(self.folder) or not path.name.endswith(SUFFIX):
                raise SaveError("this file is not in the saves folder")
            name = name.name
        else:
            path = self._existing(name)
        try:
            if expect is not None and self._stamp_of(path) != expect.stamp:
                raise SlotChanged(f"the save '{name}' was changed by another copy of the game since it was listed")
            path.unlink()
            remove_journal(path)
        except FileNotFoundError:
            raise SaveError(f"there is no save called '{name}'") from None
        except OSError as err:
            raise SaveError(f"could not delete '{name}': {err.strerror or err}") from None

    def remove_leftovers(self) -> int:
        """Remove the temporary files of saves that were killed mid-write; how many were removed.

        Only when no other copy of the game is writing (or, where locks do not exist, only old ones).
        """
        try:
            leftovers = [
                entry.path
                for entry in _scan(self.folder)
                if entry.name.startswith(".") and entry.name.endswith(atomic.TEMP_SUFFIX) and SUFFIX + "." in entry.name
            ]
        except OSError:
            return 0
        if not leftovers:
            return 0
        removed = 0
        with self._locks.cleaning() as alone:
            now = time.time()
            for path in leftovers:
                try:
                    info = os.lstat(path)
                    if not stat.S_ISREG(info.st_mode):
                        continue
                    if alone or now - info.st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(path)
                        removed += 1
                except OSError:
                    pass
        return removed

    # ---------------------------------------------------------------- reading
    def load(self, name: str) -> LoadedGame:
        """The game in slot `name`; SaveError (never another exception) if it cannot be loaded."""
        self._start()
        path = self._existing(name)
        decoded = _decode_file(path, self.folder)
        restored = _restore(decoded, self.story)
        set_game_id(restored.game, decoded.game_id)
        # Known as of the slot: a game played on from an older slot than its newest autosave becomes
        # a game of its own at its first autosave, and the run it was loaded from keeps its saves.
        self._known[decoded.game_id] = decoded.meta.saved_at
        return LoadedGame(restored.game, decoded.meta.play_seconds, restored.notice, name, decoded.game_id, decoded.meta.saved_at)

    def quickload(self) -> LoadedGame:
        return self.load(QUICK_NAME)

    def info(self, path: Path, decoded: Decoded | None = None) -> SlotInfo:
        """Everything about one slot file, including why it would not load. Never raises."""
        raw_name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
        name = plain_text(raw_name)[:MAX_NAME_CHARS]
        kind = slot_kind(name)
        auto = _AUTO_NAME.match(name)
        game_id = auto.group(1) if auto else None
        stamp = self._stamp_of(path)
        try:
            if not _loadable_name(raw_name):
                raise SaveError("its file name holds characters a save name cannot have; rename the file")
            if decoded is None:
                decoded = _decode_file(path, self.folder)
            game_id = decoded.game_id
            restored = _restore(decoded, self.story)
            view = restored.game.view()
            summary = decoded.summary
            return SlotInfo(
                name,
                decoded.meta.kind,
                path,
                _plain_or_none(view.chapter),
                _plain_or_none(view.date),
                summary.get("excerpt", ""),
                view.turn,
                decoded.meta.play_seconds,
                decoded.meta.saved_at,
                _plain_or_none(view.ending),
                None,
                restored.notice,
                game_id,
                stamp,
            )
        except SaveError as err:
            problem = str(err)
        except Exception as err:
            problem = f"the save cannot be read ({type(err).__name__}: {plain_text(str(err))[:200]})"
        if decoded is None:
            return SlotInfo(name, kind, path, problem=plain_text(problem), game_id=game_id, stamp=stamp)
        # Read, but not playable here (a layer not loaded, a story changed past replaying): what the
        # file says of itself still tells the slots apart: its kind, when, its turn, where it stood.
        summary = decoded.summary
        turn = summary.get("turn")
        return SlotInfo(
            name,
            decoded.meta.kind,
            path,
            _plain_or_none(_text_or_none(summary.get("chapter"))),
            _plain_or_none(_text_or_none(summary.get("date"))),
            plain_text(str(summary.get("excerpt", ""))),
            turn if isinstance(turn, int) else 0,
            decoded.meta.play_seconds,
            decoded.meta.saved_at,
            problem=plain_text(problem),
            game_id=game_id,
            stamp=stamp,
        )

    def slot_files(self) -> list[Path]:
        """The slot files, most recently written first (at most MAX_LISTED); SaveError if the folder cannot be read."""
        found: list[tuple[int, str, Path]] = []
        try:
            for entry in _scan(self.folder):
                name = entry.name
                if not name.endswith(SUFFIX) or name.startswith("."):
                    continue
                try:
                    if entry.is_dir():
                        continue
                    mtime = entry.stat(follow_symlinks=False).st_mtime_ns
                except OSError:
                    mtime = 0
                found.append((mtime, name, Path(entry.path)))
        except FileNotFoundError:
            return []
        except OSError as err:
            raise SaveError(f"cannot read the saves folder {plain_text(str(self.folder))}: {err.strerror or err}") from None
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [path for _mtime, _name, path in found[:MAX_LISTED]]

    def list(self) -> list[SlotInfo]:
        """Every slot, newest first (by the time it was saved); damaged ones included, with their problem."""
        self._start()
        return _newest_first(self.info(path) for path in self.slot_files())

    def games(self) -> builtins.list[GameGroup]:
        """The slots grouped by game, the most recently saved game first; damaged files last, together."""
        groups: dict[str | None, builtins.list[SlotInfo]] = {}
        for info in self.list():
            groups.setdefault(info.game_id, []).append(info)
        known = [GameGroup(game_id, tuple(slots)) for game_id, slots in groups.items() if game_id is not None]
        known.sort(key=lambda group: max((s.saved_at for s in group.slots if s.saved_at is not None), default=_EPOCH), reverse=True)
        if None in groups:
            known.append(GameGroup(None, tuple(groups[None])))
        return known

    def latest(self) -> SlotInfo | None:
        """What "Continue" resumes: the most recently saved slot (by the time in the file, not the
        file's date) that loads and has not ended, and not an automatic save of a game that has
        ended since: the latest game where it was left (a finished game stays finished).

        Reads only the head of each file to order them; loads them in that order until one works.
        """
        self._start()
        try:
            paths = self.slot_files()
        except SaveError:
            return None
        ordered = sorted(((_saved_at_of(path, self.folder), path) for path in paths), key=lambda item: item[0], reverse=True)
        ended: set[str | None] = set()  # games whose newest slot is an ending: their automatic saves are not resumed
        for _when, path in ordered:
            info = self.info(path)
            if info.kind != "manual" and info.game_id is not None and info.game_id in ended:
                continue  # a finished game stays finished; a save the player named is theirs to go back to
            if info.ending is not None:
                ended.add(info.game_id)
            elif info.loadable:
                return info
        return None


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _newest_first(infos: Iterable[SlotInfo]) -> list[SlotInfo]:
    return sorted(infos, key=lambda i: (i.saved_at or _EPOCH, i.stamp[0] if i.stamp else 0, i.name), reverse=True)


def _plain_or_none(text: str | None) -> str | None:
    return None if text is None else plain_text(text)


def _text_or_none(value: object) -> str | None:
    """A summary's chapter or date, as the file gives it: shown as written, never read as markup."""
    return escape_markup(value[:400]) if isinstance(value, str) else None


def _restore(decoded: Decoded, story: Story) -> Restored:
    try:
        return restore(decoded, story)
    except SaveError:
        raise
    except Exception as err:
        raise SaveError(f"the save cannot be loaded ({type(err).__name__}: {plain_text(str(err))[:200]})") from err


def read_save_file(path: Path, folder: Path | None = None) -> bytes:
    """A save file's bytes: a regular file (inside `folder` if given), never blocking, at most MAX_SAVE_BYTES + 1.

    SaveError with the reason otherwise (a FIFO, /dev/zero, a link leading out of the folder...).
    """
    try:
        if folder is not None and not inside(path, os.path.realpath(folder)):
            raise SaveError("the file is a link that leads outside the saves folder")
        fd, info = open_regular(path)
        try:
            if info.st_size > MAX_SAVE_BYTES:
                raise SaveError(f"the file is too large to be a save ({info.st_size // 1024} KB)")
            return read_fd(fd, info, MAX_SAVE_BYTES)
        finally:
            os.close(fd)
    except NotRegular as err:
        raise SaveError(f"the file {err}: not a save") from None
    except TooLarge:
        raise SaveError("the file is too large to be a save") from None
    except Refused as err:
        raise SaveError(f"the file cannot be read: {err}") from None
    except OSError as err:
        raise SaveError(f"cannot read the file: {err.strerror or err}") from None


def _decode_file(path: Path, folder: Path) -> Decoded:
    try:
        decoded = decode(read_save_file(path, folder))
        return apply_journal(decoded, read_journal(path, folder)) if decoded.journal is not None else decoded
    except SaveError:
        raise
    except Exception as err:
        raise SaveError(f"the save cannot be read ({type(err).__name__}: {plain_text(str(err))[:200]})") from err


def _saved_at_of(path: Path, folder: Path) -> datetime:
    """When the save in `path` was made, from the head of the file only; the file's date if that fails."""
    try:
        if inside(path, os.path.realpath(folder)):
            fd, _info = open_regular(path)
            try:
                head = os.read(fd, _HEAD_BYTES).decode("utf-8", "replace")
            finally:
                os.close(fd)
            for line in head.split("\n")[1:8]:
                if line.startswith(' "slot": {') and line.endswith("},"):
                    slot = json.loads(line[len(' "slot": ') : -1], parse_int=parse_int)
                    token = slot.get("journal")
                    later = saved_at_of_journal(path, folder, token) if isinstance(token, str) else None
                    return later or _parse_time(slot["saved_at"])
    except Exception:
        pass
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
    except (OSError, ValueError, OverflowError):
        return _EPOCH


def write_atomic(path: Path, data: bytes, *, no_clobber: bool = False) -> None:
    """Atomic write (see atomic.py), with the failure told in the player's words."""
    try:
        atomic.write_atomic(path, data, no_clobber=no_clobber)
    except atomic.TargetExists:
        raise SlotExists(f"a save called '{path.name[: -len(SUFFIX)]}' already exists") from None
    except FileExistsError as err:
        raise SaveError(f"cannot create the saves folder {path.parent}: {err.strerror or err}") from None
    except NotADirectoryError as err:
        raise SaveError(f"cannot create the saves folder {path.parent}: {err.strerror or err}") from None
    except OSError as err:
        raise _write_failed(err) from None


def _write_failed(err: OSError) -> SaveError:
    """A failed write, in the player's words."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "the disk is full"
    elif err.errno in (errno.EROFS,):
        reason = "the saves folder is read-only"
    elif err.errno in (errno.EACCES, errno.EPERM):
        reason = "no permission to write in the saves folder"
    else:
        reason = err.strerror or str(err)
    return SaveError(f"could not save ({reason}); your previous save is untouched")


def _scan(folder: Path) -> Iterator[os.DirEntry[str]]:
    """The folder's entries, at most MAX_SCANNED of them (a folder of millions is not read to its end)."""
    with os.scandir(folder) as entries:
        for count, entry in enumerate(entries):
            if count >= MAX_SCANNED:
                return
            yield entry


__all__ = [
    "AUTOSAVES",
    "AUTO_PREFIX",
    "AutosaveFailed",
    "GameGroup",
    "LoadedGame",
    "PendingAutosave",
    "QUICK_NAME",
    "SUFFIX",
    "SaveError",
    "SaveStore",
    "SlotChanged",
    "SlotExists",
    "SlotInfo",
    "check_slot_name",
    "game_id_of",
    "new_game_id",
    "read_journal",
    "read_save_file",
    "set_game_id",
    "slot_kind",
]
