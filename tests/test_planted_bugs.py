"""The three bugs of issue 23, which the whole suite once let through, are each caught by a named test:
`scripts/plant_bugs.py` plants each in a copy of the tree and runs the test that must fail on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_each_planted_bug_fails_its_named_test():
    result = subprocess.run([sys.executable, "scripts/plant_bugs.py"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("caught: ") == 3 and "3 of 3 planted bugs caught" in result.stdout
