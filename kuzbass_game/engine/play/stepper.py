"""The rules of play on a mutable cursor: entering nodes, taking choices, rolling the dice.

`Game` wraps these rules with immutable snapshots (for rewind and saves); the explorer and
save replay drive them directly on one cursor, which is what makes thousands of playthroughs
a second possible. There is one implementation of the rules, here.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import NamedTuple

from kuzbass_game.engine.core import dice as rng
from kuzbass_game.engine.play import votes
from kuzbass_game.engine.core.expr import Assignment, Effects, EvalError, Value
from kuzbass_game.engine.core.text import clean_player_text
from kuzbass_game.engine.core.model import Branch, Choice, Node, Story
from kuzbass_game.engine.play.render import Values, render
from kuzbass_game.engine.play.state import GameState, Visits


_new = tuple.__new__


class StoryRuntimeError(Exception):
    """The story did something impossible while playing (a bug in the story, not the player)."""


class InvalidAction(ValueError):
    """The player asked for something not on offer (a locked or hidden choice, empty input)."""


# Where a change came from: the choice taken (CHOSEN), the node entered (ARRIVAL), the vote's
# count (VOTE), or a labelled routine (its label). A routine without a label is its caller's.
CHOSEN = ""
ARRIVAL = "as the scene opens"  # said after a change the new scene itself made: "Health −1 (as the scene opens)"
VOTE = "the vote"


class Credit(NamedTuple):
    cause: str
    name: str
    before: Value
    after: Value


def run_effects(story: Story, cursor: Cursor, effects: Effects, cause: str) -> None:
    """Run effects on the cursor (raises EvalError); with `cursor.credits`, credit each change to its cause."""
    if cursor.credits is None:
        effects.apply(cursor.variables, cursor.visits)
    else:
        _run_credited(story, cursor, effects.assignments, cause, cursor.credits)


def _run_credited(story: Story, cursor: Cursor, assignments: tuple[Assignment, ...], cause: str, credits: list[Credit]) -> None:
    """The same assignments one by one (a routine's too, in place), so each change has its cause."""
    variables = cursor.variables
    for assignment in assignments:
        if assignment.op == "run":
            routine = story.routines[assignment.name]
            _run_credited(story, cursor, routine.effects.assignments, routine.label or cause, credits)
            continue
        before = variables.get(assignment.name)
        assignment.apply(variables, cursor.visits)
        after = variables[assignment.name]
        if after != before and before is not None:
            credits.append(_new(Credit, (cause, assignment.name, before, after)))


class Cursor:
    """The mutable state of one game while it moves; freeze it into a `GameState` to keep it."""

    __slots__ = ("node", "variables", "visits", "rng", "used_once", "chapter", "date", "turn", "awaiting_input", "tally", "credits")

    def __init__(
        self,
        node: str,
        variables: dict[str, Value],
        visits: Mapping[str, int],
        rng_state: int,
        used_once: set[str],
        chapter: str | None,
        date: str | None,
        turn: int,
        awaiting_input: bool,
    ) -> None:
        self.node = node
        self.variables = variables
        self.visits = Visits.of(visits)  # persistent: a step makes a new version, no copy (state.Visits)
        self.rng = rng_state
        self.used_once = used_once
        self.chapter = chapter
        self.date = date
        self.turn = turn
        self.awaiting_input = awaiting_input
        self.tally: votes.Tally | None = None  # the count of the vote the last ballot was cast in (not saved: replayable)
        # When a list, each value an effect changes is credited to its cause as it happens (see `Credit`);
        # None on every hot path (replays, explore), where effects run as one closure.
        self.credits: list[Credit] | None = None

    @classmethod
    def thaw(cls, state: GameState) -> Cursor:
        """A cursor at `state`, with copies of its variables and used choices (one a step: its fields set here, for speed)."""
        cursor = cls.__new__(cls)
        cursor.node, variables, visits, cursor.rng, used_once, cursor.chapter, cursor.date, cursor.turn, cursor.awaiting_input = state
        cursor.variables, cursor.used_once = dict(variables), set(used_once)
        cursor.visits = visits if type(visits) is Visits else Visits.of(visits)
        cursor.tally = cursor.credits = None
        return cursor

    def freeze(self) -> GameState:
        """A snapshot; the cursor must not be moved afterwards (the snapshot shares its dicts)."""
        return _new(  # (one a step: built as a tuple, past the named tuple's keyword-reading __new__)
            GameState,
            (self.node, self.variables, self.visits, self.rng, frozenset(self.used_once), self.chapter, self.date, self.turn, self.awaiting_input),
        )


def start(story: Story, seed: int, faults: list[str] | None = None) -> Cursor:
    """A new game's cursor at the start node. A fault in the start node's effects raises, unless
    `faults` is given: then it is recorded there and the game begins at the start all the same."""
    cursor = Cursor(story.start, story.defaults(), {}, rng.seed_state(seed), set(), None, None, 0, False)
    try:
        enter(story, cursor, story.start)
    except StoryRuntimeError as err:
        if faults is None:
            raise
        faults.append(str(err))
    return cursor


def enter(story: Story, cursor: Cursor, node_id: str) -> Node:
    """Move the cursor into a node and run its effects; returns the node (callers loop on it)."""
    node = story.nodes[node_id]
    cursor.node = node_id
    cursor.visits = visits = cursor.visits.counted(node_id)
    if node.effects is not None:
        try:
            if cursor.credits is None:  # the hot path: one closure
                node.effects.apply(cursor.variables, visits)
            else:
                run_effects(story, cursor, node.effects, ARRIVAL)
        except EvalError as err:
            raise StoryRuntimeError(f"node '{node_id}': {err}") from err
    if node.chapter is not None:
        cursor.chapter = node.chapter
    if node.date is not None:
        cursor.date = node.date
    cursor.awaiting_input = node.input is not None
    return node


def availability(cursor: Cursor, choice: Choice) -> tuple[bool, bool]:
    """(shown, enabled) for a choice at the cursor."""
    if choice.once and choice.key in cursor.used_once:
        return False, False
    condition = choice.condition
    if condition is None:
        return True, True
    try:
        ok = condition.run(cursor.variables, cursor.visits)
    except EvalError as err:
        raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: {err}") from err
    return (True, True) if ok else (choice.locked_reason is not None, False)


def offered(node: Node, variables: Mapping[str, Value], visits: Mapping[str, int], used_once: Set[str]) -> list[tuple[Choice, bool, str | None]]:
    """What a scene offers: each shown choice, whether it is enabled, and the fault (if any) met
    while asking. The same rule as `availability`, for every choice of a node at once."""
    return offered_keyed(node, variables, visits, used_once)[1]


def offered_keyed(
    node: Node, variables: Mapping[str, Value], visits: Mapping[str, int], used_once: Set[str]
) -> tuple[int, list[tuple[Choice, bool, str | None]]]:
    """`offered`, with a key that tells one offer of the node from another: two bits a choice, 1
    when shown and 2 when open (every choice open: all ones), or -1 when a fault was met. Showing a
    scene asks this at every step, so it is written once, here, and for speed."""
    result: list[tuple[Choice, bool, str | None]] = []
    key = 0
    bit = 1
    for choice in node.choices:
        if choice.once and choice.key in used_once:
            bit <<= 2
            continue
        condition = choice.condition
        if condition is None:
            result.append((choice, True, None))
            key |= 3 * bit
        else:
            try:
                ok = condition.run(variables, visits)
            except EvalError as err:
                result.append((choice, False, f"node '{choice.node_id}', choice {choice.index + 1}: {err}"))
                key = -1
            else:
                if ok:
                    result.append((choice, True, None))
                    key |= 3 * bit
                elif choice.locked_reason is not None:
                    result.append((choice, False, None))
                    key |= bit
        bit <<= 2
    return key, result


def enabled_choices(story: Story, cursor: Cursor) -> list[Choice] | tuple[Choice, ...]:
    """The choices a player may take now (a node's own tuple when none of them can be closed)."""
    if cursor.awaiting_input:
        return []
    return open_choices(story.nodes[cursor.node], cursor)


def open_choices(node: Node, cursor: Cursor) -> list[Choice] | tuple[Choice, ...]:
    """The choices of `node` (the cursor's node, not awaiting input) whose conditions hold now."""
    if node.always_open:
        return node.choices
    variables, visits, used = cursor.variables, cursor.visits, cursor.used_once
    result: list[Choice] = []
    for choice in node.choices:
        if choice.once and choice.key in used:
            continue
        condition = choice.condition
        if condition is not None:
            try:
                if not condition.run(variables, visits):
                    continue
            except EvalError as err:
                raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: {err}") from err
        result.append(choice)
    return result


def take(story: Story, cursor: Cursor, choice: Choice) -> Node:
    """Take an enabled choice: its effects, then the dice if it has branches, then the next node
    (which it returns)."""
    variables = cursor.variables
    if choice.effects is not None:
        try:
            if cursor.credits is None:  # the hot path: one closure
                choice.effects.apply(variables, cursor.visits)
            else:
                run_effects(story, cursor, choice.effects, CHOSEN)
        except EvalError as err:
            raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: {err}") from err
    target = choice.target
    if target is None and choice.ballot is not None:
        target = _hold_vote(story, cursor, choice)
    elif target is None:
        eligible: list[Branch] = []
        for branch in choice.branches:
            try:
                if branch.condition is None or branch.condition.run(variables, cursor.visits):
                    eligible.append(branch)
            except EvalError as err:
                raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: {err}") from err
        if not eligible:
            raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: no random branch's condition holds")
        cursor.rng, picked = rng.weighted_index(cursor.rng, [b.weight for b in eligible])
        target = eligible[picked].target
    if choice.once:
        cursor.used_once.add(choice.key)
    cursor.turn += 1
    return enter(story, cursor, target)


def _hold_vote(story: Story, cursor: Cursor, choice: Choice) -> str:
    """Count the vote the ballot was cast in; record the outcome; return the outcome's node."""
    vote = story.nodes[choice.node_id].vote
    if vote is None:  # pragma: no cover - the compiler refuses a ballot outside a vote
        raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: a ballot outside a vote")
    try:
        cursor.rng, tally = votes.hold(vote, cursor.variables, cursor.visits, cursor.rng, choice.ballot or "abstain")
    except EvalError as err:
        raise StoryRuntimeError(f"node '{choice.node_id}', the vote '{vote.id}': {err}") from err
    if vote.record is not None:
        if cursor.credits is not None and cursor.variables[vote.record] != tally.outcome:
            cursor.credits.append(Credit(VOTE, vote.record, cursor.variables[vote.record], tally.outcome))
        cursor.variables[vote.record] = tally.outcome
    cursor.tally = tally
    return vote.outcomes[tally.outcome]


def choose(story: Story, cursor: Cursor, index: int) -> None:
    """Take the choice at `index` in the current node, checking that the player may."""
    if cursor.awaiting_input:
        raise InvalidAction("answer the question above first")
    node = story.nodes[cursor.node]
    if not 0 <= index < len(node.choices):
        raise InvalidAction(f"node '{node.id}' has no choice {index}")
    choice = node.choices[index]
    if not availability(cursor, choice)[1]:
        values = Values(cursor.variables, cursor.visits, story.computed) if story.computed else cursor.variables
        raise InvalidAction(render(choice.locked_reason, values) if choice.locked_reason else "that choice is not available")
    take(story, cursor, choice)


def submit(story: Story, cursor: Cursor, text: str) -> None:
    """Answer the current node's input prompt."""
    spec = story.nodes[cursor.node].input
    if not cursor.awaiting_input or spec is None:
        raise InvalidAction("nothing is asking for text here")
    value = clean_player_text(text, spec.max_length)
    if not value:
        raise InvalidAction("please type something first")
    if cursor.credits is not None and cursor.variables[spec.var] != value:
        cursor.credits.append(Credit(CHOSEN, spec.var, cursor.variables[spec.var], value))
    cursor.variables[spec.var] = value
    cursor.awaiting_input = False
    cursor.turn += 1
