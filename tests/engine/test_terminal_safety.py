"""Nothing raw from a story reaches a terminal (issue 17): escape codes in a YAML key, a
bidirectional override in story text, what line mode repeats of what was typed, a crafted cache
entry with an acting tag.

Each hostile input runs where it could do harm: the verbs in a child process held to an address
space limit (RLIMIT_AS) and a time limit, their output read as bytes.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, UTC
from pathlib import Path

import pytest
from conftest import FERRY_DIR, TINY_NODES
from limited_kuzbass import kuzbass, raw_bytes
from test_cache_hardening import _rewrite_image, _tamper_node, _with

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine import load_story
from kuzbass_game.engine.core import Diagnostic, Severity
from kuzbass_game.engine.load import StoryWatcher, cache
from kuzbass_game.engine.play import Game
from kuzbass_game.plain import run_plain


HOSTILE_KEY = "\x1b]52;c;SGVsbG8=\x07\x1b[2J\x1b[31mKEY"


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
