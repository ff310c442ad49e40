"""What changed and why, and endings worth reaching: the change line on and off, the stats screen
(values, their meaning and their history), the ending's summary and "k of N found", the endings
gallery and the profile behind it, the introduction and the afterword. Played on the first winter
(tests/ui/stories/winter) as a player would."""

from __future__ import annotations

import json

from textual.widgets import OptionList, Sparkline, Static

from kuzbass_game.engine.storage.profile import load_profile
from kuzbass_game.engine.storage import PLAYER_FOLDER
from kuzbass_game.ui.screens.ending import EndingScreen
from kuzbass_game.ui.screens.gallery import GalleryScreen
from kuzbass_game.ui.screens.reading import ReadingScreen
from kuzbass_game.ui.screens.stats import StatsScreen
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.screens.title import TitleScreen
from tests.ui.test_play import story_text, text_of
from tests.ui.conftest import settle

SIZE = (80, 24)
WIDE = (120, 40)


async def begin(pilot, name: str = "Vera") -> StoryScreen:
    """New game, the introduction skipped (the first time only), a name signed: at the market."""
    await pilot.press("n")
    await pilot.pause()
    if pilot.app.screen.__class__.__name__ == "NewGameDialog":  # a game in progress stays saved
        await pilot.press("y")
        await pilot.pause()
    if isinstance(pilot.app.screen, ReadingScreen):
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press(*name, "enter")
    await pilot.pause()
    await pilot.press("1")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StoryScreen) and screen.scene.node_id == "market"
    return screen


async def play(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()


def text(widget: Static) -> str:
    return text_of(widget)


# ---------------------------------------------------------------- the change line


async def test_the_change_line_can_be_turned_off_and_stays_off(make_app, winter, saves_dir):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        screen = await begin(pilot)
        await play(pilot, "1")  # trade the bread for a coat
        assert "Food −3 · Coat: sheepskin" in story_text(screen)
        await play(pilot, "c")
        assert "Food −3" not in story_text(screen) and "The hall argues" in story_text(screen)
        assert "› Trade your bread" in story_text(screen)  # the chosen line and the reply stay
        assert any("change line is off" in n.message for n in app._notifications)
        await play(pilot, "1")
        assert "Faith +2" not in story_text(screen)
        assert any("Faith" in piece.plain for piece in screen.status.text.line.pieces)
    settings = json.loads((saves_dir / PLAYER_FOLDER / "settings.json").read_text())["settings"]
    assert settings["changes"] is False
    again = make_app(winter)
    async with again.run_test(size=SIZE) as pilot:
        screen = await begin(pilot)
        await play(pilot, "1")
        assert "Food −3" not in story_text(screen)
        names = {command.title for command in again.get_system_commands(screen)}
        assert "Change line on" in names
        await play(pilot, "c")
        assert "Food −3 · Coat: sheepskin" in story_text(screen)


# ---------------------------------------------------------------- the stats screen


async def test_stats_show_each_value_its_meaning_and_where_it_came_from(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        screen = await begin(pilot)
        await play(pilot, "1", "2")  # the coat (Food −3), then silence at the meeting (Faith −3)
        assert {c.title for c in app.get_system_commands(screen)} >= {"Stats"}
        await play(pilot, "t")
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        rows = [option.prompt.plain for option in stats.query_one("#stats-list", OptionList).options]
        assert rows[0].split() == ["Name", "Vera"]
        assert rows[1].startswith("Food") and rows[1].endswith("2/10") and "██" in rows[1]
        assert rows[3].split() == ["Coat", "sheepskin"]
        await play(pilot, "down")  # Food
        assert text(stats.query_one("#stats-about")) == "Food 2/10: days of bread left: 0 is hunger"
        history = text(stats.query_one("#stats-history"))
        assert "−3  December 1922, I. Arrival" in history
        assert "› Trade your bread for a sheepskin coat" in history
        chart = stats.query_one("#stats-chart", Sparkline)
        assert chart.display and list(chart.data) == [5, 5, 5, 2, 2]  # before, then after each of 4 choices
        assert "lowest 2, highest 5, now 2" in text(stats.query_one("#stats-chart-note"))
        await play(pilot, "down")  # Faith: changed by the meeting
        assert text(stats.query_one("#stats-about")).startswith("Faith 3/10: your faith that the colony will work")
        assert "› Say nothing and count the days" in text(stats.query_one("#stats-history"))
        await play(pilot, "home")  # Name: typed, not chosen
        assert "› You answered: Vera" in text(stats.query_one("#stats-history"))
        assert not stats.query_one("#stats-chart").display  # a name has no chart
        await play(pilot, "escape")
        assert app.screen is screen


async def test_stats_of_an_unchanged_value_say_so(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot)
        await play(pilot, "t", "down", "down")  # Faith, untouched so far
        stats = app.screen
        assert "No choice has changed it yet." in text(stats.query_one("#stats-history"))
        assert not stats.query_one("#stats-chart").display


# ---------------------------------------------------------------- the ending, the profile, the gallery


async def test_the_ending_sums_up_the_run_and_counts_the_endings_found(make_app, winter, saves_dir):
    app = make_app(winter)
    async with app.run_test(size=WIDE) as pilot:
        await begin(pilot)
        await play(pilot, "1", "1", "1")  # coat, speak up (faith 8), stay
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        assert text(ending.query_one("#ending-found")) == "Ending 1 of 3 found. g shows them all."
        summary = text(ending.query_one("#ending-summary"))
        assert "You made 5 choices, from November 1922 to April 1923." in summary
        decided = summary.split("What decided this ending")[1].split("What you came with")[0]
        assert "› Speak for the colony" in decided and "Faith +2" in decided  # stay reads faith
        assert "spoke" not in decided  # a hidden value stays hidden
        assert "Trade your bread" not in decided
        kept = summary.split("What you came with, and what you kept")[1]  # the run told, not a flat list of values
        assert "Faith: 6 at the start, 8 at the end (+2)." in kept, kept
    record = load_profile(saves_dir / PLAYER_FOLDER).found(winter)["stay"]
    assert (record.title, record.run, record.times) == ("The Stayer", "Vera", 1)


async def test_stepping_back_and_ending_again_counts_a_second_ending(make_app, winter, saves_dir):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot)
        await play(pilot, "2", "1", "1")  # keep the bread, speak up, stay
        await play(pilot, "b", "2")  # back to the spring: the train west instead
        assert "Ending 2 of 3 found." in text(app.screen.query_one("#ending-found"))
        await play(pilot, "g")
        gallery = app.screen
        assert isinstance(gallery, GalleryScreen)
        shown = text(gallery.query_one("#gallery-rows"))
        assert text(gallery.query_one("#gallery-count")) == "2 of 3 endings found."
        assert shown.index("The Stayer") < shown.index("Locked")  # found first
        assert "in the run of Vera" in shown and "The Road West" in shown
        assert "Lost in the Taiga" not in shown  # locked: its title is kept back...
        assert "Locked: 1 ending\n  somewhere in II. The Meeting" in shown  # ...with its chapter as a hint
        await play(pilot, "escape")
        assert isinstance(app.screen, EndingScreen)
    assert set(load_profile(saves_dir / PLAYER_FOLDER).found(winter)) == {"stay", "leave"}


async def test_the_gallery_from_the_title_screen_and_the_palette(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.active_bindings["g"].enabled and app.screen.active_bindings["i"].enabled
        await play(pilot, "g")
        gallery = app.screen
        assert isinstance(gallery, GalleryScreen)
        assert text(gallery.query_one("#gallery-count")).startswith("No ending found yet, of 3.")
        await play(pilot, "escape")
        assert isinstance(app.screen, TitleScreen)
        assert "Endings" in {command.title for command in app.get_system_commands(app.screen)}


async def test_a_damaged_profile_is_told_once_and_never_stops_play(make_app, winter, saves_dir):
    (saves_dir / PLAYER_FOLDER).mkdir(parents=True)
    (saves_dir / PLAYER_FOLDER / "profile.json").write_text('{"format": "kuzbass-profile", "endings": [1, 2')
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot)
        await play(pilot, "1", "1", "1")
        assert isinstance(app.screen, EndingScreen)
        assert "Ending 1 of 3 found." in text(app.screen.query_one("#ending-found"))
        await play(pilot, "g", "escape", "g")
        told = [n.message for n in app._notifications if "damaged" in n.message]
        assert len(told) == 1 and "started afresh" in told[0]
    assert (saves_dir / PLAYER_FOLDER / "profile.json.damaged").exists()
    assert set(load_profile(saves_dir / PLAYER_FOLDER).found(winter)) == {"stay"}


async def test_a_loaded_ending_is_not_counted_again(make_app, winter, saves_dir):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        screen = await begin(pilot)
        await play(pilot, "1", "1", "1")
        ending = app.screen
        await play(pilot, "b")
        screen.load(type("Loaded", (), {"game": screen.game, "play_seconds": 0.0, "notice": None})())
        await pilot.pause()
    assert isinstance(ending, EndingScreen)
    assert load_profile(saves_dir / PLAYER_FOLDER).found(winter)["stay"].times == 1


# ---------------------------------------------------------------- the introduction and the afterword


async def test_a_first_new_game_offers_the_introduction_then_never_again(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, "n")
        intro = app.screen
        assert isinstance(intro, ReadingScreen)
        assert text(intro.query_one("#reading-heading")) == "Introduction"
        assert "to run its mines themselves" in text(intro.query_one("#reading-text"))
        assert "Esc: skip" in text(intro.query_one("#reading-hint"))
        await play(pilot, "enter")  # read: the game begins
        assert isinstance(app.screen, StoryScreen) and app.screen.scene.node_id == "arrive"
        await play(pilot, "ctrl+p")
        await pilot.press(*"new game")
        await settle(pilot)  # the palette searches in a worker
        await play(pilot, "enter")
        assert isinstance(app.screen, StoryScreen) and app.screen.scene.node_id == "arrive"  # no second offer
        assert not app.screen.game.actions


async def test_the_introduction_from_the_title_screen(make_app, winter, ferry):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        await play(pilot, "i")
        assert isinstance(app.screen, ReadingScreen)
        await play(pilot, "escape")
        assert isinstance(app.screen, TitleScreen)
        await play(pilot, "n")  # the first New game still offers it
        assert isinstance(app.screen, ReadingScreen)
    plain = make_app(ferry)  # a story without one: no key, no command
    async with plain.run_test(size=SIZE) as pilot:
        await play(pilot, "i")
        assert isinstance(plain.screen, TitleScreen)
        assert "Introduction" not in {command.title for command in plain.get_system_commands(plain.screen)}


async def test_the_afterword_after_the_ending(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        await begin(pilot)
        await play(pilot, "1", "2", "2")
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        assert "Press a to read the afterword." in text(ending.query_one("#ending-afterword-hint"))
        await play(pilot, "a")
        afterword = app.screen
        assert isinstance(afterword, ReadingScreen)
        assert "wound up at the turn of 1926 and 1927" in text(afterword.query_one("#reading-text"))
        await play(pilot, "escape")
        assert app.screen is ending
        await play(pilot, "a", "enter")
        assert app.screen is ending


async def test_an_ending_without_an_afterword_offers_none(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        from tests.ui.test_play import start

        await start(pilot)
        await play(pilot, "1", "4")
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        assert not ending.query("#ending-afterword-hint")
        assert "afterword" not in [o.id for o in ending.query_one("#ending-menu", OptionList).options]
        await play(pilot, "a")
        assert app.screen is ending
