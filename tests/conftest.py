"""Fixtures shared by the engine and command-line tests: the example story, and a writer of
tiny throwaway stories (a manifest plus node files given as text) in a private folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from collections.abc import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
FERRY_DIR = REPO / "docs" / "examples" / "ferry"
STORY_DIR = REPO / "story"

# A manifest for tiny test stories: one variable of each type, an int with a range.
TINY_MANIFEST = """\
id: tiny
title: "Tiny"
start: start
variables:
  gold:
    type: int
    default: 1
    min: 0
    max: 10
    label: "Gold"
  zero:
    type: int
    label: "Zero"
  flag:
    type: bool
    label: "Flag"
  name:
    type: text
    default: "Bob"
    label: "Name"
"""

# The smallest good story for TINY_MANIFEST: a start node and one ending.
TINY_NODES = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Go
        goto: end
  end:
    text: Bye
    ending:
      title: Done
"""

StoryWriter = Callable[..., Path]


@pytest.fixture(autouse=True)
def private_story_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep the cache of checked stories (engine/load/cache.py) out of the user's home during tests."""
    folder = tmp_path_factory.mktemp("kuzbass-cache")
    monkeypatch.setenv("KUZBASS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def make_story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StoryWriter:
    """`make_story({"nodes.yaml": text, ...}, manifest=text or None)` -> the story folder.

    The working directory becomes `tmp_path`, so diagnostics name files as `story/nodes.yaml`.
    Values may be `bytes` for files that are not valid text.
    """
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str | bytes] | None = None, manifest: str | bytes | None = TINY_MANIFEST, folder: str = "story") -> Path:
        root = tmp_path / folder
        root.mkdir(parents=True, exist_ok=True)
        everything: dict[str, str | bytes] = dict(files if files is not None else {"nodes.yaml": TINY_NODES})
        if manifest is not None:
            everything["manifest.yaml"] = manifest
        for name, content in everything.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return write


@pytest.fixture(scope="session")
def ferry_story():
    """The example story, loaded and checked once for the whole session."""
    from kuzbass_game.authoring import load_and_check

    result = load_and_check(FERRY_DIR)
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


def in_ci() -> bool:
    """Whether this run is CI's (`CI=true`, as .ci/run is run): there a test never skips for a missing tool."""
    return os.environ.get("CI", "").lower() == "true"


def tool_or_skip(program: str, package: str) -> None:
    """Skip the calling test when `program` is not on PATH, saying why and how to get it; fail instead under
    CI=true, where .ci/run installs it (Debian's `package`): a missing tool there is a broken CI, not a pass."""
    if shutil.which(program) is not None:
        return
    why = f"'{program}' is not on PATH (Debian's {package}: apt-get install {package})"
    if in_ci():
        pytest.fail(f"{why}; .ci/run installs it, and under CI=true a missing tool fails rather than skips", pytrace=False)
    pytest.skip(f"{why}; CI installs it and runs this test")


@pytest.fixture
def graphviz() -> None:
    """For a test that runs Graphviz's `dot`: skipped where it is not installed, failed in CI."""
    tool_or_skip("dot", "graphviz")
