"""Fixtures for the Textual app tests: the example ferry story, a tiny story with a locked
choice and a dead end, the Sunday meeting (a reply, a vote and codex entries, in
tests/ui/stories/meeting), the first winter (an introduction, an afterword and three endings, in
tests/ui/stories/winter), and an app factory with a private saves folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.core.model import Story
from kuzbass_game.ui.app import KuzbassApp

FERRY = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ferry"
MEETING = Path(__file__).resolve().parent / "stories" / "meeting"
WINTER = Path(__file__).resolve().parent / "stories" / "winter"

LOCKS_MANIFEST = """\
id: locks
title: "Locks"
start: hall
variables:
  coins:
    type: int
    default: 1
    label: "Coins"
"""

LOCKS_NODES = """\
nodes:
  hall:
    chapter: "The [i]Hall[/i]"
    date: "Spring 1923"
    text: |
      A gold door and a plain one.
    choices:
      - text: "Open the gold door"
        goto: gold
        if: "coins >= 5"
        locked: "You need [b]five[/b] coins."
      - text: "Take the plain door"
        goto: plain
      - text: "Walk into the broken corridor"
        goto: broken
  gold:
    text: "Gold."
    ending:
      title: "Rich"
  plain:
    text: "Plain."
    ending:
      title: "Plain"
  broken:
    text: "The corridor ends in a wall."
    choices:
      - text: "Climb the wall"
        goto: plain
        if: "coins > 100"
"""


async def settle(pilot) -> None:
    """Wait as Textual's own tests do: for every worker (a palette search, the saves being read,
    an autosave being written) to complete, then for the screen to be refreshed."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def load(story_dir: Path) -> Story:
    result = load_and_check(story_dir)
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


@pytest.fixture(scope="session")
def ferry() -> Story:
    return load(FERRY)


@pytest.fixture(scope="session")
def meeting() -> Story:
    return load(MEETING)


@pytest.fixture(scope="session")
def winter() -> Story:
    """An introduction, an afterword, values on a scale, a typed name and three endings."""
    return load(WINTER)


@pytest.fixture
def locks(tmp_path: Path) -> Story:
    folder = tmp_path / "locks"
    (folder / "scenes").mkdir(parents=True)
    (folder / "manifest.yaml").write_text(LOCKS_MANIFEST, encoding="utf-8")
    (folder / "scenes" / "all.yaml").write_text(LOCKS_NODES, encoding="utf-8")
    return load(folder)


@pytest.fixture
def saves_dir(tmp_path: Path) -> Path:
    return tmp_path / "saves"


@pytest.fixture
def make_app(ferry: Story, saves_dir: Path):
    """`make_app()` plays the ferry with seed 1; pass `story=` for another story."""

    def make(story: Story | None = None, seed: int = 1, **options) -> KuzbassApp:
        return KuzbassApp(story or ferry, saves_dir=saves_dir, seed=seed, **options)

    return make
