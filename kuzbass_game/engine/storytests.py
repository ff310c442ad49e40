"""Story tests: scripted playthroughs an author declares beside the story, run by `kuzbass check`.

As ink and ChoiceScript authors keep testers that replay a route after every edit, a story (or a
layer) may declare routes under `tests:` in any file:

    tests:
      finnish_woman_votes:
        seed: 5
        steps: [1, "Aino", 2, 1, 3]      # choice numbers as the player sees them, and typed answers
        expect: ['gender == "woman"', 'visited("ch1_kitchen_vote")']
        ending: ch1_end_first_train       # optional: where the route must stop

Each route is played through the real engine; a step that is not on offer, or an expectation
that does not hold at the end, is an error at its own line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kuzbass_game.engine.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.model import Story

if TYPE_CHECKING:
    import yaml

    from kuzbass_game.engine.compiler import _NodeCompiler
    from kuzbass_game.engine.expr import Condition
    from kuzbass_game.engine.runtime import SceneView

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


def read_tests(nc: _NodeCompiler, node: yaml.Node, tests: list[StoryTest]) -> None:
    """A `tests:` mapping -> StoryTests (nc: a node compiler, for conditions and node names)."""
    import yaml as _yaml

    from kuzbass_game.engine.yamlsrc import INT

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
            if isinstance(item, _yaml.ScalarNode) and item.tag == INT:
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


def run_tests(story: Story, tests: list[StoryTest], sink: DiagnosticSink) -> None:
    """Play every route; report each failure where the route says what went wrong."""
    from kuzbass_game.engine.markup import strip_markup
    from kuzbass_game.engine.runtime import Game, InvalidAction, StoryRuntimeError

    for test in tests:
        what = f"story test '{test.name}'"
        game = Game(story, seed=test.seed)
        failed = False
        for number, (step, mark) in enumerate(test.steps, 1):
            view = game.view()
            try:
                if view.ending is not None:
                    sink.error(mark, f"{what}, step {number}: the story has already ended at '{view.node_id}' (\"{view.ending}\")")
                    failed = True
                    break
                if isinstance(step, str):
                    if view.input is None:
                        sink.error(
                            mark, f"{what}, step {number}: node '{view.node_id}' asks for no typed answer; it offers " + _offer(view, strip_markup)
                        )
                        failed = True
                        break
                    game.submit(step)
                else:
                    if view.input is not None:
                        sink.error(mark, f"{what}, step {number}: node '{view.node_id}' asks for a typed answer first")
                        failed = True
                        break
                    game.choose_number(step)
            except InvalidAction as err:
                sink.error(mark, f"{what}, step {number}: at node '{view.node_id}', {err}; it offers {_offer(view, strip_markup)}")
                failed = True
                break
            except StoryRuntimeError as err:
                sink.error(mark, f"{what}, step {number}: the story failed: {err}")
                failed = True
                break
        if failed:
            continue
        state = game.state
        for condition, mark in test.expect:
            try:
                holds = condition.run(state.variables, state.visits)
            except Exception as err:  # an EvalError: the expectation itself faults
                sink.error(mark, f"{what}: the expectation '{condition.source}' fails to evaluate: {err}")
                continue
            if not holds:
                values = ", ".join(f"{name} = {state.variables[name]!r}" for name in sorted(condition.reads) if name in state.variables)
                sink.error(mark, f"{what}: at the end (node '{state.node}') '{condition.source}' does not hold" + (f" ({values})" if values else ""))
        if test.ending is not None and state.node != test.ending[0]:
            sink.error(test.ending[1], f"{what}: the route ends at '{state.node}', not at '{test.ending[0]}'")


def _offer(view: SceneView, plain: Callable[[str], str]) -> str:
    shown = [f"{c.number}. {plain(c.text)}" + ("" if c.enabled else " (locked)") for c in view.choices]
    return "; ".join(shown) if shown else "nothing"
