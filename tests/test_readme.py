"""Every command line in README.md's code blocks works as written, on a fresh copy of the story.

Each line of a ```sh block runs in a copy of `story/` and `docs/`, in order (a later line may use
what an earlier one made: the layer that `new-branch` writes, the saves that play leaves), with
`quit` on its standard input. A line fails the test on a traceback or on a non-zero exit the
README does not mention. Lines that open the full-screen app, serve a web page or install a
package are named in `NOT_RUN` with the test that covers them instead; placeholders (`NAME`,
`DIR`, `NODE`) are filled with real names.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, in_ci

NOT_RUN = {
    "sh scripts/play": "the set-up and the app: .ci/run runs scripts/test; the app is driven by the Pilot tests",
    "sh scripts/test": "this very suite",
    "kuzbass": "the full-screen app: tests/ui",
    "kuzbass play --load NAME": "the full-screen app (loading is tested in tests/ui/test_saves_ui.py)",
    "kuzbass play --seed 7": "the full-screen app: tests/ui",
    "kuzbass play DIR": "the full-screen app: tests/ui",
    "python -m kuzbass_game": "the full-screen app: tests/ui",
    ".venv/bin/pip install -e '.[web]'": "installs a package: tests/test_packaging.py",
    "kuzbass serve --port 8000": "a web server: tests/ui/test_serve.py",
    "kuzbass play story branches/stokehold": "the full-screen app: tests/ui",
    "kuzbass play story branches/stokehold --watch": "the full-screen app: tests/ui/test_watch.py",
}
FILLED = {"NODE": "ch1_arrival"}
NEEDS_GRAPHVIZ = "--format svg"


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command:
                lines.append(command)
    return lines


def test_the_readme_lists_the_commands_this_test_knows():
    commands = readme_commands()
    assert len(commands) >= 20
    assert set(NOT_RUN) <= set(commands), sorted(set(NOT_RUN) - set(commands))


@pytest.mark.slow
def test_every_readme_command_runs_as_written(tmp_path):
    work = tmp_path / "checkout"
    shutil.copytree(REPO / "story", work / "story", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "docs", work / "docs")
    (work / "saves").mkdir()
    env = dict(os.environ, KUZBASS_SAVES=str(work / "saves"), KUZBASS_CACHE_DIR=str(tmp_path / "cache"), KUZBASS_STORY=str(work / "story"))
    env["PATH"] = f"{REPO / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)  # this copy's kuzbass_game, whichever checkout the venv was installed from
    kuzbass = [sys.executable, "-m", "kuzbass_game"]
    ran = []
    for command in readme_commands():
        if command in NOT_RUN:
            continue
        if NEEDS_GRAPHVIZ in command and shutil.which("dot") is None:
            assert not in_ci(), f"'dot' is not on PATH, so '{command}' cannot run: .ci/run installs Debian's graphviz"
            continue  # the README says svg and png need Graphviz
        for placeholder, value in FILLED.items():
            command = command.replace(placeholder, value)
        words, output = shlex.split(command), None
        if ">" in words:
            words, output = words[: words.index(">")], work / words[words.index(">") + 1]
        assert words[0] == "kuzbass", command
        done = subprocess.run([*kuzbass, *words[1:]], cwd=work, env=env, input="quit\n", capture_output=True, text=True, timeout=600)
        assert "Traceback" not in done.stderr, (command, done.stderr[-2000:])
        assert done.returncode == 0, (command, done.returncode, done.stdout[-1000:], done.stderr[-2000:])
        if output is not None:
            output.write_text(done.stdout, encoding="utf-8")
        ran.append(command)
    assert len(ran) >= 12
    assert (work / "branches" / "stokehold" / "manifest.yaml").is_file()
    assert (work / "story.schema.json").stat().st_size > 1000


def test_what_the_readmes_examples_write_is_ignored_by_git():
    """`kuzbass graph ... -o story.svg`, `kuzbass schema > story.schema.json` and the layer that
    `new-branch` writes, run in a checkout, leave nothing for `git status` to show."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    written = ["story.svg", "story.schema.json", "branches/stokehold/manifest.yaml"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert all(name.split("/")[0] in readme for name in written)
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *written], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert ignored.stdout.split() == written, ignored.stdout + ignored.stderr
