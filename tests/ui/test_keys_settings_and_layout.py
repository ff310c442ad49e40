"""Keys, settings and layout, driven as a player would: the ending screen opens at its top and scrolls,
a key pressed before a scene is drawn picks nothing in it, the footer while typing a name, the
theme and the change line remembered, F9 without a quicksave, locked choices readable in every
theme, and the layout (choices follow the text, a reading measure, the side panel with bars)."""

from __future__ import annotations

import json

import pytest
from textual import events
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from kuzbass_game.engine.storage import PLAYER_FOLDER
from kuzbass_game.ui.app import NO_QUICKSAVE
from kuzbass_game.ui.screens.ending import EndingScreen
from kuzbass_game.ui.widgets.choices import ChoiceList
from tests.ui.test_play import start

SIZE = (80, 24)
WIDE = (120, 40)


def settings_file(saves_dir) -> dict:
    return json.loads((saves_dir / PLAYER_FOLDER / "settings.json").read_text())["settings"]


def footer_keys(app) -> set[str]:
    return {key.key for key in app.screen.query(FooterKey)}


# ---------------------------------------------------------------- the ending screen


async def test_the_ending_opens_at_its_top_and_scrolls_with_the_keys(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n", "escape")  # the introduction, skipped
        await pilot.pause()
        await pilot.press(*"Vera", "enter")
        await pilot.pause()
        for key in ("1", "1", "1", "1"):  # walk up, trade the bread, speak up, stay for the summer
            await pilot.press(key)
            await pilot.pause()
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        scroll = ending.query_one("#ending-scroll")
        assert scroll.max_scroll_y > 0  # the summary makes it longer than 80x24
        assert scroll.scroll_y == 0 and scroll.has_focus
        mark = ending.query_one("#ending-mark")
        assert mark.region.y >= 0 and mark.region.bottom <= SIZE[1]  # "THE END" is on screen
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("end")
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("pageup")
        await pilot.pause()
        assert scroll.scroll_y < scroll.max_scroll_y


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 40), (200, 50)])
async def test_the_ending_opens_at_its_top_at_every_size(make_app, winter, size):
    app = make_app(winter)
    async with app.run_test(size=size) as pilot:
        await pilot.press("n", "escape")
        await pilot.pause()
        await pilot.press(*"Vera", "enter")
        await pilot.pause()
        for key in ("1", "2", "2", "2"):  # ... and take the train west
            await pilot.press(key)
            await pilot.pause()
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        await pilot.pause()
        assert ending.query_one("#ending-scroll").scroll_y == 0
        for part in ("#ending-mark", "#ending-title"):
            region = ending.query_one(part).region
            assert region.y >= 0 and region.bottom <= size[1] - 1, part


# ---------------------------------------------------------------- keys pressed ahead of the screen


async def test_a_key_pressed_before_the_scene_is_drawn_picks_nothing_in_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.pause()
        assert screen.ready
        screen.action_choose(1)  # taken: the scene on screen was drawn
        assert screen.scene.node_id == "waiting" and len(screen.game.actions) == 2
        assert not screen.ready  # the new scene is not on screen yet...
        screen.action_choose(4)  # ...so this key was meant for the old one: it picks nothing here
        assert screen.scene.node_id == "waiting" and len(screen.game.actions) == 2
        await pilot.pause()
        assert screen.ready
        await pilot.press("4")  # once drawn, the same key works
        await pilot.pause()
        assert screen.game.actions[-1].choice == 3


async def test_two_keys_in_one_burst_take_one_choice(make_app):
    """`3` then `1` arriving together (typed fast, or a key repeat) take only the first."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert screen.scene.node_id == "waiting"
        actions = len(screen.game.actions)
        for key in ("3", "1"):
            app._driver.send_message(events.Key(key, key))
        await pilot.pause()
        await pilot.pause()
        assert len(screen.game.actions) == actions + 1 and screen.game.actions[-1].choice == 2


async def test_enter_pressed_ahead_picks_nothing_either(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.pause()
        screen.action_choose(1)
        screen.query_one(ChoiceList).action_select()  # Enter on the highlighted choice, too early
        await pilot.pause()
        assert screen.scene.node_id == "waiting" and len(screen.game.actions) == 2


# ---------------------------------------------------------------- typing a name


async def test_while_typing_the_footer_offers_only_what_works(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        keys = footer_keys(app)
        assert {"ctrl+z", "f1", "ctrl+q"} <= keys
        assert not keys & {"question_mark", "q", "j", "s", "b", "x", "t", "1"}  # they type
        await pilot.press(*"?qbjs", "enter")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.game.state.variables["name"] == "?qbjs"
        keys = footer_keys(app)
        assert {"question_mark", "q", "j", "s", "b", "t"} <= keys and "f1" not in keys and "ctrl+q" not in keys


async def test_f1_gives_help_while_typing(make_app):
    from kuzbass_game.ui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("width", [80, 100, 120])
async def test_the_help_wraps_each_keys_meaning_under_itself(make_app, width):
    """`?` at any width, 100 columns included (issue 22): the keys in a column of their own, never
    folded; every meaning starts at one column to their right, and a long one wraps under itself."""
    from kuzbass_game.ui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        await start(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = list(app.screen.query(".help-key"))
        assert len(rows) >= 10
        columns, folded = set(), 0
        for row in rows:
            keys, meaning = row.query_one(".help-keys"), row.query_one(".help-meaning")
            assert keys.region.height == 1, (width, keys.render())  # nothing but blanks under a key
            assert meaning.region.x >= keys.region.right, (width, meaning.render())
            assert meaning.region.right <= row.region.right
            columns.add(meaning.region.x)
            folded += meaning.region.height > 1
        assert len(columns) == 1, columns
        if width <= 100:
            assert folded, "no meaning is long enough to wrap here: the test shows nothing"


async def test_the_gentle_word_goes_once_something_is_typed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        hint = app.screen.query_one("#answer-hint", Static)
        assert "Please type something first" in str(hint.visual) and hint.has_class("-gentle")
        await pilot.press("A")
        await pilot.pause()
        assert "Please type something first" not in str(hint.visual) and not hint.has_class("-gentle")
        assert str(hint.visual) == "Up to 20 characters."
        assert app.screen.query_one("#answer-input", Input).value == "A"


# ---------------------------------------------------------------- settings that stay


async def test_the_theme_is_remembered_across_launches(make_app, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "kuzbass-coal"
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.theme == "kuzbass-paper"
    assert settings_file(saves_dir)["theme"] == "kuzbass-paper"
    again = make_app()
    async with again.run_test(size=SIZE):
        assert again.theme == "kuzbass-paper"


async def test_a_damaged_settings_file_is_told_and_the_defaults_used(make_app, saves_dir):
    (saves_dir / PLAYER_FOLDER).mkdir(parents=True)
    (saves_dir / PLAYER_FOLDER / "settings.json").write_text("{ not json")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "kuzbass-coal"
        assert any("settings file was damaged" in n.message for n in app._notifications)


async def test_the_settings_never_show_up_as_saves(make_app, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
    assert not app.saves.has_slots() and app.saves.slots() == []


async def test_f9_without_a_quicksave_says_why(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen is screen
        assert NO_QUICKSAVE in [n.message for n in app._notifications]
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert screen.scene.node_id == "bank"  # the quicksave, from before the choice


# ---------------------------------------------------------------- locked choices, every theme


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: tuple[int, int, int], two: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_locked_choices_meet_wcag_aa_in_every_theme(make_app, locks):
    """The colours the locked row is drawn in, measured in each theme the app offers (the palette
    lists them all): text against its background at least 4.5:1."""
    app = make_app(locks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        choices = app.screen.query_one(ChoiceList)
        assert choices.get_option_at_index(0).disabled
        measured = {}
        for name in sorted(app.available_themes):
            app.theme = name
            await pilot.pause()
            await pilot.pause()
            ratios = [
                contrast(tuple(seg.style.color.get_truecolor()), tuple(seg.style.bgcolor.get_truecolor()))
                for seg in choices.render_line(0)
                if seg.text.strip()
            ]
            assert ratios, name
            measured[name] = min(ratios)
        assert {"kuzbass-coal", "kuzbass-paper", "textual-dark", "nord", "solarized-light"} <= set(measured)
        assert all(ratio >= 4.5 for ratio in measured.values()), {n: round(r, 2) for n, r in measured.items() if r < 4.5}


# ---------------------------------------------------------------- layout


async def test_at_120x40_the_choices_follow_the_text(make_app):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await start(pilot)
        await pilot.press("1")
        await pilot.pause()
        await pilot.pause()
        story, choices = screen.query_one("#story"), screen.query_one("#choices")
        assert story.region.bottom == choices.region.y  # right under the text...
        assert choices.region.bottom < WIDE[1] - 10  # ...not at the bottom of an empty screen
        assert story.max_scroll_y == 0


LONG_NODES = """\
nodes:
  start:
    text: |
      {long}
    choices:
      - text: "One"
        goto: end
      - text: "Two"
        goto: end
      - text: "Three"
        goto: end
  end:
    text: Done.
    ending:
      title: Done
"""


@pytest.mark.parametrize("size", [SIZE, WIDE])
async def test_a_long_text_scrolls_above_choices_that_stay_on_screen(make_app, make_story, size):
    from tests.ui.conftest import load

    long = " ".join(["The shaft lamp gutters and the cage rattles down into the dark."] * 60)
    app = make_app(load(make_story({"nodes.yaml": LONG_NODES.replace("{long}", long)})))
    async with app.run_test(size=size) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        story, choices = screen.query_one("#story"), screen.query_one("#choices")
        assert story.max_scroll_y > 0 and choices.border_title == "▼ more text: PgDn"
        assert story.region.bottom == choices.region.y
        assert choices.region.height == 4 and choices.region.bottom <= size[1] - 1  # all three, above the footer


async def test_at_80x24_the_text_gets_every_line_the_rest_leaves(make_app, make_story):
    """No header on a short screen, no blank line above the text: status, text, choices, footer."""
    from tests.ui.conftest import load

    long = " ".join(["The shaft lamp gutters and the cage rattles down into the dark."] * 60)
    app = make_app(load(make_story({"nodes.yaml": LONG_NODES.replace("{long}", long)})))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert screen.has_class("-short") and not screen.query_one("Header").display
        story, choices = screen.query_one("#story"), screen.query_one("#choices")
        top = screen.query_one("#status").region.bottom
        assert story.region.y == top and story.region.bottom == choices.region.y
        assert choices.region.bottom == screen.query_one("KeyFooter").region.y
        assert story.region.height == SIZE[1] - top - choices.region.height - 1
        assert screen.query_one("#story-text").region.y == story.region.y  # the first line is text


@pytest.mark.parametrize("width", [120, 200])
async def test_the_text_keeps_a_reading_measure(make_app, width):
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        screen = await start(pilot)
        text = screen.query_one("#story-text")
        assert 60 <= text.region.width <= 75
        width = text.region.width
        lines = [line.plain.rstrip() for line in text.visual.text(width).wrap(width)]
        assert 60 <= max(len(line) for line in lines) <= 75


async def test_wide_status_is_a_side_panel_with_bars(make_app, winter):
    app = make_app(winter)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("n", "escape")
        await pilot.pause()
        screen = app.screen
        status = screen.query_one("#status")
        assert status.region.x > screen.query_one("#story").region.right  # beside the text
        text = screen.status.text
        lines = text.side.text(text.content_size.width).plain.splitlines()
        food = next(line for line in lines if line.startswith("Food:"))
        assert "5/10" in food and "█" in food and "░" in food
        assert next(line for line in lines if line.startswith("Coat:")).split()[-1] == "thin"
