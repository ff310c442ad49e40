"""The author tools on the command line: `kuzbass check` and `kuzbass explore`, in-process and
as real subprocesses; the verbs, the help, and what `saves` and line mode print."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kuzbass_game.cli import main

from conftest import FERRY_DIR, REPO, TINY_NODES

FERRY_SUMMARY = "docs/examples/ferry: 0 errors, 0 warnings in 4 files (8 nodes, 2 endings, 7 variables); 2 story tests passed"

STUCK_NODES = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Rich door
        goto: end
        if: "gold > 5"
  end:
    text: Bye
    ending: {title: Done}
"""

DIVIDING_NODES = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Share the gold
        effects: "gold = gold / zero"
        goto: end
  end:
    text: Bye
    ending: {title: Done}
"""

BROKEN_NODES = TINY_NODES.replace("goto: end", "goto: edn").replace("    text: Bye\n", "    text: Bye {nmae}\n")


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def subprocess_env(cache_dir) -> dict:
    env = dict(os.environ, KUZBASS_CACHE_DIR=str(cache_dir), PYTHONDONTWRITEBYTECODE="1")
    env.pop("KUZBASS_STORY", None)
    return env


# ---------------------------------------------------------------- check


def test_check_the_example_story(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, err = run_cli(capsys, "check", "docs/examples/ferry")
    assert code == 0
    assert out.splitlines() == [FERRY_SUMMARY]
    assert err == ""


def test_check_a_broken_story_lists_every_problem_and_fails(capsys, make_story):
    make_story({"nodes.yaml": BROKEN_NODES})
    code, out, err = run_cli(capsys, "check", "story")
    assert code == 1
    assert out.splitlines() == [
        "story/nodes.yaml:6:15: error: choice 1 of node 'start' goes to 'edn', which does not exist; did you mean 'end'?",
        "story/nodes.yaml:8:16: error: in the text of node 'end': unknown variable '{nmae}'; did you mean 'name'?",
        "story: 2 errors, 0 warnings in 2 files",
    ]
    assert err == ""


def test_check_reports_warnings_but_passes(capsys, make_story):
    make_story({"nodes.yaml": STUCK_NODES})
    code, out, _ = run_cli(capsys, "check", "story")
    assert code == 0
    assert out.splitlines() == [
        "story/nodes.yaml:2:3: warning: every choice of node 'start' has an 'if' or 'once', so a player may find none open; "
        "add one choice that is always available, or mark one 'otherwise: true'",
        "story: 0 errors, 1 warning in 2 files (2 nodes, 1 ending, 4 variables)",
    ]


def test_check_broken_markup_fails(capsys, make_story):
    make_story({"nodes.yaml": TINY_NODES.replace("text: Bye", "text: Bye [b]now[/i]")})
    code, out, _ = run_cli(capsys, "check", "story")
    assert code == 1
    assert out.splitlines()[0] == (
        "story/nodes.yaml:8:21: error: broken markup in the text of node 'end': closing tag '[/i]' does not match any open tag"
    )


def test_check_a_folder_that_does_not_exist(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "check", "nowhere")
    assert code == 1
    assert out.splitlines() == ["nowhere:1:1: error: story folder does not exist", "nowhere: 1 error, 0 warnings in 0 files"]


# ---------------------------------------------------------------- explore

EXPLORE_KEYS = {
    "story",
    "runs",
    "seed",
    "nodes_total",
    "nodes_visited",
    "unvisited_nodes",
    "choices_total",
    "choices_taken",
    "endings",
    "endings_unreached",
    "dead_ends",
    "errors",
    "unfinished",
    "path_length",
    "votes",
    "codex",
}


def explore_json(capsys, *argv: str) -> tuple[int, dict, str]:
    code, out, err = run_cli(capsys, "explore", *argv, "--json")
    return code, json.loads(out), err


def test_explore_json_schema_on_the_example(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, data, err = explore_json(capsys, "docs/examples/ferry", "--runs", "50", "--seed", "1")
    assert code == 0 and err == ""
    assert EXPLORE_KEYS <= set(data)
    assert (data["story"], data["runs"], data["seed"]) == ("ferry", 50, 1)
    assert data["nodes_total"] == 8 and data["nodes_visited"] == 8 and data["unvisited_nodes"] == []
    assert set(data["endings"]) == {"far_bank", "walk_home"} and sum(data["endings"].values()) == 50
    assert all(isinstance(v, int) and v > 0 for v in data["endings"].values())
    assert data["dead_ends"] == [] and data["errors"] == [] and data["unfinished"] == 0
    assert set(data["path_length"]) == {"min", "max", "mean", "median"}
    assert 2 <= data["path_length"]["min"] <= data["path_length"]["max"] <= 7
    assert set(data["votes"]) == {"cross_now"} and set(data["votes"]["cross_now"]) == {"passed", "failed"}
    assert data["codex"] == {"entries": 2, "unlocked": 2, "never_unlocked": []}
    # the same seed gives the same report
    assert explore_json(capsys, "docs/examples/ferry", "--runs", "50", "--seed", "1")[1] == data


def test_explore_reports_a_runtime_dead_end(capsys, make_story):
    make_story({"nodes.yaml": STUCK_NODES})
    code, data, _ = explore_json(capsys, "story", "--runs", "7")
    assert code == 1
    assert data["dead_ends"] == [{"node": "start", "count": 7}]
    assert data["errors"] == [] and data["endings"] == {} and data["endings_unreached"] == ["end"]
    assert data["nodes_visited"] == 1 and data["nodes_total"] == 2 and data["unvisited_nodes"] == ["end"]


def test_explore_reports_a_division_by_zero(capsys, make_story):
    make_story({"nodes.yaml": DIVIDING_NODES})
    code, data, _ = explore_json(capsys, "story", "--runs", "3", "--seed", "4")
    assert code == 1
    assert data["errors"] == [{"run": run, "node": "start", "message": "node 'start', choice 1: division by zero"} for run in range(3)]
    assert data["dead_ends"] == []


def test_explore_refuses_a_broken_story(capsys, make_story):
    make_story({"nodes.yaml": BROKEN_NODES})
    code, out, err = run_cli(capsys, "explore", "story", "--json")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "story/nodes.yaml:6:15: error: choice 1 of node 'start' goes to 'edn', which does not exist; did you mean 'end'?",
        "story/nodes.yaml:8:16: error: in the text of node 'end': unknown variable '{nmae}'; did you mean 'name'?",
        "story: the story has errors; run 'kuzbass check' first",
    ]


def test_explore_table_when_not_json(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, _ = run_cli(capsys, "explore", "docs/examples/ferry", "--runs", "100")
    assert code == 0
    assert "ferry: 100 runs, seed 0" in out
    assert "nodes visited 8/8, choices taken" in out
    assert "far_bank" in out and "walk_home" in out


def test_explore_table_shows_dead_ends(capsys, make_story):
    make_story({"nodes.yaml": STUCK_NODES})
    code, out, _ = run_cli(capsys, "explore", "story", "--runs", "2")
    assert code == 1
    assert "dead end at start (2 runs)" in out
    assert "never visited: end" in out


# ---------------------------------------------------------------- real processes


def test_check_as_a_subprocess(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "check", "docs/examples/ferry"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(tmp_path),
    )
    assert (done.returncode, done.stdout.splitlines(), done.stderr) == (0, [FERRY_SUMMARY], "")


def test_check_and_explore_a_broken_story_as_subprocesses(tmp_path):
    story = tmp_path / "story"
    story.mkdir()
    (story / "manifest.yaml").write_text((FERRY_DIR / "manifest.yaml").read_text().split("\n# Scripted playthroughs")[0])
    (story / "nodes.yaml").write_text("nodes:\n  bank:\n    text: Hi {nobody}\n    ending: {title: End}\n")
    env = subprocess_env(tmp_path / "cache")
    done = subprocess.run([sys.executable, "-m", "kuzbass_game", "check", "story"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "story/nodes.yaml:3:15: error: in the text of node 'bank': unknown variable '{nobody}'",
        "story: 1 error, 0 warnings in 2 files",
    ]
    assert "Traceback" not in done.stderr and done.stderr == ""
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "explore", "story", "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == "story: the story has errors; run 'kuzbass check' first"


def test_explore_json_as_a_subprocess(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "explore", "docs/examples/ferry", "--json", "--runs", "30", "--seed", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=subprocess_env(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert EXPLORE_KEYS <= set(data) and data["runs"] == 30 and data["errors"] == [] and data["dead_ends"] == []


@pytest.mark.parametrize("argv", [["--version"], ["check", "--help"], ["explore", "--help"]])
def test_help_and_version_exit_cleanly(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(("kuzbass ", "usage: kuzbass"))


def test_a_cached_launch_does_not_import_the_yaml_compiler(tmp_path):
    """The second load of an unchanged story comes from the cache: no PyYAML, no compiler."""
    code = (
        "import sys; from kuzbass_game.authoring import load_and_check; "
        "r = load_and_check('docs/examples/ferry', cache=True); assert r.story is not None; "
        "loaded=[m for m in sys.modules if m.split('.')[0] == 'yaml' or m.endswith('.compiler')]; "
        "print(','.join(loaded))"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, env=subprocess_env(tmp_path))
        for _ in range(2)
    ]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert "yaml" in runs[0].stdout  # the first load compiled the YAML (and filled the cache)
    assert runs[1].stdout.strip() == ""


def test_a_cached_launch_of_the_campaign_compiles_no_expression(tmp_path):
    """The campaign's people have lines with conditions: they are read with its declarations, when
    first asked for, so a cached launch to the title screen imports no expression compiler."""
    code = (
        "import sys; from kuzbass_game.authoring import load_and_check; "
        "r = load_and_check('story', cache=True); assert r.story is not None; r.story.ending_count; "
        "print('kuzbass_game.engine.core.expr' in sys.modules, end=' '); "
        "print(len(r.story.people), 'kuzbass_game.engine.core.expr' in sys.modules)"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, env=subprocess_env(tmp_path))
        for _ in range(2)
    ]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert runs[0].stdout.split()[0] == "True"  # the first load compiled the story
    before, people, after = runs[1].stdout.split()
    assert (before, after) == ("False", "True") and int(people) > 10  # then: none until the people were asked for


def test_plain_save_asks_before_overwriting_and_autosave_failures_are_told_once(tmp_path, capsys):
    import io

    from kuzbass_game.plain import run_plain
    from conftest import FERRY_DIR
    from kuzbass_game.engine.load.loader import load_story

    story = load_story(FERRY_DIR).story
    out = io.StringIO()
    run_plain(story, tmp_path / "saves", seed=1, out=out, lines=io.StringIO("Anna\nsave one\n1\nsave one\nno\nsave one\nyes\nquit\n"))
    text = out.getvalue()
    assert text.count("There is already a save named 'one'. Overwrite it? Type yes or no.") == 2
    assert "Not saved; 'one' is unchanged." in text and text.count("Saved as 'one'.") == 2
    assert "Goodbye. Your game is autosaved." in text
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where the saves folder should be")
    out = io.StringIO()
    run_plain(story, blocked, seed=1, out=out, lines=io.StringIO("Anna\n1\n3\n3\nquit\n"))
    text = out.getvalue()
    assert text.count("Your game could not be autosaved") == 1  # three choices, one message
    assert "Goodbye." in text and "Your game is autosaved" not in text


def test_check_refuses_action_and_link_tags_in_story_markup(capsys, make_story):
    nodes = (
        "nodes:\n  start:\n    text: 'Save [@click=app.screenshot(\"/tmp/x\")]here[/]'\n    choices:\n"
        "      - text: '[link=\"https://example.org\"]Go[/link]'\n        goto: end\n"
        "  end:\n    text: '[b]Bye[/b]'\n    ending: {title: Done}\n"
    )
    make_story({"nodes.yaml": nodes})
    code, out, _ = run_cli(capsys, "check", "story")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("story/nodes.yaml:3:17: error: broken markup in the text of node 'start': '[@click=app.screenshot(")
    assert "is an action or a link; story markup may only style text" in lines[0]
    assert lines[1].startswith("story/nodes.yaml:5:16: error: broken markup in the text of choice 1 of node 'start': '[link=")


# ---------------------------------------------------------------- the command line as a newcomer meets it


def test_an_unknown_verb_lists_the_verbs_and_guesses(capsys):
    assert main(["chek", "story"]) == 2
    err = capsys.readouterr().err
    assert "'chek' is not a verb. Did you mean 'check'?" in err
    assert "play, check, explore" in err and "new-branch" in err


def test_the_top_level_help_shows_plays_options(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "Without a VERB, kuzbass plays" in out
    assert "--plain" in out and "--seed SEED" in out and "--saves DIR" in out


def test_play_help_names_the_user_data_folder_an_installed_copy_saves_in(capsys, monkeypatch):
    from kuzbass_game.paths import user_data_dir

    monkeypatch.setenv("COLUMNS", "300")  # a long home folder is not folded at a hyphen
    with pytest.raises(SystemExit):
        main(["play", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert f"else saves/ in a checkout, else {user_data_dir() / 'saves'} in an installed copy" in out
    assert "$KUZBASS_SAVES" in out


@pytest.mark.parametrize("verb", ["play", "check", "explore", "saves", "graph", "stats", "serve", "new-branch"])
def test_every_verb_that_loads_a_story_takes_story_and_names_its_folders_dir(capsys, verb):
    with pytest.raises(SystemExit):
        main([verb, "--help"])
    out = capsys.readouterr().out
    assert "--story DIR" in out
    assert "--saves SAVES" not in out
    # The story's folder, then its layers', after the verb, as the README says (new-branch's word after the verb is the layer's name)
    assert ("[STORY_DIR ...]" in out) == (verb != "new-branch")


def test_explore_names_the_choices_no_run_took(capsys):
    assert main(["explore", str(FERRY_DIR), "--runs", "5"]) == 0
    out = capsys.readouterr().out
    assert "never taken:" in out and "waiting choice 5: Buy the sheepskin off the carter's back" in out
    assert main(["explore", str(FERRY_DIR), "--runs", "5", "--json"]) == 0
    assert "waiting#4" in json.loads(capsys.readouterr().out)["untaken_choices"]


def test_an_ending_in_line_mode_is_recorded_for_the_gallery(tmp_path):
    import io

    from kuzbass_game.engine.load import load_story
    from kuzbass_game.engine.storage import PLAYER_FOLDER, load_profile
    from kuzbass_game.plain import run_plain

    story = load_story(FERRY_DIR).story
    out = io.StringIO()
    run_plain(story, tmp_path / "saves", seed=1, out=out, lines=io.StringIO("Mikko\n1\n4\n"))
    assert "The end: " in out.getvalue() and "Ending 1 of 2 found." in out.getvalue()
    record = load_profile(tmp_path / "saves" / PLAYER_FOLDER).found(story)
    assert set(record) == {"walk_home"} and record["walk_home"].run == "Mikko"


def test_kuzbass_saves_fits_eighty_columns(tmp_path):
    """Piped at 80 columns: every game and slot with its chapter, date, turn, play time and state."""
    import io

    from kuzbass_game.engine.load import load_story
    from kuzbass_game.plain import run_plain

    story = load_story(FERRY_DIR).story
    saves = tmp_path / "saves"
    run_plain(
        story, saves, seed=1, out=io.StringIO(), lines=io.StringIO("Anna Pavlovna Ivanova-Petrova\n1\nsave a_long_slot_name_for_the_ferry\nquit\n")
    )
    (saves / "broken.json").write_text("{ not json")
    env = dict(os.environ, COLUMNS="80", KUZBASS_CACHE_DIR=str(tmp_path / "cache"))
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "saves", "--story", str(FERRY_DIR), "--saves", str(saves)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    text = " ".join(" ".join(lines).split())
    assert "Game 1" in text and "a_long_slot_name_for_the_ferry (manual), saved " in text
    assert "The Ferry, October 1922; turn 2; played" in text and "In progress" in text
    assert "broken (manual)" in text and "Cannot load:" in text
    # The story's folder after the verb, as every verb that loads a story takes it, says the same
    positional = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "saves", str(FERRY_DIR), "--saves", str(saves)], capture_output=True, text=True, timeout=60, env=env
    )
    assert positional.returncode == 0 and positional.stdout == done.stdout, positional.stderr


def test_kuzbass_saves_at_eighty_columns_reads_as_pinned(tmp_path):
    """The whole listing, piped at 80 columns, as tests/transcripts/saves_80_columns.txt pins it: a
    game with a long slot name (its heading folded) and an autosave, a finished game (its state
    folded), and a damaged file. Times are fixed and shown in UTC. Regenerate after a deliberate
    change with KUZBASS_UPDATE_TRANSCRIPTS=1, and read it."""
    from datetime import UTC, datetime

    from kuzbass_game.engine.load import load_story
    from kuzbass_game.engine.play import Game
    from kuzbass_game.engine.storage import SaveStore

    story = load_story(FERRY_DIR).story
    store = SaveStore(tmp_path / "saves", story)
    waiting = Game(story, seed=1)
    waiting.submit("Anna Pavlovna Ivanova-Petrova")
    waiting.choose(0)
    first, second = "1" * 16, "2" * 16
    long_name = "Anna at the ferry before the crossing 22"  # 40 characters, the longest a name may be
    store.save(waiting, long_name, 75, game_id=first, saved_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    store.save(waiting, f"autosave-{first}-1", 97, kind="auto", game_id=first, saved_at=datetime(2026, 1, 2, 3, 5, tzinfo=UTC))
    walked = Game(story, seed=1)
    walked.submit("Mikko")
    walked.choose(0)
    walked.choose(3)  # walk home: an ending
    store.save(walked, "walked_home", 3725, game_id=second, saved_at=datetime(2026, 1, 1, 22, 0, tzinfo=UTC))
    (tmp_path / "saves" / "broken.json").write_text("{ not json")
    env = dict(os.environ, COLUMNS="80", TZ="UTC", KUZBASS_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(REPO))  # this copy, run elsewhere
    done = subprocess.run(
        [sys.executable, "-m", "kuzbass_game", "saves", "--story", str(FERRY_DIR), "--saves", "saves"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    pinned = REPO / "tests" / "transcripts" / "saves_80_columns.txt"
    if os.environ.get("KUZBASS_UPDATE_TRANSCRIPTS"):
        pinned.write_text(done.stdout, encoding="utf-8")
    assert done.stdout == pinned.read_text(encoding="utf-8")
    assert max(map(len, done.stdout.splitlines())) <= 80


def test_a_verb_named_is_imported_alone():
    """`kuzbass check` (or a launch) imports its own verb's module, not every verb's (issue 20)."""
    from kuzbass_game import cli

    assert list(cli.asked_verb(["check", "story"])) == ["check"]
    assert list(cli.asked_verb(["new-branch", "x"])) == ["new-branch"]
    assert list(cli.asked_verb([])) == ["play"] and list(cli.asked_verb(["--plain"])) == ["play"]
    for every in (["--help"], ["--version"], ["chek"], ["new_branch"], ["_story"], ["../x"]):
        assert cli.asked_verb(every) is None, every


def test_new_branch_prints_the_story_folder_as_the_reader_would_type_it(tmp_path, monkeypatch, capsys):
    """In a clone, the default story is the checkout's story/, an absolute path: both commands
    new-branch prints (and its manifest's comment) name it as `story`, as the tutorial shows."""
    import shutil

    shutil.copytree(FERRY_DIR, tmp_path / "story")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUZBASS_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["new-branch", "Tea", "--into", "branches/tea", "--story", str(tmp_path / "story")]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["  kuzbass check story branches/tea", "  kuzbass play --story story --story branches/tea"]
    manifest = (tmp_path / "branches" / "tea" / "manifest.yaml").read_text()
    assert "#   kuzbass check story branches/tea\n#   kuzbass play --story story --story branches/tea\n" in manifest
