"""Story tests, the compile half: scripted playthroughs an author declares beside the story, run by `kuzbass check`.

As ink and ChoiceScript authors keep testers that replay a route after every edit, a story (or a
layer) may declare routes under `tests:` in any file:

    tests:
      finnish_woman_votes:
        seed: 5
        steps: [1, "Aino", 2, 1, 3]      # choice numbers as the player sees them, and typed answers
        expect: ['gender == "woman"', 'visited("ch1_kitchen_vote")']
        checkpoints:                      # optional: what must hold on the way
          - at: ch1_kitchen_vote          # when the route reaches this node (its first visit, or `visit: N`)
            holds: 'trade == "clerk"'     # conditions (one or a list)
            shows: "the office rats"      # texts the scene shows (case-insensitive, markup ignored)
            lacks: "since you could not hold a pick"
            open: "Raise your hand"       # choices offered and open, by a part of their text
            locked: "Vouch for Stepan"    # choices shown locked
            hidden: "Go down the pit"     # choices not shown at all
        ending: ch1_end_first_train       # optional: where the route must stop

Reading them is here; playing them (`tools/story_tests.py`) reports a step that is not on offer,
or an expectation that does not hold, as an error at its own line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from kuzbass_game.engine.core.diagnostics import Mark
from kuzbass_game.engine.format.yaml_source import INT

if TYPE_CHECKING:
    from kuzbass_game.engine.core.expr import Condition
    from kuzbass_game.engine.format.compiler import NodeCompiler

TEST_KEYS = ("seed", "steps", "expect", "checkpoints", "ending")
CHECKPOINT_KEYS = ("at", "visit", "holds", "shows", "lacks", "open", "locked", "hidden")
CHECKPOINT_TEXTS = ("shows", "lacks", "open", "locked", "hidden")
MAX_STEPS = 10_000
MAX_CHECKPOINTS = 1_000

Step = tuple[int | str, Mark]
Marked = tuple[str, Mark]


@dataclass(frozen=True)
class Checkpoint:
    """What must be true when a route reaches a node: conditions, texts shown or not, choices open, locked or hidden."""

    at: str
    visit: int  # 1: the first time the route is at the node
    holds: tuple[tuple[Condition, Mark], ...]
    texts: dict[str, tuple[Marked, ...]]  # "shows" | "lacks" | "open" | "locked" | "hidden" -> texts with their marks
    mark: Mark


@dataclass(frozen=True)
class StoryTest:
    name: str
    seed: int
    steps: tuple[Step, ...]
    expect: tuple[tuple[Condition, Mark], ...]
    ending: tuple[str, Mark] | None
    mark: Mark
    checkpoints: tuple[Checkpoint, ...] = ()


def read_tests(nc: NodeCompiler, node: yaml.Node, tests: list[StoryTest]) -> None:
    """A `tests:` mapping -> StoryTests (nc: a node compiler, for conditions and node names)."""
    found = nc.reader.mapping(node, "'tests'")
    for name, (key_node, body) in (found or {}).items():
        test = _read_test(nc, name, key_node, body)
        if test is not None:
            tests.append(test)


def _read_test(nc: NodeCompiler, name: str, key_node: yaml.Node, body: yaml.Node) -> StoryTest | None:
    r = nc.reader
    what = f"story test '{name}'"
    spec = r.mapping(body, what, TEST_KEYS, required=("steps",))
    if not spec or "steps" not in spec:
        return None
    seed = r.integer(spec["seed"][1], f"the seed of {what}") if "seed" in spec else 0
    steps = _steps(nc, spec["steps"][1], what)
    expect = _conditions(nc, spec["expect"][1], f"an expectation of {what}") if "expect" in spec else ()
    checkpoints = _checkpoints(nc, spec["checkpoints"][1], what) if "checkpoints" in spec else ()
    ending = None
    if "ending" in spec:
        target = nc.target(spec["ending"][1], f"the ending of {what}")
        if target is not None:
            ending = (target, r.mark(spec["ending"][1]))
    if seed is None or steps is None:
        return None
    return StoryTest(name, seed, steps, expect, ending, r.mark(key_node), checkpoints)


def _steps(nc: NodeCompiler, node: yaml.Node, what: str) -> tuple[Step, ...] | None:
    r = nc.reader
    steps: list[Step] = []
    items = r.sequence(node, f"the steps of {what}") or []
    if len(items) > MAX_STEPS:
        r.error(node, f"{what} has more than {MAX_STEPS} steps")
        return None
    for item in items:
        if isinstance(item, yaml.ScalarNode) and item.tag == INT:
            number = r.integer(item, f"a step of {what}")
            if number is not None and not 1 <= number <= 9:
                r.error(item, f"a step of {what} is a choice number from 1 to 9 (as the player sees them), not {number}")
            elif number is not None:
                steps.append((number, r.mark(item)))
        else:
            text = r.text(item, f"a typed answer in {what}")
            if text is not None:
                steps.append((text, r.mark(item)))
    return tuple(steps)


def _one_or_many(nc: NodeCompiler, node: yaml.Node, what: str) -> list[yaml.Node]:
    """A scalar, or a list of them."""
    if isinstance(node, yaml.SequenceNode):
        return list(nc.reader.sequence(node, what) or [])
    return [node]


def _conditions(nc: NodeCompiler, node: yaml.Node, what: str) -> tuple[tuple[Condition, Mark], ...]:
    found = []
    for item in _one_or_many(nc, node, what):
        condition = nc.condition(item, what)
        if condition is not None:
            found.append((condition, nc.reader.mark(item)))
    return tuple(found)


def _checkpoints(nc: NodeCompiler, node: yaml.Node, what: str) -> tuple[Checkpoint, ...]:
    r = nc.reader
    items = r.sequence(node, f"the checkpoints of {what}") or []
    if len(items) > MAX_CHECKPOINTS:
        r.error(node, f"{what} has more than {MAX_CHECKPOINTS} checkpoints")
        return ()
    found = []
    for number, item in enumerate(items, 1):
        checkpoint = _checkpoint(nc, item, f"checkpoint {number} of {what}")
        if checkpoint is not None:
            found.append(checkpoint)
    return tuple(found)


def _checkpoint(nc: NodeCompiler, node: yaml.Node, what: str) -> Checkpoint | None:
    r = nc.reader
    spec = r.mapping(node, what, CHECKPOINT_KEYS, required=("at",))
    if not spec or "at" not in spec:
        return None
    at = nc.target(spec["at"][1], f"the node of {what}")
    visit = r.integer(spec["visit"][1], f"the visit of {what}") if "visit" in spec else 1
    if visit is not None and visit < 1:
        r.error(spec["visit"][1], f"the visit of {what} counts from 1 (the first time the route is at the node)")
        visit = None
    holds = _conditions(nc, spec["holds"][1], f"a condition of {what}") if "holds" in spec else ()
    texts: dict[str, tuple[Marked, ...]] = {}
    for key in CHECKPOINT_TEXTS:
        if key in spec:
            texts[key] = tuple(_texts(nc, spec[key][1], f"'{key}' of {what}"))
    if at is None or visit is None:
        return None
    return Checkpoint(at, visit, holds, texts, r.mark(node))


def _texts(nc: NodeCompiler, node: yaml.Node, what: str) -> list[Marked]:
    found = []
    for item in _one_or_many(nc, node, what):
        text = nc.reader.text(item, what)
        if text is not None and text.strip():
            found.append((text.strip(), nc.reader.mark(item)))
        elif text is not None:
            nc.reader.error(item, f"{what} is empty")
    return found
