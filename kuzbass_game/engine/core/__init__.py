"""The engine's ground: the compiled story's model, expressions, diagnostics, text made safe, the dice.

May import: the standard library only (and nothing else of the engine). The faces import the names below (`__all__`), never a module inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "CodexEntry": "model",
    "Diagnostic": "diagnostics",
    "DiagnosticSink": "diagnostics",
    "Mark": "diagnostics",
    "Severity": "diagnostics",
    "Story": "model",
    "Variable": "model",
    "acting_tag": "text",
    "escape_markup": "text",
    "plain_line": "text",
    "plain_text": "text",
    "play_time": "text",
    "strip_markup": "text",
}
__all__ = [
    "CodexEntry",
    "Diagnostic",
    "DiagnosticSink",
    "Mark",
    "Severity",
    "Story",
    "Variable",
    "acting_tag",
    "escape_markup",
    "plain_line",
    "plain_text",
    "play_time",
    "strip_markup",
]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.core.diagnostics import Diagnostic, DiagnosticSink, Mark, Severity
    from kuzbass_game.engine.core.model import CodexEntry, Story, Variable
    from kuzbass_game.engine.core.text import acting_tag, escape_markup, plain_line, plain_text, play_time, strip_markup
