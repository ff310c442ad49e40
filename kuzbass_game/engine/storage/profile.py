"""The player's profile across games: endings found (the gallery) and settings (the theme, the
change line), kept in small files beside the saves.

Both are written as safely as a save (atomically) and never trusted: a damaged or foreign file
is reported once and rebuilt empty, never fatal, and it harms no save. Strings read from them are
cleaned of control characters before any face shows them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

from kuzbass_game.engine.files.atomic import write_atomic
from kuzbass_game.engine.files.locks import FolderLocks, LockBusy
from kuzbass_game.engine.core.text import plain_text
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.files.bounded import NotRegular, TooLarge, read_regular

PLAYER_FOLDER = "player"  # the profile and settings, inside the saves folder: every face keeps them here

PROFILE_NAME = "profile.json"
SETTINGS_NAME = "settings.json"
MAX_BYTES = 256 * 1024
MAX_ENDINGS = 2000
FORMAT = "kuzbass-profile"
VERSION = 1

Setting = bool | int | str  # a setting's value (the theme's name, whether the change line shows...)


@dataclass
class EndingRecord:
    ending: str  # node id
    title: str
    first_found: str  # ISO date
    run: str  # the player's name in that run
    times: int = 1


@dataclass
class Profile:
    """Endings found per story id, and a notice when the file had to be rebuilt."""

    path: Path
    endings: dict[str, dict[str, EndingRecord]] = field(default_factory=dict)
    notice: str | None = None

    def found(self, story: Story) -> dict[str, EndingRecord]:
        return self.endings.get(story.id, {})

    def record(self, story: Story, ending_id: str, run_name: str, when: datetime | None = None) -> EndingRecord:
        """Note an ending reached (first time or again) and save the profile; returns its record.

        Another copy of the game may have recorded endings since this profile was read (two
        windows, line mode beside the app): under the folder's lock, the file is read again and
        merged with what this copy knows before the one new ending is added, so no copy's ending
        is lost. If the lock stays busy, the ending is still recorded, merged without it.
        """
        when = when or datetime.now(UTC)
        node = story.nodes[ending_id]
        title = node.ending.title if node.ending else ending_id
        try:
            with FolderLocks(self.path.parent).replacing():
                return self._record(story.id, ending_id, title, run_name, when)
        except LockBusy:
            return self._record(story.id, ending_id, title, run_name, when)

    def _record(self, story_id: str, ending_id: str, title: str, run_name: str, when: datetime) -> EndingRecord:
        on_disk = load_profile(self.path.parent)
        self.merge(on_disk)
        self.notice = self.notice or on_disk.notice
        found = self.endings.setdefault(story_id, {})
        existing = found.get(ending_id)
        if existing is None:
            existing = found[ending_id] = EndingRecord(ending_id, title, when.date().isoformat(), _clean(run_name, 60))
        else:
            existing.times += 1
        self.save()
        return existing

    def merge(self, other: Profile) -> None:
        """Every ending `other` knows into this profile: the earlier first find, the larger count."""
        for story_id, theirs in other.endings.items():
            ours = self.endings.setdefault(story_id, {})
            for ending_id, record in theirs.items():
                mine = ours.get(ending_id)
                if mine is None:
                    ours[ending_id] = record
                elif record.first_found < mine.first_found:
                    ours[ending_id] = EndingRecord(ending_id, record.title, record.first_found, record.run, max(record.times, mine.times))
                else:
                    mine.times = max(mine.times, record.times)

    def gallery(self, story: Story) -> list[tuple[str, str, EndingRecord | None, str | None]]:
        """Every ending of the story: (id, title or "???", its record if found, a hint: its chapter)."""
        from kuzbass_game.engine.tools.graph import chapters_of  # the graph walk only when the gallery is opened

        found = self.found(story)
        chapters = chapters_of(story)  # once for the whole gallery: it walks the story's graph
        rows: list[tuple[str, str, EndingRecord | None, str | None]] = []
        for node_id, node in story.endings.items():
            record = found.get(node_id)
            title = node.ending.title if record is not None and node.ending else "???"
            rows.append((node_id, title, record, chapters.get(node_id)))
        return rows

    def save(self) -> None:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "endings": {story_id: {node_id: vars(record) for node_id, record in found.items()} for story_id, found in self.endings.items()},
        }
        try:
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode())
        except OSError as err:
            self.notice = f"the endings found could not be saved: {err.strerror or err}"


def load_profile(folder: Path) -> Profile:
    """The profile in a saves folder; a missing one is empty, a damaged one is set aside and rebuilt."""
    path = folder / PROFILE_NAME
    profile = Profile(path)
    data, problem = _read_json(path)
    if problem is not None:
        profile.notice = f"Your record of endings found was damaged ({problem}) and has been started afresh."
        _set_aside(path)
        return profile
    if data is None:
        return profile
    endings = data.get("endings") if data.get("format") == FORMAT and isinstance(data.get("endings"), dict) else None
    if endings is None:
        profile.notice = "Your record of endings found was not readable and has been started afresh."
        _set_aside(path)
        return profile
    count = 0
    for story_id, found in endings.items():
        if not isinstance(story_id, str) or not isinstance(found, dict):
            continue
        for node_id, raw in found.items():
            count += 1
            if count > MAX_ENDINGS:
                break
            if not (isinstance(node_id, str) and isinstance(raw, dict)):
                continue
            title, first, run, times = raw.get("title"), raw.get("first_found"), raw.get("run"), raw.get("times", 1)
            if not (isinstance(title, str) and isinstance(first, str) and isinstance(run, str) and type(times) is int and 0 < times < 10**9):
                continue
            profile.endings.setdefault(_clean(story_id, 100), {})[_clean(node_id, 200)] = EndingRecord(
                _clean(node_id, 200), _clean(title, 200), _clean(first, 40), _clean(run, 60), times
            )
    return profile


def load_settings(folder: Path) -> tuple[dict[str, Setting], str | None]:
    """The player's settings ({} when none) and a notice when the file was damaged."""
    data, problem = _read_json(folder / SETTINGS_NAME)
    if problem is not None:
        _set_aside(folder / SETTINGS_NAME)
        return {}, f"Your settings file was damaged ({problem}); the defaults are used."
    raw = data.get("settings") if data is not None else None
    settings = raw if isinstance(raw, dict) else {}
    clean: dict[str, Setting] = {}
    for key, value in settings.items():
        if not isinstance(key, str) or len(key) > 40:
            continue
        if isinstance(value, bool) or (type(value) is int and abs(value) < 10**6):
            clean[key] = value
        elif isinstance(value, str) and len(value) <= 100:
            clean[key] = _clean(value, 100)
    return clean, None


def save_settings(folder: Path, settings: dict[str, Setting]) -> str | None:
    """Write the settings; returns a message for the player when it failed."""
    try:
        write_atomic(folder / SETTINGS_NAME, json.dumps({"format": "kuzbass-settings", "settings": settings}).encode())
    except OSError as err:
        return f"settings not saved: {err.strerror or err}"
    return None


def _read_json(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """(data, None), (None, None) when absent, or (None, what is wrong). The data is JSON as
    read: every value is checked by the caller before it is kept."""

    try:
        raw, _info = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        return None, None
    except NotRegular:
        return None, "it is not a regular file"
    except TooLarge:
        return None, "it is too large"
    except OSError as err:
        return None, f"cannot read it: {err.strerror or err}"
    try:
        data = json.loads(raw.decode("utf-8"), parse_int=_small_int, parse_constant=_no_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None, "it is not valid JSON"
    if not isinstance(data, dict):
        return None, "it is not a JSON object"
    return data, None


def _small_int(text: str) -> int:
    if len(text) > 12:
        raise ValueError("number too large")
    return int(text)


def _no_constant(name: str) -> None:
    raise ValueError(name)


def _set_aside(path: Path) -> None:
    """Keep a damaged file for the curious (profile.json.damaged), out of the way of the new one."""
    try:
        path.replace(path.with_name(path.name + ".damaged"))
    except OSError:
        pass


def _clean(text: str, limit: int) -> str:
    return plain_text(text)[:limit]
