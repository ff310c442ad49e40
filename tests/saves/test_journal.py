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
