"""`kuzbass check`: every problem in a story, compiler style, then a one-line summary.

With `--saves DIR`, also replays every save in DIR on the story, to learn before players do
which saves a story update would break or change.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from kuzbass_game.commands._story import add_story_options, load, shown_dirs, story_dirs
from kuzbass_game.engine.core import Story
from kuzbass_game.engine.core import plain_text
from kuzbass_game.engine import storage  # the package: its modules load when a name is first used, not at launch


VERB = "check"
HELP = "check a story folder and report every problem"
DESCRIPTION = "Check a story and print every problem as path:line:col: severity: message."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_options(parser, "the story folder", positional=True)
    parser.add_argument(
        "--saves", type=Path, default=None, metavar="DIR", help="also replay every save in DIR on the story and report which would break or change"
    )


def run(args: argparse.Namespace) -> int:
    return run_check(story_dirs(args), args.saves)


def run_check(story_dir: Path | list[Path], saves_dir: Path | None = None) -> int:
    """Check the story (a folder, or a list: the story's folder, then its layers)."""
    dirs = story_dirs(story_dir)
    result = load(dirs, cache=False)
    story_dir = shown_dirs(dirs, " + ")  # type: ignore[assignment]
    for diagnostic in result.diagnostics:
        print(diagnostic.format())
    errors, warnings = len(result.errors), len(result.warnings)
    summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(result.files, 'file')}"
    if result.story is not None:
        story = result.story
        summary += f" ({_plural(len(story.nodes), 'node')}, {_plural(len(story.endings), 'ending')}, {_plural(len(story.variables), 'variable')})"
        if result.tests_run:
            summary += f"; {_plural(result.tests_run, 'story test')} passed"
    print(f"{story_dir}: {summary}")
    if saves_dir is not None:
        if result.story is None:
            print(f"{saves_dir}: saves not checked: fix the story's errors first")
            return 1
        return 1 if (check_saves(result.story, saves_dir) or errors) else 0
    return 1 if errors else 0


def check_saves(story: Story, saves_dir: Path) -> int:
    """Print one line per save; returns how many would break. One bad file never stops the others,
    and no string from a file or a file name reaches the terminal as a control code."""
    from kuzbass_game.engine.storage import SaveError, SaveStore, read_journal, read_save_file  # the save store only with --saves

    try:
        paths = sorted(SaveStore(saves_dir, story).slot_files(), key=lambda p: p.name)
    except SaveError as err:
        print(f"{_shown(saves_dir)}:1:1: error: {plain_text(str(err))}")
        return 1
    counts = {"ok": 0, "changed": 0, "broken": 0, "other": 0}
    for path in paths:
        try:
            verdict, message = storage.verify(read_save_file(path, saves_dir), story, read_journal(path, saves_dir))
        except SaveError as err:
            verdict, message = "broken", str(err)
        except Exception as err:
            verdict, message = "broken", f"the save cannot be read ({type(err).__name__})"
        counts[verdict] += 1
        severity = {"ok": "note", "changed": "warning", "broken": "error", "other": "note"}[verdict]
        print(f"{_shown(path)}:1:1: {severity}: {plain_text(message)}")
    skipped = f", {counts['other']} of another story skipped" if counts["other"] else ""
    print(f"{_shown(saves_dir)}: {counts['ok']} replay unchanged, {counts['changed']} would change, {counts['broken']} would break{skipped}")
    return counts["broken"]


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except (ValueError, OSError):
        relative = ".."
    return plain_text(str(path) if relative.startswith("..") else relative)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
