"""What the author tools (`graph`, `stats`, `explore`) share: loading the story they are given.

Every tool loads through `load_for_tools`, so when a story can be made of several folders
(layers), this is the one place that learns it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from collections.abc import Iterable

from kuzbass_game.engine.load import LoadResult
from kuzbass_game.engine.core import Story


def story_dirs(given: Path | Iterable[Path] | None) -> list[Path]:
    """The story folders a command was given, or the default story when none."""
    from kuzbass_game.paths import default_story_dir

    if given is None:
        return [default_story_dir()]
    if isinstance(given, (str, Path)):
        return [Path(given)]
    dirs = [Path(d) for d in given]
    return dirs or [default_story_dir()]


def load_for_tools(dirs: list[Path], *, cache: bool = True) -> LoadResult:
    """Load and check the story made of `dirs`: the story's folder, then any layers over it."""
    from kuzbass_game.authoring import load_and_check

    return load_and_check(dirs[0] if len(dirs) == 1 else dirs, cache=cache)  # type: ignore[arg-type]


def shown_dirs(dirs: list[Path]) -> str:
    return " ".join(str(d) for d in dirs)


def checked_story(dirs: list[Path], *, cache: bool = True) -> Story | None:
    """The checked story, or None after printing its errors (to stderr) and what to do."""
    result = load_for_tools(dirs, cache=cache)
    if result.story is None:
        for diagnostic in result.errors[:20]:
            print(diagnostic.format(), file=sys.stderr)
        if len(result.errors) > 20:
            print(f"... and {len(result.errors) - 20} more", file=sys.stderr)
        print(f"{shown_dirs(dirs)}: the story has errors; run 'kuzbass check' first", file=sys.stderr)
        return None
    return result.story
