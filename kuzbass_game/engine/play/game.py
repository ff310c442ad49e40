"""Playing a story: `Game` turns player intents into new `GameState`s and describes each scene.

Every face (Textual app, plain line mode, save replay) drives the same four calls: `view()`,
`choose()`, `submit()` and `rewind()`. The rules themselves live in stepper.py; `Game` adds
the history of immutable states that makes rewinding free and saves verifiable.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar, overload

from kuzbass_game.engine.play import codex
from kuzbass_game.engine.play import history
from kuzbass_game.engine.play import stepper
from kuzbass_game.engine.core.expr import Condition, EvalError, Value
from kuzbass_game.engine.core.text import escape_markup, plain_text
from kuzbass_game.engine.core.model import Choice, CodexEntry, Node, Story, Variable
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


_new = tuple.__new__  # (a view a choice and step: built as a tuple, past the named tuple's keyword-reading __new__)


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


_Part = TypeVar("_Part")
# The parts of a scene worked out when first read (see `SceneView`).
LATER_PARTS = ("paragraphs", "status", "items", "chosen", "reply", "tally", "changes", "unlocked", "fault")


class _Later(Generic[_Part]):
    """A part of a scene worked out when first read (see `SceneView`): kept in the slot of its name with a `_` before it."""

    __slots__ = ("slot",)

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    @overload
    def __get__(self, view: None, owner: type | None = None) -> _Later[_Part]: ...
    @overload
    def __get__(self, view: SceneView, owner: type | None = None) -> _Part: ...
    def __get__(self, view: SceneView | None, owner: type | None = None) -> _Part | _Later[_Part]:
        if view is None:
            return self
        if view._later is not None:
            view._resolve()
        return getattr(view, self.slot)  # type: ignore[no-any-return]  # the slot holds the part


class SceneView:
    """One scene as the faces show it.

    What the scene offers (its choices, where and when, an ending or a question) is worked out when
    the view is made. Its text, when it is not the same for every player, and what the last step did
    (the status and what changed, each change credited to its cause; the choice taken and the
    story's reply; the vote's count; the codex entries unlocked) are worked out when one of them is
    first read, and kept: a face reads them all at once, and a tool that only walks the story (a
    story test between its checkpoints, a benchmark's player) pays for none of it. A view holds
    what it needs for that, so it reads the same after the game has moved on.
    """

    # (a part worked out later lives in the slot of its name with a `_` before it, see `_Later`)
    __slots__ = ("node_id", "choices", "chapter", "date", "turn", "ending", "input", "_later", *(f"_{name}" for name in LATER_PARTS))

    FIELDS = (
        "node_id",
        "paragraphs",
        "choices",
        "chapter",
        "date",
        "status",
        "turn",
        "ending",
        "input",
        "chosen",
        "reply",
        "tally",
        "changes",
        "unlocked",
        "items",
        "fault",
    )

    paragraphs: _Later[tuple[str, ...]] = _Later()  # markup, values escaped
    status: _Later[tuple[tuple[str, str], ...]] = _Later()  # (label, value) as markup, for the variables the manifest labels
    items: _Later[tuple[StatusItem, ...]] = _Later()  # the status, with descriptions and numbers
    chosen: _Later[str | None] = _Later()  # the choice that led here, as it read when taken (markup)
    reply: _Later[str | None] = _Later()  # the story's answer to that choice (markup)
    tally: _Later[Tally | None] = _Later()  # the vote that choice was a ballot in, counted faction by faction
    changes: _Later[tuple[Change, ...]] = _Later()  # shown values the last step changed
    unlocked: _Later[tuple[str, ...]] = _Later()  # titles of codex entries this scene unlocked
    fault: _Later[str | None] = _Later()  # a fault in the story met while showing this scene (the game goes on)

    def __init__(
        self,
        node_id: str,
        paragraphs: tuple[str, ...] | None,  # None: worked out when first read
        choices: tuple[ChoiceView, ...],
        chapter: str | None,
        date: str | None,
        turn: int,
        ending: str | None,  # the ending's title when this scene ends the story
        input: InputView | None,
        later: tuple[
            Game, Node, GameState, GameState | None, Action | None, tuple[int, Tally | None, tuple[Credit, ...] | None] | None, list[str] | None
        ]
        | None,
    ) -> None:
        self.node_id = node_id
        self._paragraphs = paragraphs
        self.choices = choices
        self.chapter = chapter
        self.date = date
        self.turn = turn
        self.ending = ending
        self.input = input
        self._later: tuple[Any, ...] | None = later

    def _resolve(self) -> None:
        game, node, state, before, action, played, faults = self._later  # type: ignore[misc]  # not None: checked by the caller
        paragraphs = self._paragraphs
        if paragraphs is None:
            paragraphs, faults = game._shown_paragraphs(node, state, faults)
        items, pairs, chosen, reply, tally, changes, unlocked, faults = game._aftermath(node, state, before, action, played, faults)
        # (set once all of it is worked out: what raised here raises again on the next read, never a part unset)
        self._paragraphs, self._items, self._status, self._chosen, self._reply, self._tally = paragraphs, items, pairs, chosen, reply, tally
        self._changes, self._unlocked = changes, unlocked
        self._fault = "; ".join(dict.fromkeys(faults)) if faults else None
        self._later = None

    def _astuple(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SceneView) and self._astuple() == other._astuple()

    __hash__ = None  # type: ignore[assignment]  # a view is compared by what it shows, and not hashed

    def __repr__(self) -> str:
        return "SceneView(" + ", ".join(f"{name}={value!r}" for name, value in zip(self.FIELDS, self._astuple())) + ")"

    def _replace(self, **parts: Any) -> SceneView:
        """A copy with some parts replaced (a face showing a scene again without what led to it)."""
        unknown = set(parts) - set(self.FIELDS)
        if unknown:
            raise ValueError(f"a scene has no part called {sorted(unknown)[0]!r}")
        if self._later is not None:
            self._resolve()
        copy = SceneView(self.node_id, self._paragraphs, self.choices, self.chapter, self.date, self.turn, self.ending, self.input, None)
        for name in LATER_PARTS:
            setattr(copy, f"_{name}", parts.get(name, getattr(self, f"_{name}")))
        for name in set(parts) - set(LATER_PARTS):
            setattr(copy, name, parts[name])
        return copy

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


def _played_again(story: Story, before: GameState, action: Action) -> tuple[Tally | None, tuple[Credit, ...]]:
    """One recorded step played again from the state before it: the vote it counted, and each change credited."""
    cursor = Cursor.thaw(before)
    cursor.credits = []
    try:
        if action.text is not None:
            stepper.submit(story, cursor, action.text)
        elif action.choice is not None:
            stepper.choose(story, cursor, action.choice)
    except (InvalidAction, StoryRuntimeError):
        return None, ()
    return cursor.tally, tuple(cursor.credits)


def _status_plan(story: Story) -> tuple[tuple[tuple[str, str, str | None, int | None, int | None, Condition | None, Any], ...], dict[str, str]]:
    """What the status shows, laid out once: (name, label, description, min, max, show_if, compute
    or None) for each shown value; and shown name -> its label, for credited changes."""
    plan = tuple(
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
    return plan, {item[0]: item[1] for item in plan}


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


class Game:
    """One playthrough of a story, with its whole history (so rewinding is cheap).

    The newest state is kept whole; every earlier one is reached by stepping back through one
    small undo record per action (history.py), so a long game costs memory per step, not per
    step times the size of the state.
    """

    def __init__(
        self, story: Story, seed: int | None = None, *, keep_history: bool = True, base: GameState | None = None, credit: bool = True
    ) -> None:
        """A new game at the story's start, or from `base` (a save rebased after a story edit).

        `credit`: each step credits its changes to their causes as it runs, for its view (a face
        reads them at every step). Without, a view's changes are credited when first read, by
        playing the step again: for a tool that reads few of them (a story test, at its checkpoints)."""
        self.story = story
        self._credit = credit
        self._computed = story.computed or None  # (asked at every step: a cached story's table is lazy)
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
        # Node id -> offer key -> the views of its choices, for nodes whose choices read the same for every player.
        self._memo: dict[str, dict[int, tuple[ChoiceView, ...]]] = story.memo.setdefault("choice views", {})
        # What the status shows, laid out once for the story (see `_status_plan`), and each shown name's label.
        self._plan, self._labels = story.memo.get("status plan") or story.memo.setdefault("status plan", _status_plan(story))
        self._actions: list[Action] = []
        # What the last step counted (a vote) and, once asked, credited (each change to its cause):
        # (how many actions then, the tally, the credits or None until a view's changes are read).
        self._played: tuple[int, Tally | None, tuple[Credit, ...] | None] | None = None

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
        state = state or self._state
        if self._computed is None:
            return state.variables
        return Values(state.variables, state.visits, self._computed)

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
        # Written for speed: this runs at every step a player (or a story test) takes. What the
        # scene is gets worked out here; what the last step did, when the view is first asked
        # for it (`_aftermath`). A fault met in a part is added to `faults` (a list made only
        # when there is a fault), and the scene shows it.
        state = self._state
        node = self.story.nodes[state.node]
        faults: list[str] | None = list(self._faults) if self._faults and not self._actions else None
        choices, faults = self._choice_views(node, state, faults)
        input_view = None
        if state.awaiting_input and node.input is not None:
            input_view = InputView(node.input.var, node.input.prompt, node.input.max_length)
        played = self._played
        if played is not None and played[0] != len(self._actions):
            played = None
        # (the view keeps the game, to read its status cache; the state, the one before and the
        # action, to tell what the step did even after the game moves on)
        return SceneView(
            node.id,
            node.fixed_text,  # (a text that is not the same for every player: worked out when read)
            choices,
            state.chapter,
            state.date,
            state.turn,
            node.ending.title if node.ending else None,
            input_view,
            (
                self,
                node,
                state,
                self._state_before_last(),
                self._actions[-1] if self._actions else None,
                played,
                faults,
            ),
        )

    def _choice_views(self, node: Node, state: GameState, faults: list[str] | None) -> tuple[tuple[ChoiceView, ...], list[str] | None]:
        """The scene's choices as shown (and `faults` with any met in their conditions).

        Where no choice's text or lock reason has a {hole} (`Node.fixed_choices`), the views depend
        only on which choices are shown and which are open: they are made once for each such offer
        and kept with the story (`Story.memo`), for every game of it."""
        if state.awaiting_input:
            return (), faults
        if node.always_open:
            key, offered = (1 << 2 * len(node.choices)) - 1, None  # (offered_keyed's key when every choice is open)
        else:
            key, offered = stepper.offered_keyed(node, state.variables, state.visits, state.used_once)
        kept = None
        if node.fixed_choices and key >= 0:
            kept = self._memo.get(node.id)
            if kept is None:
                kept = self._memo[node.id] = {}
            cached = kept.get(key)
            if cached is not None:
                return cached, faults
        variables = self.values(state)
        if offered is None:
            views = tuple(
                _new(ChoiceView, (number, choice.index, render(choice.text, variables), True, None)) for number, choice in enumerate(node.choices, 1)
            )
        else:
            views, faults = self._offered_views(offered, variables, faults)
        if kept is not None:
            kept[key] = views
        return views, faults

    @staticmethod
    def _offered_views(
        offered: list[tuple[Choice, bool, str | None]], variables: Mapping[str, Value], faults: list[str] | None
    ) -> tuple[tuple[ChoiceView, ...], list[str] | None]:
        views: list[ChoiceView] = []
        for number, (choice, enabled, fault) in enumerate(offered, 1):
            if fault is not None:
                faults = (faults or []) + [fault]
                reason: str | None = "a fault in the story keeps this closed"
            else:
                reason = None if enabled or choice.locked_reason is None else render(choice.locked_reason, variables)
            views.append(_new(ChoiceView, (number, choice.index, render(choice.text, variables), enabled, reason)))
        return tuple(views), faults

    def _shown_paragraphs(self, node: Node, state: GameState, faults: list[str] | None) -> tuple[tuple[str, ...], list[str] | None]:
        """The paragraphs of a node whose text is not fixed: those whose condition holds, rendered."""
        variables = self.values(state)
        shown = []
        for paragraph in node.paragraphs:
            try:
                if self._holds(paragraph.condition, state, node.id):
                    shown.append(render(paragraph.parts, variables))
            except (StoryRuntimeError, EvalError) as err:
                faults = (faults or []) + [str(err)]
        return tuple(shown), faults

    def _aftermath(
        self,
        node: Node,
        state: GameState,
        before: GameState | None,
        action: Action | None,
        played: tuple[int, Tally | None, tuple[Credit, ...] | None] | None,
        faults: list[str] | None,
    ) -> tuple[
        tuple[StatusItem, ...],
        tuple[tuple[str, str], ...],
        str | None,
        str | None,
        Tally | None,
        tuple[Change, ...],
        tuple[str, ...],
        list[str] | None,
    ]:
        """What the step from `before` to `state` did, as the scene tells it (`SceneView`'s parts
        worked out when first read): the status and the values it changed, credited to their
        causes; the choice taken and the story's reply; the vote it was a ballot in; the codex
        entries it unlocked; and `faults` with any met on the way. `played` is the step's count, and its
        credits once worked out (see `_last_played`); the step is played again from `before` for what is missing."""
        try:
            items = self.status(state)
        except StoryRuntimeError as err:
            faults = (faults or []) + [str(err)]
            items = ()
        pairs = self._pairs(items)
        codex_entries = self.story.codex
        if before is None or action is None:  # the first scene: nothing was chosen, and whatever it unlocks is new
            unlocked = tuple(codex_entries[e].title for e in node.unlocks if e in codex_entries)
            return items, pairs, None, None, None, (), unlocked, faults
        if played is None or played[2] is None:
            tally, credits = _played_again(self.story, before, action)
            if played is not None and played is self._played:  # still the game's last step: keep them
                self._played = (played[0], tally, credits)
        else:
            tally, credits = played[1], played[2]
        chosen = reply = None
        choice = self._choice_taken(action)
        if choice is not None:
            variables = self.values(state)
            chosen = render(choice.text, self.values(before))
            reply = None if choice.reply is None else render(choice.reply, variables)
        if choice is None or choice.ballot is None:
            tally = None
        try:
            changes = self._credited(self._changes(self.status(before), items), credits)
        except StoryRuntimeError:
            changes = ()
        unlocked = ()
        if node.unlocks:
            known = {e.id for e in codex.unlocked(self.story, before.visits)}
            unlocked = tuple(codex_entries[e].title for e in node.unlocks if e not in known and e in codex_entries)
        return items, pairs, chosen, reply, tally, changes, unlocked, faults

    def _choice_taken(self, action: Action) -> Choice | None:
        """The choice an action took (None for a typed answer, or a choice the story no longer has)."""
        if action.choice is None:
            return None
        node = self.story.nodes.get(action.node)
        if node is None or not 0 <= action.choice < len(node.choices):
            return None
        return node.choices[action.choice]

    def _last_played(self) -> tuple[Tally | None, tuple[Credit, ...]]:
        """What the last step counted and credited. A step taken in this session keeps its count; its
        credits are worked out when first asked for (a face reads them at once, a story test or a tool
        seldom), by playing the step again from the state before it, as after a load or a rewind. A
        tally is not saved either: counted again from the state before the ballot, it is the very
        same (the dice are part of that state)."""
        played = self._played
        if played is None or played[0] != len(self._actions) or played[2] is None:
            before = self._state_before_last()
            tally, credits = _played_again(self.story, before, self._actions[-1]) if before is not None else (None, ())
            self._played = (len(self._actions), tally, credits)
            return tally, credits
        return played[1], played[2]

    def last_vote(self) -> Tally | None:
        """The count of the last vote the player cast a ballot in (counted again: tallies are not saved), or None."""
        for index in range(len(self._actions) - 1, -1, -1):
            action = self._actions[index]
            node = self.story.nodes.get(action.node)
            if action.choice is None or node is None or node.vote is None:
                continue
            if index == len(self._actions) - 1:  # the last step: its count is kept
                choice = self._choice_taken(action)
                return self._last_played()[0] if choice is not None and choice.ballot is not None else None
            cursor = Cursor.thaw(self.states[index])
            try:
                stepper.choose(self.story, cursor, action.choice)
            except (InvalidAction, StoryRuntimeError):
                return None
            return cursor.tally
        return None

    def last_credits(self) -> tuple[Credit, ...]:
        """Each value the last step changed, credited to its cause (the choice, the new scene, the vote, a routine)."""
        if not self._actions:
            return ()
        return self._last_played()[1]

    def credits_at(self, step: int, states: Sequence[GameState] | None = None) -> tuple[Credit, ...]:
        """What step `step` (0-based among the actions) changed, credited to its causes (for the stats screen and the summary)."""
        states = self.states if states is None else states
        return _played_again(self.story, states[step], self._actions[step])[1]

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
        at = self._state.node
        choices = self.story.nodes[at].choices
        signature = choices[index].signature if 0 <= index < len(choices) else None
        self._apply(_new(Action, (at, index, None, signature)))
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
        self._played = None
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
        self._played = None
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
                changed = history.changed(before[1], cursor.variables, history.written(story, before[0], action.choice, cursor.node))
                self._undo.append(history.record(*before, cursor, entered, cursor.visits[cursor.node] - 1 if entered else 0, changed))
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

    def _apply(self, action: Action) -> None:
        """One action; the vote it counted, if any, is kept for the view (`_played`)."""
        self._played = None
        state = self._state
        if action.node != state.node:
            raise InvalidAction(f"this action belongs to node '{action.node}', but the game is at '{state.node}'")
        cursor = Cursor.thaw(state)
        if self._credit:
            cursor.credits = []
        if action.text is not None:
            stepper.submit(self.story, cursor, action.text)
        elif action.choice is not None:
            stepper.choose(self.story, cursor, action.choice)
        else:
            raise InvalidAction("an action must be a choice or a text")
        new_state = cursor.freeze()
        self._actions.append(action)
        credits = None if cursor.credits is None else tuple(cursor.credits)
        self._played = (len(self._actions), cursor.tally, credits)
        if self.keep_history:
            entered = action.choice is not None
            if credits is not None:
                changed = history.credited(credits)  # (what it changed, as credited: no set of names to build)
            else:
                changed = history.changed(state.variables, cursor.variables, history.written(self.story, state.node, action.choice, cursor.node))
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
                    cursor.visits.get(cursor.node, 1) - 1 if entered else 0,
                    changed,
                )
            )
            self._previous = (len(self._actions), state)  # the very state object: its status is cached
        else:
            self._previous = None
        self._state = new_state
