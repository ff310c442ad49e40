"""The story format, compile side: source files, the YAML reader, declarations, the compiler (each construct's compile half) and the JSON Schema.

May import: core, files, PyYAML. The faces import the names below (`__all__`), never a module inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "Suggester": "reader",
    "find_story_files": "sources",
    "story_schema": "json_schema",
}
__all__ = ["Suggester", "find_story_files", "story_schema"]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.format.json_schema import story_schema
    from kuzbass_game.engine.format.reader import Suggester
    from kuzbass_game.engine.format.sources import find_story_files
