"""The author tools fail in one line (issue 17): new-branch into a folder it cannot write writes
nothing, from any name it writes a layer that checks, and schema to a full disk is one line.
Each runs in a child process held to an address-space and a time limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FERRY_DIR, REPO
from limited_kuzbass import LIMITED, SECONDS, kuzbass, raw_bytes

from kuzbass_game.authoring import load_and_check


@pytest.mark.timeout(300)
def test_new_branch_fails_in_one_line_and_writes_nothing(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    for name, into in [("X", "/etc/passwd"), ("X", "/proc/x"), ("X", "/proc/x/y/z"), ("X", str(tmp_path / "file"))]:
        (tmp_path / "file").write_text("not a folder")
        done = kuzbass("new-branch", name, "--into", into, "--story", str(FERRY_DIR), cwd=work)
        assert done.returncode == 1 and b"Traceback" not in done.stderr
        assert len(done.stderr.decode().strip().splitlines()) == 1, done.stderr
    assert list(work.iterdir()) == []
    unwritable = tmp_path / "locked"
    unwritable.mkdir()
    unwritable.chmod(0o500)
    try:
        done = kuzbass("new-branch", "X", "--into", str(unwritable / "a" / "b"), "--story", str(FERRY_DIR), cwd=work)
        if os.geteuid() != 0:  # root writes anywhere
            assert done.returncode == 1 and len(done.stderr.decode().strip().splitlines()) == 1
            assert list(unwritable.iterdir()) == []
    finally:
        unwritable.chmod(0o700)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "name",
    ["a" * 10_000, 'Evil \x1b]52;c;SGk=\x07 [@click=app.quit]x[/] "q" \\', "[b]bold[/b] \u202eflip"],
    ids=["10,000 characters", "escapes and an action", "markup and bidi"],
)
def test_new_branch_from_any_name_writes_a_layer_that_checks(tmp_path, name):
    done = kuzbass("new-branch", name, "--story", str(FERRY_DIR), cwd=tmp_path)
    assert done.returncode == 0, (done.stdout + done.stderr).decode(errors="replace")[-1500:]
    assert raw_bytes(done.stdout + done.stderr) == []
    [layer] = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(layer.name) <= 40
    checked = load_and_check([FERRY_DIR, layer])
    assert checked.story is not None and not checked.errors


@pytest.mark.timeout(120)
def test_schema_to_a_full_disk_is_one_line():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-c", LIMITED, "schema"],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=SECONDS,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
    assert done.returncode == 1
    assert done.stderr.decode().strip().splitlines() == ["kuzbass schema: the schema could not be written: No space left on device"]
