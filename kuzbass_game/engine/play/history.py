"""A game's past in constant memory per step: one small undo record per action, not a snapshot.

A snapshot holds every variable and every visit count, so keeping one per step made memory grow
as steps x nodes visited (10,000 steps of a loop took 1.3 GB). A step changes only a handful of
variables, one visit count, the dice and a few fields; the record keeps just what it changed, and
walking records backwards from the newest state gives any earlier state exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from typing import TYPE_CHECKING, NamedTuple

from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.play.state import GameState
from kuzbass_game.engine.play.stepper import Credit, Cursor

if TYPE_CHECKING:
    from kuzbass_game.engine.core.expr import Value


_new = tuple.__new__


class Undo(NamedTuple):
    """What one action changed, as it was before: enough to step the state back exactly."""

    node: str
    variables: dict[str, Value] | None  # name -> value before, for the variables the action changed
    entered: str | None  # the node whose visit count the action raised
    visits_before: int  # that node's count before (0: it had not been visited)
    rng: int
    once_added: str | None  # the `once` choice the action used up
    chapter: str | None
    date: str | None
    turn: int
    awaiting_input: bool


def written(story: Story, before_node: str, choice_index: int | None, after_node: str) -> frozenset[str] | set[str]:
    """Every variable one step may have assigned: the choice's effects, the vote its ballot was cast
    in, the entered node's effects, or the typed answer. Only these need comparing for the record."""
    node = story.nodes[before_node]
    if choice_index is None:  # a typed answer
        return {node.input.var} if node.input is not None else set()
    choice = node.choices[choice_index]
    entered = story.nodes[after_node].effects
    names: frozenset[str] | set[str] = choice.effects.writes if choice.effects is not None else frozenset()
    if entered is not None:
        names = names | entered.writes
    if choice.ballot is not None and node.vote is not None and node.vote.record is not None:
        names = {*names, node.vote.record}
    return names


def changed(before: Mapping[str, Value], after: Mapping[str, Value], names: Iterable[str]) -> dict[str, Value] | None:
    """The variables among `names` (those a step may have assigned, see `written`) whose values
    differ after it, with their values before; None for none."""
    result = None
    for name in names:
        old = before[name]
        if after[name] != old:
            if result is None:
                result = {}
            result[name] = old
    return result


def credited(credits: Iterable[Credit]) -> dict[str, Value] | None:
    """The variables a step changed, with their values before, from its credits: every value a
    step changes is credited as it changes (`stepper.Credit`), the first credit of a name holding
    its value before the step. (A value changed and changed back is kept: stepping back to it is
    the same.) None for none."""
    result = None
    for credit in credits:
        if result is None:
            result = {credit.name: credit.before}
        elif credit.name not in result:
            result[credit.name] = credit.before
    return result


def record(
    before_node: str,
    before_variables: Mapping[str, Value],
    before_rng: int,
    before_once: Set[str],
    before_chapter: str | None,
    before_date: str | None,
    before_turn: int,
    before_awaiting: bool,
    cursor: Cursor,
    entered: bool,
    visits_before: int,
    changed: dict[str, Value] | None,
) -> Undo:
    """The undo record of the step that took the game from the `before_*` values to `cursor`
    (`changed`: the variables it changed, with their values before: see `changed` and `credited`)."""
    added = None
    if len(cursor.used_once) != len(before_once):
        added = next(iter(set(cursor.used_once) - set(before_once)), None)
    return _new(  # (a record a step: built as a tuple, past the named tuple's keyword-reading __new__)
        Undo,
        (
            before_node,
            changed,
            cursor.node if entered else None,
            visits_before,
            before_rng,
            added,
            before_chapter,
            before_date,
            before_turn,
            before_awaiting,
        ),
    )


def step_back(cursor: Cursor, undo: Undo) -> None:
    """Undo one action on a cursor (which must hold copies of a frozen state's variables; its visits are persistent)."""
    if undo.variables:
        cursor.variables.update(undo.variables)
    if undo.entered is not None:
        cursor.visits = cursor.visits.with_count(undo.entered, undo.visits_before)
    if undo.once_added is not None:
        cursor.used_once.discard(undo.once_added)
    cursor.node = undo.node
    cursor.rng = undo.rng
    cursor.chapter, cursor.date, cursor.turn, cursor.awaiting_input = undo.chapter, undo.date, undo.turn, undo.awaiting_input


def before(state: GameState, undo: Undo) -> GameState:
    """The state just before the action `undo` records, given the state just after it."""
    cursor = Cursor.thaw(state)
    step_back(cursor, undo)
    return cursor.freeze()
