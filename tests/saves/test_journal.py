"""An autosave's journal: a key press appends the same few hundred bytes at choice 10 and 1,000, and
the journal read back gives the game exactly, or the game up to its last whole line."""

from __future__ import annotations

import json
import os

import pytest

from kuzbass_game.engine import load_story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage import journal as journal_module
from kuzbass_game.engine.storage.journal import journal_path
from kuzbass_game.engine.storage.save_store import AutosaveFailed, SaveStore

from .conftest import played


@pytest.fixture
def loop(tmp_path):
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "manifest.yaml").write_text("id: loop\ntitle: Loop\nstart: a\nvariables:\n  n: {type: int, max: 100000, label: N}\n")
    (folder / "nodes.yaml").write_text(
        "nodes:\n  a:\n    text: Round and round.\n    choices:\n"
        "      - {text: Again, goto: a, effects: 'n += 1'}\n      - {text: Stop, goto: end}\n"
        "  end:\n    text: Done.\n    ending: {title: Done}\n"
    )
    return load_story(folder).story


def _lines(slot_path):
    return journal_path(slot_path).read_bytes().splitlines(keepends=True)


def test_each_autosave_after_the_first_appends_one_line_and_the_snapshot_is_left_alone(tmp_path, loop):
    store = SaveStore(tmp_path / "saves", loop, journal_bytes=1_000_000)  # no new snapshot in these 1,000
    game = Game(loop, seed=1)
    first = store.autosave(game)
    snapshot = first.path.read_bytes()
    sizes = []
    for step in range(1000):
        game.choose(0)
        info = store.autosave(game)
        if step in (9, 999):
            sizes.append(len(_lines(info.path)[-1]))
    assert info.name == first.name and first.path.read_bytes() == snapshot  # one slot; its snapshot untouched
    assert len(_lines(first.path)) == 1000
    assert abs(sizes[1] - sizes[0]) <= 8  # choice 10 and choice 1,000 write the same line, but for digits
    assert [p.name for p in store.folder.iterdir() if p.suffix == ".json"] == [first.path.name]
    loaded = store.load(info.name)
    assert loaded.game.state == game.state and loaded.game.actions == game.actions
    loaded.game.rewind(3)  # the whole history came back
    assert loaded.game.state.variables["n"] == 997
    listed = store.latest()
    assert listed.name == info.name and listed.turn == game.state.turn == 1000


def test_a_rewind_is_a_line_too(store, ferry):
    game = played(ferry)
    store.autosave(game)
    game.rewind(2)
    store.autosave(game)
    game.choose(0)  # the very choice taken before: a new action all the same
    info = store.autosave(game)
    lines = [json.loads(line) for line in _lines(info.path)]
    assert [(line["at"], len(line["add"])) for line in lines] == [(1, 0), (1, 1)]
    loaded = store.load(info.name).game
    assert loaded.actions == game.actions and loaded.state == game.state


def test_a_line_cut_short_by_a_crash_loses_only_that_line(store, ferry):
    game = played(ferry)
    store.autosave(game)
    game.choose(0)
    before_last = game.state
    store.autosave(game)
    game.choose(0)
    info = store.autosave(game)
    path = journal_path(info.path)
    whole = path.read_bytes()
    path.write_bytes(whole[:-7])  # the last line, torn mid-write
    loaded = store.load(info.name).game
    assert loaded.state == before_last
    path.write_bytes(whole[: whole.index(b"\n") + 1] + b"{not json\n" + whole[whole.index(b"\n") + 1 :])
    assert store.load(info.name).game.state.turn == 4  # a damaged line ends the journal there


def test_lines_of_another_snapshot_or_out_of_place_are_not_applied(store, ferry):
    game = played(ferry)
    info = store.autosave(game)
    game.choose(0)
    store.autosave(game)
    path = journal_path(info.path)
    line = json.loads(path.read_bytes())
    for forged in ({**line, "of": "0123456789abcdef"}, {**line, "at": 99}):
        path.write_text(json.dumps(forged) + "\n")
        assert store.load(info.name).game.state.turn == 3  # the snapshot alone
    path.write_text(json.dumps({**line, "summary": {**line["summary"], "turn": 9}}) + "\n")
    with pytest.raises(Exception, match="journal's choices do not lead where it says"):
        store.load(info.name)
    path.write_text(json.dumps({**line, "add": [{"node": "raft", "choice": 7}]}) + "\n")
    with pytest.raises(Exception, match="cannot be replayed"):
        store.load(info.name)
    assert not store.info(info.path).loadable


def test_a_journal_as_large_as_its_snapshot_gives_way_to_a_snapshot_in_the_next_slot(tmp_path, loop):
    store = SaveStore(tmp_path / "saves", loop, journal_bytes=2000)
    game = Game(loop, seed=1)
    first = store.autosave(game)
    names = set()
    for _ in range(40):
        game.choose(0)
        names.add(store.autosave(game).name)
    assert len(names) >= 2 and first.name in names
    assert all(os.path.getsize(journal_path(store.folder / f"{name}.json")) < 4000 for name in names)
    for slot in store.list():  # each slot loads at its own point, the newest at the game's
        assert slot.loadable
    assert store.load(store.latest().name).game.state == game.state


def test_a_failed_append_is_told_once_and_the_next_autosave_is_a_snapshot(store, ferry, monkeypatch):
    game = played(ferry)
    first = store.autosave(game)

    def refuse(path, line):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("kuzbass_game.engine.storage.save_store.append_line", refuse)
    game.choose(0)
    with pytest.raises(AutosaveFailed) as caught:
        store.autosave(game)
    assert caught.value.first and "the disk is full" in str(caught.value)
    monkeypatch.undo()
    game.choose(0)
    info = store.autosave(game)
    assert info.name != first.name  # a whole snapshot, in the next slot
    assert store.autosave_problem is None
    assert store.load(info.name).game.state == game.state


def test_a_game_loaded_or_begun_anew_starts_a_snapshot_of_its_own(store, ferry):
    game = played(ferry)
    first = store.autosave(game)
    loaded = store.load(first.name).game
    loaded.choose(0)
    again = store.autosave(loaded)
    assert again.name != first.name and store.load(again.name).game.state == loaded.state
    assert store.load(first.name).game.state == game.state  # the slot it was loaded from is kept


def test_deleting_an_autosave_deletes_its_journal(store, ferry):
    game = played(ferry)
    store.autosave(game)
    game.choose(0)
    info = store.autosave(game)
    assert journal_path(info.path).exists()
    store.delete(info.name)
    assert not info.path.exists() and not journal_path(info.path).exists()


def test_a_journal_that_is_not_a_file_is_ignored_and_one_too_large_refused(store, ferry, monkeypatch):
    game = played(ferry)
    info = store.autosave(game)
    path = journal_path(info.path)
    path.unlink()
    os.mkfifo(path)  # reading it would block forever
    assert store.load(info.name).game.state == game.state
    path.unlink()
    monkeypatch.setattr(journal_module, "MAX_SAVE_BYTES", 10)
    path.write_text("x" * 100 + "\n")
    with pytest.raises(Exception, match="journal is too large"):
        store.load(info.name)


def test_check_saves_reads_an_autosave_with_its_journal(store, ferry):
    from kuzbass_game.engine.storage import read_journal, read_save_file, verify

    game = played(ferry)
    info = store.autosave(game)
    game.choose(0)
    store.autosave(game)
    data, journal = read_save_file(info.path, store.folder), read_journal(info.path, store.folder)
    assert verify(data, ferry, journal) == ("ok", "replays exactly (4 choices)")
    assert verify(data, ferry) == ("ok", "replays exactly (3 choices)")  # the snapshot alone


# ---------------------------------------------------------------- the journal's file, unit by unit


def _summary():
    return {"chapter": None, "date": None, "turn": 1, "node": "a", "excerpt": "x", "ending": None}


def test_a_line_is_one_json_object_in_utc_with_play_time_to_a_tenth(monkeypatch):
    import time
    from datetime import datetime, timedelta, timezone

    monkeypatch.setenv("TZ", "Asia/Novokuznetsk")
    time.tzset()
    try:
        moment = datetime(2026, 3, 1, 12, 0, 0, 5, tzinfo=timezone(timedelta(hours=7)))
        line = journal_module.encode_line("0123456789abcdef", 2, [{"node": "a", "choice": 0}], _summary(), moment, 12.345)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert line == (
        b'{"of": "0123456789abcdef", "at": 2, "add": [{"node": "a", "choice": 0}], "saved_at": "2026-03-01T05:00:00.000005+00:00", '
        b'"play_seconds": 12.3, "summary": {"chapter": null, "date": null, "turn": 1, "node": "a", "excerpt": "x", "ending": null}}\n'
    )
    odd = journal_module.encode_line("0123456789abcdef", 0, [], {**_summary(), "excerpt": "a\ud800b"}, moment, 0)
    assert b'"excerpt": "a\\ud800b"' in odd  # a lone surrogate is written escaped, never an error at a key press


def test_a_line_is_appended_whole_to_a_file_only_the_player_reads(tmp_path, monkeypatch):
    path = tmp_path / "autosave.journal"
    journal_module.append_line(path, b"one\n")
    journal_module.append_line(path, b"two\n")
    assert path.read_bytes() == b"one\ntwo\n"
    assert path.stat().st_mode & 0o777 == 0o600
    journal_module.start_journal(path)
    assert path.read_bytes() == b"" and path.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh.journal"
    journal_module.start_journal(fresh)
    assert fresh.read_bytes() == b"" and fresh.stat().st_mode & 0o777 == 0o600
    link = tmp_path / "link.journal"
    link.symlink_to(path)
    for write in (journal_module.append_line, lambda p, _: journal_module.start_journal(p)):
        with pytest.raises(OSError):
            write(link, b"x\n")  # a journal that is a link is never followed
    assert path.read_bytes() == b""
    monkeypatch.setattr(os, "write", lambda fd, data: len(data) - 1)
    with pytest.raises(OSError, match=r"^only 3 of 4 bytes written$"):
        journal_module.append_line(path, b"abc\n")


def test_removing_a_journal_that_is_not_there_is_no_error(tmp_path):
    slot = tmp_path / "autosave-x-1.json"
    journal_module.remove_journal(slot)
    journal_path(slot).write_bytes(b"x\n")
    journal_module.remove_journal(slot)
    assert not journal_path(slot).exists() and journal_path(slot).name == "autosave-x-1.journal"


def test_a_journal_is_read_only_inside_the_saves_folder_and_bounded(tmp_path, monkeypatch):
    from kuzbass_game.engine.files.bounded import TooLarge
    from kuzbass_game.engine.storage.save_format import SaveError

    folder = tmp_path / "saves"
    folder.mkdir()
    slot = folder / "autosave-x-1.json"
    assert journal_module.read_journal(slot, folder) == b""  # none
    outside = tmp_path / "elsewhere.journal"
    outside.write_bytes(b"line\n")
    journal_path(slot).symlink_to(outside)
    assert journal_module.read_journal(slot, folder) == b""
    assert journal_module.saved_at_of_journal(slot, folder) is None
    journal_path(slot).unlink()
    monkeypatch.setattr(journal_module, "MAX_SAVE_BYTES", 3000)
    journal_path(slot).write_bytes(b"x" * 3000)
    assert journal_module.read_journal(slot, folder) == b"x" * 3000  # as large as a save may be
    journal_path(slot).write_bytes(b"x" * 4099)
    with pytest.raises(SaveError, match=r"^the autosave's journal is too large \(4 KB\)$"):
        journal_module.read_journal(slot, folder)

    def grown(fd, info, limit):
        raise TooLarge("it grew while read", None)

    journal_path(slot).write_bytes(b"x\n")
    monkeypatch.setattr(journal_module, "read_fd", grown)
    with pytest.raises(SaveError, match=r"^the autosave's journal is too large$"):
        journal_module.read_journal(slot, folder)

    def failing(fd, info, limit):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(journal_module, "read_fd", failing)
    with pytest.raises(SaveError, match=r"^cannot read the autosave's journal: Input/output error$"):
        journal_module.read_journal(slot, folder)


def test_a_journal_s_time_is_its_last_whole_line_of_the_snapshot_it_names(tmp_path):
    from datetime import UTC, datetime

    folder = tmp_path / "saves"
    folder.mkdir()
    slot = folder / "autosave-x-1.json"
    assert journal_module.saved_at_of_journal(slot, folder) is None

    def line(token, minute, pad=0):
        return journal_module.encode_line(token, 0, [{"node": "a" * pad, "choice": 0}], _summary(), datetime(2026, 3, 1, 0, minute, tzinfo=UTC), 0)

    mine, other = "0123456789abcdef", "fedcba9876543210"
    path = journal_path(slot)
    path.write_bytes(line(mine, 1))
    assert journal_module.saved_at_of_journal(slot, folder, mine) == datetime(2026, 3, 1, 0, 1, tzinfo=UTC)  # a single line
    path.write_bytes(line(mine, 1) + line(mine, 2) + line(other, 3) + b"[1]\n" + b"{not json\n" + b'{"of": "0123')
    assert journal_module.saved_at_of_journal(slot, folder, mine) == datetime(2026, 3, 1, 0, 2, tzinfo=UTC)
    assert journal_module.saved_at_of_journal(slot, folder) == datetime(2026, 3, 1, 0, 3, tzinfo=UTC)
    path.write_bytes(line(mine, 1, pad=9000) + line(mine, 2, pad=5000) + line(mine, 4))  # only the tail is read
    assert journal_module.saved_at_of_journal(slot, folder, mine) == datetime(2026, 3, 1, 0, 4, tzinfo=UTC)
    path.write_bytes(line(mine, 1, pad=9000) + line(mine, 2, pad=7800))
    assert journal_module.saved_at_of_journal(slot, folder, mine) == datetime(2026, 3, 1, 0, 2, tzinfo=UTC)


# ---------------------------------------------------------------- a journal's lines read onto its snapshot


def _snapshot(ferry):
    from datetime import UTC, datetime

    from kuzbass_game.engine.storage.save_format import SaveMeta, decode, encode

    game = played(ferry)
    meta = SaveMeta("autosave", "auto", datetime(2026, 3, 1, tzinfo=UTC), 10, journal="0123456789abcdef")
    return game, decode(encode(game, meta)[0].encode())


def _line(**fields) -> bytes:
    line = {
        "of": "0123456789abcdef",
        "at": 3,
        "add": [{"node": "waiting", "choice": 0}],
        "saved_at": "2026-03-01T00:01:00+00:00",
        "play_seconds": 20.5,
        "summary": {"node": "crossing", "turn": 4},
    }
    line.update(fields)
    return (json.dumps({k: v for k, v in line.items() if v is not DROP}) + "\n").encode()


DROP = object()


def test_a_sound_line_moves_the_save_on(ferry):
    from datetime import UTC, datetime

    from kuzbass_game.engine.storage.save_format import apply_journal

    game, decoded = _snapshot(ferry)
    applied = apply_journal(decoded, _line() + _line(at=4, add=[], play_seconds=30, saved_at="2026-03-01T00:02:00+00:00"))
    assert applied.journaled and len(applied.actions) == 4 and applied.actions[3].choice == 0
    assert (applied.meta.saved_at, applied.meta.play_seconds, applied.summary) == (
        datetime(2026, 3, 1, 0, 2, tzinfo=UTC),
        30.0,
        {"node": "crossing", "turn": 4},
    )
    assert applied.meta.name == "autosave" and applied.snapshot == decoded.snapshot
    assert apply_journal(decoded, b"") is decoded
    assert apply_journal(decoded, _line()[:-1]) is decoded  # no whole line
    from dataclasses import replace

    assert not apply_journal(replace(decoded, journal=None), _line()).journaled  # a save with no journal of its own


@pytest.mark.parametrize(
    "fields",
    [
        {"of": "fedcba9876543210"},
        {"of": DROP},
        {"at": -1},
        {"at": True},
        {"at": 5},  # past the actions there are (4 after the line before it)
        {"at": "3"},
        {"add": {"node": "waiting", "choice": 0}},
        {"add": [{"node": "waiting"}]},
        {"add": [{"node": "waiting", "choice": 100}]},
        {"saved_at": 5},
        {"saved_at": "yesterday"},
        {"saved_at": DROP},
        {"play_seconds": -1},
        {"play_seconds": 10**9},
        {"play_seconds": True},
        {"play_seconds": "20"},
        {"play_seconds": DROP},
    ],
)
def test_a_line_with_any_field_wrong_ends_the_journal_there(ferry, fields):
    from kuzbass_game.engine.storage.save_format import apply_journal

    _, decoded = _snapshot(ferry)
    assert apply_journal(decoded, _line(**fields)) is decoded
    good = apply_journal(decoded, _line() + _line(**fields) + _line(at=4, add=[{"node": "crossing", "choice": 0}]))
    assert len(good.actions) == 4 and good.summary == {"node": "crossing", "turn": 4}


def test_a_line_at_the_limits_is_applied(ferry, monkeypatch):
    from kuzbass_game.engine.storage import save_format
    from kuzbass_game.engine.storage.save_format import apply_journal

    _, decoded = _snapshot(ferry)
    assert len(apply_journal(decoded, _line(at=0, add=[], play_seconds=10**9 - 0.5, summary="odd")).actions) == 0
    assert apply_journal(decoded, _line(at=0, add=[], summary="odd")).summary == {}
    monkeypatch.setattr(save_format, "MAX_ACTIONS", 4)
    assert len(apply_journal(decoded, _line()).actions) == 4  # as many actions as a save may hold
    assert apply_journal(decoded, _line(add=[{"node": "waiting", "choice": 0}] * 2)) is decoded


def test_a_line_that_cuts_below_a_checkpoint_sets_it_aside_and_one_above_keeps_it(ferry):
    from dataclasses import replace

    from kuzbass_game.engine.storage.save_format import apply_journal

    _, decoded = _snapshot(ferry)
    with_checkpoint = replace(decoded, checkpoint=(2, {"node": "waiting"}))
    assert apply_journal(with_checkpoint, _line(at=2, add=[])).checkpoint == (2, {"node": "waiting"})
    assert apply_journal(with_checkpoint, _line(at=1, add=[]) + _line(at=1, add=[{"node": "waiting", "choice": 0}])).checkpoint is None
    assert apply_journal(with_checkpoint, _line()).checkpoint == (2, {"node": "waiting"})


def test_a_save_without_a_journal_token_reads_no_line_and_a_line_s_strings_come_out_plain(ferry):
    from dataclasses import replace

    from kuzbass_game.engine.storage.save_format import apply_journal

    _, decoded = _snapshot(ferry)
    untokened = replace(decoded, journal=None)
    assert apply_journal(untokened, _line(of=DROP)) is untokened  # a line naming no snapshot is not this save's
    applied = apply_journal(decoded, _line(summary={"node": "crossing", "turn": 4, "chapter": "The \x1b[31mFerry\u202e"}))
    assert applied.summary == {"node": "crossing", "turn": 4, "chapter": "The [31mFerry"}
