"""No game is ever lost: game ids, autosaves per game, Continue by save time, leftovers, failures."""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from kuzbass_game.engine.files import atomic
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_format import VERSION, SaveError, decode
from kuzbass_game.engine.storage.save_store import AUTOSAVES, AutosaveFailed, SaveStore, SlotChanged, SlotExists, game_id_of, set_game_id

from .conftest import played

FIXTURES = Path(__file__).parent / "fixtures"


def _game(ferry, name="Anna", seed=None):
    game = Game(ferry, seed=seed)
    game.submit(name)
    return game


def test_each_game_keeps_its_own_three_autosaves(rotating_store, ferry):
    """The 73-turn game of the issue: a New game (or a second copy) never rotates it out."""
    long_game = played(ferry)
    for _ in range(5):
        rotating_store.autosave(long_game)
    first_id = game_id_of(long_game)
    mine = {s.path.read_bytes() for s in rotating_store.list() if s.game_id == first_id}
    newcomer = _game(ferry, "Boris")
    for _ in range(10):
        rotating_store.autosave(newcomer)
    assert game_id_of(newcomer) != first_id
    groups = {g.game_id: g for g in rotating_store.games()}
    assert len(groups[first_id].autosaves) == AUTOSAVES == len(groups[game_id_of(newcomer)].autosaves)
    assert {s.path.read_bytes() for s in groups[first_id].slots} == mine  # untouched
    resumed = rotating_store.load(groups[first_id].resume.name)
    assert resumed.game.state == long_game.state and resumed.game_id == first_id


def test_a_loaded_game_autosaves_into_its_own_group(store, ferry):
    game = played(ferry)
    store.save(game, "named")
    other = _game(ferry, "Boris")
    store.autosave(other)
    loaded = store.load("named")
    assert game_id_of(loaded.game) == game_id_of(game)
    loaded.game.choose(1)
    info = store.autosave(loaded.game)
    assert info.game_id == game_id_of(game)
    [group] = [g for g in store.games() if g.game_id == game_id_of(game)]
    assert {s.name for s in group.slots} == {"named", info.name}
    assert group.newest.name == info.name


def test_rotation_overwrites_the_oldest_of_the_game(rotating_store, ferry):
    game = played(ferry)
    names = [rotating_store.autosave(game).name for _ in range(AUTOSAVES + 2)]
    assert len(set(names[:AUTOSAVES])) == AUTOSAVES
    assert names[AUTOSAVES] == names[0] and names[AUTOSAVES + 1] == names[1]
    # a fresh rotating_store (the next launch) goes on with the oldest file, not always the first
    later = SaveStore(rotating_store.folder, ferry, journal_bytes=0)
    loaded = later.load(rotating_store.latest().name)
    oldest = min((s for s in later.list()), key=lambda s: s.stamp[0]).name
    assert later.autosave(loaded.game).name == oldest


def test_latest_is_by_the_time_in_the_file_not_the_file_date(store, ferry):
    store.save(played(ferry), "older")
    time.sleep(0.01)
    newer = _game(ferry, "Vera")
    newer.choose(0)
    store.save(newer, "newer")
    # copying, a backup restore or a sync touches the older file last
    future = time.time() + 3600
    os.utime(store.folder / "older.json", (future, future))
    latest = store.latest()
    assert latest.name == "newer" and latest.game_id == game_id_of(newer)
    assert store.list()[0].name == "newer"
    assert store.games()[0].game_id == game_id_of(newer)


def test_saved_at_keeps_microseconds_so_quick_saves_order_right(store, ferry):
    game = played(ferry)
    first = store.autosave(game)
    game.choose(1)
    second = store.autosave(game)
    assert second.saved_at > first.saved_at
    assert store.latest().name == second.name


def test_new_slot_never_overwrites_and_replace_only_what_was_listed(store, ferry):
    game = played(ferry)
    store.save(game, "mine", overwrite=False)
    before = (store.folder / "mine.json").read_bytes()
    with pytest.raises(SlotExists, match="already exists"):
        store.save(_game(ferry, "Boris"), "mine", overwrite=False)
    assert (store.folder / "mine.json").read_bytes() == before
    listed = next(s for s in store.list() if s.name == "mine")
    store.save(_game(ferry, "Vera"), "mine")  # another copy overwrote it meanwhile
    with pytest.raises(SlotChanged, match="changed by another copy"):
        store.save(game, "mine", expect=listed)
    relisted = next(s for s in store.list() if s.name == "mine")
    store.save(game, "mine", expect=relisted)
    assert store.load("mine").game.state == game.state
    with pytest.raises(SlotChanged):
        store.delete("mine", expect=relisted)


def test_rename_never_overwrites(store, ferry):
    store.save(played(ferry), "one")
    store.save(_game(ferry, "Boris"), "two")
    with pytest.raises(SlotExists):
        store.rename("one", "two")
    assert store.load("two").game.state.variables["name"] == "Boris"
    store.rename("one", "three")
    assert {s.name for s in store.list()} == {"two", "three"}


def test_leftover_temp_files_are_removed_on_the_next_start(store, ferry):
    store.save(played(ferry), "kept")
    leftovers = [store.folder / ".kept.json.x1y2z3.tmp", store.folder / ".autosave-0123456789abcdef-2.json.abc.tmp"]
    for path in leftovers:
        path.write_bytes(b'{"format": "kuzbass-save", "ver')  # what a kill -9 mid-write leaves
    not_ours = store.folder / ".notes.tmp"
    not_ours.write_text("the player's own file")
    fresh = SaveStore(store.folder, ferry)
    assert [s.name for s in fresh.list()] == ["kept"]
    assert not any(p.exists() for p in leftovers)
    assert not_ours.exists()


def test_a_temp_file_of_a_write_in_flight_is_kept(store, ferry):
    """Another copy holds the folder's write lock (shared) while its temp file exists: a cleaner waits for later."""
    import subprocess
    import sys

    store.save(played(ferry), "kept")
    in_flight = store.folder / ".kept.json.inflight.tmp"
    in_flight.write_bytes(b"{")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\n"
                "from kuzbass_game.engine.files.locks import FolderLocks\n"
                f"locks = FolderLocks({str(store.folder)!r})\n"
                "with locks.writing():\n"
                "    print('held', flush=True)\n"
                "    sys.stdin.readline()\n"
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert SaveStore(store.folder, ferry).remove_leftovers() == 0
        assert in_flight.exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert SaveStore(store.folder, ferry).remove_leftovers() == 1
    assert not in_flight.exists()


@pytest.mark.parametrize("code", [errno.EROFS, errno.ENOSPC, errno.EACCES])
def test_a_failing_autosave_is_reported_once_and_never_claims_success(rotating_store, ferry, monkeypatch, code):
    game = played(ferry)
    rotating_store.autosave(game)
    before = {p.name: p.read_bytes() for p in rotating_store.folder.iterdir() if p.suffix == ".json"}

    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    failures = []
    for _ in range(3):
        game.choose(1) if game.view().choices else None
        with pytest.raises(AutosaveFailed) as caught:
            rotating_store.autosave(game)
        failures.append(caught.value)
    assert [f.first for f in failures] == [True, False, False]  # tell the player once
    assert rotating_store.autosave_problem and "could not save" in rotating_store.autosave_problem
    assert {p.name: p.read_bytes() for p in rotating_store.folder.iterdir() if p.suffix == ".json"} == before
    monkeypatch.undo()
    rotating_store.autosave(game)
    assert rotating_store.autosave_problem is None
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(AutosaveFailed) as again:
        rotating_store.autosave(game)
    assert again.value.first  # a new run of failures is told again


def test_an_unusable_saves_folder_fails_every_autosave_as_autosave_failed(tmp_path, ferry):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    store = SaveStore(blocker / "saves", ferry)
    game = played(ferry)
    with pytest.raises(AutosaveFailed, match="cannot create the saves folder") as caught:
        store.autosave(game)
    assert caught.value.first
    with pytest.raises(SaveError, match="cannot read the saves folder"):  # the listing says why, too
        store.list()
    assert store.latest() is None


def test_version_2_saves_migrate_and_keep_their_game_together(tmp_path, ferry):
    folder = tmp_path / "saves"
    folder.mkdir()
    shutil.copy(FIXTURES / "v2_ferry_autosave.json", folder / "autosave-2.json")
    shutil.copy(FIXTURES / "v2_ferry_manual.json", folder / "by the river.json")
    assert json.loads((folder / "autosave-2.json").read_text())["version"] == 2 < VERSION
    store = SaveStore(folder, ferry)
    listing = {s.name: s for s in store.list()}
    assert all(s.loadable for s in listing.values()), listing
    assert listing["autosave-2"].game_id == listing["by the river"].game_id == f"{7:016x}"  # both from seed 7
    assert listing["autosave-2"].kind == "auto"
    [group] = store.games()
    assert {s.name for s in group.slots} == {"autosave-2", "by the river"}
    assert store.latest().name == "autosave-2"  # saved at 18:05:01, the manual one at 18:04
    loaded = store.load("autosave-2")
    assert loaded.game.state.node == "waiting" and loaded.game.state.variables["name"] == "Anna"
    assert store.load("by the river").game.state.node == "crossing"
    decoded = decode((folder / "autosave-2.json").read_bytes())
    assert decoded.meta.play_seconds == 95.5
    # the old game goes on in its own autosaves; the legacy file stays until the player deletes it
    info = store.autosave(loaded.game)
    assert info.name == f"autosave-{7:016x}-1" and (folder / "autosave-2.json").exists()


def test_a_new_save_is_version_3_with_its_game_id(store, ferry):
    game = played(ferry)
    set_game_id(game, "00112233445566ff")
    path = store.save(game, "look").path
    slot = json.loads(path.read_text())["slot"]
    assert json.loads(path.read_text())["version"] == VERSION == 3
    assert slot["game_id"] == "00112233445566ff"
    assert "." in slot["saved_at"]  # microseconds


def test_a_missing_or_odd_game_id_costs_the_grouping_never_the_game(store, ferry):
    path = store.save(played(ferry), "odd").path
    data = json.loads(path.read_text())
    data["slot"]["game_id"] = "../../\x1b[2J"
    path.write_text(json.dumps(data))
    info = store.list()[0]
    assert info.loadable and info.game_id == f"{7:016x}"


def test_loading_a_name_that_is_not_a_file_inside_the_folder_is_refused(store, ferry, tmp_path):
    (tmp_path / "outside.json").write_text("{}")
    for name in ("../outside", "/etc/passwd", "a/b", ".hidden", "", "x\x1b"):
        with pytest.raises(SaveError):
            store.load(name)
        with pytest.raises(SaveError):
            store.delete(name)
    assert (tmp_path / "outside.json").exists()


def test_surrogates_typed_in_a_name_do_not_break_the_save(store, ferry):
    game = Game(ferry, seed=5)
    game.submit("Bad\udcff\udcfeName")  # undecodable bytes typed at a terminal (surrogateescape)
    store.autosave(game)
    store.save(game, "typed")
    loaded = store.load("typed")
    assert loaded.game.state == game.state
