"""A story folder that fights back: FIFOs, /dev/zero, links to / and outside, too many or too large files.

The loads that could hang or eat memory run in a child process under a hard address-space
limit (RLIMIT_AS) and a timeout: a regression fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, TINY_NODES

from kuzbass_game.engine import load_story
from kuzbass_game.engine.files import bounded as safeio
from kuzbass_game.engine.format import sources

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and links are POSIX")

LIMIT_BYTES = 1024 * 2**20
CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
from kuzbass_game.engine import load_story
start = time.monotonic()
result = load_story(sys.argv[1])
print(json.dumps({"seconds": time.monotonic() - start, "problems": [d.format() for d in result.diagnostics],
                  "files": result.files, "loaded": result.story is not None,
                  "peak_kb": peak_kb()}))
"""
# The child's own peak: VmHWM starts afresh at exec, while ru_maxrss keeps the high-water mark of the
# forking parent (a pytest process grown big under coverage would fail the bound on its own size).
CHILD = CHILD.replace(
    "start = time.monotonic()",
    "def peak_kb():\n"
    "    try:\n"
    "        for line in open('/proc/self/status'):\n"
    "            if line.startswith('VmHWM:'):\n"
    "                return int(line.split()[1])\n"
    "    except OSError:\n"
    "        pass\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "start = time.monotonic()",
)


def load_in_a_jail(root: Path, cwd: Path) -> dict:
    """Load the story in a child with a 1 GiB address-space limit and a 60 s timeout."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", CHILD, str(root), str(LIMIT_BYTES)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def test_a_fifo_named_yaml_is_refused_without_blocking(make_story, tmp_path):
    root = make_story()
    os.mkfifo(root / "pipe.yaml")
    report = load_in_a_jail(root, tmp_path)
    assert report["problems"] == [
        "story/pipe.yaml:1:1: error: this is a named pipe (FIFO), not an ordinary file: a story file must be a regular file"
    ]
    assert report["seconds"] < 5


def test_a_link_to_dev_zero_is_refused_without_reading_it(make_story, tmp_path):
    root = make_story()
    os.symlink("/dev/zero", root / "zero.yaml")
    report = load_in_a_jail(root, tmp_path)
    assert report["problems"] == [
        "story/zero.yaml:1:1: error: this file is a symbolic link that leads outside the story folder (to /dev/zero); "
        "a story may only use files inside its own folder"
    ]
    assert report["seconds"] < 5 and report["peak_kb"] < 300_000


def test_a_link_to_the_root_folder_is_refused(make_story, tmp_path):
    root = make_story()
    os.symlink("/", root / "everything")
    report = load_in_a_jail(root, tmp_path)
    assert report["problems"] == [
        "story/everything:1:1: error: this folder is a symbolic link that leads outside the story folder (to /); "
        "a story may only use files inside its own folder"
    ]
    assert report["seconds"] < 5


def test_links_to_files_and_folders_outside_the_story_are_refused(make_story, tmp_path):
    root = make_story()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.yaml").write_text("nodes:\n  more:\n    text: x\n    ending: {title: More}\n")
    os.symlink(elsewhere, root / "linked")
    os.symlink(elsewhere / "more.yaml", root / "more.yaml")
    result = load_story(root)
    found = sorted(d.format() for d in result.diagnostics)
    assert len(found) == 2, found
    assert found[0].startswith("story/linked:1:1: error: this folder is a symbolic link that leads outside the story folder")
    assert found[1].startswith("story/more.yaml:1:1: error: this file is a symbolic link that leads outside the story folder")
    assert str(elsewhere) in found[0]


def test_links_inside_the_story_are_followed_once(make_story):
    root = make_story({"nodes.yaml": TINY_NODES, "chapters/extra.yaml": "nodes: {}\n"})
    os.symlink("chapters", root / "zalias")
    os.symlink("nodes.yaml", root / "same.yml")  # the same file twice: its nodes are duplicates, as written
    found = [d.format() for d in load_story(root).diagnostics]
    assert "story/zalias:1:1: warning: folder skipped: a symbolic link loops back to a folder already read" in found
    assert any("duplicate node id" in line for line in found)


def test_a_device_file_inside_the_story_is_refused(make_story, tmp_path):
    root = make_story()
    os.symlink("nodes.yaml", root / "fine.yaml.bak")  # not a story file name: ignored
    os.mkfifo(root / "sub.yml")
    found = [d.format() for d in load_story(root).diagnostics]
    assert found == ["story/sub.yml:1:1: error: this is a named pipe (FIFO), not an ordinary file: a story file must be a regular file"]


def test_too_many_files_is_a_clear_error(make_story, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FILES", 3)
    root = make_story({"nodes.yaml": TINY_NODES, **{f"more{i}.yaml": "nodes: {}\n" for i in range(5)}})
    found = [d.format() for d in load_story(root).diagnostics]
    assert "story:1:1: error: the story folder holds more than 3 YAML files" in found


def test_too_many_bytes_in_all_is_a_clear_error(make_story, monkeypatch):
    monkeypatch.setattr(sources, "MAX_STORY_BYTES", 1000)
    root = make_story({"nodes.yaml": TINY_NODES, "a.yaml": "nodes: {}\n# " + "x" * 600 + "\n", "b.yaml": "nodes: {}\n# " + "x" * 600 + "\n"})
    result = load_story(root)
    found = [d.format() for d in result.diagnostics]
    assert "story:1:1: error: the story's files hold more than 0 MB together; a story may hold at most that" in found
    assert result.story is None


def test_too_many_entries_is_a_clear_error_and_quick(make_story, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ENTRIES", 50)
    root = make_story()
    for i in range(200):
        (root / f"note{i}.txt").write_text("")
    start = time.monotonic()
    found = [d.format() for d in load_story(root).diagnostics]
    assert time.monotonic() - start < 2
    assert "story:1:1: error: the story folder holds more than 50 files and folders; the rest were not read" in found


def test_too_many_folders_is_a_clear_error(make_story, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FOLDERS", 5)
    root = make_story()
    for i in range(10):
        (root / f"d{i}").mkdir()
    found = [d.format() for d in load_story(root).diagnostics]
    assert "story:1:1: error: the story folder holds more than 5 folders; the rest were not read" in found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_a_file_that_lies_about_its_size_is_read_only_to_the_limit_plus_one(monkeypatch):
    """/proc files say they are empty and are not: the read stops at limit + 1 bytes."""
    read = []
    real_read = os.read

    def counting_read(fd, n):
        chunk = real_read(fd, n)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(os, "read", counting_read)
    with pytest.raises(safeio.TooLarge):
        safeio.read_regular("/proc/self/status", 10)
    assert sum(read) == 11


def test_a_story_file_replaced_between_finding_and_reading_is_refused(make_story):
    from kuzbass_game.engine.core.diagnostics import DiagnosticSink

    root = make_story()
    sink = DiagnosticSink()
    files = sources.find_story_files(root, sink)
    path, display = next(item for item in files if item[0].name == "nodes.yaml")
    os.replace(root / "manifest.yaml", root / "nodes.yaml")  # another file under the same name
    assert sources.read_source(path, display, sink) is None
    assert [d.format() for d in sink.sorted()] == [
        "story/nodes.yaml:1:1: error: this file was replaced by another while the story was read; load the story again"
    ]


def test_file_names_with_control_codes_are_shown_as_plain_text(make_story):
    root = make_story({"nodes.yaml": TINY_NODES, "\x1b]0;x\x07bad.yaml": "nodes: 5\n"})
    found = [d.format() for d in load_story(root).diagnostics]
    assert found and all("\x1b" not in line and "\x07" not in line for line in found)
    assert any(line.startswith("story/]0;xbad.yaml:1:8: error:") for line in found), found
