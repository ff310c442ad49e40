"""Saving and loading through the app: autosave, Continue, the saves screen, quick keys, journal."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import SaveStore
from kuzbass_game.ui.clock import PlayClock
from kuzbass_game.ui.screens.dialogs import ConfirmDialog, NameDialog
from kuzbass_game.ui.screens.journal import JournalScreen
from kuzbass_game.ui.screens.saves import SavesScreen
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.screens.title import TitleScreen
from kuzbass_game.ui.screens.too_small import TooSmallScreen

from .test_play import SIZE, start


def names(saves_dir, ferry) -> set[str]:
    return {slot.name for slot in SaveStore(saves_dir, ferry).list()}


def saved_game(ferry, saves_dir, name="kept") -> None:
    game = Game(ferry, seed=1)
    game.submit("Vera")
    game.choose(0)
    SaveStore(saves_dir, ferry).save(game, name, play_seconds=75)


async def test_every_choice_autosaves_and_quit_saves_too(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        assert any(n.startswith("autosave-") for n in names(saves_dir, ferry))
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    latest = SaveStore(saves_dir, ferry).latest()
    assert latest is not None and latest.turn == 2


async def test_continue_resumes_the_latest_game(make_app, ferry, saves_dir):
    saved_game(ferry, saves_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        menu = app.screen.query_one("#title-menu", OptionList)
        assert not menu.get_option("continue_game").disabled
        assert menu.highlighted == 1  # Continue is offered first when there is a game to continue
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        assert screen.scene.node_id == "waiting" and screen.game.state.variables["name"] == "Vera"
        assert screen.clock.seconds >= 75


async def test_save_into_a_new_named_slot(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SavesScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, NameDialog)
        await pilot.press(*"at the bank", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SavesScreen)
        assert "at the bank" in names(saves_dir, ferry)
        assert app.screen.current.name == "at the bank"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_bad_slot_name_is_explained_in_the_dialog_and_the_name_is_kept(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("s", "s")
        await pilot.pause()
        await pilot.press(*"../etc", "enter")
        await pilot.pause()
        assert not any(n.startswith("..") for n in names(saves_dir, ferry))
        dialog = app.screen
        assert isinstance(dialog, NameDialog)  # still open: the error is shown where the name is typed
        assert "slot name" in dialog.hint and dialog.query_one(Input).value == "../etc"
        assert not any("slot name" in n.message for n in app._notifications)


async def test_load_from_the_title_screen(make_app, ferry, saves_dir):
    saved_game(ferry, saves_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, SavesScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.game.state.variables["name"] == "Vera"


async def test_load_inside_a_game_replaces_it(make_app, ferry, saves_dir):
    saved_game(ferry, saves_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)  # "kept" is a game in progress: New game asks first
        await pilot.press("y")
        await pilot.pause()
        await pilot.press(*"Olga", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.highlight("kept")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.game.state.variables["name"] == "Vera"


async def test_overwrite_rename_and_delete_ask_first(make_app, ferry, saves_dir):
    saved_game(ferry, saves_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        saves = app.screen
        saves.query_one("#saves-list", OptionList).highlighted = [s.name for s in saves.slots].index("kept")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is saves and saves.current.name == "kept"
        await pilot.press("r")
        await pilot.pause()
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"renamed", "enter")
        await pilot.pause()
        assert "renamed" in names(saves_dir, ferry) and "kept" not in names(saves_dir, ferry)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # no: keep it
        await pilot.pause()
        assert "renamed" in names(saves_dir, ferry)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert "renamed" not in names(saves_dir, ferry)


async def test_broken_slot_shows_its_problem_and_does_not_load(make_app, ferry, saves_dir):
    saves_dir.mkdir(parents=True)
    (saves_dir / "broken.json").write_text("{not json", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        saves = app.screen
        assert saves.current.name == "broken" and saves.current.problem
        prompt = saves.query_one("#saves-list", OptionList).get_option_at_index(0).prompt
        assert "Cannot be loaded:" in prompt.plain
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is saves


async def test_quicksave_and_quickload(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert "quicksave" in names(saves_dir, ferry)
        await pilot.press("1")
        await pilot.pause()
        assert screen.scene.node_id == "waiting"
        await pilot.press("f9")
        await pilot.pause()
        assert screen.scene.node_id == "bank" and app.screen is screen


async def test_journal_lists_choices_and_goes_back(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "[i]Ivan[/i]")
        await pilot.press("1", "3")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        journal = app.screen
        assert isinstance(journal, JournalScreen)
        entries = [o.prompt.plain for o in journal.query_one(OptionList).options]
        assert len(entries) == 3
        assert entries[0].endswith("You answered: [i]Ivan[/i]")
        assert entries[1].endswith("Wait for the ferry") and entries[2].endswith("Stamp your feet and wait longer")
        await pilot.press("up", "enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is screen and len(screen.game.actions) == 1


def test_play_clock_counts_only_while_running(monkeypatch):
    now = [100.0]
    monkeypatch.setattr("kuzbass_game.ui.clock.monotonic", lambda: now[0])
    clock = PlayClock(10)
    now[0] = 150.0
    assert clock.seconds == 10
    clock.start()
    now[0] = 155.0
    assert clock.seconds == 15
    clock.stop()
    now[0] = 500.0
    assert clock.seconds == 15


async def test_title_after_quitting_a_game_offers_continue(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.show_title()
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert not app.screen.query_one("#title-menu", OptionList).get_option("continue_game").disabled


async def test_load_option_starts_in_that_slot(make_app, ferry, saves_dir):
    saved_game(ferry, saves_dir)
    app = make_app(load="kept")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.game.state.variables["name"] == "Vera"


async def test_palette_save_asks_for_a_name_at_once(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        save = next(c for c in app.get_system_commands(app.screen) if c.title == "Save")
        save.callback()
        await pilot.pause()
        assert isinstance(app.screen, NameDialog)
        await pilot.press(*"palette", "enter")
        await pilot.pause()
        assert "palette" in names(saves_dir, ferry)


async def test_load_option_in_a_tiny_terminal_waits_behind_the_size_message(make_app, ferry, saves_dir):
    saved_game(ferry, saves_dir)
    app = make_app(load="kept")
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert not any(isinstance(s, TooSmallScreen) for s in app.screen_stack)


def test_the_title_screen_finds_a_quicksave_by_the_engine_s_file_names_without_the_save_store(ferry, saves_dir):
    """The names come from the engine (storage/names.py), and reading them imports no save store."""
    import subprocess
    import sys

    game = Game(ferry, seed=1)
    game.submit("Vera")
    SaveStore(saves_dir, ferry).quicksave(game)
    code = (
        "import sys; from pathlib import Path; from kuzbass_game.ui.saving import Saves; saves = Saves(Path(sys.argv[1]), None); "
        "print(saves.has_slots(), saves.has_quicksave(), 'kuzbass_game.engine.storage.save_store' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(saves_dir)], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.split() == ["True", "True", "False"]


def test_latest_reads_newest_files_first_and_skips_broken_and_ended(ferry, saves_dir):
    import os

    from kuzbass_game.ui.saving import Saves

    saves = Saves(saves_dir, ferry)
    assert not saves.has_slots() and saves.latest() is None  # no folder yet
    saved_game(ferry, saves_dir, "older")
    ended = Game(ferry, seed=1)
    ended.submit("Vera")
    ended.choose(0)
    ended.choose(3)  # wait, then walk home: the end
    assert ended.view().ending is not None
    SaveStore(saves_dir, ferry).save(ended, "finished")
    (saves_dir / "broken.json").write_text("{not json", encoding="utf-8")
    for age, name in enumerate(["broken", "finished", "older"]):  # broken newest, older oldest
        os.utime(saves_dir / f"{name}.json", (1_000_000 - age * 100, 1_000_000 - age * 100))
    assert saves.has_slots()
    latest = saves.latest()
    assert latest is not None and latest.name == "older" and latest.chapter == "The Ferry"


async def test_only_a_broken_save_offers_load_but_not_continue(make_app, saves_dir):
    saves_dir.mkdir(parents=True)
    (saves_dir / "broken.json").write_text("{not json", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE):
        menu = app.screen.query_one("#title-menu", OptionList)
        assert [o.disabled for o in menu.options] == [False, True, False, False]
