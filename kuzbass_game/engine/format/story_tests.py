"""Story tests, the compile half: scripted playthroughs an author declares beside the story, run by `kuzbass check`.

As ink and ChoiceScript authors keep testers that replay a route after every edit, a story (or a
layer) may declare routes under `tests:` in any file:

    tests:
      finnish_woman_votes:
        seed: 5
        steps: [1, "Aino", 2, 1, 3]      # choice numbers as the player sees them, and typed answers
        expect: ['gender == "woman"', 'visited("ch1_kitchen_vote")']
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

TEST_KEYS = ("seed", "steps", "expect", "ending")
MAX_STEPS = 10_000


@dataclass(frozen=True)
class StoryTest:
    name: str
    seed: int
    steps: tuple[tuple[int | str, Mark], ...]
    expect: tuple[tuple[Condition, Mark], ...]
    ending: tuple[str, Mark] | None
    mark: Mark


def read_tests(nc: NodeCompiler, node: yaml.Node, tests: list[StoryTest]) -> None:
    """A `tests:` mapping -> StoryTests (nc: a node compiler, for conditions and node names)."""
    r = nc.reader
    found = r.mapping(node, "'tests'")
    for name, (key_node, body) in (found or {}).items():
        what = f"story test '{name}'"
        spec = r.mapping(body, what, TEST_KEYS, required=("steps",))
        if not spec or "steps" not in spec:
            continue
        seed = r.integer(spec["seed"][1], f"the seed of {what}") if "seed" in spec else 0
        steps: list[tuple[int | str, Mark]] = []
        items = r.sequence(spec["steps"][1], f"the steps of {what}") or []
        if len(items) > MAX_STEPS:
            r.error(spec["steps"][1], f"{what} has more than {MAX_STEPS} steps")
            continue
        for item in items:
            if isinstance(item, yaml.ScalarNode) and item.tag == INT:
                number = r.integer(item, f"a step of {what}")
                if number is not None and not 1 <= number <= 9:
                    r.error(item, f"a step of {what} is a choice number from 1 to 9 (as the player sees them), not {number}")
                    continue
                if number is not None:
                    steps.append((number, r.mark(item)))
            else:
                text = r.text(item, f"a typed answer in {what}")
                if text is not None:
                    steps.append((text, r.mark(item)))
        expect: list[tuple[Condition, Mark]] = []
        if "expect" in spec:
            for item in r.sequence(spec["expect"][1], f"the expectations of {what}") or []:
                condition = nc.condition(item, f"an expectation of {what}")
                if condition is not None:
                    expect.append((condition, r.mark(item)))
        ending = None
        if "ending" in spec:
            target = nc.target(spec["ending"][1], f"the ending of {what}")
            if target is not None:
                ending = (target, r.mark(spec["ending"][1]))
        if seed is None:
            continue
        tests.append(StoryTest(name, seed, tuple(steps), tuple(expect), ending, r.mark(key_node)))
