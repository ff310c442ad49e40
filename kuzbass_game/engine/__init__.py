"""The story engine: pure Python plus PyYAML, no user-interface imports.

Everything a player can do is possible headless through `Game`; the Textual app,
the plain line mode and the author tools are thin faces on top of it.

The names below are imported on first use (PEP 562), so importing one engine module
does not pull in the others (the YAML compiler above all, which a cached launch never needs).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_HOMES = {
    "ChoiceView": "runtime",
    "Diagnostic": "diagnostics",
    "Game": "runtime",
    "LoadResult": "loader",
    "SceneView": "runtime",
    "Severity": "diagnostics",
    "Story": "model",
    "StoryRuntimeError": "runtime",
    "load_story": "loader",
}

__all__ = ["ChoiceView", "Diagnostic", "Game", "LoadResult", "SceneView", "Severity", "Story", "StoryRuntimeError", "load_story"]

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.diagnostics import Diagnostic, Severity
    from kuzbass_game.engine.loader import LoadResult, load_story
    from kuzbass_game.engine.model import Story
    from kuzbass_game.engine.runtime import ChoiceView, Game, SceneView, StoryRuntimeError


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kuzbass_game.engine' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"kuzbass_game.engine.{home}"), name)
    globals()[name] = value
    return value
