"""The loaded story: immutable, compiled once, shared by every game played on it.

The compiled graph (story, nodes, choices, branches, paragraphs) compares by identity (there
is one of each per loaded story); besides, skipping the generated `__eq__` and `__hash__`
keeps this module cheap to import, which every launch does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Mapping

from kuzbass_game.engine.core.diagnostics import Mark

if TYPE_CHECKING:  # only annotations: a launch that builds no node yet need not import the compiler of expressions
    from kuzbass_game.engine.core.expr import Condition, Effects, Evaluator, Value


@dataclass(frozen=True)
class Variable:
    name: str
    type: str  # int | bool | text
    default: Value
    minimum: int | None = None
    maximum: int | None = None
    label: str | None = None
    mark: Mark | None = field(default=None, compare=False)
    values: tuple[str, ...] | None = None  # an enumerated text variable's only values
    description: str | None = None  # what it measures, for the stats screen and tooltips
    show_if: Condition | None = field(default=None, compare=False)  # shown in the status only while this holds

    def clamp(self, value: Value) -> Value:
        """Keep ints inside the declared range, so authors can write `health -= 3` without guards."""
        if self.type != "int":
            return value
        if self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            return self.minimum
        if self.maximum is not None and value > self.maximum:  # type: ignore[operator]
            return self.maximum
        return value


@dataclass(frozen=True, eq=False)
class Computed:
    """A value worked out from the state each time it is read (`pay` from `grade`, say)."""

    name: str
    type: str
    source: str
    run: Evaluator
    label: str | None = None
    description: str | None = None
    show_if: Condition | None = None
    mark: Mark | None = None


@dataclass(frozen=True, eq=False)
class Routine:
    """Named effects declared once and run by name (a month's rations, a pay-day)."""

    name: str
    effects: Effects
    mark: Mark | None = None
    label: str | None = None  # what the change line credits its changes to ("the monthly issue"); None: its caller


@dataclass(frozen=True, eq=False)
class CodexEntry:
    """An explanation the player unlocks: a term, a person, or what the sources say of a doubtful point."""

    id: str
    title: str
    text: tuple[str, ...]  # paragraphs, as author markup
    sources: tuple[str, ...] = ()
    mark: Mark | None = None


@dataclass(frozen=True)
class VarRef:
    """A `{name}` hole in node text, filled with the variable's value when shown."""

    name: str


TextPart = str | VarRef


@dataclass(frozen=True, eq=False)
class PersonLine:
    """One line the run summary may say of a person: shown when its condition holds at the end."""

    text: tuple[TextPart, ...]  # author markup, with `{name}` holes
    condition: Condition | None = None  # None: always (a person's last word, after the lines with an `if`)
    mark: Mark | None = None


@dataclass(frozen=True, eq=False)
class Person:
    """Someone the run may have kept or lost: the run summary's "Who stayed with you" shows the
    first of their lines whose condition holds at the end of the run, or none."""

    id: str
    lines: tuple[PersonLine, ...]
    mark: Mark | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Paragraph:
    """One paragraph of node text, shown only while its condition (if any) holds."""

    parts: tuple[TextPart, ...]
    condition: Condition | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Branch:
    """One weighted outcome of a random choice."""

    target: str
    weight: int
    condition: Condition | None = None
    mark: Mark | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, eq=False)
class Choice:
    node_id: str
    index: int  # position in the node's list: the stable key saves record
    text: tuple[TextPart, ...]
    target: str | None
    branches: tuple[Branch, ...] = ()
    condition: Condition | None = None
    locked_reason: tuple[TextPart, ...] | None = None
    effects: Effects | None = None
    once: bool = False
    mark: Mark | None = field(default=None, compare=False)
    signature: str = ""  # hash of the text and targets: lets a save notice the choice was changed
    reply: tuple[TextPart, ...] | None = None  # the story's answer, shown atop the next scene
    ballot: str | None = None  # in a vote node: for | against | abstain (the choice casts it)
    # The choice's name in `once` bookkeeping and coverage reports; made once, read every step.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.node_id}#{self.index}")

    @property
    def targets(self) -> tuple[str, ...]:
        if self.target is not None:
            return (self.target,)
        return tuple(b.target for b in self.branches)


@dataclass(frozen=True, slots=True, eq=False)
class Move:
    """Something that moved a faction: `by` points for the motion while `condition` holds."""

    by: Evaluator
    why: str
    condition: Condition | None = None
    by_source: str = ""


BALLOTS = ("for", "against", "abstain")  # the player's hand at a vote
OUTCOMES = ("passed", "failed", "tied")  # what a vote can come to; `tied` only where the story says where a tie leads


@dataclass(frozen=True, slots=True, eq=False)
class Faction:
    """One part of the meeting: how many vote, and what share of them leans for the motion."""

    name: str
    size: Evaluator
    lean: Evaluator  # per cent for, before moves and swing
    swing: int = 0  # ± this many points, from the game's dice
    moves: tuple[Move, ...] = ()
    size_source: str = ""
    lean_source: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Vote:
    """An assembly held in a node: the player's ballot choices lead to one outcome's node."""

    id: str
    question: str
    factions: tuple[Faction, ...]
    outcomes: Mapping[str, str]  # passed / failed / tied -> node id
    record: str | None = None  # a text variable that receives the outcome
    mark: Mark | None = None


@dataclass(frozen=True)
class InputSpec:
    var: str
    prompt: str
    max_length: int = 24


@dataclass(frozen=True)
class Ending:
    title: str


def _fixed(parts: tuple[TextPart, ...]) -> bool:
    """Whether a text reads the same for every player: no {hole} to fill."""
    return all(type(part) is str for part in parts)


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    id: str
    paragraphs: tuple[Paragraph, ...]
    choices: tuple[Choice, ...] = ()
    effects: Effects | None = None
    chapter: str | None = None
    date: str | None = None
    ending: Ending | None = None
    input: InputSpec | None = None
    mark: Mark | None = field(default=None, compare=False)
    unlocks: tuple[str, ...] = ()  # codex entries the player learns on arriving here
    vote: Vote | None = None
    # True when no choice here has a condition or is `once`: every choice is always open, so
    # the stepper can hand out `choices` as they are (most nodes of a story; read every step).
    always_open: bool = field(init=False, repr=False, compare=False)
    # The node's text when no paragraph has a condition or a {hole}: the same for every player,
    # so showing the scene needs no rendering at all (most scenes of a story).
    fixed_text: tuple[str, ...] | None = field(init=False, repr=False, compare=False)
    # True when no choice's text or lock reason has a {hole}: a choice reads the same for every
    # player, and only which are shown and open changes (the view of its choices is made once per set).
    fixed_choices: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "always_open", all(c.condition is None and not c.once for c in self.choices))
        object.__setattr__(self, "fixed_choices", all(_fixed(c.text) and (c.locked_reason is None or _fixed(c.locked_reason)) for c in self.choices))
        fixed = all(p.condition is None and len(p.parts) == 1 and type(p.parts[0]) is str for p in self.paragraphs)
        object.__setattr__(self, "fixed_text", tuple(p.parts[0] for p in self.paragraphs) if fixed else None)


@dataclass(frozen=True, eq=False)
class Story:
    id: str
    title: str
    start: str
    variables: Mapping[str, Variable]
    nodes: Mapping[str, Node]
    fingerprint: str
    root: Path | None = None
    start_mark: Mark | None = field(default=None, compare=False)
    description: str | None = None
    author: str | None = None
    computed: Mapping[str, Computed] = field(default_factory=dict)
    routines: Mapping[str, Routine] = field(default_factory=dict)
    codex: Mapping[str, CodexEntry] = field(default_factory=dict)
    layers: tuple[str, ...] = ()  # the ids of the layers laid over the story, bottom first
    introduction: tuple[str, ...] = ()  # paragraphs (markup) a player may read before a new game
    afterword: tuple[str, ...] = ()  # paragraphs (markup) shown after an ending: what became of it all
    ending_ids: tuple[str, ...] | None = None  # known without building nodes (a cached story)
    node_layer: Mapping[str, str] = field(default_factory=dict)  # node id -> the layer that added it
    extended: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # node id -> layers that added to it
    layer_titles: Mapping[str, str] = field(default_factory=dict)  # layer id -> its title, as its manifest gives it
    layer_folders: tuple[str, ...] = ()  # each layer's folder (absolute), in the order of `layers`: saves name it
    people: Mapping[str, Person] = field(default_factory=dict)  # person id -> the lines the run summary may say of them

    def defaults(self) -> dict[str, Value]:
        return {name: var.default for name, var in self.variables.items()}

    @cached_property
    def memo(self) -> dict[str, Any]:
        """What play works out once for every game of this story (the views of a node's choices
        that read the same for every player, see `Game`): kept with the story, so that a new game, a
        story test or the next run of a tool finds it made. A story reloaded is a new one."""
        return {}

    @property
    def endings(self) -> dict[str, Node]:
        """Node id -> node, for the endings. A cached story knows their ids, so asking builds
        only those nodes, not every node of the story (the title screen asks)."""
        if self.ending_ids is not None:
            return {node_id: self.nodes[node_id] for node_id in self.ending_ids}
        return {node_id: node for node_id, node in self.nodes.items() if node.ending is not None}

    @property
    def ending_count(self) -> int:
        """How many endings the story has; a cached story answers without building a node (a launch asks)."""
        return len(self.ending_ids) if self.ending_ids is not None else len(self.endings)

    @cached_property
    def choice_count(self) -> int:
        """How many choices the story has in all (coverage reports ask on every exploration)."""
        return sum(len(node.choices) for node in self.nodes.values())

    @cached_property
    def shown(self) -> tuple[Variable | Computed, ...]:
        """What the status panel shows: labelled variables, then labelled computed values."""
        return (*(var for var in self.variables.values() if var.label), *(c for c in self.computed.values() if c.label))

    @cached_property
    def votes(self) -> dict[str, Vote]:
        """Vote id -> vote, for every assembly in the story."""
        return {node.vote.id: node.vote for node in self.nodes.values() if node.vote is not None}
