"""`kuzbass schema`: the JSON Schema of story files, for editors with a YAML language server.

Save it beside the story (`kuzbass schema > story.schema.json`) and name it in a file's first
line, `# yaml-language-server: $schema=../story.schema.json`, or in the editor's settings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from kuzbass_game.engine import format as story_format  # the package: its modules load when a name is first used

VERB = "schema"
HELP = "print the JSON Schema of story files (for editors)"
DESCRIPTION = "Print a JSON Schema (draft 2020-12) of manifest and node files, for a YAML language server."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass  # no options


def run(args: argparse.Namespace) -> int:
    return run_schema()


def run_schema() -> int:
    """The schema on stdout; a full disk or a closed output is one line on stderr, not a traceback."""
    text = json.dumps(story_format.story_schema(), indent=2, ensure_ascii=False) + "\n"
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # `| head`: the CLI ends quietly
    except OSError as err:
        print(f"kuzbass schema: the schema could not be written: {err.strerror or err}", file=sys.stderr)
        try:  # what is left in the buffer would fail again, with a traceback, when Python flushes at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1
    return 0
