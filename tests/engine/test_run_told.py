"""The ending's run summary tells the run (issue 18): the votes the player cast and which their own
ballot turned, what they came with and kept; the same words in both faces (`run_sections`)."""

from __future__ import annotations

from pathlib import Path

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.play import Game, Tally, run_sections, summarize
from kuzbass_game.engine.play.summary import swung

MEETING = Path(__file__).resolve().parents[1] / "ui" / "stories" / "meeting"


def tally(ballot: str, yes: int, no: int) -> Tally:
    return Tally("v", "Q", (), ballot, yes, no, "passed" if yes > no else "failed")


def test_a_ballot_turned_the_count_when_cast_the_other_way_it_would_have_lost_or_carried():
    assert swung(tally("for", 11, 10)) and swung(tally("for", 12, 10))  # 10-11 and 11-11: not carried
    assert not swung(tally("for", 13, 10))
    assert swung(tally("against", 10, 11)) and not swung(tally("against", 5, 11))
    assert not swung(tally("abstain", 10, 10))


def test_the_run_is_told_in_sections_with_the_votes_and_what_was_kept():
    story = load_and_check(MEETING).story
    assert story is not None
    game = Game(story, seed=1)
    game.choose(0)  # a seat near the front
    game.choose(0)  # speak for the motion: the vote
    summary = summarize(game)
    assert len(summary.votes) == 1 and summary.votes[0].ballot == "for"
    sections = dict(run_sections(summary))
    assert sections["Your run"] == ("You made 2 choices; the story's date: Sunday, July 1924.",)
    (vote,) = sections["The votes you cast"]
    assert vote.startswith("That office staff work nine hours, as the pit works eight: you voted for; PASSED, ")
    assert "Food: 5 at the start, 3 at the end (−2)." in sections["What you came with, and what you kept"]
