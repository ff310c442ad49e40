"""Every choice on screen at 80x24 (issue 18): the campaign's birthplace scene shows all six when it
opens; a list too long for the screen says on its edge how many more there are and how to reach
them; the status bar keeps to two lines; the side panel at 120x40 keeps a long value on its label's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzbass_game.ui.screens.story import StoryScreen, more_choices
from kuzbass_game.ui.widgets.choices import ChoiceList
from kuzbass_game.ui.widgets.status import StatusText
from tests.ui.conftest import load

SIZE = (80, 24)
WIDE = (120, 40)
CAMPAIGN = Path(__file__).resolve().parents[2] / "story"


@pytest.fixture(scope="module")
def campaign():
    return load(CAMPAIGN)


async def to_birthplace(pilot) -> StoryScreen:
    """A new game of the campaign: the introduction read, a name signed, the register's first answer."""
    await pilot.press("n")
    await pilot.pause()
    await pilot.press("enter")  # the introduction, before a first game
    await pilot.pause()
    await pilot.press(*"Ivan Petrov", "enter")
    await pilot.pause()
    await pilot.press("1")
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, StoryScreen)
    assert screen.scene is not None and "Born?" in " ".join(screen.scene.paragraphs)
    return screen


def on_screen(screen: StoryScreen) -> list[int]:
    """The choices whose every line is drawn inside the list's visible region."""
    choices = screen.query_one(ChoiceList)
    region = choices.scrollable_content_region
    width, top, shown = region.width, 0, []
    for index, row in enumerate(choices.rows):
        top += row.get_height(choices.styles, width)
        if top <= region.height:
            shown.append(index)
    return shown


async def test_every_birthplace_is_on_screen_at_80x24(make_app, campaign):
    app = make_app(campaign)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_birthplace(pilot)
        choices = screen.query_one(ChoiceList)
        assert len(choices.rows) == 6 and on_screen(screen) == list(range(6))
        assert "going home" in choices.rows[5].plain
        assert choices.region.bottom <= SIZE[1] - 1  # above the footer
        assert "more choice" not in (choices.border_title or "")


async def test_the_status_bar_keeps_to_two_lines_and_says_where_the_rest_are(make_app, campaign):
    app = make_app(campaign)
    async with app.run_test(size=SIZE) as pilot:
        screen = await to_birthplace(pilot)
        status = screen.query_one(StatusText)
        assert status.region.height == 2
        assert "more: t" in status.line.text(status.content_size.width).plain


async def test_a_long_value_keeps_to_its_labels_line_in_the_side_panel(make_app, campaign):
    app = make_app(campaign)
    async with app.run_test(size=WIDE) as pilot:
        await to_birthplace(pilot)
        await pilot.press("2")  # Oulu: a Finnish-American
        await pilot.pause()
        status = pilot.app.screen.query_one(StatusText)
        lines = status.side.text(status.content_size.width).plain.splitlines()
        long = [line for line in lines if "Finnish" in line]
        assert long and all(":" in line for line in long), lines


MANY = """\
nodes:
  start:
    text: "A market in August: every stall calls out to you."
    choices:
{choices}
  end:
    text: Done.
    ending:
      title: Done
"""
STALL = '      - text: "Stall {n}: a long row of goods, boots and salt and tin cups and soap, at prices that change by the hour"\n        goto: end\n'


async def test_a_list_longer_than_the_screen_says_how_many_more_and_how(make_app, make_story):
    story = load(make_story({"nodes.yaml": MANY.format(choices="".join(STALL.format(n=n) for n in range(1, 10)))}))
    app = make_app(story)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        choices = screen.query_one(ChoiceList)
        hidden = 9 - len(on_screen(screen))
        assert hidden > 0 and choices.hidden_below() == hidden
        assert more_choices(hidden) in (choices.border_title or "")
        assert more_choices(1) == "▼ 1 more choice: ↓ or End" and more_choices(2) == "▼ 2 more choices: ↓ or End"
        await pilot.press("end")
        await pilot.pause()
        await pilot.pause()
        assert choices.hidden_below() == 0 and "more choice" not in (choices.border_title or "")


async def test_pop_up_messages_sit_at_the_top_not_over_the_choices(make_app, campaign):
    from textual.widgets._toast import Toast

    app = make_app(campaign)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await to_birthplace(pilot)
        await pilot.press("v")  # no vote yet: a message says so
        await pilot.pause(0.3)
        toasts = list(screen.query(Toast))
        choices = screen.query_one(ChoiceList)
        assert toasts and all(toast.region.bottom <= choices.region.y for toast in toasts), [t.region for t in toasts]


def test_a_long_group_name_is_not_wrapped_to_put_the_result_beside_the_totals():
    from kuzbass_game.engine.play import FactionTally, Tally
    from kuzbass_game.ui.widgets.tally import TallyVisual

    row = FactionTally("Women of the laundry and screens", 12, 50, (), 0, 50, 6, 6)
    tally = Tally("v", "Soap for the laundry", (row,), "for", 7, 6, "passed")
    lines = TallyVisual(tally).text(68).plain.splitlines()
    assert any(line.startswith("  Women of the laundry and screens  ") for line in lines), lines
