"""`kuzbass check`: every problem in a story, compiler style, then a one-line summary."""

from __future__ import annotations

from pathlib import Path

from kuzbass_game.authoring import load_and_check


def run_check(story_dir: Path) -> int:
    result = load_and_check(story_dir)
    for diagnostic in result.diagnostics:
        print(diagnostic.format())
    errors, warnings = len(result.errors), len(result.warnings)
    summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} in {_plural(result.files, 'file')}"
    if result.story is not None:
        story = result.story
        summary += f" ({_plural(len(story.nodes), 'node')}, {_plural(len(story.endings), 'ending')}, {_plural(len(story.variables), 'variable')})"
    print(f"{story_dir}: {summary}")
    return 1 if errors else 0


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
