"""Playing the ferry story through the app with the keyboard and mouse, as a player would."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Input, OptionList, Static

from kuzbass_game.ui.screens.ending import EndingScreen
from kuzbass_game.ui.screens.help import HelpScreen
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.screens.title import TitleScreen
from kuzbass_game.ui.screens.too_small import TooSmallScreen
from kuzbass_game.ui.widgets.choices import ChoiceList
from tests.ui.conftest import settle

SIZE = (80, 24)


def text_of(widget: Static) -> str:
    visual = widget.visual
    return visual.plain if isinstance(visual, Content) else str(visual)


def story_text(screen: StoryScreen) -> str:
    return "\n".join(text_of(p) for p in screen.query(".paragraph"))


async def start(pilot, name: str = "Anna") -> StoryScreen:
    """From the title: a new game, the name typed, waiting at the ferry."""
    await pilot.press("n")
    await pilot.pause()
    await pilot.press(*name, "enter")
    await settle(pilot)  # its autosave is written by a worker
    assert isinstance(pilot.app.screen, StoryScreen)
    return pilot.app.screen


async def test_title_then_new_game_opens_the_story(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen)
        assert text_of(app.screen.query_one("#title-name")) == "The Ferry on the Tom"
        menu = app.screen.query_one("#title-menu", OptionList)
        assert [o.disabled for o in menu.options] == [False, True, True, False]  # no saves yet
        await pilot.press("enter")  # New game is highlighted
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        assert screen.scene.node_id == "bank"
        assert "Wind comes off the Tom" in story_text(screen)
        field = screen.query_one("#answer-input", Input)
        assert field.has_focus and field.max_length == 20


async def test_empty_answer_gets_a_gentle_word(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("space", "enter")
        await pilot.pause()
        screen = app.screen
        assert screen.game.state.awaiting_input
        assert "Please type something first" in text_of(screen.query_one("#answer-hint"))


async def test_typed_markup_is_shown_literally(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot, "[b]x[/b]")
        assert screen.game.state.variables["name"] == "[b]x[/b]"
        assert "Name: [b]x[/b]" in screen.query_one("#status").plain
        await pilot.press("1")
        await pilot.pause()
        assert '"[b]x[/b]," he repeats' in story_text(screen)


async def test_number_key_advances_and_status_follows(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        assert "Warmth: 5" in screen.query_one("#status").plain
        await pilot.press("1")
        await pilot.pause()
        assert screen.scene.node_id == "waiting"
        assert "The fare is two kopeks" in story_text(screen)
        assert "Warmth: 4" in screen.query_one("#status").plain
        assert screen.query_one(ChoiceList).option_count == 5  # pay, tobacco, stamp, walk home, ask for a vote


async def test_arrows_enter_and_mouse_take_choices(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.click("#choices", offset=(4, 1))  # the first option, below the list's border
        await pilot.pause()
        assert screen.scene.node_id == "waiting"
        await pilot.press("down", "down", "enter")  # 3: stamp your feet
        await pilot.pause()
        assert screen.game.actions[-1].choice == 2


async def test_locked_choice_cannot_be_taken(make_app, locks):
    app = make_app(locks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        choices = screen.query_one(ChoiceList)
        locked = choices.get_option_at_index(0)
        assert locked.disabled
        assert "(locked: You need five coins.)" in locked.prompt.plain
        assert choices.highlighted == 1  # the cursor starts on the first open choice
        await pilot.press("1")
        await pilot.pause()
        await pilot.click("#choices", offset=(4, 1))
        await pilot.pause()
        assert screen.scene.node_id == "hall" and not screen.game.actions
        assert any("You need five coins." in n.message for n in app._notifications)


async def test_pressing_a_locked_choice_again_does_not_stack_toasts(make_app, locks):
    app = make_app(locks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        for _ in range(5):
            await pilot.press("1")
        await pilot.pause()
        locked = [n for n in app._notifications if "You need five coins." in n.message]
        assert len(locked) == 1


async def test_rewind_with_b_and_backspace(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert screen.scene.node_id == "waiting"
        await pilot.press("b")
        await pilot.pause()
        assert screen.scene.node_id == "bank" and screen.scene.input is None
        await pilot.press("backspace")
        await pilot.pause()
        assert screen.scene.input is not None and not screen.game.can_rewind
        assert screen.query_one("#answer-input", Input).has_focus


async def test_ending_screen_and_its_options(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        story = await start(pilot)
        await pilot.press("1", "4")  # wait, then walk home
        await pilot.pause()
        assert isinstance(app.screen, EndingScreen)
        assert text_of(app.screen.query_one("#ending-title")) == "The Long Way Round"
        await pilot.press("b")  # step back from the ending
        await pilot.pause()
        assert app.screen is story and story.scene.node_id == "waiting"
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert len(app.screen_stack) == 1


async def test_new_game_from_the_ending(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("1", "4")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.scene.node_id == "bank" and app.screen.scene.input is not None


async def test_stuck_scene_says_so_and_offers_rewind(make_app, locks):
    app = make_app(locks)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        await pilot.press("3")
        await pilot.pause()
        assert screen.scene.stuck
        assert screen.query_one("#stuck").display and not screen.query_one(ChoiceList).display
        assert "Press b to step back" in text_of(screen.query_one("#stuck"))
        await pilot.press("b")
        await pilot.pause()
        assert screen.scene.node_id == "hall" and not screen.query_one("#stuck").display


async def test_help_opens_and_closes(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_too_small_terminal_asks_to_enlarge(make_app):
    app = make_app()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        message = text_of(app.screen.query_one("#too-small-message"))
        assert "Please enlarge the terminal to at least 60×20" in message
        assert "It is 40×10 now" in message
        await pilot.press("n")  # nothing starts behind the message
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


async def test_the_enlarge_request_fits_a_tiny_terminal(make_app):
    """At 30x8 the request wraps inside the screen rather than running off its edge."""
    app = make_app()
    async with app.run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        message = app.screen.query_one("#too-small-message")
        assert message.region.x >= 0 and message.region.right <= 30
        assert message.region.y >= 0 and message.region.bottom <= 8


async def test_command_palette_offers_the_game_commands(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        names = {command.title for command in app.get_system_commands(app.screen)}
        assert {"New game", "Save", "Load", "Help", "Toggle theme"} <= names
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CommandPalette"
        await pilot.press(*"toggle theme")
        await settle(pilot)  # the palette searches in a worker
        before = app.theme
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme != before


async def test_ctrl_t_toggles_the_theme(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "kuzbass-coal"
        await pilot.press("ctrl+t")
        assert app.theme == "kuzbass-paper"


async def test_footer_follows_the_keys_that_apply(make_app):
    from textual.widgets._footer import FooterKey

    app = make_app()

    def keys() -> dict[str, bool]:
        return {key.key: not key.has_class("-disabled") for key in app.screen.query(FooterKey)}

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        assert "b" not in keys() and keys()["ctrl+z"] is False  # b types; nothing to step back to yet
        await pilot.press(*"Anna", "enter")
        await pilot.pause()
        await pilot.pause()
        assert keys()["b"] is True and "ctrl+z" not in keys()
        await pilot.press("b")
        await pilot.pause()
        await pilot.pause()
        assert "b" not in keys() and keys()["ctrl+z"] is False


FAULTY_NODES = """\
nodes:
  start:
    text:
      - "Hello"
      - if: "gold / zero > 0"
        text: "Never shown"
    choices:
      - text: Go
        goto: end
  end:
    text: Bye
    ending:
      title: Done
"""


async def test_a_fault_in_the_story_is_told_and_the_game_goes_on(make_app, make_story):
    from tests.ui.conftest import load

    app = make_app(load(make_story({"nodes.yaml": FAULTY_NODES})))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryScreen) and screen.scene.fault is not None
        assert "Hello" in story_text(screen) and "Never shown" not in story_text(screen)
        faults = [n for n in app._notifications if n.title == "Story fault"]
        assert len(faults) == 1 and "Your game is kept" in faults[0].message
