"""Assemblies, the run half: counting a vote.

A node where the colony's meeting votes, and the player's ballot is one vote of many.

The tally is a pure function of the state, the ballot and the game's seeded dice: each faction
leans for the motion by a share (its `for`, plus whatever the player did that moved it, plus a
swing of the hall's mood drawn from the dice), the rest vote against, and the player's own vote
is added. The same choices and seed always give the same tally, so a save cannot re-roll it, and
the faces can show exactly why a motion passed or failed. The compile half (a `vote:` mapping
to a `Vote`) is `format/votes.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from collections.abc import Mapping

from kuzbass_game.engine.core import dice as rng
from kuzbass_game.engine.core.model import Vote

if TYPE_CHECKING:
    from kuzbass_game.engine.core.expr import Value

MAX_SIZE = 1_000_000  # a faction's size is an expression: counted within this bound


@dataclass(frozen=True)
class FactionTally:
    """How one faction voted, and why: the share it started from and each thing that moved it."""

    name: str
    size: int
    lean: int  # per cent for, as declared
    moves: tuple[tuple[int, str], ...]  # (points, why) for each move that applied
    swing: int  # the hall's mood this time, in points
    share: int  # the final per cent for, within 0..100
    yes: int
    no: int


@dataclass(frozen=True)
class Tally:
    vote_id: str
    question: str
    rows: tuple[FactionTally, ...]
    ballot: str  # the player's: for | against | abstain
    yes: int  # all votes for, the player's included
    no: int
    outcome: str  # passed | failed | tied

    @property
    def verdict(self) -> str:
        """The result as a meeting announces it: PASSED, FAILED, or TIED (also when the story leads a tie
        where a failure goes: a motion needs a majority, so a tied one is lost)."""
        if self.yes == self.no:
            return "TIED" if self.outcome == "tied" else "TIED: NOT CARRIED"
        return self.outcome.upper()


def hold(vote: Vote, variables: Mapping[str, Value], visits: Mapping[str, int], state: int, ballot: str) -> tuple[int, Tally]:
    """Count the vote: returns the dice's new state and the tally. Raises EvalError from expressions."""
    rows: list[FactionTally] = []
    yes = no = 0
    for faction in vote.factions:
        size = max(0, min(MAX_SIZE, int(faction.size(variables, visits))))
        lean = int(faction.lean(variables, visits))
        moved: list[tuple[int, str]] = []
        for move in faction.moves:
            if move.condition is None or move.condition.run(variables, visits):
                points = int(move.by(variables, visits))
                if points:
                    moved.append((points, move.why))
        swing = 0
        if faction.swing:
            state, out = rng.step(state)
            swing = ((out * (2 * faction.swing + 1)) >> 64) - faction.swing
        share = max(0, min(100, lean + sum(p for p, _ in moved) + swing))
        ayes = (size * share + 50) // 100
        rows.append(FactionTally(faction.name, size, lean, tuple(moved), swing, share, ayes, size - ayes))
        yes += ayes
        no += size - ayes
    if ballot == "for":
        yes += 1
    elif ballot == "against":
        no += 1
    if yes > no:
        outcome = "passed"
    elif yes == no and "tied" in vote.outcomes:
        outcome = "tied"
    else:
        outcome = "failed"
    return state, Tally(vote.id, vote.question, tuple(rows), ballot, yes, no, outcome)


def describe_moves(row: FactionTally) -> str:
    """What moved a faction, as plain words: "60% leaning for, +12 you spoke for it, −3 the hall's mood"."""
    parts = [f"{row.lean}% leaning for"]
    parts += [f"{'+' if points > 0 else '−'}{abs(points)} {why}" for points, why in row.moves]
    if row.swing:
        parts.append(f"{'+' if row.swing > 0 else '−'}{abs(row.swing)} the mood of the hall")
    return ", ".join(parts)
