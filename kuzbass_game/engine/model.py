"""The loaded story: immutable, compiled once, shared by every game played on it.

The compiled graph (story, nodes, choices, branches, paragraphs) compares by identity (there
is one of each per loaded story); besides, skipping the generated `__eq__` and `__hash__`
keeps this module cheap to import, which every launch does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from kuzbass_game.engine.diagnostics import Mark

if TYPE_CHECKING:  # only annotations: a launch that builds no node yet need not import the compiler of expressions
    from kuzbass_game.engine.expr import Condition, Effects, Value


@dataclass(frozen=True)
class Variable:
    name: str
    type: str  # int | bool | text
    default: Value
    minimum: int | None = None
    maximum: int | None = None
    label: str | None = None
    mark: Mark | None = field(default=None, compare=False)

    def clamp(self, value: Value) -> Value:
        """Keep ints inside the declared range, so authors can write `health -= 3` without guards."""
        if self.type != "int":
            return value
        if self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            return self.minimum
        if self.maximum is not None and value > self.maximum:  # type: ignore[operator]
            return self.maximum
        return value


@dataclass(frozen=True)
class VarRef:
    """A `{name}` hole in node text, filled with the variable's value when shown."""

    name: str


TextPart = str | VarRef


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
    # The choice's name in `once` bookkeeping and coverage reports; made once, read every step.
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"{self.node_id}#{self.index}")

    @property
    def targets(self) -> tuple[str, ...]:
        if self.target is not None:
            return (self.target,)
        return tuple(b.target for b in self.branches)


@dataclass(frozen=True)
class InputSpec:
    var: str
    prompt: str
    max_length: int = 24


@dataclass(frozen=True)
class Ending:
    title: str


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
    # True when no choice here has a condition or is `once`: every choice is always open, so
    # the stepper can hand out `choices` as they are (most nodes of a story; read every step).
    always_open: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "always_open", all(c.condition is None and not c.once for c in self.choices))


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

    def defaults(self) -> dict[str, Value]:
        return {name: var.default for name, var in self.variables.items()}

    @property
    def endings(self) -> dict[str, Node]:
        return {node_id: node for node_id, node in self.nodes.items() if node.ending is not None}

    @cached_property
    def choice_count(self) -> int:
        """How many choices the story has in all (coverage reports ask on every exploration)."""
        return sum(len(node.choices) for node in self.nodes.values())

    @property
    def shown_variables(self) -> list[Variable]:
        return [var for var in self.variables.values() if var.label]
