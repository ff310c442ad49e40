"""What every verb shares about the story it is given: the options that name it, loading it, its errors.

`--story` (and, for every verb but new-branch, positional STORY_DIRs) is declared here once; each verb
asks `story_dirs(args)` for the folders (the bundled campaign when none is given) and
`checked_story` or `load` for the story, so a story made of several folders (layers) is learnt
in one place.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from kuzbass_game.paths import default_saves_dir, default_story_dir, user_data_dir

if TYPE_CHECKING:
    from kuzbass_game.engine.core import Diagnostic, Story
    from kuzbass_game.engine.load import LoadResult

SHOWN_ERRORS = 20  # a broken story prints this many errors before "... and N more"


def add_story_options(parser: argparse.ArgumentParser, what: str, *, positional: bool = False) -> None:
    """`--story DIR` (repeatable: the story, then each layer over it), and STORY_DIR... when `positional`."""
    if positional:
        parser.add_argument(
            "story_dirs", nargs="*", type=Path, metavar="STORY_DIR", help=f"{what}, then any layers over it (default: the bundled campaign)"
        )
    parser.add_argument(
        "--story",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="the same as a STORY_DIR" if positional else f"{what} (default: the bundled campaign); give it again for each layer over it",
    )


def add_saves_option(parser: argparse.ArgumentParser, what: str = "the saves folder") -> None:
    parser.add_argument(
        "--saves",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"{what} (default: $KUZBASS_SAVES, else saves/ in a checkout, else {user_data_dir() / 'saves'} in an installed copy)",
    )


def saves_dir(args: argparse.Namespace) -> Path:
    return args.saves or default_saves_dir()


def story_dirs(args: argparse.Namespace | Iterable[Path] | Path | None) -> list[Path]:
    """The story folders given (positional, then --story), or the bundled campaign when none."""
    given: list[Path]
    if args is None:
        given = []
    elif isinstance(args, (str, Path)):
        given = [Path(args)]
    elif not isinstance(args, argparse.Namespace):
        given = [Path(d) for d in cast("Iterable[Path]", args)]  # (mypy cannot narrow away Namespace, which has __getattr__)
    else:
        given = [*(getattr(args, "story_dirs", None) or []), *(getattr(args, "story", None) or [])]
    return given or [default_story_dir()]


def shown_dirs(dirs: Sequence[Path], joiner: str = " ") -> str:
    """The folders as a reader would type them: relative to the working folder when inside it."""
    return joiner.join(_shown_dir(d) for d in dirs)


def _shown_dir(folder: Path) -> str:
    try:
        relative = Path(os.path.relpath(folder))
    except (ValueError, OSError):
        return str(folder)
    return str(folder) if relative.parts[:1] == ("..",) else relative.as_posix()


def load(dirs: Sequence[Path], *, cache: bool = True) -> LoadResult:
    """Load and check the story made of `dirs`: the story's folder, then any layers over it."""
    from kuzbass_game.authoring import load_and_check  # the markup checks (and, for odd markup only, Textual's parser): only verbs that load pay

    return load_and_check(dirs, cache=cache)


def print_errors(errors: Sequence[Diagnostic], *, indent: str = "", more: str = "", file: TextIO | None = None) -> None:
    """The first errors of a story that cannot load, one per line, then how many more there are."""
    out = file or sys.stderr
    for diagnostic in errors[:SHOWN_ERRORS]:
        print(indent + diagnostic.format(), file=out)
    if len(errors) > SHOWN_ERRORS:
        print(f"{indent}... and {len(errors) - SHOWN_ERRORS} more{more}", file=out)


def checked_story(dirs: Sequence[Path], *, cache: bool = True, needs: str = "run 'kuzbass check' first") -> Story | None:
    """The checked story, or None after printing its errors (to stderr) and what to do."""
    result = load(dirs, cache=cache)
    if result.story is None:
        print_errors(result.errors)
        print(f"{shown_dirs(dirs)}: the story has errors; {needs}", file=sys.stderr)
        return None
    return result.story
