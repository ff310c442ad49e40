"""Line mode survives any locale (issue 17): undecodable input under a strict UTF-8, ASCII or
Latin-1 terminal, run in a child process held to an address-space and a time limit."""

from __future__ import annotations

import pytest
from conftest import FERRY_DIR
from limited_kuzbass import kuzbass


@pytest.mark.timeout(300)
@pytest.mark.parametrize("encoding", ["utf-8:strict", "ascii", "latin-1:strict"])
def test_line_mode_survives_any_locale(tmp_path, encoding):
    typed = b"\xff\xfeVera\xc3\n1\nstatus\nquit\n"
    done = kuzbass("play", "--plain", "--saves", str(tmp_path / "saves"), "--story", str(FERRY_DIR), stdin=typed, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in done.stderr and b"Goodbye" in done.stdout
