"""A game killed with SIGKILL mid-play resumes from its autosave, losing only the unfinished choice."""

import os
import select
import signal
import subprocess
import sys
import time

import pytest

from kuzbass_game.engine.storage.save_store import SaveStore

from .conftest import FERRY

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


class Screen:
    """What the child has printed so far; waits (with a deadline) for text to appear after a point."""

    def __init__(self, proc) -> None:
        self.proc = proc
        self.seen = b""
        self.mark = 0

    def wait_for(self, marker: bytes, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.seen[self.mark :]:
            left = deadline - time.monotonic()
            assert left > 0, f"{marker!r} never appeared; the game printed:\n{self.seen.decode(errors='replace')}"
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                assert chunk, f"the game exited early:\n{self.seen.decode(errors='replace')}"
                self.seen += chunk
        self.mark = self.seen.index(marker, self.mark) + len(marker)


def test_kill_9_mid_play_then_continue(tmp_path, ferry):
    saves = tmp_path / "saves"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kuzbass_game", "play", "--plain", "--story", str(FERRY), "--saves", str(saves), "--seed", "4"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    screen = Screen(proc)
    try:
        screen.wait_for(b"> ")
        for line, marker in ((b"Vera\n", b"Wait for the ferry"), (b"1\n", b"Pay the fare"), (b"3\n", b"Pay the fare")):
            proc.stdin.write(line)
            proc.stdin.flush()
            screen.wait_for(marker)
            screen.wait_for(b"> ")
        # the player is thinking about the next choice when the machine dies
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    latest = SaveStore(saves, ferry).latest()
    assert latest is not None and latest.kind == "auto"
    resumed = SaveStore(saves, ferry).load(latest.name).game
    assert resumed.state.node == "waiting"
    assert resumed.state.variables["name"] == "Vera"
    assert resumed.state.visits["waiting"] == 2  # both completed choices survived
    assert len(resumed.actions) == 3
    assert not [p for p in saves.iterdir() if p.name.endswith(".tmp")]
