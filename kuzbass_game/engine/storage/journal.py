"""An autosave's journal: what was played since its snapshot, one appended line per autosave.

A full save encodes the whole history; writing one at every key press cost more the longer the
game (the history re-encoded and rewritten, then fsynced). An autosave is now a snapshot (an
ordinary save file, written atomically) and, beside it, `<slot>.journal`: each later autosave
appends one line, the actions since the one before, and fsyncs. A key press writes the same few
hundred bytes at choice 10 and at choice 10,000; the store writes a fresh snapshot (into the next
of the game's rotating autosaves) once the journal has grown as large as its snapshot.

A line says where it stands, so a rewind is a line too: `at` is how many actions of the history
it keeps, `add` the actions that follow them. Every line names its snapshot (`of`, a token the
snapshot holds), so a journal left over from an older snapshot in the same slot is ignored. A
line cut short by a crash, and everything after it, is ignored: a kill at any moment loses at
most the last choice, and never the snapshot.

The journal is read like any save (`save_format.apply_journal`): bounded, each field checked, each
action checked as a saved action is, and the game is then replayed from its actions, never taken on trust.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kuzbass_game.engine.files.bounded import NotRegular, Refused, TooLarge, inside, open_regular, read_fd
from kuzbass_game.engine.storage.names import JOURNAL_SUFFIX
from kuzbass_game.engine.storage.save_format import MAX_SAVE_BYTES, SaveError, Summary, _parse_time

TOKEN = re.compile(r"[0-9a-f]{16}\Z")
MIN_SNAPSHOT_BYTES = 64 * 1024  # a journal may grow to its snapshot's size, and at least this, before a new snapshot
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def journal_path(slot: Path) -> Path:
    """The journal beside an autosave's snapshot: `autosave-<game>-<n>.journal` (not a `.json`: never listed as a slot)."""
    return slot.with_suffix(JOURNAL_SUFFIX)


def encode_line(token: str, at: int, added: list[Any], summary: Summary, saved_at: datetime, play_seconds: float) -> bytes:
    """One line: keep `at` actions of the history, then `added` (actions as `Action.to_json` gives them)."""
    line = {
        "of": token,
        "at": at,
        "add": added,
        "saved_at": saved_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "play_seconds": round(play_seconds, 1),
        "summary": summary,
    }
    return (_ENCODER.encode(line) + "\n").encode("utf-8", "backslashreplace")


def read_journal(slot: Path, folder: Path) -> bytes:
    """The journal beside `slot`, bounded like a save; b"" when there is none (or it cannot be a journal)."""
    path = journal_path(slot)
    try:
        if not inside(path, os.path.realpath(folder)):
            return b""
        fd, info = open_regular(path)
    except (NotRegular, Refused, OSError):
        return b""
    try:
        if info.st_size > MAX_SAVE_BYTES:
            raise SaveError(f"the autosave's journal is too large ({info.st_size // 1024} KB)")
        return read_fd(fd, info, MAX_SAVE_BYTES)
    except (TooLarge, Refused):
        raise SaveError("the autosave's journal is too large") from None
    except OSError as err:
        raise SaveError(f"cannot read the autosave's journal: {err.strerror or err}") from None
    finally:
        os.close(fd)


def append_line(path: Path, line: bytes) -> None:
    """Append one line and make it durable (OSError if it could not be written whole)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        written = os.write(fd, line)
        if written != len(line):
            raise OSError(f"only {written} of {len(line)} bytes written")
        os.fsync(fd)
    finally:
        os.close(fd)


def start_journal(path: Path) -> None:
    """An empty journal for a new snapshot (lines of the slot's older snapshot are ignored anyway)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)


def remove_journal(slot: Path) -> None:
    try:
        os.unlink(journal_path(slot))
    except OSError:
        pass


def saved_at_of_journal(slot: Path, folder: Path, token_hint: str | None = None) -> datetime | None:
    """When the last whole line of the slot's journal was written (read from its tail only); None if none."""
    path = journal_path(slot)
    try:
        if not inside(path, os.path.realpath(folder)):
            return None
        fd, info = open_regular(path)
    except (NotRegular, Refused, OSError):
        return None
    try:
        start = max(0, info.st_size - 8192)
        os.lseek(fd, start, os.SEEK_SET)
        tail = os.read(fd, 8192)
    except OSError:
        return None
    finally:
        os.close(fd)
    for raw in reversed(tail.split(b"\n")[:-1]):
        try:
            obj = json.loads(raw)
            if isinstance(obj, dict) and (token_hint is None or obj.get("of") == token_hint):
                return _parse_time(obj["saved_at"])
        except (ValueError, KeyError, TypeError, SaveError):
            continue
    return None
