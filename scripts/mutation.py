"""Mutation testing of the engine's rules with mutmut: how many small changes to the code the tests see.

    .venv/bin/python scripts/mutation.py                  # every module below, one after another
    .venv/bin/python scripts/mutation.py votes codex      # some of them (by the short names below)
    .venv/bin/python scripts/mutation.py --work DIR       # keep the copy and mutmut's cache in DIR

Not run in CI: it is slow (each mutant runs the tests that reach the function it changed). It
works on a copy of the last commit (or of the working tree, `--worktree`) (mutmut writes a `mutants/` folder beside the code it mutates), one
module at a time and one test process at a time (`--max-children`, default 1: the machine has two
cores, shared), so a run can be stopped and resumed: mutmut keeps each result in the copy.
It prints each module's score and its surviving mutants; `docs/dev/testing.md` keeps the score
and says, for every survivor, whether it is an equivalent or which test should have killed it.
Needs mutmut in the venv (`.venv/bin/pip install mutmut`; it is not in the test extras).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("kuzbass_game", "tests", "docs", "pyproject.toml", "README.md")

# The engine's rules: the module each short name stands for.
MODULES = {
    "expr": "kuzbass_game/engine/core/expr.py",
    "stepper": "kuzbass_game/engine/play/stepper.py",
    "votes": "kuzbass_game/engine/play/votes.py",
    "codex": "kuzbass_game/engine/play/codex.py",
    "history": "kuzbass_game/engine/play/history.py",
    "save_format": "kuzbass_game/engine/storage/save_format.py",
    "journal": "kuzbass_game/engine/storage/journal.py",
    "atomic": "kuzbass_game/engine/files/atomic.py",
}

# The tests that reach those modules (the UI, the campaign and the slow crash tests add time, not kills).
TESTS = [
    "tests/engine/test_expr.py",
    "tests/engine/test_expr_rules.py",
    "tests/engine/test_runtime.py",
    "tests/engine/test_constructs.py",
    "tests/engine/test_credits.py",
    "tests/engine/test_summary_profile.py",
    "tests/engine/test_hostile.py",
    "tests/engine/test_files.py",
    "tests/engine/test_codex_summary.py",
    "tests/engine/test_votes_rules.py",
    "tests/engine/test_stepper_rules.py",
    "tests/engine/test_story_tests.py",
    "tests/saves/test_saves.py",
    "tests/saves/test_save_format_rules.py",
    "tests/saves/test_journal.py",
    "tests/saves/test_checkpoint.py",
    "tests/saves/test_pending_autosave.py",
    "tests/saves/test_hostile_saves.py",
    "tests/saves/test_durability.py",
    "tests/saves/test_fuzz.py",
    "tests/saves/test_games.py",
]

# Left out of the mutation run (each still runs in the suite): tests that measure the stack itself (how
# deep a parse or a YAML tree may go), since mutmut's trampolines add a frame to every call and these fail
# under it whatever the mutant;
LEFT_OUT = [
    "tests/engine/test_expr.py::test_limits_on_length_and_depth",
    "tests/engine/test_expr.py::test_ten_thousand_parentheses_are_an_expression_error_not_a_recursion_error",
    "tests/engine/test_hostile.py::test_ten_thousand_levels_of_nesting_are_a_clean_error",
    "tests/engine/test_hostile.py::test_deep_block_mappings_are_a_clean_error",
    # and tests that run the game in a new process: there the mutated modules cannot find mutmut's settings
    "tests/saves/test_hostile_saves.py::test_kuzbass_saves_shows_every_slot_and_no_raw_escape",
    "tests/saves/test_hostile_saves.py::test_check_saves_reports_every_slot_and_no_raw_escape",
]

CONFIG = """
[tool.mutmut]
source_paths = ["kuzbass_game"]
only_mutate = {only}
pytest_add_cli_args_test_selection = {tests}
pytest_add_cli_args = {args}
also_copy = ["docs", "README.md"]
use_git_change_detection = false
"""


def prepare(work: Path, worktree: bool) -> None:
    """A copy of the tree in `work`: the last commit (others' edits in progress left out), or with
    `worktree` the working tree as it is. mutmut re-runs only the mutants of functions that changed."""
    work.mkdir(parents=True, exist_ok=True)
    if worktree:
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".kuzbass-cache", "mutants")
        for name in COPIED:
            source, target = ROOT / name, work / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=ignore, dirs_exist_ok=True)
            else:
                shutil.copy2(source, target)
    else:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD", "--", *COPIED], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True)
    only = json.dumps(sorted(MODULES.values()))
    tests = json.dumps([test for test in TESTS if (work / test).exists()])
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8").split("\n[tool.mutmut]")[0]
    args = json.dumps(["-p", "no:cacheprovider", "-x", "-q", *(f"--deselect={test}" for test in LEFT_OUT)])
    pyproject.write_text(text + CONFIG.format(only=only, tests=tests, args=args), encoding="utf-8")


def mutmut(work: Path, *args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    binary = Path(sys.executable).parent / "mutmut"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([str(binary), *args], cwd=work, env=env, text=True, capture_output=capture)


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def results(work: Path) -> dict[str, str]:
    """Every mutant mutmut has a result for: name -> status (killed, survived, timeout, ...)."""
    out = mutmut(work, "results", "--all", "true", capture=True).stdout
    found = {}
    for line in out.splitlines():
        match = re.match(r"\s*([\w.]+__mutmut_\d+): (.+)", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
    return found


def report(work: Path, short: str) -> tuple[int, int, list[str]]:
    """(killed, counted, survivors) for one module; timeouts count as killed, as mutmut counts them."""
    prefix = module_name(MODULES[short]) + "."
    mine = {name: status for name, status in results(work).items() if name.startswith(prefix)}
    killed = sum(status in ("killed", "timeout", "segfault") for status in mine.values())
    counted = sum(status not in ("not checked", "skipped", "no tests") for status in mine.values())
    survivors = sorted((name for name, status in mine.items() if status in ("survived", "no tests")), key=_natural)
    return killed, counted + sum(status == "no tests" for status in mine.values()), survivors


def _natural(name: str) -> tuple[str, int]:
    head, _, number = name.rpartition("_")
    return head, int(number) if number.isdigit() else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"short names: {', '.join(MODULES)} (default: all)", metavar="MODULE")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kuzbass-mutation"), help="the copy (default /tmp/kuzbass-mutation)")
    parser.add_argument("--max-children", default="1", help="test processes at once (default 1)")
    parser.add_argument("--report-only", action="store_true", help="print the scores of what was run, run nothing")
    parser.add_argument("--diffs", action="store_true", help="show each survivor's change")
    parser.add_argument("--worktree", action="store_true", help="mutate the working tree as it is, not the last commit")
    args = parser.parse_args(argv)
    chosen = args.modules or list(MODULES)
    unknown = [name for name in chosen if name not in MODULES]
    if unknown:
        parser.error(f"unknown module {unknown[0]!r}: choose from {', '.join(MODULES)}")
    if not args.report_only:
        prepare(args.work, args.worktree)
    total_killed = total = 0
    for short in chosen:
        if not args.report_only:
            print(f"== {short}: mutmut run {module_name(MODULES[short])}.*", flush=True)
            mutmut(args.work, "run", "--max-children", args.max_children, module_name(MODULES[short]) + ".*")
        killed, counted, survivors = report(args.work, short)
        total_killed, total = total_killed + killed, total + counted
        score = f"{100 * killed / counted:.1f}%" if counted else "not run"
        print(f"{short}: {killed} of {counted} mutants killed ({score}); {len(survivors)} survived")
        for name in survivors:
            print(f"    {name}")
            if args.diffs:
                print(mutmut(args.work, "show", name, capture=True).stdout)
    if total:
        print(f"all: {total_killed} of {total} killed ({100 * total_killed / total:.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
