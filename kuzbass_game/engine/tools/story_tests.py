"""Story tests, the run half: scripted playthroughs an author declares beside the story, run by `kuzbass check`.

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
from typing import TYPE_CHECKING

from kuzbass_game.engine.core.diagnostics import DiagnosticSink
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.format.story_tests import StoryTest

if TYPE_CHECKING:
    from kuzbass_game.engine.play.game import SceneView


def run_tests(story: Story, tests: list[StoryTest], sink: DiagnosticSink) -> None:
    """Play every route; report each failure where the route says what went wrong."""
    from kuzbass_game.engine.core.text import strip_markup
    from kuzbass_game.engine.play.game import Game, InvalidAction, StoryRuntimeError

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
