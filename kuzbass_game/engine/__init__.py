"""The story engine: pure Python plus PyYAML, no user-interface imports.

Everything a player can do is possible headless through `Game`; the Textual app,
the plain line mode and the author tools are thin faces on top of it.
"""

from kuzbass_game.engine.diagnostics import Diagnostic, Severity
from kuzbass_game.engine.loader import LoadResult, load_story
from kuzbass_game.engine.model import Story
from kuzbass_game.engine.runtime import ChoiceView, Game, SceneView, StoryRuntimeError

__all__ = [
    "ChoiceView",
    "Diagnostic",
    "Game",
    "LoadResult",
    "SceneView",
    "Severity",
    "Story",
    "StoryRuntimeError",
    "load_story",
]
