import shutil
from pathlib import Path

import pytest

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import SaveStore

FERRY = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ferry"


def load(story_dir: Path):
    result = load_and_check(story_dir)
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


@pytest.fixture
def ferry():
    return load(FERRY)


@pytest.fixture
def ferry_copy(tmp_path):
    """A private copy of the example story that a test may edit (without its story tests, which
    an edit that removes or reorders choices would rightly fail)."""
    target = tmp_path / "story"
    shutil.copytree(FERRY, target)
    manifest = target / "manifest.yaml"
    manifest.write_text(manifest.read_text().split("\n# Scripted playthroughs")[0] + "\n")
    return target


@pytest.fixture
def store(tmp_path, ferry):
    return SaveStore(tmp_path / "saves", ferry)


@pytest.fixture
def rotating_store(tmp_path, ferry):
    """A store whose every autosave is a whole snapshot (no journal), into the game's next slot:
    the rotation through a game's three autosaves, at every call."""
    return SaveStore(tmp_path / "saves", ferry, journal_bytes=0)


def played(story, seed=7, name="Anna"):
    """A game a few choices in: typed a name, waited, stamped feet once."""
    game = Game(story, seed=seed)
    game.submit(name)
    game.choose(0)
    game.choose(2)
    return game
