"""A finished game stays finished (issue 18): after an ending the title screen offers no Continue
into it and New game asks nothing; c with nothing to continue says so; a game played on from an
older save becomes a game of its own; F9 says what a quickload took back; the introduction's
footer names Enter as its header does."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets._footer import FooterKey

from kuzbass_game.engine.play import Game
from kuzbass_game.engine.storage import SaveStore, game_id_of
from kuzbass_game.ui.app import NOTHING_TO_CONTINUE, quickload_note
from kuzbass_game.ui.screens.ending import EndingScreen
from kuzbass_game.ui.screens.new_game import NewGameDialog
from kuzbass_game.ui.screens.reading import ReadingScreen
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.screens.title import TitleScreen

SIZE = (80, 24)
WIDE = (120, 40)
TO_AN_ENDING = ["n", "escape", "V", "e", "r", "a", "enter", "1", "1", "1", "1"]  # the winter: stay for the summer
AFTER_AN_ENDING = [*TO_AN_ENDING, "t"]  # and back to the title screen


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_after_an_ending_the_title_offers_no_continue_into_it(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        for key in TO_AN_ENDING:
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        menu = app.screen.query_one("#title-menu", OptionList)
        assert menu.get_option("continue_game").disabled
        assert app.saves.has_slots() and app.saves.latest() is None  # its earlier autosaves are not resumed
        await pilot.press("c")
        await pilot.pause()
        assert NOTHING_TO_CONTINUE[True] in notices(app)
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, NewGameDialog)  # no "game in progress" to warn of
        assert isinstance(app.screen, StoryScreen) and not app.screen.game.actions


async def test_c_with_no_saves_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert NOTHING_TO_CONTINUE[False] in notices(app)


def test_the_title_screen_after_an_ending_80x24(snap_compare, make_app, winter):
    assert snap_compare(make_app(winter), press=AFTER_AN_ENDING, terminal_size=SIZE)


def test_the_title_screen_after_an_ending_120x40(snap_compare, make_app, winter):
    assert snap_compare(make_app(winter), press=AFTER_AN_ENDING, terminal_size=WIDE)


def test_a_game_played_on_from_an_older_save_is_a_game_of_its_own(ferry, saves_dir):
    store = SaveStore(saves_dir, ferry)
    game = Game(ferry, seed=1)
    game.submit("Anna")
    store.save(game, "early")
    for _ in range(2):
        game.choose(0)
        store.autosave(game)
    first = game_id_of(game)
    later = {s.name: s.saved_at for s in store.list() if s.kind == "auto"}
    again = SaveStore(saves_dir, ferry).load("early").game
    fresh = SaveStore(saves_dir, ferry)
    fresh.load("early")
    again.choose(0)
    fresh.autosave(again)
    assert game_id_of(again) != first  # its own game: the run it came from keeps its autosaves
    assert {s.name: s.saved_at for s in fresh.list() if s.kind == "auto" and s.game_id == first} == later


def test_a_quickload_says_what_it_took_back(ferry):
    game = Game(ferry, seed=1)
    game.submit("Anna")
    saved = Game(ferry, seed=1)
    saved.submit("Anna")
    game.choose(0)
    game.choose(0)
    note = quickload_note(game, saved)
    assert "the 2 choices made since are undone here" in note and "autosaves" in note
    assert "nothing was undone" in quickload_note(saved, saved)


async def test_the_introduction_s_footer_names_enter_as_its_header_does(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        keys = {key.key: key.description for key in app.screen.query(FooterKey)}
        assert keys["enter"] == "Begin the story" and keys["escape"] == "Skip"
        assert "Enter: begin the story" in str(app.screen.query_one("#reading-lead").render())
