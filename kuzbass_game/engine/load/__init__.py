"""Loading a story folder: discover its files, the compiled-story cache, compile and check on a miss.

May import: core, files, format, play, tools. The faces import the names below (`__all__`), never a module inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "LoadResult": "loader",
    "Reloaded": "watch",
    "StoryWatcher": "watch",
    "load_story": "loader",
}
__all__ = ["LoadResult", "Reloaded", "StoryWatcher", "load_story"]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.load.loader import LoadResult, load_story
    from kuzbass_game.engine.load.watch import Reloaded, StoryWatcher
