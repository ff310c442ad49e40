"""Whole-story checks on the graph of nodes: what no path reaches, where a player gets stuck.

These run after loading, on the compiled `Story`; each problem is reported at the node's
definition so the author can jump straight to it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kuzbass_game.engine.core.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.core.model import Choice, Node, Story
from kuzbass_game.engine.core.model import Variable

if TYPE_CHECKING:
    from kuzbass_game.engine.core.expr import Effects


def _live_targets(choice: Choice, node: Node) -> tuple[str, ...]:
    """Targets a choice can lead to, leaving out those behind a condition that is always false."""
    if choice.condition is not None and choice.condition.constant is False:
        return ()
    if choice.ballot is not None:  # a ballot leads wherever the vote's outcome does
        return tuple(node.vote.outcomes.values()) if node.vote is not None else ()
    if choice.target is not None:
        return (choice.target,)
    return tuple(b.target for b in choice.branches if not (b.condition and b.condition.constant is False))


def successors(story: Story) -> dict[str, tuple[str, ...]]:
    """Node id -> the nodes its choices can lead to, each once (tuples: a set of three ids takes four
    times the memory, and a 50,000-node story's graph is held twice while it is checked)."""
    nodes = story.nodes
    return {
        node_id: tuple(dict.fromkeys(t for choice in node.choices for t in _live_targets(choice, node) if t in nodes))
        for node_id, node in nodes.items()
    }


def reachable_from(start: str | set[str], graph: Mapping[str, Sequence[str]]) -> set[str]:
    """Every node reachable from `start` (one node or several) along the graph's edges."""
    seen = {start} if isinstance(start, str) else set(start)
    queue = deque(seen)
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def check_graph(story: Story, sink: DiagnosticSink) -> None:
    nodes = story.nodes
    if story.start not in nodes:
        return  # already reported by the loader
    graph = successors(story)
    reached = reachable_from(story.start, graph)
    endings = {node_id for node_id, node in nodes.items() if node.ending is not None}
    start_mark = story.start_mark or Mark("manifest.yaml", 1, 1)
    if not endings:
        sink.error(start_mark, "the story has no ending: mark at least one node with 'ending: {title: ...}'")

    reverse: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for node_id, targets in graph.items():
        for target in targets:
            reverse[target].append(node_id)  # (each pair once: a node's targets are distinct)
    del graph
    can_finish = reachable_from(endings, reverse)
    del reverse

    for node_id, node in nodes.items():
        mark = node.mark or start_mark
        for choice in node.choices:
            if choice.condition is not None and choice.condition.constant is False:
                sink.warning(choice.mark or mark, f"the condition of choice {choice.index + 1} of node '{node_id}' is always false")
        if node_id not in reached:
            if node.ending is not None:
                sink.error(mark, f"ending '{node_id}' (\"{node.ending.title}\") can never be reached: no path from the start leads here")
            else:
                sink.error(mark, f"node '{node_id}' is never reached: no path from the start '{story.start}' leads here")
            continue
        if node.ending is None and not node.choices:
            sink.error(mark, f"dead end: node '{node_id}' has no choices and is not an ending")
            continue
        if node.ending is None and node_id not in can_finish:
            sink.error(mark, f"node '{node_id}' is a trap: no ending can be reached from it")
            continue
        _false_choices(node, sink, mark)
        if (
            node.choices
            and all(c.once or c.condition is not None for c in node.choices)
            and not covers([c.condition.source for c in node.choices if not c.once and c.condition is not None], story)
        ):
            sink.warning(
                mark,
                f"every choice of node '{node_id}' has an 'if' or 'once', so a player may find none open; "
                f"add one choice that is always available, or mark one 'otherwise: true'",
            )
        for choice in node.choices:
            if (
                choice.branches
                and all(b.condition is not None for b in choice.branches)
                and not covers([b.condition.source for b in choice.branches if b.condition is not None], story)
            ):
                sink.warning(
                    choice.mark or mark,
                    f"every random branch of choice {choice.index + 1} of node '{node_id}' has an 'if', "
                    f"so the dice may find none possible; mark one 'otherwise: true'",
                )
    SiblingSets(story, reached).check(sink)


def _false_choices(node: Node, sink: DiagnosticSink, mark: Mark) -> None:
    """Two choices shown together that do the very same thing: a choice that is no choice."""
    seen: dict[tuple[object, ...], int] = {}  # what a choice does -> the first choice that does it
    for choice in node.choices:
        key = (
            None if choice.condition is None else choice.condition.source,
            choice.target,
            tuple((b.target, b.weight, None if b.condition is None else b.condition.source) for b in choice.branches),
            None if choice.effects is None else choice.effects.source,
            choice.ballot,
            choice.reply,
            choice.once,
        )
        if key in seen:
            sink.warning(
                choice.mark or mark,
                f"choices {seen[key] + 1} and {choice.index + 1} of node '{node.id}' lead to the same "
                f"place with the same effects: give one different effects, a 'reply', or merge them",
            )
        else:
            seen[key] = choice.index


class _NoState(dict[str, object]):
    """The state handed to an assignment's value to learn whether it is a constant: reading fails."""

    def __missing__(self, key: str) -> object:
        raise LookupError(key)

    def get(self, key: str, default: object = None) -> object:  # visited() and visits() read this way
        raise LookupError(key)


_NO_STATE: Any = _NoState()  # (stands in for both the variables and the visits)
_VARIES = object()  # the value of an assignment that reads the state


class SiblingSets:
    """A choice that leaves unset a variable every other choice of its node sets (`gender = "woman"`
    on the first scene's choices, and a layer's new choice that sets none): a player who takes it
    goes on with what the variable held before, which the scenes after it did not expect.

    Only outright assignments (`=`, in the choice's effects or a routine it runs) count. A choice
    a layer added to a node below it is warned of when the node's other choices (one or more) all
    set the variable: the story below never meant a player to pass without. A story's own choice,
    when the others are at least two and one of them sets the variable to its default or to a value
    worked out from the state: a default that no choice gives ("none", "", false where each sets
    true) is what the story means by "none of these". A choice is not warned of when every way on from it sets the
    variable before an ending (a scene after it, or a loop back to a node where it must still be
    chosen)."""

    def __init__(self, story: Story, reached: set[str]) -> None:
        self.story = story
        self.reached = reached
        self.memo: dict[str, dict[str, set[object]]] = {}  # routine -> what it sets outright, to which values
        self.escapes: dict[str, set[str]] = {}  # variable -> nodes from which an ending is reached without setting it
        self.into: dict[str, list[tuple[str, Choice]]] | None = None  # node -> (node, choice) leading into it

    def check(self, sink: DiagnosticSink) -> None:
        for node_id in sorted(self.reached):
            node = self.story.nodes[node_id]
            live = [c for c in node.choices if not (c.condition is not None and c.condition.constant is False)]
            if len(live) < 2:
                continue
            sets = [self.choice_sets(c, node) for c in live]
            for number, choice in enumerate(live):
                others = [s for i, s in enumerate(sets) if i != number]
                layer = self.added_by(choice, node)
                if len(others) < (1 if layer else 2):
                    continue
                for name in sorted(set.intersection(*(set(s) for s in others)) - set(sets[number])):
                    default = self.story.variables[name].default
                    meant = layer or any(default in s[name] or _VARIES in s[name] for s in others)
                    if meant and not self.sets_on_every_way(choice, node, name):
                        sink.warning(choice.mark or node.mark or Mark("manifest.yaml", 1, 1), self.message(choice, node, name, layer))

    def message(self, choice: Choice, node: Node, name: str, layer: str | None) -> str:
        var = self.story.variables[name]
        which = f"the choice layer '{layer}' adds to node '{node.id}'" if layer else f"choice {choice.index + 1} of node '{node.id}'"
        default = f'"{var.default}"' if var.type == "text" else str(var.default).lower()
        return (
            f"{which} leaves '{name}' unset, though every other choice of the node sets it: a player who takes it "
            f"goes on with what it held before (its default, {default}, if nothing set it); set it here too, or on the way on"
        )

    def added_by(self, choice: Choice, node: Node) -> str | None:
        """The layer that added this choice to a node below it (written in another file than the node)."""
        layers = self.story.extended.get(node.id)
        if not layers or choice.mark is None or node.mark is None or choice.mark.path == node.mark.path:
            return None
        return "/".join(layers)

    def effects_set(self, effects: Effects | None, depth: int = 0) -> dict[str, set[object]]:
        """The variables these effects set outright (`=`), the routines they run included, with the values."""
        found: dict[str, set[object]] = {}
        for assignment in effects.assignments if effects is not None else ():
            if assignment.op == "=" and assignment.run is not None:
                try:
                    value: object = assignment.run(_NO_STATE, _NO_STATE)
                except Exception:  # it reads the state (or fails on it): not a constant
                    value = _VARIES
                found.setdefault(assignment.name, set()).add(value)
            elif assignment.op == "run" and depth < 20:
                if assignment.name not in self.memo:
                    routine = self.story.routines.get(assignment.name)
                    self.memo[assignment.name] = self.effects_set(routine.effects if routine else None, depth + 1)
                for name, values in self.memo[assignment.name].items():
                    found.setdefault(name, set()).update(values)
        return found

    def choice_sets(self, choice: Choice, node: Node) -> dict[str, set[object]]:
        # A vote's `record` is not counted: leaving the hall without voting is what a record's default means.
        return self.effects_set(choice.effects)

    def node_sets(self, node: Node) -> set[str]:
        found = set(self.effects_set(node.effects))
        if node.input is not None:
            found.add(node.input.var)
        return found

    def sets_on_every_way(self, choice: Choice, node: Node, name: str) -> bool:
        """Whether every way on from this choice sets `name` before an ending (or never ends)."""
        escapes = self.escapes.get(name)
        if escapes is None:
            escapes = self.escapes[name] = self._escapes(name)
        return not any(target in escapes for target in _live_targets(choice, node))

    def _escapes(self, name: str) -> set[str]:
        """The nodes from which some way reaches an ending without setting `name`: from the endings back."""
        nodes = self.story.nodes
        if self.into is None:
            self.into = {node_id: [] for node_id in nodes}
            for node_id, node in nodes.items():
                for choice in node.choices:
                    for target in _live_targets(choice, node):
                        if target in self.into:
                            self.into[target].append((node_id, choice))
        escapes = {n for n, node in nodes.items() if node.ending is not None and name not in self.node_sets(node)}
        queue = deque(escapes)
        while queue:
            for source, choice in self.into[queue.popleft()]:
                if source in escapes:
                    continue
                node = nodes[source]
                if name not in self.node_sets(node) and name not in self.choice_sets(choice, node):
                    escapes.add(source)
                    queue.append(source)
        return escapes


_BOOL_TEST = re.compile(r"\s*(not\s+)?([A-Za-z_]\w*)\s*\Z")
_COMPARISON = re.compile(r'\s*([A-Za-z_]\w*)\s*(==|!=|<=|>=|<|>)\s*(-?\d+|"[^"\\]*"|true|false)\s*\Z')
_LIMIT = 10**12


def covers(sources: list[str], story: Story) -> bool:
    """Whether at least one of these conditions always holds, proved for the simple cases authors
    write: an `otherwise` (the negation of its siblings), or comparisons of one variable that
    together leave no value out (`trust >= 1` / `trust < 1`; every value of an enumerated text)."""
    if not sources:
        return False
    # The compiler (and PyYAML) only when a node has several conditions: a cached story's tools never load it.
    from kuzbass_game.engine.format.compiler import otherwise_source

    for index, source in enumerate(sources):
        if source == otherwise_source(sources[:index] + sources[index + 1 :]):
            return True
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for source in sources:  # conditions the prover cannot read are left out: it only ever proves, never refutes
        match = _BOOL_TEST.match(source)
        if match and match.group(2) not in ("true", "false"):
            groups.setdefault(match.group(2), []).append((match.group(2), "==", "false" if match.group(1) else "true"))
            continue
        match = _COMPARISON.match(source)
        if match:
            groups.setdefault(match.group(1), []).append((match[1], match[2], match[3]))
    # If the conditions on any one variable leave no value out, one of them always holds.
    return any(_covers_one(name, tests, story) for name, tests in groups.items())


def _covers_one(name: str, tests: list[tuple[str, str, str]], story: Story) -> bool:
    var = story.variables.get(name)
    if var is None and name in story.computed:  # a computed value: its type, and no declared range
        var = Variable(name, story.computed[name].type, 0)
    if var is None:
        return False
    if var.type == "bool":
        held = {value == "true" if op == "==" else value != "true" for _name, op, value in tests if op in ("==", "!=")}
        return held == {True, False}
    if var.type == "text":
        if not var.values:
            wanted = [(op, value) for _name, op, value in tests]
            return any(op == "!=" and ("==", value) in wanted for op, value in wanted)
        held_values: set[str] = set()
        for _name, op, value in tests:
            text = value.strip('"')
            if op == "==":
                held_values.add(text)
            elif op == "!=":
                held_values |= set(var.values) - {text}
        return held_values >= set(var.values)
    low = var.minimum if var.minimum is not None else -_LIMIT
    high = var.maximum if var.maximum is not None else _LIMIT
    intervals = []
    for _name, op, value in tests:
        if not value.lstrip("-").isdigit():
            return False
        k = int(value)
        intervals += {
            "==": [(k, k)],
            "!=": [(low, k - 1), (k + 1, high)],
            "<": [(low, k - 1)],
            "<=": [(low, k)],
            ">": [(k + 1, high)],
            ">=": [(k, high)],
        }[op]
    reach = low
    for start, end in sorted(intervals):
        if start > reach:
            return False
        reach = max(reach, end + 1)
        if reach > high:
            return True
    return reach > high
