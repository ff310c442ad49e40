"""`kuzbass play`: the Textual app, or `--plain` line mode, on the same engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kuzbass_game.commands import _story

VERB = "play"
HELP = "play the game (the default)"
DESCRIPTION = "Play the game in the terminal."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plain", action="store_true", help="line mode on stdin/stdout, without the full-screen app")
    _story.add_story_options(parser, "the story folder to play", positional=True)  # as check and explore take it
    parser.add_argument(
        "--watch", action="store_true", help="re-check and reload the story when one of its files changes, keeping your game (for authors)"
    )
    _story.add_saves_option(parser, "the folder for saved games")
    parser.add_argument("--load", metavar="SLOT", default=None, help="start by loading this save slot")
    parser.add_argument("--seed", type=int, default=None, help="seed for the story's random events (for reproducible play)")
    parser.add_argument("--memory-limit", type=int, default=None, metavar="MB", help=argparse.SUPPRESS)  # set by `kuzbass serve` for each game


def limit_memory(megabytes: int | None) -> None:
    """Hold this process to `megabytes` of address space (each game `kuzbass serve` starts); a system without limits is left as it is."""
    if megabytes is None:
        return
    try:
        import resource  # POSIX only, and only a served game asks for it
    except ImportError:
        return
    limit = max(64, megabytes) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run(args: argparse.Namespace) -> int:
    limit_memory(args.memory_limit)
    return run_play(_story.story_dirs(args), _story.saves_dir(args), plain=args.plain, load=args.load, seed=args.seed, watch=args.watch)


def run_play(story_dir: Path | list[Path], saves_dir: Path, *, plain: bool, load: str | None, seed: int | None, watch: bool = False) -> int:
    """Play the story (a folder, or the story's folder and then its layers)."""
    dirs = _story.story_dirs(story_dir)
    result = _story.load(dirs)
    if result.story is None:
        print(f"The story in {_story.shown_dirs(dirs, ' + ')} cannot be played because it has errors:", file=sys.stderr)
        _story.print_errors(result.errors, indent="  ", more=" (run 'kuzbass check').")
        return 1
    story = result.story
    if plain and watch:
        print("--watch reloads the full-screen game; in line mode, run 'kuzbass check' after each edit instead.", file=sys.stderr)
    if plain:
        from kuzbass_game.plain import run_plain  # line mode never imports the app (nor the app line mode)

        return run_plain(story, saves_dir, load=load, seed=seed)
    from kuzbass_game.ui.app import KuzbassApp  # Textual's app is imported only to play full-screen

    app = KuzbassApp(story, saves_dir=saves_dir, seed=seed, load=load, **({"watch": dirs} if watch else {}))
    app.run()
    return app.return_code or 0
