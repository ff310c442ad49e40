"""Pictures of the main screens (fixed seed, empty saves folder, no clock on screen).

Update them with `pytest tests/ui --snapshot-update` after a deliberate change, and look at
the SVGs under __snapshots__ before committing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from kuzbass_game.engine.play import Game
from kuzbass_game.engine.storage import GameGroup, SaveStore
from tests.ui.conftest import settle

NAME = ["A", "n", "n", "a", "enter"]


def test_title_screen(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24))


def test_story_screen_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), press=["n", *NAME, "1"], terminal_size=(80, 24))


def test_story_screen_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), press=["n", *NAME, "1"], terminal_size=(120, 40))


def test_locked_choice_80x24(snap_compare, make_app, locks):
    assert snap_compare(make_app(locks), press=["n"], terminal_size=(80, 24))


def test_ending_screen(snap_compare, make_app):
    assert snap_compare(make_app(), press=["n", *NAME, "1", "4"], terminal_size=(80, 24))


def test_vote_count_80x24(snap_compare, make_app, meeting):
    """A seat at the front, then a speech for the motion: the chosen line, the reply, the count,
    the changes and the new codex entry above the scene."""
    assert snap_compare(make_app(meeting), press=["n", "1", "1"], terminal_size=(80, 24))


def test_vote_count_120x40(snap_compare, make_app, meeting):
    assert snap_compare(make_app(meeting), press=["n", "1", "1"], terminal_size=(120, 40))


def test_codex_80x24(snap_compare, make_app, meeting):
    assert snap_compare(make_app(meeting), press=["n", "1", "1", "x"], terminal_size=(80, 24))


# ---------------------------------------------------------------- issue 11: what changed, stats, endings
# The first winter (tests/ui/stories/winter): its introduction is skipped (escape) on the first New game.
WINTER_START = ["n", "escape", "V", "e", "r", "a", "enter", "1"]  # at the market, December 1922


def test_change_line_80x24(snap_compare, make_app, winter):
    """The chosen line, its reply and the change line ("Food −3 · Coat: sheepskin") above the scene."""
    assert snap_compare(make_app(winter), press=[*WINTER_START, "1"], terminal_size=(80, 24))


def test_change_line_120x40(snap_compare, make_app, winter):
    """The same at 120x40: the choices follow the text; the side panel has bars, changed values lit."""
    assert snap_compare(make_app(winter), press=[*WINTER_START, "1"], terminal_size=(120, 40))


def test_stats_80x24(snap_compare, make_app, winter):
    """Food picked: its meaning, its course as a sparkline and the choices that changed it."""
    assert snap_compare(make_app(winter), press=[*WINTER_START, "1", "2", "t", "down"], terminal_size=(80, 24))


def test_stats_120x40(snap_compare, make_app, winter):
    assert snap_compare(make_app(winter), press=[*WINTER_START, "1", "2", "t", "down"], terminal_size=(120, 40))


def test_ending_with_summary_80x24(snap_compare, make_app, winter):
    """Opened at its top: THE END, the title, the text; the summary is below (PgDn)."""
    assert snap_compare(make_app(winter), press=[*WINTER_START, "1", "1", "1"], terminal_size=(80, 24))


def test_ending_with_summary_120x40(snap_compare, make_app, winter):
    """The whole ending at 120x40: 1 of 3 found, the run, what decided it, where you stood."""
    assert snap_compare(make_app(winter), press=[*WINTER_START, "1", "1", "1"], terminal_size=(120, 40))


def test_ending_summary_scrolled_80x24(snap_compare, make_app, winter):
    assert snap_compare(make_app(winter), press=[*WINTER_START, "1", "1", "1", "end"], terminal_size=(80, 24))


GALLERY_PROFILE = {
    "format": "kuzbass-profile",
    "version": 1,
    "endings": {
        "winter": {
            "stay": {"ending": "stay", "title": "The Stayer", "first_found": "1923-04-30", "run": "Vera", "times": 2},
            "lost": {"ending": "lost", "title": "Lost in the Taiga", "first_found": "1923-05-01", "run": "Anna", "times": 1},
        }
    },
}


def write_gallery_profile(saves_dir) -> None:
    import json

    folder = saves_dir / "player"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profile.json").write_text(json.dumps(GALLERY_PROFILE))


def test_gallery_80x24(snap_compare, make_app, winter, saves_dir):
    """From the title screen (g): two endings found, with when and whose run; one locked, its chapter a hint."""
    write_gallery_profile(saves_dir)
    assert snap_compare(make_app(winter), press=["g"], terminal_size=(80, 24))


def test_gallery_120x40(snap_compare, make_app, winter, saves_dir):
    write_gallery_profile(saves_dir)
    assert snap_compare(make_app(winter), press=["g"], terminal_size=(120, 40))


# ---------------------------------------------------------------- issue 21: the screens and dialogs not pictured yet
# Each at 80x24 and 120x40. A slot's time of saving is the clock's: the saves screen is shown
# again with a fixed one (and a fixed play time in the saves themselves).
SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
SAVED_AT = datetime(2026, 1, 2, 3, 4)  # naive: shown as it is, whatever the machine's time zone


def played(story, name: str, *choices: int) -> Game:
    game = Game(story, seed=1)
    game.submit(name)
    for choice in (0, *choices):
        game.choose(choice)
    return game


def two_saves(story, saves_dir) -> None:
    store = SaveStore(saves_dir, story)
    store.save(played(story, "Vera", 1), "before the bank", play_seconds=75)
    store.autosave(played(story, "Vera", 1, 0), 97)


async def fixed_times(pilot) -> None:
    """The saves screen shown again as listed, every slot saved at SAVED_AT."""
    await settle(pilot)
    screen = pilot.app.screen
    games = [GameGroup(g.game_id, tuple(replace(s, saved_at=SAVED_AT) for s in g.slots)) for g in screen.saves.games()]
    screen.show_slots(games, screen.current.name if screen.current else None)
    await pilot.pause()


@SIZES
def test_saves_screen(snap_compare, make_app, ferry, saves_dir, size):
    """The named save first, then this game's autosaves; each with where, how long and when."""
    two_saves(ferry, saves_dir)

    async def open_saves(pilot) -> None:
        await pilot.press("l")
        await fixed_times(pilot)

    assert snap_compare(make_app(), run_before=open_saves, terminal_size=size)


@SIZES
def test_name_dialog_with_a_refused_name(snap_compare, make_app, ferry, saves_dir, size):
    """Save as: a name the engine refuses, and why, under the box as it is typed."""
    two_saves(ferry, saves_dir)

    async def name_it(pilot) -> None:
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("s")
        await fixed_times(pilot)
        await pilot.press("s", *"../bank")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=name_it, terminal_size=size)


@SIZES
def test_confirm_dialog(snap_compare, make_app, ferry, saves_dir, size):
    """New game with a game in progress: what becomes of it, "No" first."""
    SaveStore(saves_dir, ferry).autosave(played(ferry, "Vera"), 97)
    assert snap_compare(make_app(), press=["n"], terminal_size=size)


@SIZES
def test_journal(snap_compare, make_app, size):
    assert snap_compare(make_app(), press=["n", *NAME, "1", "j"], terminal_size=size)


@SIZES
def test_help(snap_compare, make_app, size):
    """Every key, from the bindings, and what the values of the game in play mean."""
    assert snap_compare(make_app(), press=["n", *NAME, "question_mark"], terminal_size=size)


@SIZES
def test_reading_the_introduction(snap_compare, make_app, winter, size):
    assert snap_compare(make_app(winter), press=["n"], terminal_size=size)


@SIZES
def test_typed_answer_scene(snap_compare, make_app, size):
    """The ferry opens on a question: the answer box under the text, typed into at once."""
    assert snap_compare(make_app(), press=["n", "A", "n"], terminal_size=size)


@SIZES
def test_stuck_scene(snap_compare, make_app, locks, size):
    """A scene the story left with no way on: said so, and what to do."""
    assert snap_compare(make_app(locks), press=["n", "3"], terminal_size=size)


@SIZES
def test_paper_theme(snap_compare, make_app, size):
    assert snap_compare(make_app(), press=["n", *NAME, "1", "ctrl+t"], terminal_size=size)


def test_too_small_screen(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(50, 15))
