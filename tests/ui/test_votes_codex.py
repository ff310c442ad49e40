"""What the last choice did, shown above the scene (the choice, its reply, a vote's count, the
changed values, new codex entries), the codex screen, and the status panel's highlights and
tooltips: played through the Sunday meeting (tests/ui/stories/meeting) as a player would."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Input, OptionList, Static

from kuzbass_game.engine.play.votes import FactionTally, Tally
from kuzbass_game.ui.screens.codex import CodexScreen
from kuzbass_game.ui.screens.ending import EndingScreen
from kuzbass_game.ui.screens.help import HelpScreen
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.screens.tally import TallyScreen
from kuzbass_game.ui.screens.title import TitleScreen
from kuzbass_game.ui.widgets.tally import FOLDED_HINT, TallyVisual
from tests.ui.conftest import settle

SIZE = (80, 24)
WIDE = (120, 40)


def text_of(widget: Static) -> str:
    visual = widget.visual
    return visual.plain if isinstance(visual, Content) else str(visual)


async def new_game(pilot, *keys: str) -> StoryScreen:
    await pilot.press("n")
    await pilot.pause()
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StoryScreen)
    return screen


def blocks(screen: StoryScreen) -> list[str]:
    """The story pane's text as laid out, in its blocks (a blank line between two)."""
    return str(screen.query_one("#story-text", Static).visual).split("\n\n")


def count(screen: StoryScreen) -> str:
    """The vote's count as shown above the scene ("" when there is none)."""
    return next((block for block in blocks(screen) if block.startswith("The vote: ")), "")


def folded(screen: StoryScreen) -> bool:
    visual = screen.pane.visual
    return visual.tally_folded(visual.width)


def assert_scene_starts_on_screen(screen: StoryScreen, first_words: str) -> None:
    """The scene's own text begins inside the visible part of the story pane, unscrolled."""
    pane = screen.pane
    text = screen.query_one("#story-text", Static)
    width = text.content_size.width
    lines = [line.plain for line in text.visual.text(width).wrap(width)]
    row = text.region.y + next(i for i, line in enumerate(lines) if line.startswith(first_words))
    assert pane.scroll_y == 0 and row < pane.region.bottom, (row, pane.region)


# ---------------------------------------------------------------- the scene's lead


async def test_first_scene_announces_its_codex_entry(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot)
        assert blocks(screen) == ["New in the codex: Payok  (x to read)", "The dining hall is full to the walls, and the walls are sweating."]


async def test_chosen_line_reply_and_changes_lead_the_next_scene(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1")
        lead_and_news = (
            "› Pay for a seat near the front\n"
            "The usher takes two days of your payok for the stove fund and gives you a bar of soap for change.\n"
            "Food −2 · Soap +1\n"
            "New in the codex: The eight-hour day  (x to read)"
        )
        assert blocks(screen) == [lead_and_news, "Tuchelsky reads the motion twice, the second time for the back of the hall."]
        assert count(screen) == ""


async def test_a_choice_without_reply_or_changes_shows_only_the_choice(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "2")
        assert blocks(screen)[0] == "› Stand at the back\nNew in the codex: The eight-hour day  (x to read)"


async def test_changed_values_are_highlighted_in_the_status(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1")
        pieces = {piece.plain: piece for piece in screen.status.text.line.pieces}
        assert {"Food: 3", "Soap: 1", "Standing: 3"} <= set(pieces)

        def accented(piece: Content) -> bool:
            return any("bold" in str(span.style) and "accent" in str(span.style) for span in piece.spans)

        assert accented(pieces["Food: 3"]) and accented(pieces["Soap: 1"])
        assert not accented(pieces["Standing: 3"])
        await pilot.press("1")  # speak for the motion: only Standing changes
        await pilot.pause()
        pieces = {piece.plain: piece for piece in screen.status.text.line.pieces}
        assert accented(pieces["Standing: 4"]) and not accented(pieces["Food: 3"])


# ---------------------------------------------------------------- the vote


async def test_the_vote_is_counted_faction_by_faction(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1", "1")  # a seat at the front, then speak for the motion
        tally = screen.scene.tally
        assert tally is not None and tally.outcome == "passed"
        assert not folded(screen)
        lead, shown_count, news, text = blocks(screen)
        lines = shown_count.splitlines()
        assert len(lines) == 6
        assert lines[0] == "The vote: That office staff work nine hours, as the pit works eight"
        pit, office = tally.rows
        assert lines[1].split() == ["Pit", "and", "shop", "workers", str(pit.yes), "for", str(pit.no), "against"]
        assert lines[2].strip() == "60% leaning for, +10 you spoke for the motion"
        assert lines[3].split()[:2] == ["Office", "staff"] and f"{office.yes} for" in lines[3]
        assert lines[4].strip().startswith("10% leaning for")
        assert lines[5].split() == ["In", "all", "(you", "voted", "for)", str(tally.yes), "for", str(tally.no), "against", "PASSED"]
        assert lead.splitlines() == ["› Stand up and speak for the motion", "Your Russian is bad, but the pit men clap you back to your seat."]
        assert news.splitlines() == ["Standing +1", "New in the codex: Tuchelsky  (x to read)"]
        assert text.startswith("The motion is carried.")


async def test_the_scene_text_still_starts_on_the_first_screen_at_80x24(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1", "1")
        assert_scene_starts_on_screen(screen, "The motion is carried.")


async def test_a_failed_vote_says_so_and_how_you_voted(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "2", "2")  # stand at the back, vote against
        assert screen.scene.node_id == "failed"
        last = count(screen).splitlines()[-1]
        assert last.startswith("  In all (you voted against)") and last.endswith("FAILED")


async def test_stepping_back_from_the_vote_drops_its_count(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1", "3")
        assert "(you abstained)" in count(screen)
        await pilot.press("b")
        await pilot.pause()
        assert screen.scene.node_id == "hall"
        assert count(screen) == ""
        assert blocks(screen)[0].startswith("› Pay for a seat near the front")


async def test_the_count_survives_a_quickload(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1", "1")
        before = count(screen)
        await pilot.press("f5")
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert app.screen.scene.node_id == "passed"
        assert count(app.screen) == before and before


async def test_v_shows_the_whole_count(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1")
        await pilot.press("v")  # no vote yet: nothing opens, and the player is told why
        await pilot.pause()
        assert app.screen is screen
        assert any("There has been no vote yet" in str(n.message) for n in app._notifications)
        await pilot.press("1")
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, TallyScreen)
        full = str(app.screen.query_one("#tally-full", Static).visual)
        assert "60% leaning for, +10 you spoke for the motion" in full and "PASSED" in full
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        if screen.scene.choices:  # a later scene: v still shows the last vote's count
            await pilot.press(str(screen.scene.choices[0].number))
            await pilot.pause()
            if screen.scene.tally is None and not screen.scene.ending:
                await pilot.press("v")
                await pilot.pause()
                assert isinstance(app.screen, TallyScreen)


BIG_MEETING = """\
nodes:
  start:
    text: "The whole colony has come."
    vote:
      question: "That the colony's members be paid on a narrow scale instead of the seventeen grades"
      factions:
%s
      outcomes:
        passed: end
        failed: end
    choices:
      - text: "Raise your hand for the narrow scale"
        ballot: for
  end:
    text: "The tellers go home."
    choices:
      - text: "Go home"
        goto: bye
  bye:
    text: Bye
    ending:
      title: Done
"""
FACTIONS = [
    "Foreign hewers and skilled pit men",
    "Russian hewers from the mine committee",
    "Labour gangs, kitchen, laundry and screens",
    "Office staff and typists",
    "Finnish section",
    "Foremen, engineers and specialists",
]


def big_meeting(make_story) -> object:
    from tests.ui.conftest import load

    factions = "\n".join(
        f'        - {{name: "{name}", size: {20 + 5 * i}, for: {30 + 8 * i}, swing: 10,\n'
        f'           moves: [{{by: 5, why: "you shared your tobacco with them last winter"}}]}}'
        for i, name in enumerate(FACTIONS)
    )
    return load(make_story({"nodes.yaml": BIG_MEETING % factions}))


async def test_a_big_meeting_folds_on_a_short_screen_and_v_unfolds_it(make_app, make_story):
    story = big_meeting(make_story)
    app = make_app(story)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1")
        assert folded(screen)
        lines = count(screen).splitlines()
        # The question whole, in two lines (not cut), pointing to v; a line per group; the result.
        assert lines[0].startswith("The vote: That the colony") and lines[1].endswith("seventeen grades" + FOLDED_HINT)
        assert len(lines) == 2 + len(FACTIONS) + 1 and "leaning for" not in count(screen)
        assert all(" for " in line and line.rstrip().endswith("against") for line in lines[2:-1])
        assert lines[-1].split()[-1] == "PASSED" or lines[-1].split()[-1] == "FAILED"
        assert_scene_starts_on_screen(screen, "The tellers go home.")
        await pilot.press("v")
        await pilot.pause()
        full = app.screen.query_one("#tally-full", Static).visual
        assert not full.folded(76) and str(full).count("leaning for") == len(FACTIONS)


async def test_a_big_meeting_is_counted_in_full_on_a_tall_screen(make_app, make_story):
    story = big_meeting(make_story)
    app = make_app(story)
    async with app.run_test(size=WIDE) as pilot:
        screen = await new_game(pilot, "1")
        assert not folded(screen) and count(screen).count("leaning for") == len(FACTIONS)
        assert_scene_starts_on_screen(screen, "The tellers go home.")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert folded(screen) and "leaning for" not in count(screen)
        assert_scene_starts_on_screen(screen, "The tellers go home.")
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        await pilot.pause()
        assert not folded(screen)


def test_the_tally_wraps_long_names_and_folds_past_its_budget():
    rows = tuple(FactionTally(name, 10, 50, ((5, "you spoke"),), -2, 53, 5, 5) for name in FACTIONS)
    tally = Tally("v", "A question", rows, "abstain", 30, 30, "tied")
    full = TallyVisual(tally).text(40).plain.splitlines()
    assert full[0] == "The vote: A question"
    assert full[-2] == "  In all (you abstained): TIED"  # too wide for the names' column: a line of its own
    assert full[-1].split() == ["30", "for", "30", "against"] and full[-1].index("30") == full[1].index("5") - 1
    assert sum(line.startswith("      50% leaning for, +5 you spoke, −2") for line in full) == len(FACTIONS)
    assert sum(line == "      the mood of the hall" for line in full) == len(FACTIONS)  # wrapped under itself
    assert full[1:3] == ["  Foreign hewers and   5 for   5 against", "  skilled pit men"]  # names wrap in their column
    assert all(len(line) <= 40 for line in full)
    folded = TallyVisual(tally, budget=10)
    lines = folded.text(40).plain.splitlines()
    assert folded.folded(40) and len(lines) == 1 + len(FACTIONS) + 2  # question, rows, the total on two lines
    assert lines[0].endswith(FOLDED_HINT)
    long = Tally(
        "v", "That the colony's members be paid on a narrow scale instead of the seventeen grades of the Labour Code", rows, "for", 31, 29, "passed"
    )
    heading = TallyVisual(long, budget=10).text(40).plain.splitlines()[:2]
    assert heading[0].startswith("The vote: That the") and heading[1].endswith("…" + FOLDED_HINT)  # cut only past two lines
    assert any("…" in line for line in lines)  # long names are cut, not wrapped
    assert not TallyVisual(tally, budget=100).folded(40)


# ---------------------------------------------------------------- the codex


async def test_codex_lists_filters_and_closes(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot, "1", "1")
        await pilot.press("x")
        await pilot.pause()
        codex = app.screen
        assert isinstance(codex, CodexScreen)
        menu = codex.query_one("#codex-list", OptionList)
        prompts = [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]
        assert prompts == ["Payok  new", "The eight-hour day  new", "Tuchelsky  new"]
        assert menu.highlighted == 2  # the newest is open
        assert text_of(codex.query_one("#codex-text")).startswith("Tuchelsky\n\nThe colony's secretary")
        assert codex.query_one("#codex-search", Input).has_focus
        await pilot.press(*"ration")
        await pilot.pause()
        assert menu.option_count == 1 and str(menu.get_option_at_index(0).prompt) == "Payok  new"
        page = text_of(codex.query_one("#codex-text"))
        assert page.startswith("Payok\n\nA ration issued in kind")
        assert "Sources\n– Kuzbass State Archive, note on the colony's stores (1924)\n– Letters from Kemerovo" in page
        await pilot.press(*" wood")
        await pilot.pause()
        assert menu.option_count == 0 and not menu.display
        assert "No entry you have unlocked mentions “ration wood”." in text_of(codex.query_one("#codex-text"))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_entries_stay_new_until_read(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, "1", "1")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("up")  # read Tuchelsky, move to the eight-hour day
        await pilot.pause()
        menu = app.screen.query_one("#codex-list", OptionList)
        assert str(menu.get_option_at_index(2).prompt) == "Tuchelsky"
        assert text_of(app.screen.query_one("#codex-text")).startswith("The eight-hour day")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        menu = app.screen.query_one("#codex-list", OptionList)
        prompts = [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]
        assert prompts == ["Payok  new", "The eight-hour day", "Tuchelsky"]
        assert menu.highlighted == 0  # the one still new


async def test_codex_from_the_command_palette_but_not_from_the_title(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, TitleScreen)
        assert "Codex" not in {command.title for command in app.get_system_commands(app.screen)}
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        await new_game(pilot)
        names = {command.title for command in app.get_system_commands(app.screen)}
        assert "Codex" in names and "Vote count" not in names
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"codex")
        await settle(pilot)  # the palette searches in a worker
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodexScreen)
        assert app.screen.query_one("#codex-list", OptionList).option_count == 1


async def test_an_empty_codex_says_how_it_fills(make_app, locks):
    app = make_app(locks)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, CodexScreen)
        assert "Your codex is empty" in text_of(app.screen.query_one("#codex-text"))
        assert not app.screen.query_one("#codex-search").display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)


async def test_x_types_into_an_answer_box(make_app):
    app = make_app()  # the ferry asks for a name first
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.query_one("#answer-input", Input).value == "x"


async def test_the_ending_shows_the_last_choice_and_opens_the_codex(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        await new_game(pilot, "1", "1")
        await pilot.press("1")  # go home: the end
        await pilot.pause()
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        assert text_of(ending.query_one("#ending-aftermath")) == "› Go home"
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, CodexScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is ending


# ---------------------------------------------------------------- status tooltips, help


def line_of(lines: list[str], start: str) -> int:
    return next(y for y, line in enumerate(lines) if line.startswith(start))


async def test_status_values_have_their_descriptions_as_tooltips(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=WIDE) as pilot:
        screen = await new_game(pilot, "1")
        text = screen.status.text
        width = text.content_size.width
        lines = [line.plain for line in text.side.text(width).wrap(width)]  # as drawn: the date wraps
        gutter = text.styles.gutter
        await pilot.hover("#status-text", offset=(gutter.left + 1, gutter.top + line_of(lines, "Food:")))
        await pilot.pause()
        assert text.tooltip is not None and str(text.tooltip) == "Food\ndays of bread and kasha left from your payok"
        await pilot.hover("#status-text", offset=(gutter.left + 1, gutter.top + line_of(lines, "Standing:")))
        await pilot.pause()
        assert text.tooltip is None  # no description, no tooltip
        await pilot.hover("#status-text", offset=(gutter.left + 1, gutter.top + line_of(lines, "Soap:")))
        await pilot.pause()
        assert str(text.tooltip) == "Soap\nbars of soap, the colony's small change"


async def test_narrow_status_bar_has_tooltips_too(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=SIZE) as pilot:
        screen = await new_game(pilot)
        text = screen.status.text
        line = text.line.text(text.content_size.width).plain.splitlines()[0]
        gutter = text.styles.gutter
        await pilot.hover("#status-text", offset=(gutter.left + line.index("Soap"), gutter.top))
        await pilot.pause()
        assert str(text.tooltip) == "Soap\nbars of soap, the colony's small change"
        await pilot.hover("#status-text", offset=(gutter.left + line.index("│"), gutter.top))
        await pilot.pause()
        assert text.tooltip is None


async def test_help_explains_the_codex_key_the_count_and_the_values(make_app, meeting):
    app = make_app(meeting)
    async with app.run_test(size=WIDE) as pilot:
        await new_game(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = [" ".join(text_of(cell) for cell in row.query(Static)) for row in app.screen.query(".help-key")]
        assert any(row.startswith("x ") and "codex" in row for row in keys)
        assert any(row.startswith("v ") and "vote" in row for row in keys)
        texts = "\n".join(text_of(part) for part in app.screen.query(".help-text"))
        assert "PASSED, FAILED or TIED" in texts and "press x" in texts
        assert "Food: days of bread and kasha left from your payok" in texts
