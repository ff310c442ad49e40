"""The cache of checked stories read as hostile input: crafted sizes, foreign files, tampered nodes.

A crafted cache file once took 23 s and 14 GB to reject (a marshal tuple that declares 2^31
items is allocated before a single item is read). Those files are now refused by
`check_marshal` before `marshal.loads` sees them: proven in a child process under a hard
address-space limit (RLIMIT_AS), with its time and peak memory measured.
"""

from __future__ import annotations

import json
import marshal
import os
import stat
import struct
import subprocess
import sys
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, TINY_NODES

from kuzbass_game.engine import load_story
from kuzbass_game.engine.load import cache
from kuzbass_game.engine.play.game import Game

INT32 = struct.Struct("<i")
HUGE = 2**31 - 1


def _file_of(payload: bytes) -> bytes:
    """A cache file whose head is `payload` (and no nodes' bytes after it)."""
    return cache.MAGIC + zlib.crc32(payload).to_bytes(4, "big") + len(payload).to_bytes(4, "big") + payload


def _nested(depth: int) -> bytes:
    """Tuples inside tuples, each claiming 2^31 - 1 items: the old reader allocated 16 GB per level."""
    return (b"(" + INT32.pack(HUGE)) * depth + b"N"


CRAFTED = {
    "tuple of 2^31 items": b"(" + INT32.pack(HUGE) + b"N",
    "list of 2^31 items": b"[" + INT32.pack(HUGE) + b"N",
    "small tuple nesting huge tuples": b")\x02" + b"(" + INT32.pack(HUGE) + b"N",
    "nested huge tuples": _nested(50),
    "set of 2^31 items": b"<" + INT32.pack(HUGE) + b"N",
    "integer of 2^31 digits": b"l" + INT32.pack(HUGE) + b"\x01\x00",
    "string longer than the file": b"u" + INT32.pack(HUGE) + b"abc",
    "code object": marshal.dumps(compile("1", "x", "eval")),
    "reference to nothing": b"r" + INT32.pack(5),
    "negative count": b"(" + INT32.pack(-5),
    "deep nesting": b")\x01" * 5000 + b"N",
}

CHILD = r"""
import json, marshal, resource, sys, time
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from pathlib import Path
from kuzbass_game.engine.load import cache
calls = []
real_loads = marshal.loads
def watched(data, *args):
    calls.append(len(data))
    return real_loads(data, *args)
marshal.loads = watched
root = Path(sys.argv[1])
cache.cache_path(root).write_bytes(bytes.fromhex(sys.argv[2]))
start = time.monotonic()
result = cache.read(root, ("any key",))
print(json.dumps({"result": repr(result), "seconds": time.monotonic() - start, "unmarshalled": calls,
                  "dropped": not cache.cache_path(root).exists(),
                  "peak_kb": peak_kb()}))
"""
# The child's own peak: VmHWM starts afresh at exec; ru_maxrss keeps the forking pytest's high-water mark.
CHILD = CHILD.replace(
    "start = time.monotonic()",
    "def peak_kb():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            return int(line.split()[1])\n"
    "    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "start = time.monotonic()",
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and ru_maxrss in KB are Linux's")
@pytest.mark.parametrize("label", sorted(CRAFTED))
def test_a_crafted_cache_file_is_refused_fast_with_little_memory(label, private_story_cache, tmp_path):
    payload = CRAFTED[label]
    env = dict(os.environ, PYTHONPATH=str(REPO), KUZBASS_CACHE_DIR=str(private_story_cache))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path), _file_of(payload).hex(), str(512 * 2**20)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["result"] == "None"
    assert report["unmarshalled"] == []  # refused before marshal could allocate anything for it
    assert report["dropped"]  # and removed, so the next launch rebuilds it
    assert report["seconds"] < 1.0
    assert report["peak_kb"] < 150_000


@pytest.mark.parametrize("label", sorted(CRAFTED))
def test_check_marshal_names_the_problem(label):
    with pytest.raises(cache.CacheError):
        cache.check_marshal(CRAFTED[label])


PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20) | st.binary(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        | st.frozensets(st.integers(), max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(PLAIN)
def test_check_marshal_accepts_every_plain_value_and_refuses_its_truncations(value):
    data = marshal.dumps(value)
    cache.check_marshal(data)
    for cut in range(len(data) - 1, max(-1, len(data) - 40), -1):
        with pytest.raises(cache.CacheError):
            cache.check_marshal(data[:cut])
    with pytest.raises(cache.CacheError):
        cache.check_marshal(data + b"N")


def test_the_cache_folder_is_private(make_story, monkeypatch, tmp_path):
    folder = tmp_path / "fresh-cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    load_story(make_story(), cache=True)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(next(folder.iterdir()).stat().st_mode) & 0o077 == 0
    folder.chmod(0o755)  # made by an older version
    load_story(make_story({"nodes.yaml": TINY_NODES.replace("Hello", "Hi")}), cache=True)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def _owned_by_someone_else(path, monkeypatch) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(path, 54321, -1, follow_symlinks=False)
    else:
        monkeypatch.setattr(cache, "_euid", lambda: -12345)


def test_a_cache_file_of_another_user_is_never_read(make_story, monkeypatch):
    root = make_story()
    load_story(root, cache=True)
    _owned_by_someone_else(cache.cache_path(root), monkeypatch)
    result = load_story(root, cache=True)
    assert result.story is not None and not isinstance(result.story.nodes, cache.LazyNodes)


def test_a_cache_folder_of_another_user_is_never_used(make_story, monkeypatch, private_story_cache):
    root = make_story()
    _owned_by_someone_else(private_story_cache, monkeypatch)
    load_story(root, cache=True)
    result = load_story(root, cache=True)
    assert result.story is not None and not isinstance(result.story.nodes, cache.LazyNodes)


def test_a_link_in_place_of_the_cache_file_is_not_followed(make_story, tmp_path):
    root = make_story()
    load_story(root, cache=True)
    target = cache.cache_path(root)
    decoy = tmp_path / "decoy.bin"
    decoy.write_bytes(target.read_bytes())
    target.unlink()
    os.symlink(decoy, target)
    result = load_story(root, cache=True)
    assert not isinstance(result.story.nodes, cache.LazyNodes)


def _rewrite_image(root, change) -> None:
    """Tamper with the stored story record (as an attacker or a bit flip would), with a valid checksum."""
    path = cache.cache_path(root)
    digest, (story, notes) = cache.unpack_file(path.read_bytes())
    story = list(story)
    change(story)
    path.write_bytes(cache.pack_file(digest, (tuple(story), notes)))


def _with(record: tuple, layout, name: str, value) -> tuple:
    """A record with one field (found by its name in the cache's layout) replaced."""
    at = layout.at(name)
    return record[:at] + (value,) + record[at + 1 :]


def _choices(raw: tuple, change) -> tuple:
    """A node record whose choice records are each changed by `change`."""
    return _with(raw, cache.NODE, "choices", tuple(change(c) for c in raw[cache.NODE.at("choices")]))


def _tamper_node(node_id: str, change):
    def edit(story):
        nodes = cache.STORY.at("nodes")
        joined, offsets, blob = story[nodes]
        ids = joined.split("\n")
        bounds = list(struct.unpack(f"<{len(ids) + 1}Q", offsets))
        blobs = [blob[a:b] for a, b in zip(bounds, bounds[1:])]
        index = ids.index(node_id)
        blobs[index] = marshal.dumps(change(marshal.loads(blobs[index])))
        new_offsets = [0]
        for item in blobs:
            new_offsets.append(new_offsets[-1] + len(item))
        story[nodes] = (joined, struct.pack(f"<{len(new_offsets)}Q", *new_offsets), b"".join(blobs))

    return edit


TAMPERS = {
    "a node with a missing field": lambda raw: raw[:-1],
    "a choice to a node that does not exist": lambda raw: _choices(raw, lambda c: _with(c, cache.CHOICE, "target", "nowhere")),
    "a terminal escape in the text": lambda raw: _with(raw, cache.NODE, "paragraphs", ((("\x1b]52;c;eA==\x07\x1b[2JHello",), None),)),
    "another node's id": lambda raw: _with(raw, cache.NODE, "id", "end"),
    "an expression that does not compile": lambda raw: _choices(raw, lambda c: _with(c, cache.CHOICE, "condition", "this is not (an expression")),
}


@pytest.mark.parametrize("label", sorted(TAMPERS))
def test_a_tampered_node_drops_the_cache_and_compiles_the_story_instead(make_story, label):
    root = make_story()
    load_story(root, cache=True)
    _rewrite_image(root, _tamper_node("start", TAMPERS[label]))
    warm = load_story(root, cache=True)
    assert isinstance(warm.story.nodes, cache.LazyNodes)  # the index is fine: the damage is met later
    game = Game(warm.story, seed=1)
    view = game.view()  # builds 'start' from the cache: fails, and the story is compiled from YAML
    assert view.paragraphs == ("Hello",)
    game.choose(0)
    assert game.view().ending is not None
    # the bad file is gone and a good one took its place: the next launch is warm and right
    again = load_story(root, cache=True)
    assert isinstance(again.story.nodes, cache.LazyNodes)
    assert Game(again.story, seed=1).view().paragraphs == ("Hello",)


def test_a_terminal_escape_in_the_cached_title_is_refused(make_story):
    root = make_story()
    load_story(root, cache=True)
    _rewrite_image(root, lambda story: story.__setitem__(cache.STORY.at("title"), "\x1b]0;pwned\x07Tiny"))
    result = load_story(root, cache=True)
    assert result.story.title == "Tiny" and not isinstance(result.story.nodes, cache.LazyNodes)


def test_a_relative_and_an_absolute_path_share_one_cache_entry(make_story, tmp_path, private_story_cache):
    root = make_story()  # the working folder is tmp_path: "story" and its absolute path are one story
    assert not isinstance(load_story("story", cache=True).story.nodes, cache.LazyNodes)
    assert isinstance(load_story(root.resolve(), cache=True).story.nodes, cache.LazyNodes)
    assert isinstance(load_story("./story/", cache=True).story.nodes, cache.LazyNodes)
    assert isinstance(load_story("story", cache=True).story.nodes, cache.LazyNodes)
    assert len(list(private_story_cache.glob("story-*.bin"))) == 1


def test_a_warm_load_reads_no_node_and_builds_no_table_of_ids(make_story, monkeypatch):
    """The head of the file is all a launch reads: its cost does not grow with the story (issue 20)."""
    root = make_story()
    load_story(root, cache=True)
    read_nodes = []
    monkeypatch.setattr(cache.NodeBlob, "_read", lambda self: read_nodes.append(self) or pytest.fail("the nodes' bytes were read"))
    warm = load_story(root, cache=True)
    story = warm.story
    assert isinstance(story.nodes, cache.LazyNodes) and story.nodes._by_id is None
    assert story.ending_count == 1 and story.start == "start" and not read_nodes


def test_damaged_nodes_bytes_are_met_at_the_first_node_and_the_story_is_compiled(make_story):
    root = make_story()
    load_story(root, cache=True)
    path = cache.cache_path(root)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x20  # a bit flipped in the last node's bytes: the head's checksum still holds
    path.write_bytes(bytes(data))
    warm = load_story(root, cache=True)
    assert isinstance(warm.story.nodes, cache.LazyNodes)
    assert Game(warm.story, seed=1).view().paragraphs == ("Hello",)  # the nodes' checksum failed: compiled from YAML
    assert cache.unpack_file(path.read_bytes())[1][0][cache.STORY.at("nodes")][2] != bytes(data)  # and the file rewritten


def test_a_cache_file_replaced_after_its_head_was_read_is_not_mixed_with_it(make_story):
    root = make_story()
    load_story(root, cache=True)
    warm = load_story(root, cache=True)
    path = cache.cache_path(root)
    path.write_bytes(path.read_bytes() + b"")  # another inode and time: the head read before is not this file's
    os.utime(path, ns=(1, 1))
    assert Game(warm.story, seed=1).view().paragraphs == ("Hello",)
    assert not isinstance(warm.story.nodes._fresh, type(None))  # compiled from its files instead


def test_a_repeated_node_id_compiles_the_story_from_its_files(make_story):
    root = make_story()
    load_story(root, cache=True)

    def repeat(story):
        at = cache.STORY.at("nodes")
        joined, offsets, blob = story[at]
        first = joined.split("\n")[0]
        story[at] = ("\n".join([first] * len(joined.split("\n"))), offsets, blob)

    _rewrite_image(root, repeat)
    warm = load_story(root, cache=True)
    assert isinstance(warm.story.nodes, cache.LazyNodes)
    assert sorted(warm.story.nodes) == ["end", "start"]  # the ids of the story compiled afresh


DECLARING = """\
id: tiny
title: "Tiny"
start: start
variables:
  gold: {type: int, default: 1, label: "Gold"}
  grade: {type: int, label: "Grade", show_if: "grade > 0"}
routines:
  pay_day: "gold += wage"
computed:
  wage:
    value: "5 + grade * 2"
    label: "Wage"
"""

PAYING = """\
nodes:
  start:
    text: "The wage is {wage}."
    choices:
      - text: Go
        goto: end
        effects: "pay_day"
  end:
    text: Bye
    ending:
      title: Done
"""


def test_a_warm_load_compiles_no_declaration_until_one_is_asked_for(make_story, monkeypatch):
    """A launch to the title screen compiles no expression, the story's declarations included (issue 20)."""
    root = make_story({"nodes.yaml": PAYING}, manifest=DECLARING)
    load_story(root, cache=True)
    declared = []
    real = cache._ImageReader.declare
    monkeypatch.setattr(cache._ImageReader, "declare", lambda self: declared.append(1) or real(self))
    warm = load_story(root, cache=True)
    assert isinstance(warm.story.nodes, cache.LazyNodes) and not declared
    assert warm.story.computed["wage"].label == "Wage" and declared
    game = Game(warm.story, seed=1)
    assert game.view().paragraphs == ("The wage is 5.",)
    game.choose(0)
    assert game.state.variables["gold"] == 6


def test_a_declaration_that_does_not_compile_compiles_the_story_instead(make_story):
    root = make_story({"nodes.yaml": PAYING}, manifest=DECLARING)
    load_story(root, cache=True)
    at = cache.STORY.at("computed")
    _rewrite_image(root, lambda story: story.__setitem__(at, tuple(_with(raw, cache.COMPUTED, "source", "5 + (") for raw in story[at])))
    warm = load_story(root, cache=True)
    assert isinstance(warm.story.nodes, cache.LazyNodes)  # met when first asked for
    game = Game(warm.story, seed=1)
    assert game.view().paragraphs == ("The wage is 5.",)  # the node and its declarations from the files
    assert warm.story.computed["wage"].run is not None and sorted(warm.story.routines) == ["pay_day"]
    game.choose(0)
    assert game.state.variables["gold"] == 6
