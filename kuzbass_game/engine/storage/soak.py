"""Random playthroughs with saves and loads in between, each checked against a clean replay.

A save must bring back exactly the game that was saved, and the recorded choices must replay to
exactly the same state: if either drifts, a player's save would silently change their story.
Used by the test suite (a few hundred runs) and by benchmarks/soak.py (100,000 runs).
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kuzbass_game.engine.tools.explorer import SAMPLE_INPUTS
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import SaveStore


@dataclass
class SoakReport:
    runs: int = 0
    steps: int = 0
    saves: int = 0
    loads: int = 0
    divergences: list[str] = field(default_factory=list)


def soak(story: Story, runs: int, seed: int = 0, save_chance: float = 0.15, max_steps: int = 500, folder: Path | None = None) -> SoakReport:
    report = SoakReport()
    picker = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = SaveStore(folder or Path(tmp), story)
        for run in range(runs):
            _one(story, store, picker, run, save_chance, max_steps, report)
            report.runs += 1
    return report


def _one(story: Story, store: SaveStore, picker: random.Random, run: int, save_chance: float, max_steps: int, report: SoakReport) -> None:
    game: Game | None = Game(story, seed=picker.getrandbits(63))
    for _ in range(max_steps):
        assert game is not None
        if game.finished:
            break
        if game.state.awaiting_input:
            game.submit(picker.choice(SAMPLE_INPUTS))
        else:
            options = game.enabled_choices()
            if not options:
                report.divergences.append(f"run {run}: stuck at {game.state.node}")
                return
            game.choose(picker.choice(options).index)
        report.steps += 1
        if picker.random() < 0.05 and game.can_rewind:  # a player who takes a choice back, then plays on
            game.rewind(picker.randint(1, 3))
        game = _saved_and_loaded(store, game, picker, run, save_chance, report)
        if game is None:
            return
    assert game is not None
    replay = Game(story, seed=game.seed)
    for action in game.actions:
        replay.apply(action)
    if replay.state != game.state:
        report.divergences.append(f"run {run}: replaying the choices does not give the same state at turn {game.state.turn}")


def _saved_and_loaded(store: SaveStore, game: Game, picker: random.Random, run: int, save_chance: float, report: SoakReport) -> Game | None:
    """The game after this step's saves: a named save, or an autosave (a journal line, mostly), read
    back now and then and played on from what was read; None after a divergence (it is reported)."""
    roll = picker.random()
    if roll < save_chance:
        info = store.save(game, f"soak {run % 7}")
    elif roll < 3 * save_chance:  # the autosave a face writes at every key press
        info = store.autosave(game)
        if picker.random() < 0.7:
            return game  # not read back this time: the journal grows
    else:
        return game
    report.saves += 1
    loaded = store.load(info.name).game
    report.loads += 1
    if loaded.state != game.state or loaded.actions != game.actions:
        report.divergences.append(f"run {run}: the loaded game ({info.kind} save) differs from the saved one at turn {game.state.turn}")
        return None
    return loaded
