"""Plant known bugs in a copy of the tree, one at a time, and show that a named test fails on each.

    .venv/bin/python scripts/plant_bugs.py            # every bug; exit 1 if any goes unseen
    .venv/bin/python scripts/plant_bugs.py --list     # the bugs and the tests that must catch them

Each bug is one textual change to one engine module (issue 23: three bugs that the whole suite
once let through). For each, the named test is run on the clean copy (it must pass), then on the
copy with the bug planted (it must fail), then the file is put back. The working tree is never
touched: the copy lives in a temporary folder and is removed at the end.
`tests/test_planted_bugs.py` runs this script, so CI holds it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("kuzbass_game", "tests", "docs", "pyproject.toml", "README.md")


@dataclass(frozen=True)
class Bug:
    name: str
    path: str
    old: str
    new: str
    test: str


BUGS = (
    Bug(
        "a tie counted as passed",
        "kuzbass_game/engine/play/votes.py",
        "    if yes > no:\n",
        "    if yes >= no:\n",
        "tests/engine/test_constructs.py::test_a_tie_is_never_a_pass_declared_or_not_and_one_hand_decides",
    ),
    Bug(
        "a node that unlocks several codex entries counting only the first",
        "kuzbass_game/engine/play/codex.py",
        "        for entry_id in node.unlocks:\n",
        "        for entry_id in node.unlocks[:1]:\n",
        "tests/engine/test_constructs.py::test_a_node_that_unlocks_several_entries_unlocks_each_and_the_explorer_agrees",
    ),
    Bug(
        "a save with a forged variable (same fingerprint) loading",
        "kuzbass_game/engine/storage/save_format.py",
        "return (a.node, played, dict(a.visits)",
        "return (a.node, dict(b.variables), dict(a.visits)",
        "tests/saves/test_saves.py::test_each_state_field_forged_alone_with_the_same_fingerprint_is_refused",
    ),
)


def copy_tree(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".kuzbass-cache")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore)
        else:
            shutil.copy2(source, target / name)


def run_test(copy: Path, test: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTEST_ADDOPTS", None)
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", test]
    return subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=600)


def imports_from(copy: Path) -> Path:
    """Where `kuzbass_game` is imported from when a test runs in the copy (it must be the copy)."""
    env = dict(os.environ, PYTHONPATH=str(copy))
    out = subprocess.run(
        [sys.executable, "-c", "import kuzbass_game; print(kuzbass_game.__file__)"], cwd=copy, env=env, capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip()).resolve()


def check(bug: Bug, copy: Path) -> tuple[bool, str]:
    """(caught, what happened) for one bug."""
    path = copy / bug.path
    original = path.read_text(encoding="utf-8")
    if original.count(bug.old) != 1:
        return False, f"the text to change is not in {bug.path} exactly once: update BUGS in scripts/plant_bugs.py"
    clean = run_test(copy, bug.test)
    if clean.returncode != 0:
        return False, f"{bug.test} fails on the clean copy:\n{clean.stdout[-2000:]}"
    path.write_text(original.replace(bug.old, bug.new), encoding="utf-8")
    try:
        planted = run_test(copy, bug.test)
    finally:
        path.write_text(original, encoding="utf-8")
    if planted.returncode == 1:  # tests ran and failed (2..5: an error, an interruption, no tests)
        failed = [line for line in planted.stdout.splitlines() if line.startswith("FAILED")]
        return True, failed[0] if failed else "failed"
    return False, f"{bug.test} {'passes' if planted.returncode == 0 else f'exits {planted.returncode}'} with the bug planted"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list the bugs and their tests, run nothing")
    args = parser.parse_args(argv)
    if args.list:
        for bug in BUGS:
            print(f"{bug.name}\n    {bug.path}: {bug.old.strip()!r} -> {bug.new.strip()!r}\n    caught by {bug.test}")
        return 0
    unseen = 0
    with tempfile.TemporaryDirectory(prefix="kuzbass-planted-") as folder:
        copy = Path(folder)
        copy_tree(copy)
        where = imports_from(copy)
        if not where.is_relative_to(copy.resolve()):
            print(f"the copy imports kuzbass_game from {where}, not from the copy: nothing planted there would be seen", file=sys.stderr)
            return 2
        for bug in BUGS:
            caught, detail = check(bug, copy)
            unseen += not caught
            print(f"{'caught' if caught else 'UNSEEN'}: {bug.name}\n    {detail}", flush=True)
    print(f"{len(BUGS) - unseen} of {len(BUGS)} planted bugs caught")
    return 1 if unseen else 0


if __name__ == "__main__":
    sys.exit(main())
