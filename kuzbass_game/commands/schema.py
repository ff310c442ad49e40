"""`kuzbass schema`: the JSON Schema of story files, for editors with a YAML language server.

Save it beside the story (`kuzbass schema > story.schema.json`) and name it in a file's first
line, `# yaml-language-server: $schema=../story.schema.json`, or in the editor's settings.
"""

from __future__ import annotations

import argparse
import json

from kuzbass_game.engine import format as story_format  # the package: its modules load when a name is first used

VERB = "schema"
HELP = "print the JSON Schema of story files (for editors)"
DESCRIPTION = "Print a JSON Schema (draft 2020-12) of manifest and node files, for a YAML language server."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass  # no options


def run(args: argparse.Namespace) -> int:
    return run_schema()


def run_schema() -> int:
    print(json.dumps(story_format.story_schema(), indent=2, ensure_ascii=False))
    return 0
