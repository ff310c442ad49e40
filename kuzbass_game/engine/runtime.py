"""Playing a story: `Game` turns player intents into new `GameState`s and describes each scene.

Every face (Textual app, plain line mode, save replay) drives the same four calls: `view()`,
`choose()`, `submit()` and `rewind()`. The rules themselves live in stepper.py; `Game` adds
the history of immutable states that makes rewinding free and saves verifiable.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from kuzbass_game.engine import codex, stepper
from kuzbass_game.engine.expr import EvalError
from kuzbass_game.engine.markup import escape_markup
from kuzbass_game.engine.model import Choice, CodexEntry, Computed, Node, Story, Variable
from kuzbass_game.engine.render import Values, format_value, render
from kuzbass_game.engine.votes import Tally
from kuzbass_game.engine.state import Action, GameState
from kuzbass_game.engine.stepper import Cursor, InvalidAction, StoryRuntimeError

__all__ = ["Change", "ChoiceView", "Game", "StatusItem", "InputView", "InvalidAction", "SceneView", "StoryRuntimeError", "format_value", "render"]


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
class StatusItem:
    """One shown value: its label, the value as text (escaped), and its description."""

    name: str
    label: str
    value: str
    description: str | None = None
    number: int | None = None  # the value when it is an int (for bars and changes)
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Change:
    """A shown value the last step changed: "Food −2", or "Trade: miner" for a text."""

    label: str
    before: str
    after: str
    delta: int | None = None  # for ints

    @property
    def text(self) -> str:
        if self.delta is not None:
            return f"{self.label} {'+' if self.delta > 0 else '−'}{abs(self.delta)}"
        return f"{self.label}: {self.after}"


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
    chosen: str | None = None  # the choice that led here, as it read when taken (markup)
    reply: str | None = None  # the story's answer to that choice (markup)
    tally: Tally | None = None  # the vote that choice was a ballot in, counted faction by faction
    changes: tuple[Change, ...] = ()  # shown values the last step changed
    unlocked: tuple[str, ...] = ()  # titles of codex entries this scene unlocked
    items: tuple[StatusItem, ...] = ()  # the status, with descriptions and numbers

    @property
    def stuck(self) -> bool:
        """True when the player can do nothing: no ending, no input, no enabled choice (a story bug)."""
        return self.ending is None and self.input is None and not any(c.enabled for c in self.choices)


@dataclass(frozen=True)
class JournalEntry:
    """One past action as the journal shows it: where and when, and what the player did."""

    step: int  # 1-based; rewinding `len(actions) - step + 1` steps goes back to just before it
    chapter: str | None
    date: str | None
    text: str  # markup: the choice's text as it read then, or the typed answer (escaped)
    typed: bool = False


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
            base = stepper.start(story, self.seed).freeze()
        self.base: GameState = base
        self._states: list[GameState] = [base]
        self._actions: list[Action] = []
        self._tally_cache: tuple[int, Tally | None] | None = None

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

    def journal(self) -> tuple[JournalEntry, ...]:
        """Every action so far, rendered as it read when it was taken."""
        entries = []
        for step, (action, before) in enumerate(zip(self._actions, self._states), 1):
            if action.text is not None:
                text, typed = escape_markup(action.text), True
            else:
                node = self.story.nodes.get(action.node)
                choices = node.choices if node is not None else ()
                known = action.choice is not None and 0 <= action.choice < len(choices)
                text = render(choices[action.choice].text, self.values(before)) if known else escape_markup(f"(a choice in {action.node})")
                typed = False
            entries.append(JournalEntry(step, before.chapter, before.date, text, typed))
        return tuple(entries)

    @property
    def can_rewind(self) -> bool:
        return bool(self._actions) and self.keep_history

    def is_available(self, choice: Choice, state: GameState | None = None) -> tuple[bool, bool]:
        """(shown, enabled) for a choice in the given state."""
        return stepper.availability(Cursor.thaw(state or self.state), choice)

    def enabled_choices(self) -> list[Choice]:
        """The choices the player may take now."""
        return list(stepper.enabled_choices(self.story, Cursor.thaw(self.state)))

    def values(self, state: GameState | None = None):
        """The state's variables, with the story's computed values readable beside them."""
        state = state or self.state
        if not self.story.computed:
            return state.variables
        return Values(state.variables, state.visits, self.story.computed)

    def status(self, state: GameState | None = None) -> tuple[StatusItem, ...]:
        """The values the story shows (labelled, and whose `show_if` holds), in the manifest's order."""
        state = state or self.state
        values = self.values(state)
        items = []
        for shown in self.story.shown:
            if shown.show_if is not None and not self._holds(shown.show_if, state, f"'show_if' of '{shown.name}'"):
                continue
            try:
                value = values[shown.name]
            except EvalError as err:
                raise StoryRuntimeError(f"computed value '{shown.name}': {err}") from err
            number = value if isinstance(value, int) and not isinstance(value, bool) else None
            lo = shown.minimum if isinstance(shown, Variable) else None
            hi = shown.maximum if isinstance(shown, Variable) else None
            items.append(StatusItem(shown.name, shown.label or shown.name, escape_markup(format_value(value)),
                                    shown.description, number, lo, hi))
        return tuple(items)

    def view(self) -> SceneView:
        state = self.state
        node = self.node
        variables = self.values(state)
        cursor = Cursor.thaw(state)
        choices: list[ChoiceView] = []
        if not state.awaiting_input:
            for choice in node.choices:
                shown, enabled = stepper.availability(cursor, choice)
                if shown:
                    reason = None if enabled or choice.locked_reason is None else render(choice.locked_reason, variables)
                    choices.append(ChoiceView(len(choices) + 1, choice.index, render(choice.text, variables), enabled, reason))
        items = self.status(state)
        input_view = None
        if state.awaiting_input and node.input is not None:
            input_view = InputView(node.input.var, node.input.prompt, node.input.max_length)
        chosen = reply = tally = None
        changes: tuple[Change, ...] = ()
        unlocked: tuple[str, ...] = ()
        if self._actions and len(self._states) >= 2:
            before = self._states[-2]
            step = self._last_step()
            if step is not None:
                choice, tally = step
                before_values = self.values(before)
                chosen = render(choice.text, before_values)
                reply = None if choice.reply is None else render(choice.reply, variables)
            changes = self._changes(self.status(before), items)
            if node.unlocks:
                known = {e.id for e in codex.unlocked(self.story, before.visits)}
                unlocked = tuple(self.story.codex[e].title for e in node.unlocks if e not in known and e in self.story.codex)
        elif node.unlocks:
            unlocked = tuple(self.story.codex[e].title for e in node.unlocks if e in self.story.codex)
        return SceneView(
            node_id=node.id,
            paragraphs=tuple(render(p.parts, variables) for p in node.paragraphs if self._holds(p.condition, state, node.id)),
            choices=tuple(choices),
            chapter=state.chapter,
            date=state.date,
            status=tuple((item.label, item.value) for item in items),
            turn=state.turn,
            ending=node.ending.title if node.ending else None,
            input=input_view,
            chosen=chosen,
            reply=reply,
            tally=tally,
            changes=changes,
            unlocked=unlocked,
            items=items,
        )

    def _last_step(self) -> tuple[Choice, Tally | None] | None:
        """The choice that led to the current state, and the vote it was a ballot in, if any.

        A tally is not saved: it is counted again from the state before the ballot, which gives
        the very same count (the dice are part of that state), after a load or a rewind alike.
        """
        action = self._actions[-1]
        if action.choice is None:
            return None
        node = self.story.nodes.get(action.node)
        if node is None or not 0 <= action.choice < len(node.choices):
            return None
        choice = node.choices[action.choice]
        if choice.ballot is None:
            return choice, None
        cache = self._tally_cache
        if cache is not None and cache[0] == len(self._actions):
            return choice, cache[1]
        cursor = Cursor.thaw(self._states[-2])
        try:
            stepper.choose(self.story, cursor, action.choice)
        except (InvalidAction, StoryRuntimeError):
            return choice, None
        self._tally_cache = (len(self._actions), cursor.tally)
        return choice, cursor.tally

    @staticmethod
    def _changes(before: tuple[StatusItem, ...], after: tuple[StatusItem, ...]) -> tuple[Change, ...]:
        old = {item.name: item for item in before}
        result = []
        for item in after:
            prior = old.get(item.name)
            if prior is None:  # newly shown (its show_if came true): say what it is
                result.append(Change(item.label, "", item.value, None))
                continue
            if prior.value == item.value:
                continue
            delta = item.number - prior.number if item.number is not None and prior.number is not None else None
            result.append(Change(item.label, prior.value, item.value, delta))
        return tuple(result)

    def codex(self) -> list[CodexEntry]:
        """The codex entries this game has unlocked, in the order the player met them."""
        return codex.unlocked(self.story, self.state.visits)

    @staticmethod
    def _holds(condition, state: GameState, where: str) -> bool:
        if condition is None:
            return True
        try:
            return bool(condition.run(state.variables, state.visits))
        except EvalError as err:
            raise StoryRuntimeError(f"node '{where}', a paragraph's condition: {err}") from err

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
        self._tally_cache = None
        if steps and self.keep_history:
            del self._states[-steps:]
            del self._actions[-steps:]
        return self.view()

    def apply(self, action: Action) -> None:
        """Replay one recorded action (saves and tests); raises InvalidAction if it no longer applies.

        A choice is matched by its signature, so a story edit that reorders choices still replays,
        and one that changes what a choice says or where it leads stops the replay there.
        """
        self._apply(self.resolve(action))

    def replay(self, actions) -> int:
        """Apply recorded actions in order, stopping at the first that no longer applies.

        Returns how many applied. One cursor runs the whole replay (a save may hold thousands
        of actions), and a snapshot is kept after each, exactly as if they had been played.
        """
        story = self.story
        cursor = Cursor.thaw(self.state)
        for done, action in enumerate(actions):
            try:
                action = self.resolve(action, cursor.node)
                if action.node != cursor.node:
                    return done
                if action.text is not None:
                    stepper.submit(story, cursor, action.text)
                elif action.choice is not None:
                    stepper.choose(story, cursor, action.choice)
                else:
                    return done
            except (InvalidAction, StoryRuntimeError, KeyError):
                return done  # the cursor may be half-moved; the kept snapshots are all whole
            self._actions.append(action)
            snapshot = GameState(cursor.node, dict(cursor.variables), dict(cursor.visits), cursor.rng,
                                 frozenset(cursor.used_once), cursor.chapter, cursor.date, cursor.turn,
                                 cursor.awaiting_input)
            if self.keep_history:
                self._states.append(snapshot)
            else:
                self._states[-1] = snapshot
        return len(actions)

    def resolve(self, action: Action, at: str | None = None) -> Action:
        """The action as it applies to the current story (a moved choice found by its signature)."""
        at = self.state.node if at is None else at
        if action.choice is not None and action.signature and action.node == at:
            choices = self.story.nodes[at].choices
            if not (0 <= action.choice < len(choices) and choices[action.choice].signature == action.signature):
                moved = [c.index for c in choices if c.signature == action.signature]
                if len(moved) != 1:
                    raise InvalidAction(f"the choice taken at node '{action.node}' has changed")
                return Action(action.node, moved[0], None, action.signature)
        return action

    def _apply(self, action: Action) -> None:
        self._tally_cache = None
        state = self.state
        if action.node != state.node:
            raise InvalidAction(f"this action belongs to node '{action.node}', but the game is at '{state.node}'")
        cursor = Cursor.thaw(state)
        if action.text is not None:
            stepper.submit(self.story, cursor, action.text)
        elif action.choice is not None:
            stepper.choose(self.story, cursor, action.choice)
        else:
            raise InvalidAction("an action must be a choice or a text")
        new_state = cursor.freeze()
        self._actions.append(action)
        if self.keep_history:
            self._states.append(new_state)
        else:
            self._states[-1] = new_state
