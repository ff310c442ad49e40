"""Filling `{name}` holes in story text with escaped values, for the faces to show."""

from __future__ import annotations

from typing import Iterable, Mapping

from kuzbass_game.engine.expr import Value
from kuzbass_game.engine.markup import escape_markup
from kuzbass_game.engine.model import TextPart, VarRef


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def render(parts: Iterable[TextPart], variables: Mapping[str, Value]) -> str:
    """Author markup stays markup; every value is escaped so it shows literally."""
    return "".join(
        escape_markup(format_value(variables[p.name])) if isinstance(p, VarRef) else p for p in parts
    )
