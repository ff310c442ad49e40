"""Crafted saves: escape codes in every string, 5,000-digit numbers, odd time stamps, FIFOs and links.

Each attack is a real file in a real saves folder; the guarantee is checked where the player
would see it: `SaveStore.list()` / `latest()` / `games()` (the title and Load screens), the
output of `kuzbass saves` and of `kuzbass check --saves` (no raw escape byte, no traceback),
and every other save still loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from kuzbass_game.engine.storage import save_format as savefile
from kuzbass_game.engine.core.text import plain_text
from kuzbass_game.engine.storage.save_format import SaveError, decode

from .conftest import FERRY, played

# OSC 52 (write the clipboard), clear the screen, a C1 CSI, a bidi override, a lone surrogate, BEL
EVIL = "\x1b]52;c;aGVsbG8=\x07\x1b[2J\x9b31m\u202eevil\ud800\x07"
REPO = Path(__file__).resolve().parents[2]


def _raw_bytes_are_clean(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, repr(text)
    assert "\u202e" not in text
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def _every_string_is_plain(value) -> None:
    if isinstance(value, str):
        assert all(ch in " " or unicodedata.category(ch) not in ("Cc", "Cf", "Cs") for ch in value), repr(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _every_string_is_plain(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _every_string_is_plain(key)
            _every_string_is_plain(item)


def _save_with(store, ferry, name: str, change) -> Path:
    path = store.save(played(ferry), name).path
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii: the escapes as \u sequences
    return path


def _evil_everywhere(data: dict) -> None:
    """A control sequence in every string field a save holds, still a save of this game."""
    data["story"]["title"] += EVIL
    data["slot"]["name"] += EVIL
    data["summary"] = {"chapter": EVIL, "date": EVIL, "node": EVIL, "excerpt": EVIL * 3, "ending": EVIL, "turn": 3}
    state = data["game"]["state"]
    state["chapter"] = "The Ferry" + EVIL
    state["date"] = EVIL
    # typed text and the stored name, with codes that leave nothing once removed: still the same game
    data["game"]["actions"][0]["text"] = "An\x1b\x07na\u202e\ud800\x9b"
    state["variables"]["name"] = "\u2066Anna\x00"


def _evil_and_broken(data: dict) -> None:
    data["story"]["id"] = EVIL
    data["story"]["fingerprint"] = EVIL
    data["slot"]["kind"] = EVIL
    data["game"]["state"]["node"] = EVIL
    data["game"]["state"]["variables"]["name"] = EVIL
    data["game"]["actions"][1]["node"] = EVIL


def test_escape_codes_in_every_field_are_removed_and_the_save_still_loads(store, ferry):
    _save_with(store, ferry, "evil", _evil_everywhere)
    decoded = decode((store.folder / "evil.json").read_bytes())
    _every_string_is_plain(
        [decoded.meta.name, decoded.story_id, decoded.fingerprint, decoded.summary, decoded.snapshot, [tuple(a) for a in decoded.actions]]
    )
    loaded = store.load("evil")
    assert loaded.game.state.variables["name"] == "Anna"  # the same name the game stored
    listing = store.list()
    [info] = listing
    assert info.loadable, info.problem
    _every_string_is_plain([info.name, info.chapter, info.date, info.excerpt, info.ending, info.notice])
    assert "evil" in info.excerpt


@pytest.mark.parametrize("field", ["story", "kind", "node", "variable", "action node"])
def test_escape_codes_in_a_broken_save_never_reach_the_problem_text(store, ferry, field):
    def change(data):
        if field == "story":
            data["story"]["id"] = EVIL
        elif field == "kind":
            data["slot"]["kind"] = EVIL
        elif field == "node":
            data["game"]["state"]["node"] = EVIL
        elif field == "variable":
            data["game"]["state"]["variables"]["name"] = 5
            data["game"]["state"]["variables"][EVIL] = EVIL
        else:
            data["game"]["actions"][1]["node"] = EVIL

    _save_with(store, ferry, "bad", change)
    store.save(played(ferry), "good")
    listing = {s.name: s for s in store.list()}
    assert not listing["bad"].loadable
    _raw_bytes_are_clean(listing["bad"].problem)
    assert listing["good"].loadable
    with pytest.raises(SaveError) as err:
        store.load("bad")
    _raw_bytes_are_clean(str(err.value))


def test_a_file_name_with_escape_codes_is_listed_as_plain_text(store, ferry):
    store.save(played(ferry), "good")
    evil_name = store.folder / "\x1b]0;pwned\x07\x1b[2J.json"
    evil_name.write_bytes((store.folder / "good.json").read_bytes())
    listing = store.list()
    names = [s.name for s in listing]
    assert "good" in names and len(names) == 2
    for info in listing:
        _raw_bytes_are_clean(info.name)
    odd = next(s for s in listing if s.name != "good")
    assert "rename the file" in odd.problem  # it cannot be loaded by a name that is not its own...
    store.delete(odd)  # ...but the listed slot can still be deleted
    assert not evil_name.exists()


HUGE = "9" * 5000


@pytest.mark.parametrize("where", ["seed", "rng", "turn", "choice", "play_seconds", "variable", "version", "summary turn"])
def test_a_5000_digit_number_is_a_damaged_slot_not_a_crash(store, ferry, where):
    good = store.save(played(ferry), "good").path
    path = store.save(played(ferry), "huge").path
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    marker = 123456789
    if where == "seed":
        data["game"]["seed"] = marker
    elif where == "rng":
        data["game"]["state"]["rng"] = marker
    elif where == "turn":
        data["game"]["state"]["turn"] = marker
    elif where == "choice":
        data["game"]["actions"][1]["choice"] = marker
    elif where == "play_seconds":
        data["slot"]["play_seconds"] = marker
    elif where == "variable":
        data["game"]["state"]["variables"]["kopeks"] = marker
    elif where == "version":
        data["version"] = marker
    else:
        data["summary"]["turn"] = marker
    path.write_text(json.dumps(data).replace(str(marker), HUGE), encoding="utf-8")
    start = time.monotonic()
    listing = {s.name: s for s in store.list()}
    assert time.monotonic() - start < 2
    assert "5000 digits" in listing["huge"].problem
    assert listing["good"].loadable
    assert store.latest().name == "good"
    assert [g.newest.name for g in store.games()]
    with pytest.raises(SaveError, match="5000 digits"):
        store.load("huge")
    assert store.load("good").game.state == store.load(good.stem).game.state


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59-14:00",
        "not a time",
        "2026-02-30T00:00:00+00:00",
        "1969-12-31T23:59:59+00:00",
        "\x1b[2J2026-01-01",
    ],
)
def test_an_out_of_range_or_odd_time_stamp_is_a_damaged_slot(store, ferry, stamp):
    store.save(played(ferry), "good")
    _save_with(store, ferry, "odd", lambda d: d["slot"].update(saved_at=stamp))
    listing = {s.name: s for s in store.list()}
    assert "time stamp" in listing["odd"].problem
    assert listing["good"].loadable
    for info in listing.values():
        if info.saved_at is not None:
            info.saved_at.astimezone()  # what every face does with it
    latest = store.latest()
    assert latest is not None and latest.name == "good"


def test_any_exception_while_reading_one_slot_is_that_slot_s_problem(store, ferry, monkeypatch):
    store.save(played(ferry), "good")
    store.save(played(ferry, seed=99), "cursed")
    real_restore = savefile.restore

    def flaky(decoded, story):
        if decoded.seed == 99:
            raise RuntimeError("boom \x1b[2J")
        return real_restore(decoded, story)

    monkeypatch.setattr("kuzbass_game.engine.storage.save_store.restore", flaky)
    listing = {s.name: s for s in store.list()}
    assert listing["good"].loadable
    assert "RuntimeError" in listing["cursed"].problem
    _raw_bytes_are_clean(listing["cursed"].problem)
    with pytest.raises(SaveError):
        store.load("cursed")
    assert store.latest().name == "good"


def test_a_fifo_and_links_to_dev_zero_and_outside_are_damaged_slots_and_nothing_blocks(store, ferry, tmp_path):
    good = store.save(played(ferry), "good").path
    os.mkfifo(store.folder / "pipe.json")
    os.symlink("/dev/zero", store.folder / "zero.json")
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes(good.read_bytes())
    os.symlink(outside, store.folder / "away.json")
    os.symlink("/", store.folder / "root.json")  # a folder: not a slot at all
    start = time.monotonic()
    listing = {s.name: s for s in store.list()}
    assert time.monotonic() - start < 5
    assert set(listing) == {"good", "pipe", "zero", "away"}
    assert "named pipe" in listing["pipe"].problem
    assert "device" in listing["zero"].problem or "outside" in listing["zero"].problem
    assert "outside the saves folder" in listing["away"].problem
    assert listing["good"].loadable
    assert store.latest().name == "good"
    with pytest.raises(SaveError):
        store.load("pipe")


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS="200", TERM="xterm-256color", FORCE_COLOR="1")
    return subprocess.run([sys.executable, "-m", "kuzbass_game", *args], cwd=cwd, capture_output=True, env=env, timeout=120)


def _make_hostile_folder(store, ferry) -> None:
    store.save(played(ferry), "good")
    _save_with(store, ferry, "evil", _evil_everywhere)
    _save_with(store, ferry, "broken", _evil_and_broken)
    path = store.save(played(ferry), "huge").path
    path.write_text(path.read_text().replace('"seed": 7', '"seed": ' + HUGE))
    _save_with(store, ferry, "ancient", lambda d: d["slot"].update(saved_at="0001-01-01T00:00:00+00:00"))
    (store.folder / "\x1b[2Jname.json").write_bytes((store.folder / "good.json").read_bytes())
    os.mkfifo(store.folder / "pipe.json")


def _no_escape_but_colour(output: bytes) -> None:
    """Rich may colour the table (ESC [ ... m): any other escape, OSC or BEL came from a file."""
    import re

    stripped = re.sub(rb"\x1b\[[0-9;]*m", b"", output)
    assert b"\x1b" not in stripped and b"\x07" not in stripped and b"\xc2\x9b" not in stripped, stripped[:2000]
    assert "\u202e".encode() not in output
    assert b"Traceback" not in output


def test_kuzbass_saves_shows_every_slot_and_no_raw_escape(store, ferry, tmp_path):
    _make_hostile_folder(store, ferry)
    result = _run_cli("saves", "--story", str(FERRY), "--saves", str(store.folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    _no_escape_but_colour(result.stdout + result.stderr)
    out = result.stdout.decode()
    for name in ("good", "evil", "broken", "huge", "ancient", "pipe", "[2Jname"):
        assert name in out, out
    assert "5000 digits" in out.replace("\n", " ") or "5000" in out


def test_check_saves_reports_every_slot_and_no_raw_escape(store, ferry, tmp_path):
    _make_hostile_folder(store, ferry)
    result = _run_cli("check", str(FERRY), "--saves", str(store.folder), cwd=tmp_path)
    _no_escape_but_colour(result.stdout + result.stderr)
    out = result.stdout.decode()
    assert result.returncode == 1
    assert "good.json:1:1: note:" in out
    assert "huge.json:1:1: error: the save is damaged: it holds a number with 5000 digits" in out
    assert "ancient.json:1:1: error: the save is damaged: its time stamp is out of range" in out
    assert "pipe.json:1:1: error: the file is a named pipe (FIFO)" in out
    assert "[2Jname.json:1:1:" in out
    assert "would break" in out.splitlines()[-1]


def test_the_title_screen_query_survives_a_hostile_newest_save(store, ferry):
    store.save(played(ferry), "good")
    time.sleep(0.01)
    _save_with(store, ferry, "newest", lambda d: d["game"].update(seed=None))
    path = store.folder / "newest.json"
    path.write_text(path.read_text().replace('"seed": null', '"seed": ' + HUGE))
    latest = store.latest()
    assert latest is not None and latest.name == "good"


def test_plain_text_is_what_strip_controls_keeps_so_typed_text_replays(ferry, store):
    """A typed name with control codes, as plain mode may pass it, saves and reloads to the same game."""
    from kuzbass_game.engine.play.game import Game

    game = Game(ferry, seed=3)
    game.submit("Ve\x1b[31mra\u202e\ud800\tX\r")
    store.save(game, "typed")  # a lone surrogate would fail to encode as UTF-8
    loaded = store.load("typed")
    assert loaded.game.state == game.state
    assert plain_text(game.state.variables["name"]) == loaded.game.state.variables["name"]
