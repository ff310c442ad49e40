"""The `kuzbass` command: argument parsing and dispatch to the verbs; each verb is a thin face."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kuzbass_game import __version__
from kuzbass_game.paths import default_saves_dir, default_story_dir

VERBS = ("play", "check", "explore", "saves", "graph", "stats", "schema", "new-branch", "serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kuzbass",
        description="Kuzbass: live through the Kuzbass Autonomous Industrial Colony, Siberia, 1922-1926.",
        epilog="Run without a verb to play. 'kuzbass VERB --help' explains each verb.",
    )
    parser.add_argument("--version", action="version", version=f"kuzbass {__version__}")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    play = verbs.add_parser("play", help="play the game (the default)", description="Play the game in the terminal.")
    play.add_argument("--plain", action="store_true", help="line mode on stdin/stdout, without the full-screen app")
    play.add_argument(
        "--story",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="the story folder to play (default: the bundled campaign); give it again for each layer over it",
    )
    play.add_argument(
        "--watch", action="store_true", help="re-check and reload the story when one of its files changes, keeping your game (for authors)"
    )
    play.add_argument("--saves", type=Path, default=None, help="the folder for saved games (default: saves/ or $KUZBASS_SAVES)")
    play.add_argument("--load", metavar="SLOT", default=None, help="start by loading this save slot")
    play.add_argument("--seed", type=int, default=None, help="seed for the story's random events (for reproducible play)")

    check = verbs.add_parser(
        "check",
        help="check a story folder and report every problem",
        description="Check a story and print every problem as path:line:col: severity: message.",
    )
    check.add_argument(
        "story_dirs", nargs="*", type=Path, metavar="STORY_DIR", help="the story folder, then any layers over it (default: the bundled campaign)"
    )
    check.add_argument("--story", type=Path, action="append", default=None, metavar="DIR", help="the same as a STORY_DIR")
    check.add_argument(
        "--saves", type=Path, default=None, metavar="DIR", help="also replay every save in DIR on the story and report which would break or change"
    )

    explore = verbs.add_parser(
        "explore",
        help="play many random games and report coverage",
        description="Play random playthroughs through the real engine and report coverage, endings, dead ends and errors.",
    )
    explore.add_argument(
        "story_dirs", nargs="*", type=Path, metavar="STORY_DIR", help="the story folder, then any layers over it (default: the bundled campaign)"
    )
    explore.add_argument("--story", type=Path, action="append", default=None, metavar="DIR", help="the same as a STORY_DIR")
    explore.add_argument("--runs", type=int, default=200, help="how many playthroughs (default 200)")
    explore.add_argument("--seed", type=int, default=0, help="seed for the random picks (default 0)")
    explore.add_argument("--max-steps", type=int, default=500, help="give up a playthrough after this many choices")
    explore.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    explore.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="play the runs in N processes (0: one per core); the same report as one process"
    )
    explore.add_argument(
        "--path-to",
        metavar="NODE",
        default=None,
        help="instead: the shortest choices (and seed) that reach NODE, printed to replay with 'play --plain'",
    )
    explore.add_argument(
        "--max-states", type=int, default=None, metavar="N", help="with --path-to: search at most N game states in all (default 200000)"
    )
    explore.add_argument(
        "--seeds", type=int, default=16, metavar="N", help="with --path-to: try up to N seeds from --seed when the story rolls dice (default 16)"
    )

    saves = verbs.add_parser(
        "saves",
        help="list the saved games and any problem with them",
        description="List the save slots: chapter, date, turn, play time, and why any cannot load.",
    )
    saves.add_argument("--saves", type=Path, default=None, metavar="DIR", help="the saves folder (default: saves/ or $KUZBASS_SAVES)")
    saves.add_argument(
        "--story",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="the story the saves belong to (default: the bundled campaign); again for each layer",
    )

    graph = verbs.add_parser(
        "graph",
        help="draw the story as a graph (DOT, Mermaid, SVG or PNG)",
        description="The story as a graph: nodes grouped by chapter, endings marked, conditional "
        "(locked) choices dashed, random outcomes dotted, votes' outcomes labelled.",
    )
    graph.add_argument("story_dirs", nargs="*", type=Path, metavar="STORY_DIR")
    graph.add_argument(
        "--format",
        choices=("dot", "mermaid", "svg", "png"),
        default="dot",
        help="dot or mermaid text (default dot); svg or png need Graphviz's 'dot' program",
    )
    graph.add_argument(
        "--chapter", metavar="C", default=None, help="only this chapter's nodes (its title, or a part of it), with the edges leaving it"
    )
    graph.add_argument("-o", "--output", type=Path, default=None, metavar="FILE", help="write to FILE instead of stdout")

    stats = verbs.add_parser(
        "stats",
        help="count words, nodes, choices and endings; paths to each ending",
        description="Words, nodes, choices and endings per file and per chapter; the shortest and "
        "longest paths to each ending; the share of the text a playthrough sees.",
    )
    stats.add_argument("story_dirs", nargs="*", type=Path, metavar="STORY_DIR")
    stats.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    stats.add_argument("--runs", type=int, default=200, help="playthroughs for the share of text seen (default 200)")
    stats.add_argument("--seed", type=int, default=0, help="seed for those playthroughs (default 0)")

    branch = verbs.add_parser(
        "new-branch",
        help="make a new layer (a branch) over the story, ready to write in",
        description="Scaffold a layer over the story: a manifest and one commented node file that "
        "adds a choice to NODE leading into the branch, which checks clean as it is.",
    )
    branch.add_argument("name", metavar="NAME", help="the branch's name (its id is made from it)")
    branch.add_argument(
        "--from",
        dest="from_node",
        metavar="NODE",
        default=None,
        help="the scene of the story that gains a choice into the branch (default: the start)",
    )
    branch.add_argument("--into", type=Path, default=None, metavar="DIR", help="the folder to create (default: ./ID)")
    branch.add_argument(
        "--story",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="the story to branch from (default: the bundled campaign); again for each layer",
    )

    serve = verbs.add_parser(
        "serve",
        help="serve the game to web browsers (needs: pip install 'kuzbass[web]')",
        description="Serve the full-screen game to web browsers with textual-serve: one game "
        "process per visitor, each visitor's saves in a folder of their own.",
    )
    serve.add_argument("--host", default="localhost", help="the address to listen on (default localhost)")
    serve.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    serve.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help="the address browsers use, when it is not http://HOST:PORT (behind a proxy, or --host 0.0.0.0)",
    )
    serve.add_argument(
        "--saves", type=Path, default=None, metavar="DIR", help="where the visitors' folders of saves go (default: saves/ or $KUZBASS_SAVES)"
    )
    serve.add_argument(
        "--story",
        type=Path,
        action="append",
        default=None,
        metavar="DIR",
        help="the story folder to serve (default: the bundled campaign); again for each layer",
    )
    serve.add_argument("--max-games", type=int, default=20, metavar="N", help="at most N games at once, one per open browser tab (default 20)")

    verbs.add_parser(
        "schema",
        help="print the JSON Schema of story files (for editors)",
        description="Print a JSON Schema (draft 2020-12) of manifest and node files, for a YAML language server.",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in VERBS and argv[0] not in ("-h", "--help", "--version")):
        argv.insert(0, "play")
    args = build_parser().parse_args(argv)
    try:
        if args.verb == "check":
            from kuzbass_game.commands.check import run_check

            return run_check(_dirs(args.story_dirs, args.story), args.saves)
        if args.verb == "explore":
            from kuzbass_game.commands.explore import run_explore

            return run_explore(
                (args.story_dirs or []) + (args.story or []) or None,
                args.runs,
                args.seed,
                args.max_steps,
                args.json,
                jobs=args.jobs,
                path_to=args.path_to,
                max_states=args.max_states,
                seeds=args.seeds,
            )
        if args.verb == "graph":
            from kuzbass_game.commands.graph import run_graph

            return run_graph(args.story_dirs, args.format, args.chapter, args.output)
        if args.verb == "stats":
            from kuzbass_game.commands.stats import run_stats

            return run_stats(args.story_dirs, args.json, args.runs, args.seed)
        if args.verb == "schema":
            from kuzbass_game.commands.schema import run_schema

            return run_schema()
        if args.verb == "saves":
            from kuzbass_game.commands.saves import run_saves

            return run_saves(_dirs(args.story), args.saves or default_saves_dir())
        if args.verb == "serve":
            from kuzbass_game.commands.serve import run_serve

            return run_serve(
                _dirs(args.story),
                args.saves or default_saves_dir(),
                host=args.host,
                port=args.port,
                public_url=args.public_url,
                max_games=args.max_games,
            )
        if args.verb == "new-branch":
            from kuzbass_game.commands.new_branch import run_new_branch

            return run_new_branch(args.name, _dirs(args.story), args.from_node, args.into)
        from kuzbass_game.commands.play import run_play

        return run_play(_dirs(args.story), args.saves or default_saves_dir(), plain=args.plain, load=args.load, seed=args.seed, watch=args.watch)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `kuzbass ... | head` closed the pipe: end quietly, and keep Python from complaining
        # again when it flushes stdout on exit.
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return 0


def _dirs(*given: list[Path] | None) -> list[Path]:
    """The story folders given (positional, then --story), or the bundled campaign."""
    dirs = [d for group in given if group for d in group]
    return dirs or [default_story_dir()]
