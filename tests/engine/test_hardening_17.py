"""Issue 17: nothing raw from a story reaches a terminal, no ending is lost between two copies, line
mode survives any locale, the author tools fail in one line, and 300 warnings stay warnings.

Each hostile input runs where it could do harm: the verbs in a child process held to an address
space limit (RLIMIT_AS) and a time limit, their output read as bytes.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from datetime import datetime, UTC
from pathlib import Path

import pytest
from conftest import FERRY_DIR, REPO, TINY_NODES
from test_cache_hardening import _rewrite_image, _tamper_node, _with

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine import load_story
from kuzbass_game.engine.core import Diagnostic, DiagnosticSink, Mark, Severity
from kuzbass_game.engine.load import StoryWatcher, cache
from kuzbass_game.engine.play import Game
from kuzbass_game.engine.storage import load_profile
from kuzbass_game.plain import run_plain

MEMORY = 1024**3
SECONDS = 120
HOSTILE_KEY = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\x1b[31mKEY"
LIMITED = (
    f"import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY}, {MEMORY})); "
    "sys.argv = ['kuzbass'] + sys.argv[1:]; runpy.run_module('kuzbass_game', run_name='__main__')"
)


def kuzbass(*args: str, stdin: bytes = b"", env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """`kuzbass ARGS` in a child held to MEMORY bytes of address space and SECONDS of time."""
    environment = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    return subprocess.run([sys.executable, "-c", LIMITED, *args], input=stdin, capture_output=True, timeout=SECONDS, env=environment, cwd=cwd or REPO)


def raw_bytes(output: bytes) -> list[str]:
    """What in `output` a terminal would act on: escape, bell and the bidirectional overrides."""
    text = output.decode("utf-8", "replace")
    return [f"U+{ord(ch):04X}" for ch in text if ch in "\x1b\x07\x9b\u202e\u202d\u2066\u2067\u2068"]


@pytest.fixture
def hostile_key_story(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "manifest.yaml").write_text(
        (FERRY_DIR / "manifest.yaml").read_text() + f'"{HOSTILE_KEY.replace(chr(27), chr(92) + "e").replace(chr(7), chr(92) + "a")}": 1\n'
    )
    (folder / "scenes").mkdir()
    for path in (FERRY_DIR / "scenes").iterdir():
        (folder / "scenes" / path.name).write_text(path.read_text())
    return folder


# ---------------------------------------------------------------- nothing raw from a story


@pytest.mark.timeout(600)
@pytest.mark.parametrize("verb", ["check", "graph", "stats", "explore", "play"])
def test_escape_codes_in_a_yaml_key_reach_no_terminal(hostile_key_story, verb, tmp_path):
    args = (
        ["play", "--plain", "--saves", str(tmp_path / "saves"), "--story", str(hostile_key_story)]
        if verb == "play"
        else [verb, str(hostile_key_story)]
    )
    done = kuzbass(*args, stdin=b"quit\n")
    output = done.stdout + done.stderr
    assert b"unknown key" in output, output[-2000:]
    assert b"52;c;SGVsbG8=" in output  # the key is named...
    assert raw_bytes(output) == []  # ...without a byte a terminal would act on


def test_every_diagnostic_is_made_plain_where_it_is_made(hostile_key_story):
    result = load_and_check(hostile_key_story)
    assert result.errors and all(d.format().isprintable() for d in result.diagnostics)
    made = Diagnostic("a\x1b[2Jb.yaml", 1, 1, Severity.ERROR, "bad \u202ekey\x07")
    assert made.path == "a[2Jb.yaml" and made.message == "bad key"


def test_the_watch_pop_up_shows_a_hostile_key_plainly(tmp_path):
    story = tmp_path / "ferry"
    story.mkdir()
    (story / "manifest.yaml").write_text((FERRY_DIR / "manifest.yaml").read_text())
    (story / "scenes").mkdir()
    for path in (FERRY_DIR / "scenes").iterdir():
        (story / "scenes" / path.name).write_text(path.read_text())
    game = Game(load_and_check(story).story, seed=1)
    watcher = StoryWatcher([story], lambda dirs: load_and_check(dirs))
    manifest = story / "manifest.yaml"
    manifest.write_text(manifest.read_text() + '"\\e]52;c;SGVsbG8=\\a\\e[2JKEY": 1\n')
    later = int(datetime.now(UTC).timestamp() * 1e9) + 2_000_000_000
    os.utime(manifest, ns=(later, later))
    assert watcher.changed()
    broken = watcher.reload(game)
    assert broken.game is None and broken.errors
    assert all(line.isprintable() for line in broken.errors) and any("KEY" in line for line in broken.errors)


def test_a_bidi_override_in_story_text_is_flagged_and_never_shown(make_story):
    nodes = TINY_NODES.replace("text: Hello", 'text: "Pay \\u202eredro\\u202c the ferryman"')
    root = make_story({"nodes.yaml": nodes})
    result = load_and_check(root)
    assert result.story is not None
    [warning] = [d for d in result.warnings if "bidirectional" in d.message]
    assert "U+202E" in warning.message and (warning.line, warning.col) == (3, 16)
    paragraphs = Game(result.story, seed=1).view().paragraphs
    assert paragraphs == ("Pay redro the ferryman",)
    out = io.StringIO()
    run_plain(result.story, root.parent / "saves", lines=io.StringIO("quit\n"), out=out)
    assert "\u202e" not in out.getvalue() and "redro" in out.getvalue()


def test_line_modes_error_lines_clean_what_they_repeat(tmp_path):
    story = load_and_check(FERRY_DIR).story
    out = io.StringIO()
    typed = "Vera\ncodex \x1b]52;c;SGVsbG8=\x07\nload \x1b[2J\u202eslot\nsave \x1b]0;x\x07\nquit\n"
    run_plain(story, tmp_path / "saves", lines=io.StringIO(typed), out=out)
    shown = out.getvalue()
    assert "No entry" in shown and "Could not load" in shown
    assert raw_bytes(shown.encode()) == []
    out = io.StringIO()
    assert run_plain(story, tmp_path / "saves", load="\x1b]52;c;SGVsbG8=\x07", lines=io.StringIO(""), out=out) == 1
    assert "Could not load" in out.getvalue() and raw_bytes(out.getvalue().encode()) == []


def test_a_crafted_cache_entry_with_an_acting_tag_is_refused(make_story):
    root = make_story()
    load_story(root, cache=True)
    _rewrite_image(root, _tamper_node("start", lambda raw: _with(raw, cache.NODE, "paragraphs", ((("[@click=app.quit]Hello[/]",), None),))))
    warm = load_story(root, cache=True)
    view = Game(warm.story, seed=1).view()  # the tampered node is refused, and the story compiled from its YAML
    assert view.paragraphs == ("Hello",)
    _rewrite_image(root, lambda story: story.__setitem__(cache.STORY.at("title"), "[link='https://evil.example']Tiny[/link]"))
    again = load_story(root, cache=True)
    assert again.story.title == "Tiny" and not isinstance(again.story.nodes, cache.LazyNodes)


# ---------------------------------------------------------------- the note past 200 problems


def test_past_200_warnings_the_note_stays_a_warning_and_the_story_plays(make_story):
    lines = ["nodes:", "  start:", "    text: Hello", "    choices:", "      - text: Go", "        goto: end"]
    lines += [f'  n{i}:\n    text: "Side \\u202e{i}"\n    choices:\n      - text: Back\n        goto: start' for i in range(250)]
    lines += ["  end:", "    text: Bye", "    ending:", "      title: Done"]
    root = make_story({"nodes.yaml": "\n".join(lines) + "\n"})
    result = load_story(root, check_graph=False)
    assert result.story is not None and not result.errors
    [note] = [d for d in result.diagnostics if "more problems" in d.message]
    assert note.severity is Severity.WARNING


def test_a_hidden_error_past_200_keeps_the_note_an_error():
    sink = DiagnosticSink()
    for line in range(250):
        sink.warning(Mark("f.yaml", line + 1, 1), "a warning")
    sink.error(Mark("f.yaml", 300, 1), "an error")
    assert sink.has_errors
    [note] = [d for d in sink.sorted() if "more problems" in d.message]
    assert note.severity is Severity.ERROR


# ---------------------------------------------------------------- no ending lost


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


# ---------------------------------------------------------------- any locale


@pytest.mark.timeout(300)
@pytest.mark.parametrize("encoding", ["utf-8:strict", "ascii", "latin-1:strict"])
def test_line_mode_survives_any_locale(tmp_path, encoding):
    typed = b"\xff\xfeVera\xc3\n1\nstatus\nquit\n"
    done = kuzbass("play", "--plain", "--saves", str(tmp_path / "saves"), "--story", str(FERRY_DIR), stdin=typed, env={"PYTHONIOENCODING": encoding})
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    assert b"Traceback" not in done.stderr and b"Goodbye" in done.stdout


# ---------------------------------------------------------------- author tools


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
