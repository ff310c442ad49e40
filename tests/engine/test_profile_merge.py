"""No ending is lost between two copies of the game (issue 17): each copy's endings are merged into
the player's profile, when the copies record one after the other or at once, and line mode records
its endings there too."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from datetime import datetime, UTC

import pytest
from conftest import FERRY_DIR, REPO
from limited_kuzbass import SECONDS

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.storage import load_profile
from kuzbass_game.plain import run_plain


def test_two_copies_of_the_game_never_lose_each_others_endings(tmp_path):
    story = load_and_check(FERRY_DIR).story
    first, second = sorted(story.endings)[:2]
    folder = tmp_path / "player"
    a = load_profile(folder)  # A opens the gallery
    b = load_profile(folder)
    b.record(story, first, "Bea")  # B reaches one ending
    a.record(story, second, "Anna")  # A reaches another
    b.record(story, first, "Bea")
    kept = load_profile(folder).found(story)
    assert set(kept) == {first, second} and kept[first].times == 2 and kept[second].times == 1


@pytest.mark.timeout(300)
def test_copies_recording_at_once_lose_no_ending(tmp_path):
    story = load_and_check(FERRY_DIR).story
    endings = sorted(story.endings)
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(REPO)!r})
        from kuzbass_game.authoring import load_and_check
        from kuzbass_game.engine.storage import load_profile
        story = load_and_check({str(FERRY_DIR)!r}).story
        profile = load_profile(__import__("pathlib").Path({str(tmp_path / "player")!r}))
        while time.time() < float(sys.argv[1]):
            time.sleep(0.001)
        for _ in range(10):
            profile.record(story, {endings!r}[int(sys.argv[2]) % {len(endings)}], "copy")
        """
    )
    start = datetime.now(UTC).timestamp() + 8
    children = [subprocess.Popen([sys.executable, "-c", code, str(start), str(n)]) for n in range(4)]
    assert [child.wait(timeout=SECONDS) for child in children] == [0, 0, 0, 0]
    found = load_profile(tmp_path / "player").found(story)
    assert sum(record.times for record in found.values()) == 40


def test_line_mode_records_an_ending_in_the_profile(tmp_path):
    story = load_and_check(FERRY_DIR).story
    out = io.StringIO()
    moves = kuzbass_path_to_an_ending()
    run_plain(story, tmp_path / "saves", seed=1, lines=io.StringIO(moves), out=out)
    assert "Ending 1 of" in out.getvalue(), out.getvalue()[-800:]
    assert len(load_profile(tmp_path / "saves" / "player").found(story)) == 1


def kuzbass_path_to_an_ending() -> str:
    """Line-mode input that reaches an ending of the ferry story (as `explore --path-to` finds it)."""
    from kuzbass_game.engine.tools import path_to  # only this test needs the path finder

    story = load_and_check(FERRY_DIR).story
    for ending in sorted(story.endings):
        found = path_to(story, ending, seed=1)
        if found.found and found.seed == 1:
            return "\n".join(step.typed for step in found.steps) + "\nquit\n"
    raise AssertionError("no ending is reachable with seed 1")
