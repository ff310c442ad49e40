"""Filling `{name}` holes in story text with escaped values, for the faces to show."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from kuzbass_game.engine.core.expr import EvalError, Value
from kuzbass_game.engine.core.text import escape_markup
from kuzbass_game.engine.core.model import Computed, TextPart, VarRef


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render(parts: Sequence[TextPart], variables: Mapping[str, Value]) -> str:
    """Author markup stays markup; every value is escaped so it shows literally."""
    if len(parts) == 1 and type(parts[0]) is str:  # most texts: no {holes}
        return parts[0]
    return "".join(escape_markup(format_value(variables[p.name])) if isinstance(p, VarRef) else p for p in parts)


class Values(Mapping[str, Value]):
    """A game's variables plus the story's computed values, worked out when a text asks for one."""

    __slots__ = ("variables", "visits", "computed")

    def __init__(self, variables: Mapping[str, Value], visits: Mapping[str, int], computed: Mapping[str, Computed]) -> None:
        self.variables = variables
        self.visits = visits
        self.computed = computed

    def __getitem__(self, name: str) -> Value:
        try:
            return self.variables[name]
        except KeyError:
            pass
        try:
            return self.computed[name].run(self.variables, self.visits)
        except EvalError:  # a fault in a computed value shown in a text: the text still shows
            return "?"

    def __iter__(self) -> Iterator[str]:
        yield from self.variables
        yield from self.computed

    def __len__(self) -> int:
        return len(self.variables) + len(self.computed)
