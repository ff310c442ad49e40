"""The state of one game at one moment: immutable, so the history of states is the rewind buffer."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple
from collections.abc import Mapping

if TYPE_CHECKING:  # (types only: a launch need not build these classes)
    from typing import NotRequired, TypedDict

    from kuzbass_game.engine.core.expr import Value

    class ActionJSON(TypedDict):
        """An action as a save file holds it (see `Action.to_json`)."""

        node: str
        choice: NotRequired[int]
        sig: NotRequired[str]
        text: NotRequired[str]

    class StateJSON(TypedDict):
        """A state as a save file holds it (see `GameState.to_json`)."""

        node: str
        variables: dict[str, Value]
        visits: dict[str, int]
        rng: int
        used_once: list[str]
        chapter: str | None
        date: str | None
        turn: int
        awaiting_input: bool


class Action(NamedTuple):
    """One thing the player did: chose a choice (by its index in the node) or typed text.

    Saves store the list of actions, so a game can be replayed and verified on any story version.
    A named tuple, not a dataclass: a long save holds thousands, and tuples build 3x faster.
    """

    node: str
    choice: int | None = None
    text: str | None = None
    signature: str | None = None  # the choice's signature when it was taken (see Choice.signature)

    def to_json(self) -> ActionJSON:
        data: ActionJSON = {"node": self.node}
        if self.choice is not None:
            data["choice"] = self.choice
        if self.signature:
            data["sig"] = self.signature
        if self.text is not None:
            data["text"] = self.text
        return data


class GameState(NamedTuple):
    """A snapshot after one action (a tuple for the same reason as `Action`: one per step)."""

    node: str
    variables: Mapping[str, Value]
    visits: Mapping[str, int]
    rng: int
    used_once: frozenset[str] = frozenset()
    chapter: str | None = None
    date: str | None = None
    turn: int = 0
    awaiting_input: bool = False

    def to_json(self) -> StateJSON:
        return {
            "node": self.node,
            "variables": dict(self.variables),
            "visits": dict(self.visits),
            "rng": self.rng,
            "used_once": sorted(self.used_once),
            "chapter": self.chapter,
            "date": self.date,
            "turn": self.turn,
            "awaiting_input": self.awaiting_input,
        }
