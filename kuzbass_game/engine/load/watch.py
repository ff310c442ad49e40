"""`kuzbass play --watch`: the story's files are watched while an author plays; an edit is checked
and, when it checks clean, the story is reloaded in place with the game replayed onto it.

The watcher is plain Python (no Textual): the app polls it on a timer and shows what it says. It
stamps the files exactly as the cache does (`cache.files_key`: each file's path, size and mtime),
so an edit the cache would notice is an edit the watcher notices, and nothing else is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kuzbass_game.engine.core.diagnostics import DiagnosticSink
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.format.sources import find_story_files
from kuzbass_game.engine.load.cache import CacheKey, files_key
from kuzbass_game.engine.load.loader import LoadResult
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.play.state import Action

Loader = Callable[[Sequence[Path]], LoadResult]  # the face's load-and-check (it adds the markup checks)


@dataclass(frozen=True)
class Reloaded:
    """What a reload gave: the new game (None when the story has errors) and what to tell the author."""

    game: Game | None
    message: str
    errors: tuple[str, ...] = ()  # `path:line:col: error: ...`, when the edit does not check


class StoryWatcher:
    """Notices edits to a story's files (and its layers') and reloads the story when asked."""

    MAX_ERRORS_SHOWN = 8

    def __init__(self, dirs: Sequence[Path], load: Loader) -> None:
        self.dirs = [Path(d) for d in dirs]
        self.load = load
        self._stamps = self._read_stamps()

    def _read_stamps(self) -> tuple[CacheKey, ...]:
        return tuple(_stamp(folder) for folder in self.dirs)

    def changed(self) -> bool:
        """True once for each batch of edits (files written, added or removed) since the last call."""
        stamps = self._read_stamps()
        if stamps == self._stamps:
            return False
        self._stamps = stamps
        return True

    def reload(self, game: Game) -> Reloaded:
        """Check the edited story; if it is clean, replay the game's choices onto it.

        Reads `game` only for its seed and actions (a copy of them may be given: `reload_from`),
        so a face can reload on a worker thread while the game in play stays on its own."""
        return self.reload_from(game.seed, game.actions)

    @staticmethod
    def replay_onto(story: Story, game: Game) -> tuple[Game, str]:
        """`game`'s choices played again on the reloaded `story` (see the module's `replay_onto`)."""
        return replay_onto(story, game)

    def reload_from(self, seed: int, actions: Sequence[Action]) -> Reloaded:
        """`reload` for the game of `seed` whose choices were `actions`."""
        result = self.load(self.dirs)
        if result.story is None:
            errors = tuple(d.format() for d in result.errors[: self.MAX_ERRORS_SHOWN])
            more = len(result.errors) - len(errors)
            return Reloaded(
                None,
                f"The edited story has {len(result.errors)} error{'s' if len(result.errors) != 1 else ''}"
                f"{f' (and {more} more)' if more > 0 else ''}; you play on with the story as it was.",
                errors,
            )
        return Reloaded(*replayed(result.story, seed, actions))


def _stamp(folder: Path) -> CacheKey:
    try:
        return files_key(find_story_files(folder, DiagnosticSink()))
    except OSError:  # a file went between the listing and its stat: an edit in progress
        return ("unreadable", str(folder))


def replay_onto(story: Story, game: Game) -> tuple[Game, str]:
    """The game's choices played again on an edited story, as far as they still apply."""
    return replayed(story, game.seed, game.actions)


def replayed(story: Story, seed: int, actions: Sequence[Action]) -> tuple[Game, str]:
    """A game of `seed` with `actions` played again on an edited story, as far as they still apply."""
    fresh = Game(story, seed=seed)
    total = len(actions)
    done = fresh.replay(actions)
    if done == total:
        return fresh, f"Story reloaded: all {total} of your choices replay."
    return fresh, (f"Story reloaded: your choices replay up to {done} of {total}; the edit changed what came after, so you continue from there.")
