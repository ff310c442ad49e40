"""Pictures of the main screens (fixed seed, empty saves folder, no clock on screen).

Update them with `pytest tests/ui --snapshot-update` after a deliberate change, and look at
the SVGs under __snapshots__ before committing.
"""

from __future__ import annotations

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
