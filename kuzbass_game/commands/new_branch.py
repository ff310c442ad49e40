"""`kuzbass new-branch NAME [--from NODE] [--into DIR]`: scaffold a layer that `check` passes as it is.

The layer holds a manifest (naming the story it extends) and one node file, commented, that
adds a choice to NODE leading into the branch's first scene, which leads back. An author then
writes the scenes in between, checking as they go.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from kuzbass_game.commands._story import add_story_options, load, print_errors, shown_dirs, story_dirs
from kuzbass_game.engine.core import Story, plain_line

MAX_ID = 40  # characters of the layer's id (and so of its file's name)
MAX_TITLE = 80

VERB = "new-branch"
HELP = "make a new layer (a branch) over the story, ready to write in"
DESCRIPTION = (
    "Scaffold a layer over the story: a manifest and one commented node file that "
    "adds a choice to NODE leading into the branch, which checks clean as it is."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the branch's name (its id is made from it)")
    parser.add_argument(
        "--from",
        dest="from_node",
        metavar="NODE",
        default=None,
        help="the scene of the story that gains a choice into the branch (default: the start)",
    )
    parser.add_argument("--into", type=Path, default=None, metavar="DIR", help="the folder to create (default: ./ID)")
    add_story_options(parser, "the story to branch from")


def run(args: argparse.Namespace) -> int:
    return run_new_branch(args.name, story_dirs(args), args.from_node, args.into)


MANIFEST = """\
# The manifest of a layer: a branch laid over the story '{story_id}' without editing it.
# Check it, and play it, with the story first and the layer after it:
#   kuzbass check {story_arg} {into}
#   kuzbass play {story_args} --story {into}
# The story format: docs/story-format.md ("Layers"); a tutorial: docs/authoring.md.
id: {layer_id}
extends: {story_id}
title: "{title}"
# Variables, routines, computed values and codex entries of your own go here or in any file:
# variables:
#   met_the_ferryman:
#     type: bool
"""

NODES = """\
# The branch: one choice added to '{node}' (a scene of the story below), leading into the
# branch's first scene, which leads back. Write your scenes between them; `kuzbass check`
# tells you, line and column, what is wrong as you go.
extend:
  {node}:                      # a node of the story below: this layer adds a choice to it
    choices:
      - text: "{choice_text}"
        goto: {first}

nodes:
  {first}:
    text: |
      The first scene of your branch. Second person, present tense: what the player sees,
      hears and has to decide. A blank line starts a new paragraph.
    choices:
      - text: "Go back the way you came"
        goto: {node}
        reply: "A reply answers a choice without a scene of its own."
"""


def branch_names(name: str) -> tuple[str, str]:
    """(id, title) from the name an author typed: an id of letters, digits and underscores, and a
    title that is plain text (no escape codes, no markup, no quote that would end its YAML string)."""
    title = plain_line(name, MAX_TITLE).replace('"', "'").replace("\\", "/").replace("[", "(").replace("]", ")")
    layer_id = re.sub(r"[^A-Za-z0-9_]+", "_", title).strip("_").lower()[:MAX_ID].rstrip("_") or "branch"
    if layer_id[0].isdigit():
        layer_id = f"branch_{layer_id}"[:MAX_ID]
    return layer_id, title or layer_id


def run_new_branch(name: str, story_dir: Path | list[Path], from_node: str | None, into: Path | None) -> int:
    dirs = story_dirs(story_dir)
    result = load(dirs, cache=False)
    story_dir = shown_dirs(dirs)  # type: ignore[assignment]
    story_args = " ".join(f"--story {shown_dirs([d])}" for d in dirs)  # as typed, as the check line
    if result.story is None:
        print_errors(result.errors)
        print(f"{story_dir}: the story has errors; a branch needs a story that checks clean", file=sys.stderr)
        return 1
    story = result.story
    layer_id, title = branch_names(name)
    node = from_node or story.start
    problem = _start_problem(story, node, str(story_dir))
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    into = into or Path(layer_id)
    first = f"{layer_id}_start"
    if first in story.nodes:
        first = f"{layer_id}_branch_start"
    below = story.layers[-1] if story.layers else story.id
    files = {
        "manifest.yaml": MANIFEST.format(story_id=below, layer_id=layer_id, title=title, story_arg=story_dir, story_args=story_args, into=into),
        f"{layer_id}.yaml": NODES.format(node=node, first=first, choice_text=f"Follow the branch: {title}"),
    }
    problem = write_layer(into, files)
    if problem is not None:
        print(f"kuzbass new-branch: {plain_line(problem)}", file=sys.stderr)
        return 1
    check = load([*dirs, into], cache=False)
    for diagnostic in check.diagnostics:
        print(diagnostic.format())
    if check.story is None:  # pragma: no cover - the scaffold is made to pass
        print(f"{into}: the new branch does not check clean; please report this", file=sys.stderr)
        return 1
    warnings = len(check.warnings)
    checked = f"0 errors, {warnings} warning{'s' if warnings != 1 else ''}"
    print(f"Created the layer '{layer_id}' in {into}/, hooked into '{node}', and checked it with the story: {checked}.")
    print(f"  kuzbass check {story_dir} {into}")
    print(f"  kuzbass play {story_args} --story {into}")
    return 0


def _start_problem(story: Story, node: str, story_dir: str) -> str | None:
    """Why the branch cannot start from `node`, or None."""
    if node not in story.nodes:
        from kuzbass_game.engine.format import Suggester  # the compiler's package, only for a mistyped node

        return plain_line(f"there is no node '{node}' in {story_dir}{Suggester(story.nodes)(node)}")
    if story.nodes[node].ending is not None:
        return f"'{node}' is an ending: a branch must start from a scene that has choices"
    if len(story.nodes[node].choices) >= 9:
        return f"'{node}' already has 9 choices, as many as the number keys allow: pick another scene"
    return None


def write_layer(into: Path, files: dict[str, str]) -> str | None:
    """Write the layer's files into a new folder `into`, all or nothing; what went wrong, or None.

    The files are written into a temporary folder beside `into`, then renamed into place in one
    step; on any failure the temporary folder, and any parent folder made for it, are removed.
    """
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        return f"{into} already exists and is not an empty folder: give --into a new folder"
    made: list[Path] = []
    staging: str | None = None
    try:
        for parent in reversed(into.absolute().parents):
            if not parent.exists():
                parent.mkdir()
                made.append(parent)
        staging = tempfile.mkdtemp(prefix=".new-branch-", dir=into.absolute().parent)
        for file_name, text in files.items():
            Path(staging, file_name).write_text(text, encoding="utf-8")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # a folder like any the author makes (mkdtemp's is private)
        os.replace(staging, into)  # onto nothing, or onto an empty folder: one step either way
    except OSError as err:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for parent in reversed(made):
            try:
                parent.rmdir()
            except OSError:
                pass
        return f"could not create {into}: {err.strerror or err}"
    return None
