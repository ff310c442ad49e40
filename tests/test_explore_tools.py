"""`kuzbass explore`: --path-to (replayed for real in plain mode), --jobs (the same report as one
process), the table (80 columns, endings by title), and piped plain play echoing what it read."""

from __future__ import annotations

import io
import json
import re
import shlex
import subprocess
import sys

import pytest

from kuzbass_game.authoring import load_and_check
from kuzbass_game.cli import main
from kuzbass_game.engine.tools.explorer import explore, merge
from kuzbass_game.engine.tools.pathfind import path_to, watched_nodes
from kuzbass_game.engine.play.game import Game
from kuzbass_game.plain import PlainSession

from conftest import FERRY_DIR, REPO, TINY_NODES


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def subprocess_env(cache_dir) -> dict:
    import os

    env = dict(os.environ, KUZBASS_CACHE_DIR=str(cache_dir), PYTHONDONTWRITEBYTECODE="1")
    env.pop("KUZBASS_STORY", None)
    return env


def replay_input(printed: str) -> tuple[str, int, list[str]]:
    """From `explore --path-to`'s output: the lines to type, the seed, and the story folders."""
    line = next(line.strip() for line in printed.splitlines() if line.strip().startswith("printf "))
    words = shlex.split(line)
    assert words[0] == "printf" and words[2:6] == ["|", "kuzbass", "play", "--plain"]
    typed = words[1].replace("\\n", "\n").replace("%%", "%")
    seed = int(words[words.index("--seed") + 1])
    stories = [words[i + 1] for i, word in enumerate(words) if word == "--story"]
    return typed, seed, stories


# ---------------------------------------------------------------- --path-to


@pytest.mark.parametrize(
    "target, reached",
    [
        ("waiting_out", "The vote goes against crossing."),  # behind a vote: needs another seed than 0
        ("soaked", "Your boots fill with river."),  # behind a random branch
        ("far_bank", "The end: Across the Tom."),
    ],
)
def test_the_printed_path_replays_in_plain_mode(capsys, monkeypatch, tmp_path, target, reached):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "explore", "docs/examples/ferry", "--path-to", target)
    assert code == 0 and err == ""
    assert max(len(line) for line in out.splitlines()[:-1]) <= 80
    typed, seed, stories = replay_input(out)
    assert stories == ["docs/examples/ferry"]
    assert typed.startswith("Anna\n")  # the input on the way, typed with a sample name and shown as such
    assert "a sample name, typed at: Give your name to the ferryman:" in out
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "play", "--plain", "--seed", str(seed), "--story", stories[0], "--saves", str(tmp_path / "saves")],
        input=typed,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(tmp_path / "cache"),
    )
    assert done.returncode == 0, done.stderr
    transcript = done.stdout
    assert reached in transcript
    # the last scene shown is the target's: nothing was typed after it was reached
    assert transcript.rstrip().endswith(">") or reached.startswith("***")
    assert "There is no choice" not in transcript and "not available" not in transcript


def test_path_to_is_shortest_and_names_its_numbers_as_shown(ferry_story):
    found = path_to(ferry_story, "far_bank")
    assert found.found and found.seed == 0 and not found.capped
    assert [step.typed for step in found.steps] == ["Anna", "1", "1", "2"]
    assert found.choices == 3  # bank -> waiting -> crossing -> far_bank: no path is shorter
    assert [step.node for step in found.steps] == ["bank", "bank", "waiting", "crossing"]
    assert watched_nodes(ferry_story) == ("bank", "waiting")


def test_path_to_the_start_is_empty(ferry_story):
    found = path_to(ferry_story, "bank")
    assert found.found and found.steps == () and found.states == 1


def test_path_to_numbers_count_locked_choices_shown(make_story):
    nodes = TINY_NODES.replace(
        "      - text: Go\n        goto: end\n",
        (
            '      - text: Rich door\n        goto: end\n        if: "gold > 5"\n        locked: "Too poor."\n'
            "      - text: Poor door\n        goto: middle\n"
            "  middle:\n    text: Mid\n    choices:\n      - text: On\n        goto: end\n"
        ),
    )
    nodes = nodes.replace("text: On\n", "text: Onward\n")
    story = load_and_check(make_story({"nodes.yaml": nodes})).story
    assert story is not None
    found = path_to(story, "end")
    assert [step.typed for step in found.steps] == ["2", "1"]  # choice 1 is shown locked, so the open door is 2
    game = Game(story, seed=found.seed)
    for step in found.steps:
        game.choose_number(int(step.typed))
    assert game.state.node == "end"


def test_path_to_a_node_no_state_reaches(capsys, make_story):
    nodes = TINY_NODES.replace(
        "      - text: Go\n        goto: end\n",
        (
            "      - text: Go\n        goto: end\n"
            '      - text: Vault\n        goto: vault\n        if: "gold > 50"\n'
            "  vault:\n    text: Gold\n    choices:\n      - text: Leave\n        goto: end\n"
        ),
    )
    make_story({"nodes.yaml": nodes})
    code, out, err = run_cli(capsys, "explore", "story", "--path-to", "vault")
    assert code == 1 and err == ""
    assert " ".join(out.split()) == (
        "'vault' cannot be reached from the start with seed 0: every state the story can reach on the way was searched (1 state)."
    )


def test_path_to_stops_at_the_cap_and_says_so(capsys, make_story):
    nodes = TINY_NODES.replace(
        "      - text: Go\n        goto: end\n",
        (
            "      - text: Go\n        goto: end\n"
            '      - text: Earn\n        goto: start\n        effects: "gold += 1"\n'
            '      - text: Vault\n        goto: vault\n        if: "gold > 50"\n'
            "  vault:\n    text: Gold\n    choices:\n      - text: Leave\n        goto: end\n"
        ),
    )
    make_story({"nodes.yaml": nodes})
    code, out, err = run_cli(capsys, "explore", "story", "--path-to", "vault", "--max-states", "5")
    assert code == 1 and err == ""
    assert " ".join(out.split()) == (
        "'vault' was not reached within 5 states (seed 0), nor by 2,000 random playthroughs; raise --max-states to search further."
    )
    code, out, err = run_cli(capsys, "explore", "story", "--path-to", "vault")  # gold stops at 10: every state searched
    assert code == 1
    assert " ".join(out.split()) == (
        "'vault' cannot be reached from the start with seed 0: every state the story can reach on the way was searched (10 states)."
    )


def test_past_the_cap_a_random_playthrough_that_got_there_is_offered(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "explore", "docs/examples/ferry", "--path-to", "far_bank", "--max-states", "2")
    assert code == 0 and err == ""
    flat = " ".join(out.split())
    assert re.search(
        r"'far_bank' \(\"Across the Tom\"\): \d+ choices with seed \d+: the shortest of 2,000 random "
        r"playthroughs that reached it, after the search met its bound of 2 states; a shorter way may exist",
        flat,
    )
    typed, seed, stories = replay_input(out)
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "play", "--plain", "--seed", str(seed), "--story", stories[0], "--saves", str(tmp_path / "saves")],
        input=typed,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(tmp_path / "cache"),
    )
    assert done.returncode == 0 and "The end: Across the Tom." in done.stdout


def test_path_to_an_unknown_node(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "explore", "docs/examples/ferry", "--path-to", "far_bnak")
    assert (code, out) == (1, "")
    assert err == "docs/examples/ferry: there is no node 'far_bnak'; did you mean 'far_bank'?\n"


def test_path_to_json(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "explore", "docs/examples/ferry", "--path-to", "walk_home", "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["found"] and data["seed"] == 0 and data["choices"] == 2 and not data["capped"]
    assert [s["type"] for s in data["steps"]] == ["Anna", "1", "4"] and data["steps"][0]["input"] is True
    assert data["replay"] == "printf 'Anna\\n1\\n4\\n' | kuzbass play --plain --seed 0 --story docs/examples/ferry"


# ---------------------------------------------------------------- --jobs


def test_ranges_of_runs_merge_into_the_whole(ferry_story):
    whole = explore(ferry_story, 60, seed=7).to_json(ferry_story)
    parts = [explore(ferry_story, 25, seed=7), explore(ferry_story, 1, seed=7, first=25), explore(ferry_story, 34, seed=7, first=26)]
    assert merge(parts).to_json(ferry_story) == whole


def test_jobs_give_the_same_report_as_one_process(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    argv = ["explore", "docs/examples/ferry", "--runs", "90", "--seed", "5", "--json"]
    code_one, one, err_one = run_cli(capsys, *argv, "--jobs", "1")
    code_two, two, err_two = run_cli(capsys, *argv, "--jobs", "2")
    assert (code_one, err_one) == (code_two, err_two) == (0, "")
    assert json.loads(one) == json.loads(two)
    assert one == two


def test_jobs_as_a_subprocess(tmp_path):
    argv = [sys.executable, "-m", "kuzbass_game", "explore", "docs/examples/ferry", "--runs", "40", "--seed", "3", "--json"]
    env = subprocess_env(tmp_path)
    runs = [subprocess.run(argv + ["--jobs", jobs], cwd=REPO, capture_output=True, text=True, timeout=120, env=env) for jobs in ("1", "3")]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert runs[0].stdout == runs[1].stdout


# ---------------------------------------------------------------- the table

LONG_TITLE = "The Very Long Title of an Ending That Goes On and On Past Any Reasonable Width of a Terminal"


def test_the_table_names_endings_by_title_and_fits_80_columns(capsys, make_story, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    make_story({"nodes.yaml": TINY_NODES.replace("title: Done", f'title: "{LONG_TITLE}"')})
    code, out, err = run_cli(capsys, "explore", "story", "--runs", "5")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    row = next(line for line in lines if "The Very Long" in line)
    assert re.fullmatch(r"│ The Very Long Title of an Ending.*… \[end\] +│ +5 │ +100% │", row.strip()), row


def test_the_table_shows_the_title_with_the_id_in_brackets(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, _ = run_cli(capsys, "explore", "docs/examples/ferry", "--runs", "20")
    assert code == 0
    assert re.search(r"│ Across the Tom \[far_bank\] +│ +\d+ │", out)
    assert re.search(r"│ The Long Way Round \[walk_home\] +│ +\d+ │", out)


def test_json_names_ending_titles(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, _ = run_cli(capsys, "explore", "docs/examples/ferry", "--runs", "5", "--json")
    assert json.loads(out)["ending_titles"] == {"far_bank": "Across the Tom", "walk_home": "The Long Way Round"}


# ---------------------------------------------------------------- piped plain play echoes


def test_plain_mode_echoes_lines_read_from_a_pipe(ferry_story):
    out = io.StringIO()
    PlainSession(Game(ferry_story, seed=1), out).run(io.StringIO("Vera\n1\nstatus\nquit\n"))
    transcript = out.getvalue()
    assert "Type up to 20 letters.\n> Vera\n" in transcript
    assert "  1. Wait for the ferry\n> 1\n" in transcript
    assert "> status\n" in transcript and "> quit\nGoodbye." in transcript


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_mode_does_not_echo_a_terminal(ferry_story):
    out = io.StringIO()
    PlainSession(Game(ferry_story, seed=1), out).run(_Terminal("Vera\nquit\n"))
    assert "> Vera" not in out.getvalue() and "> Goodbye." in out.getvalue()


def test_piped_plain_play_as_a_subprocess_reads_as_played(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "play", "--plain", "--seed", "2", "--story", str(FERRY_DIR), "--saves", str(tmp_path / "saves")],
        input="Vera\n1\n\x1b[2Jbad\n4\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(tmp_path / "cache"),
    )
    assert done.returncode == 0, done.stderr
    assert "> Vera\n" in done.stdout and "> 1\n" in done.stdout and "> 4\n" in done.stdout
    assert "\x1b" not in done.stdout  # what is echoed is cleaned of control characters
    assert "The end: The Long Way Round." in done.stdout


def test_ranges_of_runs_cut_anywhere_give_the_one_process_report(ferry_story):
    from kuzbass_game.engine.tools.explorer import explore, merge

    whole = explore(ferry_story, runs=100, seed=5).to_json(ferry_story)
    for cut in (1, 31, 32, 45, 99):
        parts = [explore(ferry_story, runs=cut, seed=5), explore(ferry_story, runs=100 - cut, seed=5, first=cut)]
        assert merge(parts).to_json(ferry_story) == whole
