"""docs/authoring.md, followed word for word as a new author would: the branch it builds over the
campaign checks clean, its story test passes, and plain play reaches the new scenes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

from conftest import REPO, STORY_DIR

DOC = REPO / "docs" / "authoring.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", DOC.read_text(), re.S)


def kuzbass(*args: str, cwd, stdin: str | None = None) -> subprocess.CompletedProcess:
    # As in a clone, where the bundled story is ./story (here a link to this checkout's).
    env = dict(os.environ, KUZBASS_STORY="story", PYTHONPATH=str(REPO))  # this copy's kuzbass_game, run from the clone
    return subprocess.run([sys.executable, "-m", "kuzbass_game", *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120, env=env)


def test_the_tutorial_builds_a_branch_that_checks_and_plays(tmp_path):
    work = tmp_path / "clone"
    work.mkdir()
    (work / "story").symlink_to(STORY_DIR, target_is_directory=True)
    commands = [line for block in blocks("sh") for line in block.splitlines() if line.startswith("kuzbass ")]
    new_branch = next(shlex.split(line)[1:] for line in commands if line.startswith("kuzbass new-branch"))
    made = kuzbass(*new_branch, cwd=work)
    assert made.returncode == 0, made.stderr
    assert made.stdout.splitlines() == blocks("text")[0].splitlines()  # the output the tutorial shows, word for word
    for block in blocks("yaml"):
        first = block.splitlines()[0]
        if first.startswith("# file: "):
            target = work / first[len("# file: ") :].strip()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block)
    check = next(shlex.split(line)[1:] for line in commands if line.startswith("kuzbass check"))
    checked = kuzbass(*check, cwd=work)
    assert checked.returncode == 0 and checked.stdout.splitlines()[-1].startswith("story + branches/stokehold: 0 errors, 0 warnings"), (
        checked.stdout + checked.stderr
    )
    play = next(shlex.split(line)[1:] for line in commands if line.startswith("kuzbass play --story story --story"))
    route = "Ruth\n2\n1\n1\n6\n1\n"
    played = kuzbass(*play, "--plain", "--seed", "1", "--saves", str(tmp_path / "saves"), cwd=work, stdin=route)
    assert "Below the waterline the ship is a furnace" in played.stdout
    assert "Four hours. The shovel learns your hands" in played.stdout
    assert "Traceback" not in played.stderr
