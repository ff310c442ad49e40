"""Tools over a compiled story: the graph checks, story-test runs, explore, the way to a node, the graph, stats.

May import: core, files, format, play. The faces import the names below (`__all__`), never a module inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "BLOCK": "explorer",
    "ChapterNotFound": "graph",
    "ExploreReport": "explorer",
    "MAX_STATES": "pathfind",
    "StoryStats": "stats",
    "build_graph": "graph",
    "chapters_of": "graph",
    "explore": "explorer",
    "find_chapter": "graph",
    "merge": "explorer",
    "path_to": "pathfind",
    "story_stats": "stats",
    "to_dot": "graph",
    "to_mermaid": "graph",
}
__all__ = [
    "BLOCK",
    "ChapterNotFound",
    "ExploreReport",
    "MAX_STATES",
    "StoryStats",
    "build_graph",
    "chapters_of",
    "explore",
    "find_chapter",
    "merge",
    "path_to",
    "story_stats",
    "to_dot",
    "to_mermaid",
]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.tools.explorer import BLOCK, ExploreReport, explore, merge
    from kuzbass_game.engine.tools.graph import ChapterNotFound, build_graph, chapters_of, find_chapter, to_dot, to_mermaid
    from kuzbass_game.engine.tools.pathfind import MAX_STATES, path_to
    from kuzbass_game.engine.tools.stats import StoryStats, story_stats
