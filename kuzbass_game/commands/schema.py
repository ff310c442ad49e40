"""`kuzbass schema`: the JSON Schema of story files, for editors with a YAML language server.

Save it beside the story (`kuzbass schema > story.schema.json`) and name it in a file's first
line, `# yaml-language-server: $schema=../story.schema.json`, or in the editor's settings.
"""

from __future__ import annotations

import json

from kuzbass_game.engine.format import story_schema


def run_schema() -> int:
    print(json.dumps(story_schema(), indent=2, ensure_ascii=False))
    return 0
