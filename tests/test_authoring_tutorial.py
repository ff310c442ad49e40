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


def the_tutorials_branch(tmp_path):
    """A clone with the branch the tutorial's YAML blocks write, and its scene file."""
    work = tmp_path / "clone"
    work.mkdir()
    (work / "story").symlink_to(STORY_DIR, target_is_directory=True)
    for block in blocks("yaml"):
        first = block.splitlines()[0]
        if first.startswith("# file: "):
            target = work / first[len("# file: ") :].strip()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block)
    return work, work / "branches" / "stokehold" / "the_stokehold.yaml"


def test_the_indentation_pitfall_reads_as_the_tutorial_says(tmp_path):
    """Section 4's "Indentation": a list item of the tutorial's own scene set out of step with the
    one beside it is reported at that line in the words the tutorial quotes, not in YAML's own."""
    quoted = re.search(r'A line out of step is\s+reported as "([^"]+)" at the line', DOC.read_text())
    assert quoted, "the tutorial no longer quotes the message for a line out of step"
    said = " ".join(quoted.group(1).split())
    work, scene = the_tutorials_branch(tmp_path)
    item = '      - text: "Watch, and ask him about the men who keep the ship going"\n'
    assert item in scene.read_text()
    scene.write_text(scene.read_text().replace(item, item[2:]))  # two spaces short of the item above it
    line = scene.read_text().splitlines().index(item[2:].rstrip("\n")) + 1
    checked = kuzbass("check", "story", "branches/stokehold", cwd=work)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    errors = [row for row in checked.stdout.splitlines() if ": error: " in row]
    assert len(errors) == 1 and errors[0].startswith(f"branches/stokehold/the_stokehold.yaml:{line}:"), errors
    assert said in errors[0] and "did not find expected" not in errors[0], errors


def test_a_key_out_of_step_reads_as_an_unknown_key_as_the_tutorial_says(tmp_path):
    """The pitfall's other case: a choice's key set back to its node's column belongs to the node,
    which is told as an "unknown key" of that mapping, at the line."""
    assert 'can instead read as an "unknown key" of that mapping' in " ".join(DOC.read_text().split())
    work, scene = the_tutorials_branch(tmp_path)
    key = '        reply: "He tells you'
    assert key in scene.read_text()
    scene.write_text(scene.read_text().replace(key, key[4:]))  # at the column of the node's own keys
    line = next(number for number, row in enumerate(scene.read_text().splitlines(), 1) if row.startswith(key[4:]))
    checked = kuzbass("check", "story", "branches/stokehold", cwd=work)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    errors = [row for row in checked.stdout.splitlines() if ": error: " in row]
    assert errors == [
        f"branches/stokehold/the_stokehold.yaml:{line}:5: error: unknown key 'reply' in node 'the_stokehold_start'; "
        "allowed keys: text, chapter, date, effects, choices, ending, input, unlocks, vote"
    ], errors
