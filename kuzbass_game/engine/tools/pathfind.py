"""The shortest way to a node: a search over game states through the real stepper.

`kuzbass explore --path-to NODE` prints what it finds so that `kuzbass play --plain --seed S`
with the same numbers typed replays it exactly: every step is taken by `stepper.take` or
`stepper.submit`, the same rules the game plays by, and a choice is named by the number the
player sees (its place among the choices shown, locked ones included).

The search is breadth-first in the number of choices, ordered by how far each state's node is
from NODE on the story's graph (conditions ignored): an A* search whose estimate never
overstates the choices left, so the first path found is a shortest one, while states that
lead away from NODE wait (and states at nodes from which NODE cannot be reached at all are
never searched). Two states that can only ever go on the same way are searched once: the node,
the variables some condition, effect, vote or computed value reads (a variable only shown, or
only written, changes nothing ahead), the dice, the `once` choices taken, and the visit counts
of the nodes some expression asks about with visited()/visits().
The search is bounded by a number of states over all the seeds it tries; when the bound is met
before the node, the result says so, and offers instead the shortest route some random
playthroughs took to it (a route that replays exactly, but is not proven the shortest).
"""

from __future__ import annotations

import heapq
import random
import re
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kuzbass_game.engine.core.expr import ExprError, tokenize
from kuzbass_game.engine.core.model import Choice, Node, Story
from kuzbass_game.engine.play import stepper
from kuzbass_game.engine.play.render import Values, render
from kuzbass_game.engine.play.stepper import Cursor, InvalidAction, StoryRuntimeError
from kuzbass_game.engine.tools.check import successors
from kuzbass_game.engine.tools.explorer import SAMPLE_INPUTS, run_seed

if TYPE_CHECKING:
    from kuzbass_game.engine.core.expr import Token, Value

SAMPLE_NAME = SAMPLE_INPUTS[0]  # what the path types where the story asks for text
MAX_STATES = 200_000
_VISITS = re.compile(r"""visit(?:ed|s)\s*\(\s*"([^"\\]*)"\s*\)""")


@dataclass(frozen=True)
class PathStep:
    """One thing typed on the way: a choice's number as shown, or the sample name."""

    node: str  # the node where it is typed
    number: int | None  # the choice's number among those shown (None: text typed at an input)
    index: int | None  # the choice's place in its node (what saves record)
    text: str  # the choice's text as shown (markup), or the sample typed
    prompt: str | None = None  # the input's prompt, for a typed step

    @property
    def typed(self) -> str:
        """What a player types for this step in line mode."""
        return self.text if self.number is None else str(self.number)


@dataclass
class PathResult:
    target: str
    seed: int | None  # the seed of the path found (None: not found)
    steps: tuple[PathStep, ...] | None
    states: int  # states searched, over every seed tried
    capped: bool  # some seed's search met the bound before it had searched every state
    seeds: list[int] = field(default_factory=list)  # the seeds tried
    faults: list[str] = field(default_factory=list)  # story faults met on the way (first few)
    shortest: bool = True  # False: found by random playthroughs after the search met its bound
    runs: int = 0  # random playthroughs played (when the search met its bound)

    @property
    def found(self) -> bool:
        return self.steps is not None

    @property
    def choices(self) -> int:
        return sum(1 for step in self.steps or () if step.number is not None)


def watched_nodes(story: Story) -> tuple[str, ...]:
    """Nodes whose visit counts some expression reads (only their counts can change what happens)."""
    sources: list[str] = []
    for node in story.nodes.values():
        if node.effects is not None:
            sources.append(node.effects.source)
        for choice in node.choices:
            for part in (choice.condition, choice.effects, *(b.condition for b in choice.branches)):
                if part is not None:
                    sources.append(part.source)
        if node.vote is not None:
            for faction in node.vote.factions:
                sources += [faction.size_source, faction.lean_source]
                for move in faction.moves:
                    sources.append(move.by_source)
                    if move.condition is not None:
                        sources.append(move.condition.source)
    sources += [c.source for c in story.computed.values()]
    found = {match.group(1) for source in sources if "visit" in source for match in _VISITS.finditer(source)}
    return tuple(sorted(found))


def logic_variables(story: Story) -> tuple[str, ...]:
    """The variables whose values can change where a game may go: those some condition, the
    right-hand side of some effect, a vote or a computed value read (directly, or through a
    routine or a computed value). A variable only shown or only written changes nothing ahead."""
    routines: list[str] = []  # routines run by name, as `_effect_reads` finds them
    done: set[str] = set()
    pending = [*_direct_reads(story, routines), *routines]
    while pending:  # bounded: each routine and computed value is expanded once
        name = pending.pop()
        if name in done:
            continue
        done.add(name)
        if name in story.computed:
            pending += _names(story, story.computed[name].source)
        elif name in story.routines:
            before = len(routines)
            pending += _effect_reads(story, story.routines[name].effects.source, routines)
            pending += routines[before:]
    return tuple(name for name in story.variables if name in done)


def _direct_reads(story: Story, routines: list[str]) -> set[str]:
    """The names the nodes' conditions, effects and votes read (routines run are added to `routines`)."""
    read: set[str] = set()
    for node in story.nodes.values():
        if node.effects is not None:
            read |= _effect_reads(story, node.effects.source, routines)
        for choice in node.choices:
            if choice.effects is not None:
                read |= _effect_reads(story, choice.effects.source, routines)
            for condition in (choice.condition, *(b.condition for b in choice.branches)):
                if condition is not None:
                    read |= _names(story, condition.source)
        if node.vote is not None:
            for faction in node.vote.factions:
                read |= _names(story, faction.size_source) | _names(story, faction.lean_source)
                for move in faction.moves:
                    read |= _names(story, move.by_source) | (_names(story, move.condition.source) if move.condition is not None else set())
    return read


def _names(story: Story, source: str) -> set[str]:
    """The names an expression reads (not the functions it calls)."""
    try:
        tokens = tokenize(source)
    except ExprError:  # pragma: no cover - every source compiled when the story loaded
        return set(story.variables)
    return {t.text for t, after in zip(tokens, tokens[1:]) if t.kind == "name" and after.text != "("}


def _effect_reads(story: Story, source: str, routines: list[str]) -> set[str]:
    """The names the right-hand sides of some effects read; a routine run by name goes to `routines`."""
    try:
        tokens = tokenize(source)
    except ExprError:  # pragma: no cover
        return set(story.variables)
    found: set[str] = set()
    statement: list[Token] = []
    for token in tokens:
        if token.kind == "end" or (token.kind == "op" and token.text == ";"):
            if len(statement) == 1 and statement[0].kind == "name":
                routines.append(statement[0].text)  # a routine run by name
            else:
                found |= {t.text for t, after in zip(statement[2:], [*statement[3:], token]) if t.kind == "name" and after.text != "("}
            statement = []
        else:
            statement.append(token)
    return found


def has_dice(story: Story) -> bool:
    """Whether anything in the story rolls the dice (so the seed can change where a path leads)."""
    for node in story.nodes.values():
        if node.vote is not None and any(f.swing for f in node.vote.factions):
            return True
        if any(len(choice.branches) > 1 for choice in node.choices):
            return True
    return False


def distances_to(story: Story, target: str) -> dict[str, int]:
    """Choices from each node to `target` over the graph, conditions ignored (never more than
    any playthrough needs); nodes from which it cannot be reached are left out."""
    reverse: dict[str, list[str]] = {node_id: [] for node_id in story.nodes}
    for node_id, targets in successors(story).items():
        for nxt in targets:
            reverse[nxt].append(node_id)
    distance = {target: 0}
    queue = deque([target])
    while queue:
        node = queue.popleft()
        for before in sorted(reverse.get(node, ())):
            if before not in distance:
                distance[before] = distance[node] + 1
                queue.append(before)
    return distance


def path_to(story: Story, target: str, seed: int = 0, max_states: int = MAX_STATES, seeds: int = 1, random_runs: int = 0) -> PathResult:
    """The shortest sequence of choices from the start to `target`, trying seeds `seed`,
    `seed + 1`, ... (`seeds` of them, and only the first when nothing rolls dice) while the
    bound of `max_states` states, over all of them, lasts. When the bound stops the search,
    the shortest of `random_runs` random playthroughs that reach `target` (if any) is given
    instead, marked as not proven shortest. Raises KeyError for an unknown node."""
    if target not in story.nodes:
        raise KeyError(target)
    watched = watched_nodes(story)
    kept = logic_variables(story)
    tries = max(1, seeds) if has_dice(story) else 1
    distance = distances_to(story, target)
    bound = distance.get(story.start)
    budget = max(1, max_states)
    result = PathResult(target, None, None, 0, False)
    if bound is None:  # no path on the graph at all: nothing to search
        result.seeds.append(seed)
        return result
    for candidate in range(seed, seed + tries):
        if budget - result.states <= 0:
            result.capped = True
            break
        result.seeds.append(candidate)
        steps, searched, capped = _search(story, target, candidate, budget - result.states, watched, kept, distance, result.faults)
        result.states += searched
        result.capped = result.capped or capped
        if steps is not None and (result.steps is None or _choices(steps) < _choices(result.steps)):
            result.seed, result.steps = candidate, steps
        if result.steps is not None and _choices(result.steps) <= bound:
            break  # as short as the graph allows: no other seed can do better
    if result.steps is None and result.capped and random_runs > 0:
        found = random_path(story, target, seed, random_runs)
        result.runs = random_runs
        if found is not None:
            result.seed, result.steps = found
            result.shortest = False
    return result


def random_path(story: Story, target: str, seed: int, runs: int, max_steps: int = 1000) -> tuple[int, tuple[PathStep, ...]] | None:
    """The shortest of `runs` random playthroughs that reach `target`: (the game's seed, the
    steps), or None. Each run picks uniformly among the open choices, as the explorer does."""
    best: tuple[int, list[tuple[str, int | None]]] | None = None
    picker = random.Random()
    for run in range(runs):
        picker.seed(run_seed(seed, run))
        game_seed = picker.getrandbits(63)
        try:
            cursor = stepper.start(story, game_seed)
        except StoryRuntimeError:
            return None
        taken: list[tuple[str, int | None]] = []
        limit = max_steps if best is None else min(max_steps, _count(best[1]) - 1)  # longer runs cannot win
        choices = 0
        while cursor.node != target and choices <= limit and len(taken) <= 2 * max_steps:
            node = story.nodes[cursor.node]
            if node.ending is not None:
                break
            if cursor.awaiting_input:
                stepper.submit(story, cursor, SAMPLE_NAME)
                taken.append((node.id, None))
                continue
            shown = stepper.offered(node, cursor.variables, cursor.visits, cursor.used_once)
            open_ = [(number, choice) for number, (choice, enabled, fault) in enumerate(shown, 1) if enabled and fault is None]
            if not open_:
                break
            number, choice = open_[picker.randrange(len(open_))]
            try:
                stepper.take(story, cursor, choice)
            except StoryRuntimeError:
                break
            taken.append((node.id, number))
            choices += 1
        if cursor.node == target and (best is None or choices < _count(best[1])):
            best = (game_seed, taken)
    if best is None:
        return None
    return best[0], _replayed(story, best[0], best[1])


def _count(taken: list[tuple[str, int | None]]) -> int:
    return sum(1 for _node, number in taken if number is not None)


def _replayed(story: Story, seed: int, taken: list[tuple[str, int | None]]) -> tuple[PathStep, ...]:
    """The steps of a recorded route, with each choice's text as it read when taken."""
    cursor = stepper.start(story, seed)
    steps = []
    for node_id, number in taken:  # bounded by the route's length
        node = story.nodes[node_id]
        if number is None:
            stepper.submit(story, cursor, SAMPLE_NAME)
            steps.append(PathStep(node_id, None, None, SAMPLE_NAME, node.input.prompt if node.input else None))
            continue
        values = Values(cursor.variables, cursor.visits, story.computed) if story.computed else cursor.variables
        choice = stepper.offered(node, cursor.variables, cursor.visits, cursor.used_once)[number - 1][0]
        steps.append(PathStep(node_id, number, choice.index, render(choice.text, values)))
        stepper.take(story, cursor, choice)
    return tuple(steps)


def _choices(steps: tuple[PathStep, ...]) -> int:
    return sum(1 for step in steps if step.number is not None)


def _copy(cursor: Cursor) -> Cursor:
    return Cursor(
        cursor.node,
        dict(cursor.variables),
        dict(cursor.visits),
        cursor.rng,
        set(cursor.used_once),
        cursor.chapter,
        cursor.date,
        cursor.turn,
        cursor.awaiting_input,
    )


def _search(
    story: Story,
    target: str,
    seed: int,
    max_states: int,
    watched: tuple[str, ...],
    kept: tuple[str, ...],
    distance: dict[str, int],
    faults: list[str],
) -> tuple[tuple[PathStep, ...] | None, int, bool]:
    """One seed's search: (the steps, or None; states searched; whether the bound stopped it)."""
    try:
        first = stepper.start(story, seed)
    except StoryRuntimeError as err:
        faults.append(str(err))
        return None, 1, False

    def key(cursor: Cursor) -> tuple[str, tuple[Value, ...], tuple[int, ...], int, frozenset[str], bool]:
        visits = cursor.visits
        variables = cursor.variables
        return (
            cursor.node,
            tuple(variables[n] for n in kept),
            tuple(visits.get(n, 0) for n in watched),
            cursor.rng,
            frozenset(cursor.used_once),
            cursor.awaiting_input,
        )

    # Every state kept once: (its parent's number, the step that led to it, its choices so far).
    parents: list[tuple[int, PathStep | None, int]] = [(-1, None, 0)]
    cursors: dict[int, Cursor] = {0: first}
    best = {key(first): 0}
    # (choices so far + choices left at least, deeper first, order found, the state's number)
    frontier = [(distance[first.node], 0, 0, 0)]
    while frontier:
        _, _, _, number = heapq.heappop(frontier)
        cursor = cursors.pop(number)
        if cursor.node == target:
            return _steps_to(parents, number), len(best), False
        node = story.nodes[cursor.node]
        if node.ending is not None:
            continue
        for step, nxt, choices in _moves(story, node, cursor, parents[number][2], distance, faults):
            left = distance.get(nxt.node)
            if left is None:
                continue  # the target cannot be reached from there
            state_key = key(nxt)
            known = best.get(state_key)
            if known is not None and known <= choices:
                continue
            if known is None and len(best) >= max_states:
                return None, len(best), True
            best[state_key] = choices
            parents.append((number, step, choices))
            cursors[len(parents) - 1] = nxt
            heapq.heappush(frontier, (choices + left, -choices, len(parents) - 1, len(parents) - 1))
    return None, len(best), False


def _moves(story: Story, node: Node, cursor: Cursor, done: int, distance: dict[str, int], faults: list[str]) -> list[tuple[PathStep, Cursor, int]]:
    """Every step open from a state (that can still lead to the target): (the step, the state it
    leads to, the choices made by then). `done`: the choices made to reach `cursor`."""
    moves: list[tuple[PathStep, Cursor, int]] = []
    if cursor.awaiting_input:
        nxt = _copy(cursor)
        try:
            stepper.submit(story, nxt, SAMPLE_NAME)
        except InvalidAction:  # pragma: no cover - the sample name is never empty
            return moves
        prompt = node.input.prompt if node.input is not None else None
        moves.append((PathStep(node.id, None, None, SAMPLE_NAME, prompt), nxt, done))
        return moves
    values = Values(cursor.variables, cursor.visits, story.computed) if story.computed else cursor.variables
    for shown_number, (choice, enabled, fault) in enumerate(stepper.offered(node, cursor.variables, cursor.visits, cursor.used_once), 1):
        if fault is not None:
            _fault(faults, fault)
        if not enabled or not any(t in distance for t in _targets(node, choice)):
            continue
        nxt = _copy(cursor)
        try:
            stepper.take(story, nxt, choice)
        except StoryRuntimeError as err:
            _fault(faults, str(err))
            continue
        moves.append((PathStep(node.id, shown_number, choice.index, render(choice.text, values)), nxt, done + 1))
    return moves


def _steps_to(parents: list[tuple[int, PathStep | None, int]], found: int) -> tuple[PathStep, ...]:
    """The steps from the first state to state number `found`, read back through the parents."""
    steps: list[PathStep] = []
    at = found
    while at > 0:  # bounded: every parent number is smaller than its child's
        parent, taken, _ = parents[at]
        if taken is not None:
            steps.append(taken)
        at = parent
    return tuple(reversed(steps))


def _targets(node: Node, choice: Choice) -> tuple[str, ...]:
    """Where a choice can lead: its target, its branches' targets, or the vote's outcomes."""
    if choice.ballot is not None and node.vote is not None:
        return tuple(node.vote.outcomes.values())
    return choice.targets


def _fault(faults: list[str], message: str) -> None:
    if len(faults) < 5 and message not in faults:
        faults.append(message)
