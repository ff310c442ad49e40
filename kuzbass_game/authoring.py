"""Checks that need the faces' markup parser, run by `kuzbass check` and before play.

The engine itself stays free of Textual and Rich; the compiler borrows the same markup
parser the app renders with, so an author learns of a broken tag, at its line and column,
before a player does. Markup that is plainly fine is told so without importing Textual
(`text.plainly_fine`): only other markup loads the parser.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kuzbass_game.engine.load import LoadResult, load_story
from kuzbass_game.text import markup_problem_at


def load_and_check(story_dir: Path | Sequence[Path], *, cache: bool = False) -> LoadResult:
    """Load the story with the markup checks added: what `kuzbass check` reports and play relies on.

    `story_dir` is a folder, or the story's folder and then each layer over it. `cache` reuses the
    checked story from the last load when no file changed (for play).
    """
    return load_story(story_dir, cache=cache, markup_check=markup_problem_at)
