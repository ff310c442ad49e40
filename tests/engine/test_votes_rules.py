"""The vote's count, rule by rule, on factions built by hand: what each faction reads, the dice's swing
and its bounds, the share's clamps, the rounding of hands, and the words that explain a faction."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kuzbass_game.engine.core import dice
from kuzbass_game.engine.core.model import Faction, Move, Vote
from kuzbass_game.engine.play.votes import FactionTally, describe_moves, hold

VARIABLES = {"hands": 6, "lean": 40, "spoke": True}
VISITS = {"hall": 2}


def const(value):
    return lambda variables, visits: value


def vote(*factions: Faction, tied: bool = False) -> Vote:
    outcomes = {"passed": "a", "failed": "b"} | ({"tied": "c"} if tied else {})
    return Vote("v", "The motion", factions, outcomes)


def test_size_lean_and_moves_read_both_the_variables_and_the_visits():
    faction = Faction(
        "Pit",
        size=lambda variables, visits: variables["hands"] + visits["hall"],  # 8
        lean=lambda variables, visits: variables["lean"] + 5 * visits["hall"],  # 50
        moves=(
            Move(
                lambda variables, visits: 5 * visits["hall"] + variables["hands"],
                "you spoke",
                SimpleNamespace(run=lambda v, vi: v["spoke"] and vi["hall"] > 1),
            ),
            Move(const(-30), "never", SimpleNamespace(run=lambda v, vi: vi["hall"] > 5)),
            Move(const(0), "nothing"),  # a move of no points is not shown
        ),
    )
    state, tally = hold(vote(faction), VARIABLES, VISITS, 7, "abstain")
    [row] = tally.rows
    assert state == 7  # no swing: the dice are not touched
    assert (row.size, row.lean, row.moves, row.swing, row.share) == (8, 50, ((16, "you spoke"),), 0, 66)
    assert (row.yes, row.no, tally.yes, tally.no, tally.outcome) == (5, 3, 5, 3, "passed")  # 8 * 66% = 5.28 hands


@pytest.mark.parametrize(
    ("size", "lean", "share", "yes"),
    [
        (7, 7, 7, 0),  # 0.49 of a hand rounds down
        (10, 5, 5, 1),  # 0.5 rounds up
        (3, 50, 50, 2),  # 1.5 rounds up
        (4, -20, 0, 0),  # a share below nothing is nothing
        (4, 0, 0, 0),
        (4, 130, 100, 4),  # and above everything is everything
        (4, 100, 100, 4),
    ],
)
def test_the_share_is_clamped_and_hands_round_half_up(size, lean, share, yes):
    _, tally = hold(vote(Faction("Pit", const(size), const(lean))), {}, {}, 1, "abstain")
    [row] = tally.rows
    assert (row.share, row.yes, row.no) == (share, yes, size - yes)


def test_a_move_past_the_bounds_is_clamped_too():
    faction = Faction("Pit", const(5), const(95), moves=(Move(const(10), "cheered"),))
    [row] = hold(vote(faction), {}, {}, 1, "abstain")[1].rows
    assert (row.share, row.yes, row.no) == (100, 5, 0)


def test_a_size_is_held_within_its_bounds():
    _, tally = hold(vote(Faction("Ghosts", const(-5), const(50)), Faction("Crowd", const(10**9), const(0))), {}, {}, 1, "abstain")
    assert [row.size for row in tally.rows] == [0, 1_000_000]


def test_the_swing_stays_within_its_points_and_reaches_each_end():
    seen = set()
    for seed in range(300):
        state = dice.seed_state(seed)
        after, tally = hold(vote(Faction("Pit", const(100), const(50), swing=1)), {}, {}, state, "abstain")
        [row] = tally.rows
        assert after != state  # one draw of the dice
        assert row.share == 50 + row.swing and row.yes == 50 + row.swing
        seen.add(row.swing)
    assert seen == {-1, 0, 1}


def test_the_player_s_hand_is_counted_once_and_an_abstention_not_at_all():
    factions = (Faction("Pit", const(4), const(50)),)  # 2 for, 2 against
    counts = {ballot: hold(vote(*factions, tied=True), {}, {}, 1, ballot)[1] for ballot in ("for", "against", "abstain")}
    assert [(t.yes, t.no, t.outcome) for t in counts.values()] == [(3, 2, "passed"), (2, 3, "failed"), (2, 2, "tied")]
    assert counts["for"].ballot == "for" and counts["for"].vote_id == "v" and counts["for"].question == "The motion"


def row(moves=(), swing=0, lean=60) -> FactionTally:
    return FactionTally("Pit", 10, lean, moves, swing, 60, 6, 4)


@pytest.mark.parametrize(
    ("moves", "swing", "words"),
    [
        ((), 0, "60% leaning for"),
        (((12, "you spoke for it"),), 0, "60% leaning for, +12 you spoke for it"),
        (((1, "a nod"), (-1, "a frown")), 0, "60% leaning for, +1 a nod, −1 a frown"),
        (((-3, "the office"),), 1, "60% leaning for, −3 the office, +1 the mood of the hall"),
        ((), -1, "60% leaning for, −1 the mood of the hall"),
        ((), 7, "60% leaning for, +7 the mood of the hall"),
    ],
)
def test_what_moved_a_faction_reads_with_its_signs(moves, swing, words):
    assert describe_moves(row(moves, swing)) == words
