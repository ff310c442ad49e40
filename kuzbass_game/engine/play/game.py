"""Playing a story: `Game` turns player intents into new `GameState`s and describes each scene.

Every face (Textual app, plain line mode, save replay) drives the same four calls: `view()`,
`choose()`, `submit()` and `rewind()`. The rules themselves live in stepper.py; `Game` adds
the history of immutable states that makes rewinding free and saves verifiable.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from kuzbass_game.engine.play import codex
from kuzbass_game.engine.play import history
from kuzbass_game.engine.play import stepper
from kuzbass_game.engine.core.expr import Condition, EvalError, Value
from kuzbass_game.engine.core.text import escape_markup, plain_text
from kuzbass_game.engine.core.model import Choice, CodexEntry, Node, Story, TextPart, Variable
from kuzbass_game.engine.play.render import Values, format_value, render
from kuzbass_game.engine.play.votes import Tally
from kuzbass_game.engine.play.state import Action, GameState
from kuzbass_game.engine.play.stepper import Credit, Cursor, InvalidAction, StoryRuntimeError

__all__ = [
    "Change",
    "ChoiceView",
    "Game",
    "changes_text",
    "grouped_changes",
    "StatusItem",
    "InputView",
    "InvalidAction",
    "SceneView",
    "StoryRuntimeError",
    "format_value",
    "render",
]


# The views are named tuples, not dataclasses: one is built per choice and per scene at every
# step a player takes, and a tuple builds several times faster than a frozen dataclass.
class ChoiceView(NamedTuple):
    number: int  # what the player presses: 1-9 among the choices shown
    # (the field `index` hides tuple.index(), which mypy reports; the faces read the field by that name)
    index: int  # type: ignore[assignment]  # the choice's position in its node: what `choose()` takes and saves record
    text: str  # markup, values escaped
    enabled: bool
    reason: str | None = None  # why it is locked, in the author's words


class InputView(NamedTuple):
    var: str
    prompt: str
    max_length: int


class StatusItem(NamedTuple):
    """One shown value: its label, the value as text (escaped), and its description."""

    name: str
    label: str
    value: str
    description: str | None = None
    number: int | None = None  # the value when it is an int (for bars and changes)
    minimum: int | None = None
    maximum: int | None = None


class Change(NamedTuple):
    """A shown value the last step changed: "Food −2", or "Trade: miner" for a text.

    `cause` says where it came from: "" for the choice itself, "as the scene opens" for the new scene's
    own effects, "the vote", or a routine's label ("the monthly issue"). One value can change
    twice in a step, once per cause ("Soap +1, the monthly issue · Soap −1, a month's washing"):
    the changes are never netted across causes.
    """

    label: str
    before: str
    after: str
    delta: int | None = None  # for ints
    cause: str = ""
    name: str = ""

    @property
    def text(self) -> str:
        if self.delta is not None:
            return f"{self.label} {'+' if self.delta > 0 else '−'}{abs(self.delta)}"
        return f"{self.label}: {self.after}"


def grouped_changes(changes: Iterable[Change]) -> list[tuple[str, list[Change]]]:
    """Changes in runs of one cause, in order: [("", [Food −1]), ("the monthly issue", [Soap +1, Makhorka +1])]."""
    groups: list[tuple[str, list[Change]]] = []
    for change in changes:
        if groups and groups[-1][0] == change.cause:
            groups[-1][1].append(change)
        else:
            groups.append((change.cause, [change]))
    return groups


def changes_text(changes: Iterable[Change], separator: str = " · ") -> str:
    """ "Food −1 · Soap +1, Makhorka +1 (the monthly issue) · Soap −1 (a month's washing)": the choice's own
    changes each on its own, then each cause's run of changes with the cause after it (markup, as the values are)."""
    parts = []
    for cause, run in grouped_changes(changes):
        if cause:
            parts.append(", ".join(c.text for c in run) + f" ({cause})")
        else:
            parts += [c.text for c in run]
    return separator.join(parts)


class SceneView(NamedTuple):
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
    fault: str | None = None  # a fault in the story met while showing this scene (the game goes on)

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


def _step_credits(story: Story, before: GameState, action: Action) -> tuple[Credit, ...]:
    """One recorded step played again from the state before it, with each change credited."""
    cursor = Cursor.thaw(before)
    cursor.credits = []
    try:
        if action.text is not None:
            stepper.submit(story, cursor, action.text)
        elif action.choice is not None:
            stepper.choose(story, cursor, action.choice)
    except (InvalidAction, StoryRuntimeError):
        return ()
    return tuple(cursor.credits)


def _same_state(replayed: GameState, read: GameState) -> bool:
    """A state replayed and one read from a save (whose texts went through plain_text: so do the replayed one's here)."""
    played = {name: plain_text(value) if isinstance(value, str) else value for name, value in replayed.variables.items()}
    return (replayed.node, played, replayed.visits, replayed.rng, replayed.used_once, replayed.turn) == (
        read.node,
        dict(read.variables),
        read.visits,
        read.rng,
        read.used_once,
        read.turn,
    )


def _fixed(parts: Iterable[TextPart]) -> bool:
    """Whether a text reads the same for every player (no {hole} to fill)."""
    return all(type(part) is str for part in parts)


class Game:
    """One playthrough of a story, with its whole history (so rewinding is cheap).

    The newest state is kept whole; every earlier one is reached by stepping back through one
    small undo record per action (history.py), so a long game costs memory per step, not per
    step times the size of the state.
    """

    def __init__(self, story: Story, seed: int | None = None, *, keep_history: bool = True, base: GameState | None = None) -> None:
        """A new game at the story's start, or from `base` (a save rebased after a story edit)."""
        self.story = story
        self.seed = secrets.randbits(63) if seed is None else int(seed)
        self.keep_history = keep_history
        self.rebased = base is not None
        self._faults: list[str] = []  # a fault met at the start (the start node's effects): shown, not fatal
        if base is None:
            base = stepper.start(story, self.seed, self._faults).freeze()
        self.base: GameState = base
        self._state: GameState = base
        self._undo: list[history.Undo] = []  # one per action after the first `_unrecorded`, while keep_history
        # A long save resumed from its checkpoint (`resumed`): its first actions have no undo records
        # until the history before the checkpoint is first asked for (`_history`).
        self._unrecorded = 0
        self._checkpoint: GameState | None = None
        self._previous: tuple[int, GameState] | None = None  # (actions, the state before the last) cached
        self._status_cache: list[tuple[GameState, tuple[StatusItem, ...]]] = []
        self._pairs_cache: tuple[tuple[StatusItem, ...], tuple[tuple[str, str], ...]] | None = None
        self._view_cache: tuple[GameState, int, SceneView] | None = None
        # The choices of a node whose choices are always open and hold no {hole}: the same views every time.
        self._choices_cache: dict[str, tuple[ChoiceView, ...]] = {}
        # What the status shows, laid out once: (name, label, description, min, max, show_if, compute or None).
        self._plan = tuple(
            (
                shown.name,
                shown.label or shown.name,
                shown.description,
                shown.minimum if isinstance(shown, Variable) else None,
                shown.maximum if isinstance(shown, Variable) else None,
                shown.show_if,
                None if isinstance(shown, Variable) else shown.run,
            )
            for shown in story.shown
        )
        self._labels = {item[0]: item[1] for item in self._plan}  # shown name -> its label, for credited changes
        self._actions: list[Action] = []
        self._tally_cache: tuple[int, Tally | None] | None = None
        self._credits_cache: tuple[int, tuple[Credit, ...]] | None = None

    # ---------------------------------------------------------------- reading
    @property
    def state(self) -> GameState:
        return self._state

    @property
    def node(self) -> Node:
        return self.story.nodes[self.state.node]

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(self._actions)

    @classmethod
    def resumed(cls, story: Story, seed: int, prefix: Sequence[Action], checkpoint: GameState, base: GameState | None = None) -> Game:
        """A game whose actions `prefix` led to `checkpoint` (a long save's, checked as any saved
        state is), resumed there without replaying them: `replay` the actions after it. The undo
        records of `prefix` are rebuilt the first time the history before the checkpoint is asked
        for (a rewind past it, the journal, the run summary); if the prefix then does not lead to the
        checkpoint, the game is rebased there, as a save whose story changed (see `rebased`)."""
        game = cls(story, seed, base=base)
        game._actions = list(prefix)
        game._state = checkpoint
        game._unrecorded = len(prefix)
        game._checkpoint = checkpoint
        return game

    def _history(self) -> list[history.Undo]:
        """Every undo record, the ones before a resumed checkpoint rebuilt first if they are not yet."""
        if self._unrecorded:
            count, checkpoint = self._unrecorded, self._checkpoint
            assert checkpoint is not None
            again = Game(self.story, self.seed, base=self.base if self.rebased else None)
            if again.replay(self._actions[:count]) == count and _same_state(again._state, checkpoint):
                self._undo[:0] = again._undo
            else:  # the choices before the checkpoint do not lead to it: the game begins there
                self.base, self.rebased = checkpoint, True
                del self._actions[:count]
            self._unrecorded, self._checkpoint = 0, None
            self._previous = None
        return self._undo

    def state_at(self, count: int) -> GameState:
        """The state after the first `count` actions (walked back from the newest: cheap near the end)."""
        count = max(0, min(count, len(self._actions)))
        back = len(self._actions) - count
        undo = self._undo if back <= len(self._undo) else self._history()
        if back > len(undo):  # (a rebase just dropped the actions before the checkpoint)
            return self.base
        cursor = Cursor.thaw(self._state)
        for record in reversed(undo[len(undo) - back :]):
            history.step_back(cursor, record)
        return cursor.freeze()

    def actions_after(self, known: Sequence[Action]) -> tuple[int, tuple[Action, ...]]:
        """How many of `known` (an earlier copy of `actions`) the history still begins with, and the
        actions after them: what changed since, in time that grows with the change, not the history.
        (The history only grows at its end and is cut back from it by a rewind, and a new action is
        a new object: the newest action it still shares with `known` ends the part it kept.)"""
        mine = self._actions
        kept = min(len(mine), len(known))
        while kept and mine[kept - 1] is not known[kept - 1]:
            kept -= 1
        return kept, tuple(mine[kept:])

    @property
    def states(self) -> tuple[GameState, ...]:
        """Every state from the first to the newest (rebuilt from the undo records: for tests and tools)."""
        if not self.keep_history:
            return (self._state,)
        result = [self._state]
        cursor = Cursor.thaw(self._state)
        for undo in reversed(self._history()):
            history.step_back(cursor, undo)
            result.append(Cursor.thaw(cursor.freeze()).freeze())
        return tuple(reversed(result))

    def _state_before_last(self) -> GameState | None:
        """The state just before the newest action (the view reads it for what changed)."""
        if not self._actions or not (self._undo or self._history()):
            return None
        cached = self._previous
        if cached is not None and cached[0] == len(self._actions):
            return cached[1]
        before = history.before(self._state, self._undo[-1])
        self._previous = (len(self._actions), before)
        return before

    @property
    def finished(self) -> bool:
        return self.node.ending is not None

    def journal(self) -> tuple[JournalEntry, ...]:
        """Every action so far, rendered as it read when it was taken."""
        entries = []
        befores: list[GameState] = []
        cursor = Cursor.thaw(self._state)
        for undo in reversed(self._history()):  # the state before each action, newest first
            history.step_back(cursor, undo)
            befores.append(
                GameState(
                    cursor.node,
                    dict(cursor.variables),
                    cursor.visits,
                    cursor.rng,
                    frozenset(),
                    cursor.chapter,
                    cursor.date,
                    cursor.turn,
                    cursor.awaiting_input,
                )
            )
        befores.reverse()
        for step, (action, before) in enumerate(zip(self._actions, befores), 1):
            if action.text is not None:
                text, typed = escape_markup(action.text), True
            else:
                node = self.story.nodes.get(action.node)
                choices = node.choices if node is not None else ()
                if action.choice is not None and 0 <= action.choice < len(choices):
                    text = render(choices[action.choice].text, self.values(before))
                else:
                    text = escape_markup(f"(a choice in {action.node})")
                typed = False
            entries.append(JournalEntry(step, before.chapter, before.date, text, typed))
        return tuple(entries)

    @property
    def can_rewind(self) -> bool:
        return bool(self._actions) and self.keep_history

    def enabled_choices(self) -> list[Choice]:
        """The choices the player may take now."""
        return list(stepper.enabled_choices(self.story, Cursor.thaw(self.state)))

    def values(self, state: GameState | None = None) -> Mapping[str, Value]:
        """The state's variables, with the story's computed values readable beside them."""
        state = state or self.state
        if not self.story.computed:
            return state.variables
        return Values(state.variables, state.visits, self.story.computed)

    def status(self, state: GameState | None = None) -> tuple[StatusItem, ...]:
        """The values the story shows (labelled, and whose `show_if` holds), in the manifest's order."""
        state = state or self.state
        cached = self._status_cache
        for known, items in cached:
            if known is state:  # each scene's status is asked again by the next (what changed)
                return items
        items = self._status(state)
        cached.append((state, items))
        if len(cached) > 2:
            del cached[0]
        return items

    def _pairs(self, items: tuple[StatusItem, ...]) -> tuple[tuple[str, str], ...]:
        """(label, value) pairs of a status, made once per status."""
        cached = self._pairs_cache
        if cached is not None and cached[0] is items:
            return cached[1]
        pairs = tuple((item.label, item.value) for item in items)
        self._pairs_cache = (items, pairs)
        return pairs

    def _status(self, state: GameState) -> tuple[StatusItem, ...]:
        variables, visits = state.variables, state.visits
        items = []
        for name, label, description, lo, hi, show_if, compute in self._plan:
            if show_if is not None and not self._holds(show_if, state, f"'show_if' of '{name}'"):
                continue
            if compute is None:
                value = variables[name]
            else:
                try:
                    value = compute(variables, visits)
                except EvalError as err:
                    raise StoryRuntimeError(f"computed value '{name}': {err}") from err
            kind = type(value)  # (mypy does not narrow `value` through `kind`: hence the two ignores)
            if kind is int:
                items.append(StatusItem(name, label, str(value), description, value, lo, hi))  # type: ignore[arg-type]  # an int
            else:
                text = ("yes" if value else "no") if kind is bool else escape_markup(value)  # type: ignore[arg-type]  # a text
                items.append(StatusItem(name, label, text, description, None, lo, hi))
        return tuple(items)

    def view(self) -> SceneView:
        """The current scene. A fault in the story (a division by zero in a condition, say) never
        escapes: the parts that fail are left out or locked, and `fault` says what happened.

        A scene is worked out once per state: `choose()` returns it, and the face that asks for
        it again (to draw, to pick by number) gets the same view for free.
        """
        cached = self._view_cache
        if cached is not None and cached[0] is self._state and cached[1] == len(self._actions):
            return cached[2]
        view = self._view()
        self._view_cache = (self._state, len(self._actions), view)
        return view

    def _view(self) -> SceneView:
        # Written for speed: this runs at every step a player (or a save's replay) takes. Each part
        # of the scene has its builder; a fault met in one is added to `faults` (a list made only
        # when there is a fault), and the scene shows it.
        state = self._state
        node = self.story.nodes[state.node]
        variables = state.variables if not self.story.computed else Values(state.variables, state.visits, self.story.computed)
        faults: list[str] | None = list(self._faults) if self._faults and not self._actions else None
        choices, faults = self._choice_views(node, state, variables, faults)
        try:
            items = self.status(state)
        except StoryRuntimeError as err:
            faults = (faults or []) + [str(err)]
            items = ()
        paragraphs = node.fixed_text
        if paragraphs is None:
            paragraphs, faults = self._shown_paragraphs(node, state, variables, faults)
        input_view = None
        if state.awaiting_input and node.input is not None:
            input_view = InputView(node.input.var, node.input.prompt, node.input.max_length)
        chosen, reply, tally, changes, unlocked = self._after_last_step(node, items, variables)
        return SceneView(
            node.id,
            paragraphs,
            choices,
            state.chapter,
            state.date,
            self._pairs(items),
            state.turn,
            node.ending.title if node.ending else None,
            input_view,
            chosen,
            reply,
            tally,
            changes,
            unlocked,
            items,
            "; ".join(dict.fromkeys(faults)) if faults else None,
        )

    def _choice_views(
        self, node: Node, state: GameState, variables: Mapping[str, Value], faults: list[str] | None
    ) -> tuple[tuple[ChoiceView, ...], list[str] | None]:
        """The scene's choices as shown (and `faults` with any met in their conditions)."""
        if state.awaiting_input:
            return (), faults
        if node.always_open:
            cached = self._choices_cache.get(node.id)  # fixed texts, every choice open: made once
            if cached is not None:
                return cached, faults
            choices = tuple(ChoiceView(number, choice.index, render(choice.text, variables), True) for number, choice in enumerate(node.choices, 1))
            if all(_fixed(c.text) for c in node.choices):
                self._choices_cache[node.id] = choices
            return choices, faults
        views: list[ChoiceView] = []
        for number, (choice, enabled, fault) in enumerate(stepper.offered(node, state.variables, state.visits, state.used_once), 1):
            if fault is not None:
                faults = (faults or []) + [fault]
                reason: str | None = "a fault in the story keeps this closed"
            else:
                reason = None if enabled or choice.locked_reason is None else render(choice.locked_reason, variables)
            views.append(ChoiceView(number, choice.index, render(choice.text, variables), enabled, reason))
        return tuple(views), faults

    def _shown_paragraphs(
        self, node: Node, state: GameState, variables: Mapping[str, Value], faults: list[str] | None
    ) -> tuple[tuple[str, ...], list[str] | None]:
        """The paragraphs of a node whose text is not fixed: those whose condition holds, rendered."""
        shown = []
        for paragraph in node.paragraphs:
            try:
                if self._holds(paragraph.condition, state, node.id):
                    shown.append(render(paragraph.parts, variables))
            except (StoryRuntimeError, EvalError) as err:
                faults = (faults or []) + [str(err)]
        return tuple(shown), faults

    def _after_last_step(
        self, node: Node, items: tuple[StatusItem, ...], variables: Mapping[str, Value]
    ) -> tuple[str | None, str | None, Tally | None, tuple[Change, ...], tuple[str, ...]]:
        """What the last step did, as the scene tells it: the choice taken and the story's reply,
        the vote it was a ballot in, the shown values it changed, the codex entries it unlocked."""
        codex_entries = self.story.codex
        before = self._state_before_last()
        if before is None:  # the first scene: nothing was chosen, and whatever it unlocks is new
            if not node.unlocks:
                return None, None, None, (), ()
            return None, None, None, (), tuple(codex_entries[e].title for e in node.unlocks if e in codex_entries)
        chosen = reply = tally = None
        step = self._last_step()
        if step is not None:
            choice, tally = step
            chosen = render(choice.text, self.values(before))
            reply = None if choice.reply is None else render(choice.reply, variables)
        try:
            changes = self._credited(self._changes(self.status(before), items), self.last_credits())
        except StoryRuntimeError:
            changes = ()
        unlocked: tuple[str, ...] = ()
        if node.unlocks:
            known = {e.id for e in codex.unlocked(self.story, before.visits)}
            unlocked = tuple(codex_entries[e].title for e in node.unlocks if e not in known and e in codex_entries)
        return chosen, reply, tally, changes, unlocked

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
        if cache is None or cache[0] != len(self._actions):
            self._step_again()
            cache = self._tally_cache
        return choice, cache[1] if cache is not None else None

    def last_vote(self) -> Tally | None:
        """The count of the last vote the player cast a ballot in (counted again: tallies are not saved), or None."""
        for index in range(len(self._actions) - 1, -1, -1):
            action = self._actions[index]
            node = self.story.nodes.get(action.node)
            if action.choice is None or node is None or node.vote is None:
                continue
            if index == len(self._actions) - 1:  # the last step: its count is kept
                step = self._last_step()
                return step[1] if step is not None else None
            cursor = Cursor.thaw(self.states[index])
            try:
                stepper.choose(self.story, cursor, action.choice)
            except (InvalidAction, StoryRuntimeError):
                return None
            return cursor.tally
        return None

    def last_credits(self) -> tuple[Credit, ...]:
        """Each value the last step changed, credited to its cause (the choice, the new scene, the vote, a routine)."""
        cache = self._credits_cache
        if cache is None or cache[0] != len(self._actions):
            self._step_again()
            cache = self._credits_cache
        return cache[1] if cache is not None else ()

    def credits_at(self, step: int, states: Sequence[GameState] | None = None) -> tuple[Credit, ...]:
        """What step `step` (0-based among the actions) changed, credited to its causes (for the stats screen and the summary)."""
        states = self.states if states is None else states
        return _step_credits(self.story, states[step], self._actions[step])

    def _step_again(self) -> None:
        """The last step played again from the state before it, for what it counted and credited
        (after a load or a rewind; a step taken in this session keeps both)."""
        before = self._state_before_last()
        if before is None:
            self._tally_cache = self._credits_cache = None
            return
        cursor = Cursor.thaw(before)
        cursor.credits = []
        action = self._actions[-1]
        try:
            if action.text is not None:
                stepper.submit(self.story, cursor, action.text)
            elif action.choice is not None:
                stepper.choose(self.story, cursor, action.choice)
        except (InvalidAction, StoryRuntimeError):
            cursor.tally, cursor.credits = None, []
        self._tally_cache = (len(self._actions), cursor.tally)
        self._credits_cache = (len(self._actions), tuple(cursor.credits))

    def _credited(self, changes: tuple[Change, ...], credits: tuple[Credit, ...]) -> tuple[Change, ...]:
        """The status's changes split by cause: first what the choice did (in the status's order, with
        what no effect wrote: a computed value, a value newly shown), then each other cause's changes
        in the order they happened, never netted across causes."""
        labels = self._labels
        groups: dict[str, dict[str, list[Value]]] = {}
        for credit in credits:
            if credit.name in labels:
                spans = groups.setdefault(credit.cause, {})
                spans.setdefault(credit.name, [credit.before, credit.after])[1] = credit.after
        own = groups.pop("", {})
        listed = {change.name for change in changes}
        if not groups and all(name in listed for name in own):  # one cause, all shown: the status's own changes
            return changes
        others = {name for spans in groups.values() for name in spans}
        # the choice's own: the status's changes, and what it changed that the status no longer shows (a value gone to 0)
        result = [change for change in changes if change.name not in others]
        result += self._spans("", {name: span for name, span in own.items() if name in others or name not in listed}, labels)
        for cause, spans in groups.items():
            result += self._spans(cause, spans, labels)
        return tuple(result)

    @staticmethod
    def _spans(cause: str, spans: dict[str, list[Value]], labels: Mapping[str, str]) -> list[Change]:
        result = []
        for name, (before, after) in spans.items():
            if before == after:
                continue
            number = isinstance(after, int) and not isinstance(after, bool) and isinstance(before, int)
            delta = int(after) - int(before) if number else None
            result.append(Change(labels[name], escape_markup(format_value(before)), escape_markup(format_value(after)), delta, cause, name))
        return result

    @staticmethod
    def _changes(before: tuple[StatusItem, ...], after: tuple[StatusItem, ...]) -> tuple[Change, ...]:
        if len(before) == len(after):  # the common case: the same values shown, some changed
            aligned = []
            for prior, item in zip(before, after):
                if prior.name != item.name:
                    break
                if prior.value != item.value:
                    delta = item.number - prior.number if item.number is not None and prior.number is not None else None
                    aligned.append(Change(item.label, prior.value, item.value, delta, name=item.name))
            else:
                return tuple(aligned)
        old = {item.name: item for item in before}
        result = []
        for item in after:
            was = old.get(item.name)
            if was is None:  # newly shown (its show_if came true): say what it is
                result.append(Change(item.label, "", item.value, None, name=item.name))
                continue
            if was.value == item.value:
                continue
            delta = item.number - was.number if item.number is not None and was.number is not None else None
            result.append(Change(item.label, was.value, item.value, delta, name=item.name))
        return tuple(result)

    def codex(self) -> list[CodexEntry]:
        """The codex entries this game has unlocked, in the order the player met them."""
        return codex.unlocked(self.story, self.state.visits)

    @staticmethod
    def _holds(condition: Condition | None, state: GameState, where: str) -> bool:
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
        self._apply(Action(self.state.node, choice=index, signature=signature), credit=True)
        return self.view()

    def choose_number(self, number: int) -> SceneView:
        """Take the choice the player sees as `number` (1-based, as on screen)."""
        for choice in self.view().choices:
            if choice.number == number:
                return self.choose(choice.index)
        raise InvalidAction(f"there is no choice {number}")

    def submit(self, text: str) -> SceneView:
        """Answer the current node's input prompt."""
        self._apply(Action(self.state.node, text=text), credit=True)
        return self.view()

    def rewind(self, steps: int = 1) -> SceneView:
        """Go back `steps` actions; the undone actions are forgotten."""
        steps = max(0, min(steps, len(self._actions)))
        self._tally_cache = self._credits_cache = None
        if steps and self.keep_history:
            if steps > len(self._undo):
                steps = min(steps, len(self._history()))
            cursor = Cursor.thaw(self._state)
            for undo in reversed(self._undo[-steps:]):
                history.step_back(cursor, undo)
            self._state = cursor.freeze()
            del self._undo[-steps:]
            del self._actions[-steps:]
            self._previous = None
        return self.view()

    def apply(self, action: Action) -> None:
        """Replay one recorded action (saves and tests); raises InvalidAction if it no longer applies.

        A choice is matched by its signature, so a story edit that reorders choices still replays,
        and one that changes what a choice says or where it leads stops the replay there.
        """
        self._apply(self.resolve(action))

    def replay(self, actions: Sequence[Action]) -> int:
        """Apply recorded actions in order, stopping at the first that no longer applies.

        Returns how many applied. One cursor runs the whole replay (a save may hold thousands
        of actions), and an undo record is kept after each, exactly as if they had been played.
        """
        story = self.story
        start, already = self._state, len(self._actions)
        cursor = Cursor.thaw(start)
        self._previous = None
        self._tally_cache = self._credits_cache = None
        for done, action in enumerate(actions):  # noqa: B007 - `done` is read after a break
            try:
                action = self.resolve(action, cursor.node)
                if action.node != cursor.node or (action.text is None and action.choice is None):
                    break
                before = (
                    (
                        cursor.node,
                        dict(cursor.variables),
                        cursor.rng,
                        frozenset(cursor.used_once),
                        cursor.chapter,
                        cursor.date,
                        cursor.turn,
                        cursor.awaiting_input,
                    )
                    if self.keep_history
                    else None
                )
                # (the variables are copied because the cursor moves on; a step changes few of them)
                if action.text is not None:
                    stepper.submit(story, cursor, action.text)
                else:
                    stepper.choose(story, cursor, action.choice)  # type: ignore[arg-type]  # not None: checked above
            except (InvalidAction, StoryRuntimeError, KeyError):
                # The cursor may be half-moved: the last whole state is the start plus what applied.
                cursor = self._replayed(start, self._actions[already:])
                break
            self._actions.append(action)
            if before is not None:
                entered = action.choice is not None
                names = history.written(story, before[0], action.choice, cursor.node)
                self._undo.append(history.record(*before, cursor, entered, cursor.visits[cursor.node] - 1 if entered else 0, names))
        else:
            done = len(actions)
        self._state = cursor.freeze()
        return done

    def _replayed(self, start: GameState, actions: list[Action]) -> Cursor:
        """A cursor at `start` with `actions` (already known to apply) played again."""
        cursor = Cursor.thaw(start)
        for action in actions:
            if action.text is not None:
                stepper.submit(self.story, cursor, action.text)
            else:
                stepper.choose(self.story, cursor, action.choice)  # type: ignore[arg-type]  # a choice: it applied before
        return cursor

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

    def _apply(self, action: Action, *, credit: bool = False) -> None:
        """One action; with `credit` (a player's own step), what it counted and credited is kept for the view."""
        self._tally_cache = self._credits_cache = None
        state = self.state
        if action.node != state.node:
            raise InvalidAction(f"this action belongs to node '{action.node}', but the game is at '{state.node}'")
        cursor = Cursor.thaw(state)
        if credit:
            cursor.credits = []
        if action.text is not None:
            stepper.submit(self.story, cursor, action.text)
        elif action.choice is not None:
            stepper.choose(self.story, cursor, action.choice)
        else:
            raise InvalidAction("an action must be a choice or a text")
        new_state = cursor.freeze()
        self._actions.append(action)
        if cursor.credits is not None:
            self._tally_cache = (len(self._actions), cursor.tally)
            self._credits_cache = (len(self._actions), tuple(cursor.credits))
        if self.keep_history:
            entered = action.choice is not None
            names = history.written(self.story, state.node, action.choice, cursor.node)
            self._undo.append(
                history.record(
                    state.node,
                    state.variables,
                    state.rng,
                    state.used_once,
                    state.chapter,
                    state.date,
                    state.turn,
                    state.awaiting_input,
                    cursor,
                    entered,
                    cursor.visits[cursor.node] - 1 if entered else 0,
                    names,
                )
            )
            self._previous = (len(self._actions), state)  # the very state object: its status is cached
        else:
            self._previous = None
        self._state = new_state
