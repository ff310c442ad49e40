"""Atomic writes, migrations, replay after story edits, and `kuzbass check --saves`."""

import errno
import os
import shutil
from pathlib import Path

import pytest

from kuzbass_game.cli import main
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_format import SaveError
from kuzbass_game.engine.storage.save_store import SaveStore

from .conftest import load, played

FIXTURES = Path(__file__).parent / "fixtures"


def _no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_failure_between_write_and_rename_keeps_the_old_save(store, ferry, monkeypatch):
    game = played(ferry)
    path = store.save(game, "slot").path
    before = path.read_bytes()
    game.choose(3)

    def crash(*args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SaveError, match="previous save is untouched"):
        store.save(game, "slot")
    assert path.read_bytes() == before
    assert _no_temp_files(store.folder)
    monkeypatch.undo()
    assert store.load("slot").game.state.node == "waiting"


def test_full_disk_keeps_the_old_save_and_says_the_disk_is_full(store, ferry, monkeypatch):
    game = played(ferry)
    path = store.save(game, "slot").path
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(SaveError, match="the disk is full"):
        store.save(game, "slot")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _no_temp_files(store.folder)


def test_unwritable_folder_is_a_clear_error(tmp_path, ferry):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    with pytest.raises(SaveError, match="cannot create the saves folder"):
        SaveStore(blocker / "saves", ferry).save(played(ferry), "x")


def test_version_1_save_migrates(tmp_path, ferry):
    folder = tmp_path / "saves"
    folder.mkdir()
    shutil.copy(FIXTURES / "v1_ferry.json", folder / "old.json")
    loaded = SaveStore(folder, ferry).load("old")
    state = loaded.game.state
    assert state.node == "crossing"
    assert state.variables["name"] == "Old Timer"
    assert state.variables["kopeks"] == 1
    assert len(loaded.game.actions) == 3


def _save_then_edit(ferry_copy, tmp_path, edit, name="mine"):
    story = load(ferry_copy)
    store = SaveStore(tmp_path / "saves", story)
    game = played(story)
    store.save(game, name)
    edit(ferry_copy)
    return SaveStore(tmp_path / "saves", load(ferry_copy)), game


def _replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_story_text_edit_replays_all_choices_and_tells_the_player(ferry_copy, tmp_path):
    store, game = _save_then_edit(ferry_copy, tmp_path, lambda d: _replace_in(d / "scenes" / "river.yaml", "Ice clinks", "Slush knocks"))
    loaded = store.load("mine")
    assert loaded.game.state.node == game.state.node
    assert "all 3 of your choices still apply" in loaded.notice


def test_removed_choice_falls_back_to_the_saved_state(ferry_copy, tmp_path):
    def drop_stamp_choice(d):
        _replace_in(
            d / "scenes" / "bank.yaml",
            """      - text: "Stamp your feet and wait longer"
        goto: waiting
        if: "visits(\\"waiting\\") < 3 and warmth > 1"
""",
            "",
        )

    store, game = _save_then_edit(ferry_copy, tmp_path, drop_stamp_choice)
    loaded = store.load("mine")
    assert loaded.game.state.node == "waiting"
    assert loaded.game.state.variables == game.state.variables
    assert "resume where you saved" in loaded.notice
    assert loaded.game.rebased and not loaded.game.can_rewind


def test_removed_node_falls_back_to_the_last_node_that_exists(ferry_copy, tmp_path):
    def remove_crossing(d):
        _replace_in(d / "scenes" / "bank.yaml", "goto: crossing", "goto: far_bank")
        _replace_in(d / "scenes" / "river.yaml", "passed: crossing", "passed: far_bank")
        text = (d / "scenes" / "river.yaml").read_text()
        start = text.index("  crossing:")
        end = text.index("  far_bank:")
        (d / "scenes" / "river.yaml").write_text(text[:start] + text[end:])
        _replace_in(d / "scenes" / "river.yaml", 'visited(\\"soaked\\")', 'visited(\\"waiting\\")')

    story = load(ferry_copy)
    store = SaveStore(tmp_path / "saves", story)
    game = played(story)
    game.choose(1)  # offer tobacco: to the crossing
    assert game.state.node == "crossing"
    store.save(game, "mine")
    remove_crossing(ferry_copy)
    result = SaveStore(tmp_path / "saves", load(ferry_copy)).load("mine")
    assert "scene you saved in is gone" in result.notice
    assert result.game.state.node in ("waiting", "far_bank")


def test_check_saves_reports_ok_changed_and_broken(ferry_copy, tmp_path, capsys):
    story = load(ferry_copy)
    folder = tmp_path / "saves"
    store = SaveStore(folder, story)
    store.save(played(story), "fine")
    (folder / "junk.json").write_text("{ nope")
    assert main(["check", str(ferry_copy), "--saves", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "fine.json:1:1: note: replays exactly (3 choices)" in out
    assert "junk.json:1:1: error: the save is damaged" in out
    assert "1 replay unchanged, 0 would change, 1 would break" in out

    (folder / "junk.json").unlink()
    _replace_in(ferry_copy / "scenes" / "bank.yaml", 'effects: "chill"', 'effects: "warmth -= 2"')
    assert main(["check", str(ferry_copy), "--saves", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "warning: all 3 choices replay, but 'warmth' becomes 1 instead of 3" in out


def test_long_history_round_trip(tmp_path):
    """1,000 choices of history survive a save and load exactly."""
    story_dir = tmp_path / "loop"
    story_dir.mkdir()
    (story_dir / "manifest.yaml").write_text("id: loop\ntitle: Loop\nstart: a\nvariables:\n  n: {type: int}\n")
    (story_dir / "nodes.yaml").write_text(
        "nodes:\n"
        "  a:\n    text: Round and round.\n    choices:\n"
        "      - {text: Again, goto: a, effects: 'n += 1'}\n"
        "      - {text: Gamble, random: [{goto: a, weight: 2}, {goto: b, weight: 1}]}\n"
        "      - {text: Stop, goto: end}\n"
        "  b:\n    text: Lucky.\n    choices:\n      - {text: Back, goto: a}\n"
        "  end:\n    text: Done.\n    ending: {title: Done}\n"
    )
    story = load(story_dir)
    game = Game(story, seed=1)
    for i in range(1000):
        if game.state.node == "b":
            game.choose(0)
        else:
            game.choose(i % 2)
    store = SaveStore(tmp_path / "saves", story)
    store.save(game, "long")
    loaded = store.load("long")
    assert len(loaded.game.actions) == 1000
    assert loaded.game.state == game.state


def test_reordered_choices_still_replay_by_signature(ferry_copy, tmp_path):
    def swap_first_two(d):
        path = d / "scenes" / "bank.yaml"
        text = path.read_text()
        pay = text[text.index('      - text: "Pay the fare"') : text.index('      - text: "Offer him')]
        offer = text[text.index('      - text: "Offer him') : text.index('      - text: "Stamp')]
        path.write_text(text.replace(pay + offer, offer + pay))

    store, game = _save_then_edit(ferry_copy, tmp_path, swap_first_two)
    game.choose(0)  # pay the fare, in the original story
    original = load(ferry_copy)
    # a save taken before the edit, whose last choice is "Pay the fare" (index 0 then, index 1 now)
    old_store = SaveStore(tmp_path / "saves2", game.story)
    old_store.save(game, "paid")
    loaded = SaveStore(tmp_path / "saves2", original).load("paid")
    assert loaded.game.state.node == "crossing"
    assert loaded.game.state.variables["kopeks"] == game.state.variables["kopeks"]
    assert loaded.game.actions[-1].choice == 1


def test_check_saves_skips_a_save_of_another_story(ferry_copy, tmp_path, capsys):
    """`kuzbass check story --saves saves` after playing another story: its saves are named and left alone."""
    folder = tmp_path / "saves"
    SaveStore(folder, load(ferry_copy)).save(played(load(ferry_copy)), "ferry_game")
    _replace_in(ferry_copy / "manifest.yaml", "id: ferry", "id: other_ferry")
    assert main(["check", str(ferry_copy), "--saves", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "ferry_game.json:1:1: note: a save of another story ('ferry'), not checked against 'other_ferry'" in out
    assert "0 replay unchanged, 0 would change, 0 would break, 1 of another story skipped" in out
