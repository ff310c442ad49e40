"""Line mode as a screen reader uses it (issue 18): a whole short route pinned as a transcript, and
that transcript read through a screen reader's view: words and numbers, and punctuation a speech
synthesizer reads well; no box drawing, no escape codes, no symbols read aloud as their names.

Regenerate the transcript after a deliberate change with KUZBASS_UPDATE_TRANSCRIPTS=1, and read it.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest

from kuzbass_game.plain import run_plain
from tests.ui.conftest import MEETING, WINTER, load

HERE = Path(__file__).resolve().parent / "transcripts"
# The first winter: the introduction, a name, an empty line (the choices again), look, a choice
# undone, status, codex, an unknown command and a choice that is not there, to an ending; the
# afterword. The meeting: a vote in a line per group, then its whole count on request.
ROUTES = {
    "winter": (WINTER, "intro\nVera\n\n1\nlook\nback\n1\nstatus\ncodex\nsing\n9\n1\n1\n1\nafterword\nquit\n"),
    "meeting": (MEETING, "1\n1\nvote\n1\nquit\n"),
}
# What a screen reader's view of the transcript may hold: letters in any script, digits, spaces,
# and the punctuation of prose. Anything else (box drawing, blocks, arrows, bullets, "·", "*",
# escape codes) is read out as its name, or as noise.
SPOKEN = re.compile(r"[\w \-.,;:!?'\"()’‘“”—–−+%$/&>]*")


def transcript(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    folder, typed = ROUTES[name]
    out = io.StringIO()
    assert run_plain(load(folder), tmp_path / "saves", seed=1, lines=io.StringIO(typed), out=out) == 0
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_whole_route_in_line_mode_reads_as_pinned(name, tmp_path, monkeypatch):
    text = transcript(name, tmp_path, monkeypatch)
    pinned = HERE / f"{name}_line_mode.txt"
    if os.environ.get("KUZBASS_UPDATE_TRANSCRIPTS"):
        pinned.write_text(text, encoding="utf-8")
    assert text == pinned.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_screen_reader_hears_only_words_and_numbers(name, tmp_path, monkeypatch):
    text = transcript(name, tmp_path, monkeypatch)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]  # wrapped at the width
    unspoken = [line for line in lines if not SPOKEN.fullmatch(line)]
    assert not unspoken, unspoken
    assert "\x1b" not in text and "·" not in text and "***" not in text


def test_the_route_tells_what_a_player_needs_to_hear(tmp_path, monkeypatch):
    winter = transcript("winter", tmp_path, monkeypatch)
    assert "\nIntroduction.\n" in winter and "\nAfterword.\n" in winter
    assert "Undone: Walk up to the barracks." in winter
    assert "There is no command sing. Type a choice number, 1 to 2, or help." in winter
    assert "There is no choice 9. Type a number from 1 to 2." in winter
    assert "The end: The Stayer.\nEnding 1 of 3 found.\n" in winter
    assert "What you came with, and what you kept." in winter and "Faith: 6 at the start, 8 at the end (+2)." in winter
    meeting = transcript("meeting", tmp_path, monkeypatch)
    count = meeting.split("The vote: ")[1].split("Type vote for what moved each group.")[0]
    assert len(count.strip().splitlines()) == 1 + 2 + 1  # the question, a line for each of the two groups, the total
    assert "The votes you cast." in meeting


def test_back_says_what_it_undid_in_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = io.StringIO()
    typed = "Vera\n1\nback\nback\nback\nquit\n"
    assert run_plain(load(WINTER), tmp_path / "saves", seed=1, lines=io.StringIO(typed), out=out) == 0
    said = [line for line in out.getvalue().splitlines() if line.startswith(("Undone", "There is nothing"))]
    assert said == ["Undone: Walk up to the barracks.", 'Undone: your answer "Vera".', "There is nothing to undo yet."]
