"""`kuzbass graph`: the story as a graph, in Graphviz DOT or Mermaid text, or drawn to SVG or PNG
by Graphviz's `dot` program when it is installed (the text formats need nothing)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from collections.abc import Iterable

from kuzbass_game.commands._story import add_story_options, checked_story, story_dirs
from kuzbass_game.engine import tools  # the package: its modules load when a name is first used, not at launch

DOT_TIMEOUT = 300  # seconds: a campaign of thousands of nodes lays out in far less
NO_GRAPHVIZ = (
    "Graphviz's 'dot' program is not installed (or not on PATH), so --format {fmt} cannot be drawn here.\n"
    "Install Graphviz (Debian/Ubuntu: 'sudo apt install graphviz'; macOS: 'brew install graphviz'), "
    "or write the graph as text and draw it elsewhere: 'kuzbass graph --format dot' "
    "(or '--format mermaid', which GitHub and many editors draw)."
)


VERB = "graph"
HELP = "draw the story as a graph (DOT, Mermaid, SVG or PNG)"
DESCRIPTION = (
    "The story as a graph: nodes grouped by chapter, endings marked, conditional "
    "(locked) choices dashed, random outcomes dotted, votes' outcomes labelled."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_options(parser, "the story folder", positional=True)
    parser.add_argument(
        "--format",
        choices=("dot", "mermaid", "svg", "png"),
        default="dot",
        help="dot or mermaid text (default dot); svg or png need Graphviz's 'dot' program",
    )
    parser.add_argument(
        "--chapter", metavar="C", default=None, help="only this chapter's nodes (its title, or a part of it), with the edges leaving it"
    )
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="write to FILE instead of stdout")


def run(args: argparse.Namespace) -> int:
    return run_graph(story_dirs(args), args.format, args.chapter, args.output)


def run_graph(given: Iterable[Path] | None, fmt: str, chapter: str | None, output: Path | None) -> int:
    dirs = story_dirs(given)
    story = checked_story(dirs)
    if story is None:
        return 1
    asked = None
    if chapter is not None:
        try:
            asked = tools.find_chapter(story, chapter)
        except tools.ChapterNotFound as err:
            print(f"kuzbass graph: {err}", file=sys.stderr)
            return 1
    graph = tools.build_graph(story, asked, only_chapter=chapter is not None)
    if fmt == "mermaid":
        return _write(tools.to_mermaid(graph).encode("utf-8"), output, binary=False)
    text = tools.to_dot(graph)
    if fmt == "dot":
        return _write(text.encode("utf-8"), output, binary=False)
    program = shutil.which("dot")
    if program is None:
        print(NO_GRAPHVIZ.format(fmt=fmt), file=sys.stderr)
        return 1
    if fmt == "png" and output is None and sys.stdout.isatty():
        print("kuzbass graph: a PNG is not text: give '-o FILE.png', or send it to a file with '>'", file=sys.stderr)
        return 1
    try:
        done = subprocess.run([program, f"-T{fmt}"], input=text.encode("utf-8"), capture_output=True, timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        print(f"kuzbass graph: Graphviz took longer than {DOT_TIMEOUT} s; try --chapter to draw one chapter", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"kuzbass graph: could not run Graphviz's 'dot': {err}", file=sys.stderr)
        return 1
    if done.returncode != 0:
        problem = done.stderr.decode("utf-8", "replace").strip()
        print(f"kuzbass graph: Graphviz's 'dot' failed: {problem}", file=sys.stderr)
        return 1
    return _write(done.stdout, output, binary=fmt == "png")


def _write(data: bytes, output: Path | None, *, binary: bool) -> int:
    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as err:
            print(f"kuzbass graph: cannot write {output}: {err.strerror or err}", file=sys.stderr)
            return 1
        return 0
    if binary:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    sys.stdout.flush()
    return 0
