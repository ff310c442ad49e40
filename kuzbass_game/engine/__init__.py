"""The story engine: pure Python plus PyYAML, no user-interface imports.

Everything a player can do is possible headless through `Game`; the Textual app, the plain
line mode and the author tools are thin faces on top of it. The engine is seven packages, each
owning one part (docs/dev/architecture.md draws them), lower ones never importing higher ones:

    core     the model, expressions, diagnostics, safe text, dice
    files    bounded reads, atomic writes, folder locks
    format   source files, the YAML reader, the compiler, the JSON Schema
    play     state, the stepper, Game, history, votes, codex, the run summary
    tools    checks, story tests, explore, paths, graph, stats
    load     discovering a story's files, the cache, compiling on a miss
    storage  the save format, the save store, the player's profile and settings

The faces import the names below and each package's `__all__`, never a module inside a
package. Names are imported on first use (PEP 562), so a cached launch never loads the compiler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "ChoiceView": "play",
    "Diagnostic": "core",
    "Game": "play",
    "LoadResult": "load",
    "SceneView": "play",
    "Severity": "core",
    "Story": "core",
    "StoryRuntimeError": "play",
    "load_story": "load",
}
__all__ = ["ChoiceView", "Diagnostic", "Game", "LoadResult", "SceneView", "Severity", "Story", "StoryRuntimeError", "load_story"]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.core import Diagnostic, Severity, Story
    from kuzbass_game.engine.load import LoadResult, load_story
    from kuzbass_game.engine.play import ChoiceView, Game, SceneView, StoryRuntimeError
