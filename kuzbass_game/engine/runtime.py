"""Playing a story: `Game` turns player intents into new `GameState`s and describes each scene.

Every face (Textual app, plain line mode, explorer, save replay) drives the same four calls:
`view()`, `choose()`, `submit()` and `rewind()`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Iterable

from kuzbass_game.engine import rng
from kuzbass_game.engine.expr import INT_LIMIT, MAX_TEXT, EvalError, Value
from kuzbass_game.engine.markup import clean_player_text, escape_markup
from kuzbass_game.engine.model import Choice, Node, Story, TextPart, VarRef
from kuzbass_game.engine.state import Action, GameState


class StoryRuntimeError(Exception):
    """The story did something impossible while playing (a bug in the story, not the player)."""


class InvalidAction(ValueError):
    """The player asked for something not on offer (a locked or hidden choice, empty input)."""


@dataclass(frozen=True)
class ChoiceView:
    number: int  # what the player presses: 1-9 among the choices shown
    index: int  # the choice's position in its node: what `choose()` takes and saves record
    text: str  # markup, values escaped
    enabled: bool
    reason: str | None = None  # why it is locked, in the author's words


@dataclass(frozen=True)
class InputView:
    var: str
    prompt: str
    max_length: int


@dataclass(frozen=True)
class SceneView:
    node_id: str
    paragraphs: tuple[str, ...]  # markup, values escaped
    choices: tuple[ChoiceView, ...]
    chapter: str | None
    date: str | None
    status: tuple[tuple[str, str], ...]  # (label, value) as markup, for the variables the manifest labels
    turn: int
    ending: str | None = None  # the ending's title when this scene ends the story
    input: InputView | None = None

    @property
    def stuck(self) -> bool:
        """True when the player can do nothing: no ending, no input, no enabled choice (a story bug)."""
        return self.ending is None and self.input is None and not any(c.enabled for c in self.choices)


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render(parts: Iterable[TextPart], variables) -> str:
    return "".join(
        escape_markup(format_value(variables[p.name])) if isinstance(p, VarRef) else p for p in parts
    )


class Game:
    """One playthrough of a story, with its whole history (so rewinding is free)."""

    def __init__(self, story: Story, seed: int | None = None, *, keep_history: bool = True,
                 base: GameState | None = None) -> None:
        """A new game at the story's start, or from `base` (a save rebased after a story edit)."""
        self.story = story
        self.seed = secrets.randbits(63) if seed is None else int(seed)
        self.keep_history = keep_history
        self.rebased = base is not None
        if base is None:
            initial = GameState(story.start, story.defaults(), {}, rng.seed_state(self.seed))
            base = self._enter(initial, story.start)
        self.base: GameState = base
        self._states: list[GameState] = [base]
        self._actions: list[Action] = []

    # ---------------------------------------------------------------- reading
    @property
    def state(self) -> GameState:
        return self._states[-1]

    @property
    def node(self) -> Node:
        return self.story.nodes[self.state.node]

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(self._actions)

    @property
    def states(self) -> tuple[GameState, ...]:
        return tuple(self._states)

    @property
    def finished(self) -> bool:
        return self.node.ending is not None

    def is_available(self, choice: Choice, state: GameState | None = None) -> tuple[bool, bool]:
        """(shown, enabled) for a choice in the given state."""
        state = state or self.state
        if choice.once and choice.key in state.used_once:
            return False, False
        if choice.condition is None:
            return True, True
        try:
            ok = choice.condition.run(state.variables, state.visits)
        except EvalError as err:
            raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: {err}") from err
        if ok:
            return True, True
        return choice.locked_reason is not None, False

    @staticmethod
    def _holds(condition, state: GameState, where: str) -> bool:
        if condition is None:
            return True
        try:
            return bool(condition.run(state.variables, state.visits))
        except EvalError as err:
            raise StoryRuntimeError(f"node '{where}', a paragraph's condition: {err}") from err

    def enabled_choices(self) -> list[Choice]:
        """The choices the player may take now (what the explorer picks from)."""
        state = self.state
        if state.awaiting_input:
            return []
        result = []
        for choice in self.node.choices:
            if choice.once and choice.key in state.used_once:
                continue
            if choice.condition is not None:
                try:
                    if not choice.condition.run(state.variables, state.visits):
                        continue
                except EvalError as err:
                    raise StoryRuntimeError(f"node '{choice.node_id}', choice {choice.index + 1}: {err}") from err
            result.append(choice)
        return result

    def view(self) -> SceneView:
        state = self.state
        node = self.node
        variables = state.variables
        choices: list[ChoiceView] = []
        if not state.awaiting_input:
            for choice in node.choices:
                shown, enabled = self.is_available(choice, state)
                if shown:
                    reason = None if enabled or choice.locked_reason is None else render(choice.locked_reason, variables)
                    choices.append(ChoiceView(len(choices) + 1, choice.index, render(choice.text, variables), enabled, reason))
        status = tuple((var.label or var.name, escape_markup(format_value(variables[var.name])))
                       for var in self.story.shown_variables)
        input_view = None
        if state.awaiting_input and node.input is not None:
            input_view = InputView(node.input.var, node.input.prompt, node.input.max_length)
        return SceneView(
            node_id=node.id,
            paragraphs=tuple(render(p.parts, variables) for p in node.paragraphs if self._holds(p.condition, state, node.id)),
            choices=tuple(choices),
            chapter=state.chapter,
            date=state.date,
            status=status,
            turn=state.turn,
            ending=node.ending.title if node.ending else None,
            input=input_view,
        )

    # ---------------------------------------------------------------- acting
    def choose(self, index: int) -> SceneView:
        """Take the choice at `index` in the current node (see `ChoiceView.index`)."""
        choices = self.node.choices
        signature = choices[index].signature if 0 <= index < len(choices) else None
        self._apply(Action(self.state.node, choice=index, signature=signature))
        return self.view()

    def choose_number(self, number: int) -> SceneView:
        """Take the choice the player sees as `number` (1-based, as on screen)."""
        for choice in self.view().choices:
            if choice.number == number:
                return self.choose(choice.index)
        raise InvalidAction(f"there is no choice {number}")

    def submit(self, text: str) -> SceneView:
        """Answer the current node's input prompt."""
        self._apply(Action(self.state.node, text=text))
        return self.view()

    def rewind(self, steps: int = 1) -> SceneView:
        """Go back `steps` actions; the undone actions are forgotten."""
        steps = max(0, min(steps, len(self._actions)))
        if steps:
            del self._states[-steps:]
            del self._actions[-steps:]
        return self.view()

    @property
    def can_rewind(self) -> bool:
        return bool(self._actions) and self.keep_history

    def apply(self, action: Action) -> None:
        """Replay one recorded action (saves and tests); raises InvalidAction if it no longer applies.

        A choice is matched by its signature, so a story edit that reorders choices still replays,
        and one that changes what a choice says or where it leads stops the replay there.
        """
        if action.choice is not None and action.signature:
            choices = self.story.nodes[self.state.node].choices if action.node == self.state.node else ()
            if not (0 <= action.choice < len(choices) and choices[action.choice].signature == action.signature):
                moved = [c.index for c in choices if c.signature == action.signature]
                if len(moved) != 1:
                    raise InvalidAction(f"the choice taken at node '{action.node}' has changed")
                action = Action(action.node, moved[0], None, action.signature)
        self._apply(action)

    def _apply(self, action: Action) -> None:
        state = self.state
        if action.node != state.node:
            raise InvalidAction(f"this action belongs to node '{action.node}', but the game is at '{state.node}'")
        new_state = self._step(state, action)
        if self.keep_history:
            self._states.append(new_state)
            self._actions.append(action)
        else:
            self._states[-1] = new_state
            self._actions.append(action)

    def _step(self, state: GameState, action: Action) -> GameState:
        node = self.story.nodes[state.node]
        if action.text is not None:
            if not state.awaiting_input or node.input is None:
                raise InvalidAction("nothing is asking for text here")
            value = clean_player_text(action.text, node.input.max_length)
            if not value:
                raise InvalidAction("please type something first")
            variables = dict(state.variables)
            variables[node.input.var] = value
            return replace(state, variables=variables, awaiting_input=False, turn=state.turn + 1)
        if state.awaiting_input:
            raise InvalidAction("answer the question above first")
        if action.choice is None or not 0 <= action.choice < len(node.choices):
            raise InvalidAction(f"node '{node.id}' has no choice {action.choice}")
        choice = node.choices[action.choice]
        shown, enabled = self.is_available(choice, state)
        if not enabled:
            reason = render(choice.locked_reason, state.variables) if choice.locked_reason else "that choice is not available"
            raise InvalidAction(reason)
        variables = dict(state.variables)
        if choice.effects is not None:
            self._run_effects(choice.effects.assignments, variables, state.visits, f"node '{node.id}', choice {choice.index + 1}")
        random_state = state.rng
        if choice.target is not None:
            target = choice.target
        else:
            eligible = []
            for branch in choice.branches:
                try:
                    if branch.condition is None or branch.condition.run(variables, state.visits):
                        eligible.append(branch)
                except EvalError as err:
                    raise StoryRuntimeError(f"node '{node.id}', choice {choice.index + 1}: {err}") from err
            if not eligible:
                raise StoryRuntimeError(f"node '{node.id}', choice {choice.index + 1}: no random branch's condition holds")
            random_state, picked = rng.weighted_index(random_state, [b.weight for b in eligible])
            target = eligible[picked].target
        used_once = state.used_once | {choice.key} if choice.once else state.used_once
        moved = GameState(target, variables, state.visits, random_state, used_once, state.chapter, state.date, state.turn + 1)
        return self._enter(moved, target)

    def _enter(self, state: GameState, node_id: str) -> GameState:
        node = self.story.nodes[node_id]
        visits = dict(state.visits)
        visits[node_id] = visits.get(node_id, 0) + 1
        variables = state.variables
        if node.effects is not None:
            variables = dict(variables)
            self._run_effects(node.effects.assignments, variables, visits, f"node '{node_id}'")
        return GameState(node_id, variables, visits, state.rng, state.used_once,
                         node.chapter or state.chapter, node.date or state.date, state.turn,
                         awaiting_input=node.input is not None)

    def _run_effects(self, assignments, variables: dict, visits, where: str) -> None:
        declared = self.story.variables
        for assignment in assignments:
            try:
                value = assignment.run(variables, visits)
            except EvalError as err:
                raise StoryRuntimeError(f"{where}: {err}") from err
            if assignment.op == "+=":
                value = variables[assignment.name] + value
            elif assignment.op == "-=":
                value = variables[assignment.name] - value
            variables[assignment.name] = declared[assignment.name].clamp(_bounded(value))


def _bounded(value: Value) -> Value:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return max(-INT_LIMIT, min(INT_LIMIT, value))
    return value[:MAX_TEXT]
