"""`kuzbass play`: the Textual app, or `--plain` line mode, on the same engine."""

from __future__ import annotations

import sys
from pathlib import Path

from kuzbass_game.authoring import load_and_check


def run_play(story_dir: Path | list[Path], saves_dir: Path, *, plain: bool, load: str | None, seed: int | None, watch: bool = False) -> int:
    """Play the story (a folder, or the story's folder and then its layers)."""
    dirs = [story_dir] if isinstance(story_dir, (str, Path)) else list(story_dir)
    result = load_and_check(dirs[0] if len(dirs) == 1 else dirs, cache=True)
    if result.story is None:
        shown = " + ".join(str(d) for d in dirs)
        print(f"The story in {shown} cannot be played because it has errors:", file=sys.stderr)
        for diagnostic in result.errors[:20]:
            print("  " + diagnostic.format(), file=sys.stderr)
        if len(result.errors) > 20:
            print(f"  ... and {len(result.errors) - 20} more (run 'kuzbass check').", file=sys.stderr)
        return 1
    story = result.story
    if plain and watch:
        print("--watch reloads the full-screen game; in line mode, run 'kuzbass check' after each edit instead.", file=sys.stderr)
    if plain:
        from kuzbass_game.plain import run_plain

        return run_plain(story, saves_dir, load=load, seed=seed)
    from kuzbass_game.ui.app import KuzbassApp

    app = KuzbassApp(story, saves_dir=saves_dir, seed=seed, load=load, **({"watch": dirs} if watch else {}))
    app.run()
    return app.return_code or 0
