"""`play` takes the story and its layers as positional folders, as check and explore do (issue 19)."""

from __future__ import annotations


def test_play_takes_the_story_and_its_layers_as_positional_folders_like_check_and_explore(tmp_path):
    import subprocess
    import sys

    from conftest import REPO

    def play(*folders: str) -> str:
        argv = [sys.executable, "-m", "kuzbass_game", "play", "--plain", "--seed", "1", "--saves", str(tmp_path / "saves"), *folders]
        done = subprocess.run(argv, cwd=REPO, input="Olga\n1\n", capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout

    positional = play("docs/examples/ferry", "docs/examples/ferry_tea")
    assert "Warm yourself in the tea hut on the landing" in positional
    assert play("--story", "docs/examples/ferry", "--story", "docs/examples/ferry_tea") == positional
