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

