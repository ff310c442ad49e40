"""Story files written to hurt: alias bombs, deep nesting, huge, binary, badly encoded, empty,
looping folders, unreadable files, markup in ids, and random bytes. Each must end in a clean
diagnostic, quickly, and never in an exception."""

from __future__ import annotations

import os
import pathlib
import shutil
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuzbass_game.engine.tools.explorer import explore
from kuzbass_game.engine.load.loader import load_story

from conftest import TINY_MANIFEST, TINY_NODES


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


def timed_load(root, limit: float = 2.0):
    started = time.perf_counter()
    result = load_story(root)
    elapsed = time.perf_counter() - started
    assert elapsed < limit, f"loading took {elapsed:.2f}s"
    return result


def billion_laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_a_node_file_is_refused_quickly(make_story):
    bomb = billion_laughs()
    nodes = bomb + "nodes:\n  extra:\n    text: *l9\n    choices: *l9\n    ending: {title: *l9}\n"
    result = timed_load(make_story({"nodes.yaml": TINY_NODES, "bomb.yaml": nodes}))
    assert result.story is None
    found = problems(result)
    assert len(found) < 40  # nothing was expanded 9^9 times
    assert (
        "story/bomb.yaml:1:1: error: unknown key 'l0' in a story file; allowed keys: nodes, extend, variables, computed, routines, codex, tests, people"
        in found
    )
    # each alias points at its anchor: l9 is written on line 10, l8 on line 9
    assert "story/bomb.yaml:9:5: error: part 9 of the text of node 'extra' must be text, not a list" in found
    assert "story/bomb.yaml:10:5: error: YAML aliases (*name) are not supported in stories; write the value out" in found
    assert "story/bomb.yaml:10:5: error: the ending title of node 'extra' must be text, not a list" in found
    assert not any("is empty" in line for line in found)  # no false "empty" after parts that failed
    assert all(d.path == "story/bomb.yaml" for d in result.diagnostics)


def test_reusing_a_mapping_through_an_alias_is_refused(make_story):
    nodes = TINY_NODES + "  twin: &twin\n    text: Twin\n    ending: {title: Twin}\n  other: *twin\n"
    assert problems(load_story(make_story({"nodes.yaml": nodes}))) == [
        # the composed YAML keeps no trace of the alias, so the place is the anchor's
        "story/nodes.yaml:11:9: error: YAML aliases (*name) are not supported in stories; write the value out",
    ]


def test_alias_bomb_of_mappings_as_choices(make_story):
    lines = ["c0: &c0 {text: Go, goto: end}"]
    for level in range(1, 9):
        lines.append(f"c{level}: &c{level} [" + ", ".join([f"*c{level - 1}"] * 9) + "]")
    nodes = "\n".join(lines) + "\nnodes:\n  many:\n    text: x\n    choices: *c8\n"
    result = timed_load(make_story({"nodes.yaml": TINY_NODES, "bomb.yaml": nodes}))
    assert result.story is None and len(result.diagnostics) < 40


@pytest.mark.parametrize(
    "nested",
    [
        pytest.param("nodes: " + "[" * 10_000 + "]" * 10_000 + "\n", id="flow-lists"),
        pytest.param("nodes: " + "{a: " * 10_000 + "x" + "}" * 10_000 + "\n", id="flow-mappings"),
        pytest.param("nodes:\n  x:\n    text: hi\n    choices:\n      " + "- " * 10_000 + "x\n", id="block-lists"),
    ],
)
def test_ten_thousand_levels_of_nesting_are_a_clean_error(make_story, nested):
    result = timed_load(make_story({"nodes.yaml": TINY_NODES, "deep.yaml": nested}))
    deep = [d for d in result.diagnostics if d.path == "story/deep.yaml"]
    assert len(deep) == 1, problems(result)
    assert deep[0].message.startswith("YAML syntax error: the YAML nests too deeply")
    assert deep[0].line in (1, 5)


def test_deep_block_mappings_are_a_clean_error(make_story):
    # 10,000 levels of block mappings need 50 MB of indentation: this one is as deep as fits in 2 MB
    nested = "".join(" " * level + "a:\n" for level in range(1500)) + " " * 1500 + "x\n"
    result = timed_load(make_story({"nodes.yaml": TINY_NODES, "deep.yaml": nested}))
    deep = [d for d in result.diagnostics if d.path == "story/deep.yaml"]
    assert len(deep) == 1, problems(result)
    assert deep[0].message.startswith("YAML syntax error: the YAML nests too deeply")
    assert deep[0].line > 500  # where the nesting became too deep, not line 1


def test_a_fifty_megabyte_file_is_refused_without_being_read(make_story, monkeypatch):
    root = make_story()
    big = root / "big.yaml"
    with big.open("wb") as handle:
        handle.write(b"nodes:\n  big:\n    text: ")
        handle.truncate(50 * 2**20)  # sparse: instant, and takes no disk
    real_read = os.read
    largest = [0]

    def counting_read(fd, size):
        data = real_read(fd, size)
        largest[0] = max(largest[0], len(data))
        return data

    monkeypatch.setattr(os, "read", counting_read)
    result = timed_load(root, limit=1.0)
    assert largest[0] <= 16 * 2**20 + 1, "the loader read more of the oversized file than the limit and one byte"
    assert problems(result) == [
        "story/big.yaml:1:1: error: file is too large (52.4 MB; a story file may hold at most 16 MB): split it into several files"
    ]


def test_binary_bytes_and_nul(make_story):
    root = make_story({"nodes.yaml": TINY_NODES, "blob.yaml": b"nodes:\n  x:\x00\x01\x02\xff\n"})
    assert problems(load_story(root)) == ["story/blob.yaml:2:1: error: this looks like a binary file, not YAML text (it holds a NUL byte)"]


def test_invalid_utf8_is_located_by_line_and_character(make_story):
    data = "nodes:\n  x:\n    text: Пр".encode() + b"\xff\xfe ok\n"
    root = make_story({"nodes.yaml": TINY_NODES, "latin.yaml": data, "bom.yaml": b"\xef\xbb\xbfab\xc3"})
    assert problems(load_story(root)) == [
        "story/bom.yaml:1:3: error: the file is not valid UTF-8 text (byte 0xc3); save it as UTF-8",
        "story/latin.yaml:3:13: error: the file is not valid UTF-8 text (byte 0xff); save it as UTF-8",
    ]


def test_a_utf8_bom_is_accepted(make_story):
    root = make_story({"nodes.yaml": "\ufeff" + TINY_NODES}, manifest="\ufeff" + TINY_MANIFEST)
    assert problems(load_story(root)) == []


def test_windows_line_endings_keep_lines_and_columns(make_story):
    root = make_story({"nodes.yaml": TINY_NODES.replace("goto: end", "goto: edn").replace("\n", "\r\n")})
    assert problems(load_story(root)) == [
        "story/nodes.yaml:6:15: error: choice 1 of node 'start' goes to 'edn', which does not exist; did you mean 'end'?"
    ]


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "\ufeff"])
def test_an_empty_file(make_story, content):
    root = make_story({"nodes.yaml": TINY_NODES, "empty.yaml": content})
    assert problems(load_story(root)) == ["story/empty.yaml:1:1: error: the file is empty"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("just text\n", "story/odd.yaml:1:1: error: a story file must be a mapping of keys to values, not text"),
        ("- a\n- b\n", "story/odd.yaml:1:1: error: a story file must be a mapping of keys to values, not a list"),
        ("nodes: 5\n", "story/odd.yaml:1:8: error: 'nodes' must be a mapping of keys to values, not a whole number"),
        ("nodes:\n  x:\n", "story/odd.yaml:2:5: error: node 'x' must be a mapping of keys to values, not nothing (null)"),
        ("nodes:\n  ? [a, b]\n  : {text: x}\n", "story/odd.yaml:2:5: error: keys in 'nodes' must be plain names, not a list"),
        ("---\n", "story/odd.yaml:2:1: error: a story file must be a mapping of keys to values, not nothing (null)"),
        # a tag on a mapping is ignored (nothing is ever constructed): the node is read as written
        (
            "nodes:\n  x: !!python/object:os.system {text: x}\n",
            "story/odd.yaml:2:3: error: node 'x' is never reached: no path from the start 'start' leads here",
        ),
        (
            "nodes: {}\n---\nnodes: {}\n",
            "story/odd.yaml:2:1: error: YAML syntax error: but found another document (expected a single document in the stream)",
        ),
        ("nodes:\n  x: *nowhere\n", "story/odd.yaml:2:6: error: YAML syntax error: found undefined alias"),
    ],
)
def test_odd_but_valid_yaml_shapes(make_story, content, expected):
    result = load_story(make_story({"nodes.yaml": TINY_NODES, "odd.yaml": content}))
    assert expected in problems(result), problems(result)
    assert [d for d in result.diagnostics if d.path == "story/nodes.yaml"] == []


def test_python_tags_are_never_constructed(make_story):
    nodes = TINY_NODES.replace("    text: Bye\n", "    text: !!python/object/apply:os.system ['touch pwned']\n")
    nodes = nodes.replace("    text: Hello\n", "    text: !!python/name:os.system Hello\n")
    result = load_story(make_story({"nodes.yaml": nodes}))
    assert problems(result) == [
        "story/nodes.yaml:3:11: error: the text of node 'start' must be text, not a value tagged tag:yaml.org,2002:python/name:os.system (put it in double quotes)"
    ]
    assert not pathlib.Path("pwned").exists()


def test_a_folder_with_a_symlink_loop(make_story):
    root = make_story()
    (root / "sub").mkdir()
    os.symlink("..", root / "sub" / "loop")
    os.symlink("self.yaml", root / "self.yaml")
    result = timed_load(root)
    found = problems(result)
    assert "story/sub/loop:1:1: warning: folder skipped: a symbolic link loops back to a folder already read" in found
    assert any(line.startswith("story/self.yaml:1:1: error: cannot read this file: ") and "symbolic links" in line for line in found), found
    assert len(found) == 2
    assert result.files == 2


def test_a_symlinked_folder_outside_the_story_is_refused(make_story, tmp_path):
    """A story may only use files inside its own folder (a link inside it: see test_story_files.py)."""
    root = make_story({"nodes.yaml": TINY_NODES})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.yaml").write_text("nodes:\n  more:\n    text: x\n    ending: {title: More}\n")
    os.symlink(elsewhere, root / "linked")
    os.symlink(elsewhere, root / "linked_again")
    found = problems(load_story(root))
    for name in ("linked", "linked_again"):
        assert any(line.startswith(f"story/{name}:1:1: error: ") and "leads outside the story folder" in line for line in found), found
    assert not any("duplicate node id" in line for line in found)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads a file whatever its mode (CI runs as root); test_a_file_that_cannot_be_read_is_reported_even_as_root refuses the read instead and covers the same report",
)
def test_an_unreadable_file(make_story):
    root = make_story({"nodes.yaml": TINY_NODES, "secret.yaml": "nodes: {}\n"})
    (root / "secret.yaml").chmod(0)
    try:
        assert problems(load_story(root)) == ["story/secret.yaml:1:1: error: cannot read this file: Permission denied"]
    finally:
        (root / "secret.yaml").chmod(0o644)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads a folder whatever its mode (CI runs as root); test_a_folder_that_cannot_be_listed_is_reported_even_as_root refuses the read instead and covers the same report",
)
def test_an_unreadable_folder(make_story):
    root = make_story()
    (root / "locked").mkdir()
    (root / "locked").chmod(0)
    try:
        assert problems(load_story(root)) == ["story/locked:1:1: error: cannot read this folder: Permission denied"]
    finally:
        (root / "locked").chmod(0o755)


def test_a_file_that_cannot_be_read_is_reported_even_as_root(make_story, monkeypatch):
    root = make_story({"nodes.yaml": TINY_NODES, "secret.yaml": "nodes: {}\n"})
    from kuzbass_game.engine.format import sources

    real_open = sources.open_regular

    def refusing_open(path, *args, **kwargs):
        if os.path.basename(os.fspath(path)) == "secret.yaml":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(sources, "open_regular", refusing_open)
    assert problems(load_story(root)) == ["story/secret.yaml:1:1: error: cannot read this file: Permission denied"]


def test_a_folder_that_cannot_be_listed_is_reported_even_as_root(make_story, monkeypatch):
    root = make_story()
    (root / "locked").mkdir()
    real_scandir = os.scandir

    def refusing_scandir(path="."):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", refusing_scandir)
    assert problems(load_story(root)) == ["story/locked:1:1: error: cannot read this folder: Permission denied"]


def test_node_ids_with_markup_or_odd_characters_are_refused(make_story):
    nodes = TINY_NODES + (
        '  "[bold]boom[/bold]":\n    text: x\n    ending: {title: X}\n'
        '  "a\\nb":\n    text: x\n    ending: {title: X}\n'
        '  "ünï":\n    text: x\n    ending: {title: X}\n'
        '  "-dash":\n    text: x\n    ending: {title: X}\n'
    )
    rule = "cannot be a node id: use letters, digits, '_', '-' and '.' only"
    assert problems(load_story(make_story({"nodes.yaml": nodes}))) == [
        f"story/nodes.yaml:11:3: error: '[bold]boom[/bold]' {rule}",
        f"story/nodes.yaml:14:3: error: 'a b' {rule}",  # a diagnostic is one line: the line break is shown as a space
        f"story/nodes.yaml:17:3: error: 'ünï' {rule}",
        f"story/nodes.yaml:20:3: error: '-dash' {rule}",
    ]


def test_thousands_of_errors_in_one_long_text_stay_fast(make_story):
    text = "x { " * 20_000
    result = timed_load(make_story({"nodes.yaml": TINY_NODES.replace("    text: Bye\n", f"    text: |\n      {text}\n")}), limit=5.0)
    # the first 200 are shown in full, then one line says how many more there were
    assert len(result.errors) == 201
    assert result.errors[0].format().startswith("story/nodes.yaml:9:9: error: in the text of node 'end': a lone '{'")
    assert result.errors[199].col == 6 + 4 * 199 + 3
    assert result.errors[-1].format() == "story/nodes.yaml:1:1: error: 19800 more problems in this file were not shown; fix these first"


# ---------------------------------------------------------------- property tests


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile") / "story"
    root.mkdir()
    return root


def _check_result(result, root):
    assert isinstance(result.diagnostics, list)
    for d in result.diagnostics:
        assert d.line >= 1 and d.col >= 1 and d.message
        assert d.format().count(":") >= 3
    if result.story is not None:  # a random story that happens to be valid must also play
        report = explore(result.story, runs=3, seed=0, max_steps=50)
        assert report.runs == 3


HOSTILE = settings(max_examples=150, deadline=timedelta(seconds=2), suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@HOSTILE
@given(st.binary(max_size=400), st.sampled_from(["manifest.yaml", "nodes.yaml"]))
def test_random_bytes_as_a_story_file_never_raise(scratch, data, which):
    shutil.rmtree(scratch)
    scratch.mkdir()
    (scratch / "manifest.yaml").write_text(TINY_MANIFEST)
    (scratch / "nodes.yaml").write_text(TINY_NODES)
    (scratch / which).write_bytes(data)
    _check_result(load_story(scratch), scratch)


YAML_BITS = [
    ":",
    " ",
    "  ",
    "\n",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!!str ",
    "!!int ",
    '"',
    "'",
    "|",
    ">",
    "#",
    "?",
    "\t",
    "{name}",
    "{{",
    "goto: ",
    "if: ",
    "gold",
    " > ",
    "end",
    "start",
    "text: ",
    "\\e",
    "0x1F",
    "~",
    "yes",
    "1.5",
    "<<: ",
    "---",
    "\x85",
    "ü",
    "\ufeff",
]


@st.composite
def mutated(draw, original: str):
    text = original
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        bit = draw(st.sampled_from(YAML_BITS))
        if action == "insert":
            text = text[:pos] + bit + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 8)) :]
        else:
            text = text[:pos] + bit + text[pos + len(bit) :]
    return text


@HOSTILE
@given(mutated(TINY_NODES), mutated(TINY_MANIFEST), st.booleans())
def test_mutated_valid_yaml_never_raises(scratch, nodes, manifest, mutate_manifest):
    shutil.rmtree(scratch)
    scratch.mkdir()
    (scratch / "manifest.yaml").write_text(manifest if mutate_manifest else TINY_MANIFEST, encoding="utf-8")
    (scratch / "nodes.yaml").write_text(nodes, encoding="utf-8")
    _check_result(load_story(scratch), scratch)
