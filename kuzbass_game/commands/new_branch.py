"""`kuzbass new-branch NAME [--from NODE] [--into DIR]`: scaffold a layer that `check` passes as it is.

The layer holds a manifest (naming the story it extends) and one node file, commented, that
adds a choice to NODE leading into the branch's first scene, which leads back. An author then
writes the scenes in between, checking as they go.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from kuzbass_game.commands._story import add_story_options, load, print_errors, shown_dirs, story_dirs

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


def run_new_branch(name: str, story_dir: Path | list[Path], from_node: str | None, into: Path | None) -> int:
    dirs = story_dirs(story_dir)
    result = load(dirs, cache=False)
    story_dir = shown_dirs(dirs)  # type: ignore[assignment]
    story_args = " ".join(f"--story {d}" for d in dirs)
    if result.story is None:
        print_errors(result.errors)
        print(f"{story_dir}: the story has errors; a branch needs a story that checks clean", file=sys.stderr)
        return 1
    story = result.story
    layer_id = re.sub(r"[^A-Za-z0-9_]+", "_", name.strip()).strip("_").lower() or "branch"
    if layer_id[0].isdigit():
        layer_id = f"branch_{layer_id}"
    node = from_node or story.start
    if node not in story.nodes:
        from kuzbass_game.engine.format import Suggester  # the compiler's package, only for a mistyped node

        print(f"there is no node '{node}' in {story_dir}{Suggester(story.nodes)(node)}", file=sys.stderr)
        return 1
    if story.nodes[node].ending is not None:
        print(f"'{node}' is an ending: a branch must start from a scene that has choices", file=sys.stderr)
        return 1
    if len(story.nodes[node].choices) >= 9:
        print(f"'{node}' already has 9 choices, as many as the number keys allow: pick another scene", file=sys.stderr)
        return 1
    into = into or Path(layer_id)
    if into.exists() and any(into.iterdir()):
        print(f"{into} already exists and is not empty: give --into a new folder", file=sys.stderr)
        return 1
    first = f"{layer_id}_start"
    if first in story.nodes:
        first = f"{layer_id}_branch_start"
    title = name.strip().replace('"', "'").replace("\\", "/") or layer_id
    into.mkdir(parents=True, exist_ok=True)
    below = story.layers[-1] if story.layers else story.id
    (into / "manifest.yaml").write_text(
        MANIFEST.format(story_id=below, layer_id=layer_id, title=title, story_arg=story_dir, story_args=story_args, into=into), encoding="utf-8"
    )
    (into / f"{layer_id}.yaml").write_text(NODES.format(node=node, first=first, choice_text=f"Follow the branch: {title}"), encoding="utf-8")
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
