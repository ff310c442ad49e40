"""500 random playthroughs of the campaign with saves and loads: nothing may diverge."""

from pathlib import Path

import pytest

from kuzbass_game.engine.storage.soak import soak

from .conftest import load

STORY = Path(__file__).resolve().parents[2] / "story"


# 500 whole games with about 13,000 saves and loads (each load checks and replays): about two minutes
# alone on a 2-core machine, and over the default five under coverage on a shared, slowed one.
@pytest.mark.timeout(900)
def test_500_playthroughs_with_saves_never_diverge(tmp_path):
    report = soak(load(STORY), runs=500, seed=11, folder=tmp_path)
    assert report.divergences == []
    assert report.runs == 500
    assert report.saves > 500 and report.loads == report.saves  # saving really happened, often


def test_soak_notices_a_save_that_does_not_round_trip(tmp_path, monkeypatch, ferry):
    """The check itself can fail: a store that loses the last choice is caught."""
    from kuzbass_game.engine.storage import save_store as saves_module

    original = saves_module.SaveStore.load

    def lossy(self, name):
        loaded = original(self, name)
        if loaded.game.can_rewind:
            loaded.game.rewind(1)
        return loaded

    monkeypatch.setattr(saves_module.SaveStore, "load", lossy)
    report = soak(ferry, runs=50, seed=3, save_chance=1.0, folder=tmp_path)
    assert report.divergences and "differs from the saved one" in report.divergences[0]
