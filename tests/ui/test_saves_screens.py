"""Issue 11 on the title and saves screens: the Load screen in groups (named saves, then each
game's autosaves and quicksave), save names checked in the dialog as they are typed and never
lost, renaming, the title screen's keys of a game in play, and play times that read one way."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import SaveStore
from kuzbass_game.engine.core import play_time
from kuzbass_game.ui.screens.dialogs import ConfirmDialog, NameDialog
from kuzbass_game.ui.screens.saves import SavesScreen
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.screens.title import TitleScreen

from .test_play import SIZE, start
from tests.ui.conftest import settle


def played(ferry, name: str, *choices: int) -> Game:
    game = Game(ferry, seed=1)
    game.submit(name)
    for choice in (0, *choices):
        game.choose(choice)
    return game


def rows(saves: SavesScreen) -> list[tuple[bool, str]]:
    """The list as shown: (is a heading, its first line), rules left out."""
    menu = saves.query_one("#saves-list", OptionList)
    return [(option.disabled, option.prompt.plain.split("\n")[0]) for option in menu.options]


def two_games(ferry, saves_dir) -> None:
    """Game A: two autosaves, the quicksave and a named save; game B, saved later: three autosaves
    and a named save. (Every autosave a whole snapshot, as when a journal has grown: the rotation.)"""
    store = SaveStore(saves_dir, ferry, journal_bytes=0)
    a = played(ferry, "Anna")
    store.autosave(a)
    store.save(a, "before the ferry")
    store.autosave(a)
    store.quicksave(a)
    b = played(ferry, "Boris", 2)
    for _ in range(4):
        store.autosave(b)
    store.save(b, "Boris waits")


async def open_load_screen(pilot) -> SavesScreen:
    await pilot.press("l")
    await settle(pilot)  # the slots are read in a worker
    assert isinstance(pilot.app.screen, SavesScreen)
    return pilot.app.screen


async def test_the_load_screen_shows_named_saves_then_each_game_s_automatic_saves(make_app, ferry, saves_dir):
    two_games(ferry, saves_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        saves = await open_load_screen(pilot)
        shown = rows(saves)
        headings = [text for heading, text in shown if heading]
        assert headings[0] == "Your saves"
        # The latest game first, each numbered in the order the games were begun (a number never shifts).
        assert headings[1].startswith("Game 2, last saved") and headings[1].endswith(": autosaves")  # B, the latest
        assert headings[2].startswith("Game 1, last saved") and headings[2].endswith(": autosaves and quicksave")  # A
        assert shown == [
            (True, "Your saves"),
            (False, "Boris waits"),
            (False, "before the ferry"),
            (True, headings[1]),
            (False, "Autosave 1"),
            (False, "Autosave 3"),
            (False, "Autosave 2"),
            (True, headings[2]),
            (False, "Quicksave"),
            (False, "Autosave 2"),
            (False, "Autosave 1"),
        ]
        names = {"Boris": {slot.name for slot in saves.slots[2:5]}, "Anna": {slot.name for slot in saves.slots[5:]}}
        assert len({s.game_id for s in saves.slots[2:5]}) == 1 and len({s.game_id for s in saves.slots[5:]}) == 1
        assert names["Boris"].isdisjoint(names["Anna"])
        # The headings are never highlighted: the keys step from one save to the next
        assert saves.current.name == "Boris waits"
        seen = []
        for _ in range(len(saves.slots)):
            seen.append(saves.current.label)
            await pilot.press("down")
            await pilot.pause()
        assert seen == ["Boris waits", "before the ferry", "Autosave 1", "Autosave 3", "Autosave 2", "Quicksave", "Autosave 2", "Autosave 1"]


async def test_in_a_game_its_own_autosaves_come_first(make_app, ferry, saves_dir):
    two_games(ferry, saves_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        saves = app.screen
        anna = next(slot for slot in saves.slots if slot.kind == "quick")
        saves.highlight(anna.name)
        await pilot.press("enter")  # play game A
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert app.screen.headings[:2] == ["Your saves", "This game: autosaves and quicksave"]


async def test_one_kind_of_save_needs_no_headings(make_app, ferry, saves_dir):
    SaveStore(saves_dir, ferry).save(played(ferry, "Anna"), "only")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        saves = await open_load_screen(pilot)
        assert saves.headings == [] and rows(saves) == [(False, "only")]


async def open_name_dialog(pilot) -> NameDialog:
    await pilot.press("s")
    await pilot.pause()
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, NameDialog)
    return pilot.app.screen


async def test_a_bad_name_is_explained_while_it_is_typed(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        dialog = await open_name_dialog(pilot)
        field = dialog.query_one(Input)
        assert dialog.hint == "Enter to accept, Esc to cancel."  # no error before typing
        await pilot.press(*"at/home")
        await pilot.pause()
        assert "a slot name may have 1-40 letters" in dialog.hint.lower()  # before Enter
        assert field.has_class("-invalid")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and field.value == "at/home"  # refused, and nothing typed is lost
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.press(*" home")
        await pilot.pause()
        assert dialog.hint == "Enter to accept, Esc to cancel." and not field.has_class("-invalid")
        field.value = ""
        await pilot.press(*"autosave-9")
        await pilot.pause()
        assert "reserved for automatic saves" in dialog.hint
        field.value = ""
        await pilot.press(*"at home", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SavesScreen) and app.screen.current.name == "at home"


async def test_a_save_that_fails_opens_the_dialog_again_with_the_name_and_the_reason(make_app, monkeypatch):
    import errno

    from kuzbass_game.engine.files import atomic

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await open_name_dialog(pilot)
        monkeypatch.setattr(atomic, "write_atomic", disk_full)
        await pilot.press(*"at home", "enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NameDialog) and dialog.query_one(Input).value == "at home"
        assert "the disk is full" in dialog.hint
        monkeypatch.undo()
        await pilot.press("enter")  # the same name, once there is room
        await pilot.pause()
        assert isinstance(app.screen, SavesScreen) and app.screen.current.name == "at home"


async def test_a_taken_name_asks_before_replacing_and_no_keeps_the_typed_name(make_app, ferry, saves_dir):
    SaveStore(saves_dir, ferry).save(played(ferry, "Vera"), "kept")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "y")
        await pilot.pause()
        await pilot.press(*"Olga", "enter")
        await pilot.pause()
        dialog = await open_name_dialog(pilot)
        await pilot.press(*"kept")
        await pilot.pause()
        assert "There is already a save called “kept”: Enter asks before replacing it." == dialog.hint
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # no: back to the name, as typed
        await pilot.pause()
        again = app.screen
        assert isinstance(again, NameDialog) and again.query_one(Input).value == "kept"
        assert SaveStore(saves_dir, ferry).load("kept").game.state.variables["name"] == "Vera"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")  # yes: replaced
        await pilot.pause()
        assert isinstance(app.screen, SavesScreen) and app.screen.current.name == "kept"
        assert SaveStore(saves_dir, ferry).load("kept").game.state.variables["name"] == "Olga"


async def test_overwrite_refuses_a_save_another_copy_changed_since_it_was_listed(make_app, ferry, saves_dir):
    SaveStore(saves_dir, ferry).save(played(ferry, "Vera"), "kept")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "y")
        await pilot.pause()
        await pilot.press(*"Olga", "enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        saves = app.screen
        assert saves.highlight("kept")
        SaveStore(saves_dir, ferry).save(played(ferry, "Zoya", 2), "kept")  # another copy of the game, meanwhile
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert any("changed by another copy of the game" in n.message for n in app._notifications)
        assert SaveStore(saves_dir, ferry).load("kept").game.state.variables["name"] == "Zoya"


async def test_rename_refuses_a_taken_name_in_the_dialog(make_app, ferry, saves_dir):
    store = SaveStore(saves_dir, ferry)
    store.save(played(ferry, "Vera"), "first")
    store.save(played(ferry, "Vera"), "second")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        saves = await open_load_screen(pilot)
        saves.highlight("second")
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NameDialog) and dialog.query_one(Input).value == "second"
        dialog.query_one(Input).value = ""
        await pilot.press(*"first")
        await pilot.pause()
        assert "There is already a save called “first”" in dialog.hint
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press(*" again", "enter")
        await pilot.pause()
        assert {s.name for s in store.list()} == {"first", "first again"}


async def test_an_autosave_can_be_kept_under_a_name(make_app, ferry, saves_dir):
    SaveStore(saves_dir, ferry).autosave(played(ferry, "Vera"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_load_screen(pilot)
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one(Input).value == ""  # not the file's name
        await pilot.press(*"kept", "enter")
        await pilot.pause()
        assert [s.name for s in SaveStore(saves_dir, ferry).list()] == ["kept"]


async def test_renaming_keeps_the_saved_time(make_app, ferry, saves_dir):
    store = SaveStore(saves_dir, ferry)
    before = store.save(played(ferry, "Vera"), "kept").saved_at
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_load_screen(pilot)
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one(Input).value = ""
        await pilot.press(*"renamed", "enter")
        await pilot.pause()
    [renamed] = store.list()
    assert renamed.name == "renamed" and renamed.saved_at == before


async def test_a_damaged_file_with_an_odd_name_can_be_deleted(make_app, saves_dir):
    saves_dir.mkdir(parents=True)
    odd = saves_dir / "odd\x1b[2Jname.json"
    odd.write_text("{not json", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        saves = await open_load_screen(pilot)
        assert "\x1b" not in rows(saves)[0][1] and saves.current.problem
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not odd.exists()


async def test_the_title_screen_says_why_the_keys_of_a_game_do_nothing_here(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for key in ("j", "s", "f5", "f9"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, TitleScreen)
        told = [n.message for n in app._notifications]
        assert len(told) == 4
        assert told[0].startswith("The journal (j) lists the choices of a game in play: start a new game (n) first")
        assert told[1].startswith("Saving (s) needs a game in play")
        assert told[2].startswith("Quicksave (F5) saves a game in play")
        assert told[3].startswith("There is no quicksave yet")  # F9: the app's key, on every screen


async def test_f9_on_the_title_screen_loads_the_quicksave(make_app, ferry, saves_dir):
    store = SaveStore(saves_dir, ferry)
    store.quicksave(played(ferry, "Quick"))
    store.save(played(ferry, "Named"), "later")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        await pilot.pause()
        [told] = [n.message for n in app._notifications]
        assert "continue one (c)" in told and told.endswith("To load a saved game, press l.")
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen) and app.screen.game.state.variables["name"] == "Quick"


def test_play_time_reads_one_way():
    assert play_time(0) == "0 s"
    assert play_time(37) == "37 s"
    assert play_time(97) == "1 min 37 s"
    assert play_time(5820) == "1 h 37 min"
    assert play_time(3909) == "1 h 5 min"


async def test_the_saves_list_says_played_in_words(make_app, ferry, saves_dir):
    SaveStore(saves_dir, ferry).save(played(ferry, "Vera"), "kept", play_seconds=97)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        saves = await open_load_screen(pilot)
        prompt = saves.query_one("#saves-list", OptionList).get_option_at_index(0).prompt.plain
        assert "played 1 min 37 s" in prompt and "1:37" not in prompt
