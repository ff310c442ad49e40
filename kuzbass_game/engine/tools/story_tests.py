"""Story tests, the run half: scripted playthroughs an author declares beside the story, run by `kuzbass check`.

As ink and ChoiceScript authors keep testers that replay a route after every edit, a story (or a
layer) may declare routes under `tests:` in any file (format/story_tests.py reads them):

    tests:
      finnish_woman_votes:
        seed: 5
        steps: [1, "Aino", 2, 1, 3]      # choice numbers as the player sees them, and typed answers
        checkpoints:
          - at: ch1_kitchen_vote
            holds: 'gender == "woman"'
            locked: "Go down the pit"
        expect: ['visited("ch1_kitchen_vote")']
        ending: ch1_end_first_train       # optional: where the route must stop

Each route is played through the real engine. A step that is not on offer, a checkpoint that
fails (with the step, the scene and the values its conditions read) or is never reached, an
expectation that does not hold at the end, or a route that stops elsewhere is an error at its
own line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from kuzbass_game.engine.core.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.core.text import strip_markup
from kuzbass_game.engine.format.story_tests import Checkpoint, StoryTest
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.play.stepper import InvalidAction, StoryRuntimeError
from kuzbass_game.engine.play.votes import describe_moves

if TYPE_CHECKING:
    from kuzbass_game.engine.core.expr import Condition
    from kuzbass_game.engine.play.game import ChoiceView, SceneView


def run_tests(story: Story, tests: list[StoryTest], sink: DiagnosticSink) -> None:
    """Play every route; report each failure where the route says what went wrong."""
    for test in tests:
        _Route(story, test, sink).run()


def _plain(text: str) -> str:
    return " ".join(strip_markup(text).split()).casefold()


class _Route:
    """One story test played step by step, its checkpoints checked at every scene it passes."""

    def __init__(self, story: Story, test: StoryTest, sink: DiagnosticSink) -> None:
        self.story = story
        self.test = test
        self.sink = sink
        self.what = f"story test '{test.name}'"
        self.game = Game(story, seed=test.seed, credit=False)  # (its changes are read only at checkpoints: credited then)
        self.arrivals: dict[str, int] = {}  # node -> how many scenes of the route were at it
        self.waiting = list(test.checkpoints)

    def run(self) -> None:
        self._arrive(self.game.view(), 0)
        for number, (step, mark) in enumerate(self.test.steps, 1):
            problem = self._take(step)
            if problem is not None:
                self.sink.error(mark, f"{self.what}, step {number}: {problem}")
                return
            self._arrive(self.game.view(), number)
        for checkpoint in self.waiting:
            seen = self.arrivals.get(checkpoint.at, 0)
            reach = f"reaches '{checkpoint.at}' only {seen} time{'s' if seen != 1 else ''}" if seen else f"never reaches '{checkpoint.at}'"
            self.sink.error(checkpoint.mark, f"{self.what}: the route {reach}, so this checkpoint (visit {checkpoint.visit}) is never checked")
        self._check_end()

    def _take(self, step: int | str) -> str | None:
        """Take one step; what went wrong, or None."""
        view = self.game.view()
        try:
            if view.ending is not None:
                return f"the story has already ended at '{view.node_id}' (\"{view.ending}\")"
            if isinstance(step, str):
                if view.input is None:
                    return f"node '{view.node_id}' asks for no typed answer; it offers {_offer(view)}"
                self.game.submit(step)
            elif view.input is not None:
                return f"node '{view.node_id}' asks for a typed answer first"
            else:
                self.game.choose_number(step)
        except InvalidAction as err:
            return f"at node '{view.node_id}', {err}; it offers {_offer(view)}"
        except StoryRuntimeError as err:
            return f"the story failed: {err}"
        return None

    def _arrive(self, view: SceneView, step: int) -> None:
        count = self.arrivals[view.node_id] = self.arrivals.get(view.node_id, 0) + 1
        due = [c for c in self.waiting if c.at == view.node_id and c.visit == count]
        for checkpoint in due:
            self.waiting.remove(checkpoint)
            where = f"{self.what}, checkpoint at '{checkpoint.at}' (after step {step})"
            for problem, mark in self._check(checkpoint, view):
                self.sink.error(mark, f"{where}: {problem}")

    def _check(self, checkpoint: Checkpoint, view: SceneView) -> Iterable[tuple[str, Mark]]:
        for condition, mark in checkpoint.holds:
            problem = self._fails(condition)
            if problem is not None:
                yield problem, mark
        shown = _plain(" ".join((*view.paragraphs, view.reply or "", *_tally_lines(view), *(c.text + " " + (c.reason or "") for c in view.choices))))
        for text, mark in checkpoint.texts.get("shows", ()):
            if _plain(text) not in shown:
                yield f'the scene does not show "{text}"; it reads: {_excerpt(view)}', mark
        for text, mark in checkpoint.texts.get("lacks", ()):
            if _plain(text) in shown:
                yield f'the scene shows "{text}", which it should not', mark
        for key in ("open", "locked", "hidden"):
            for text, mark in checkpoint.texts.get(key, ()):
                problem = self._choice_problem(view, key, text)
                if problem is not None:
                    yield problem, mark

    def _fails(self, condition: Condition) -> str | None:
        state = self.game.state
        try:
            holds = condition.run(state.variables, state.visits)
        except Exception as err:  # an EvalError: the condition itself faults
            return f"'{condition.source}' fails to evaluate: {err}"
        if holds:
            return None
        values = ", ".join(f"{name} = {state.variables[name]!r}" for name in sorted(condition.reads) if name in state.variables)
        return f"'{condition.source}' does not hold" + (f" ({values})" if values else "")

    def _choice_problem(self, view: SceneView, want: str, text: str) -> str | None:
        matches = [c for c in view.choices if self._matches(view.node_id, c, text)]
        if want == "hidden":
            return None if not matches else f'the choice "{text}" is shown ({_state_of(matches[0])}), and should be hidden'
        if not matches:
            return f'no choice matches "{text}"; it offers {_offer(view)}'
        if want == "open" and not any(c.enabled for c in matches):
            return f'the choice "{text}" is {_state_of(matches[0])}, and should be open'
        if want == "locked" and not any(not c.enabled for c in matches):
            return f'the choice "{text}" is open, and should be locked'
        return None

    def _matches(self, node_id: str, choice: ChoiceView, text: str) -> bool:
        """A choice is named by a part of its text, or by the node it leads to."""
        if _plain(text) in _plain(choice.text):
            return True
        model = self.story.nodes[node_id].choices[choice.index]
        return text == model.target or any(branch.target == text for branch in model.branches)

    def _check_end(self) -> None:
        state = self.game.state
        for condition, mark in self.test.expect:
            problem = self._fails(condition)
            if problem is not None:
                self.sink.error(mark, f"{self.what}: at the end (node '{state.node}') {problem}")
        if self.test.ending is not None and state.node != self.test.ending[0]:
            self.sink.error(self.test.ending[1], f"{self.what}: the route ends at '{state.node}', not at '{self.test.ending[0]}'")


def _tally_lines(view: SceneView) -> list[str]:
    """The count of the vote the last choice was a ballot in, as the faces show it: each faction and what moved it."""
    tally = view.tally
    if tally is None:
        return []
    rows = [f"{row.name}: {row.yes} for, {row.no} against ({describe_moves(row)})" for row in tally.rows]
    return [*rows, f"In all {tally.yes} for, {tally.no} against: {tally.verdict}"]


def _state_of(choice: ChoiceView) -> str:
    if choice.enabled:
        return "open"
    return f"locked: {strip_markup(choice.reason)}" if choice.reason else "locked"


def _excerpt(view: SceneView, limit: int = 160) -> str:
    text = " ".join(strip_markup(" ".join(view.paragraphs)).split())
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def _offer(view: SceneView, plain: Callable[[str], str] = strip_markup) -> str:
    shown = [f"{c.number}. {plain(c.text)}" + ("" if c.enabled else " (locked)") for c in view.choices]
    return "; ".join(shown) if shown else "nothing"
