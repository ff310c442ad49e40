"""Reading story files safely: size limits, encoding, the safe YAML composer, and source marks.

We compose YAML into its node graph (keeping line and column of everything) instead of
constructing Python objects, so every later problem can point at its exact place. Only the
safe loaders are used: `CSafeLoader` where libyaml is present, `SafeLoader` otherwise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from kuzbass_game.engine.diagnostics import DiagnosticSink, Mark

try:
    SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    SafeLoader = yaml.SafeLoader

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_FILES = 5000
MANIFEST_NAME = "manifest.yaml"
STORY_SUFFIXES = (".yaml", ".yml")

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
FLOAT = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str  # the path as the author should see it in messages
    text: str


def mark_of(node: yaml.Node, display: str) -> Mark:
    return Mark(display, node.start_mark.line + 1, node.start_mark.column + 1)


def describe(node: yaml.Node) -> str:
    """How an author would name what they wrote: 'a list', 'a number', 'text'..."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return {
        STR: "text",
        INT: "a whole number",
        BOOL: "true/false",
        NULL: "nothing (null)",
        FLOAT: "a decimal number",
    }.get(node.tag, f"a value tagged {node.tag}")


def find_story_files(root: Path, sink: DiagnosticSink) -> list[tuple[Path, str]]:
    """Every story file under `root`, sorted, following symlinks once and never looping."""
    found: list[tuple[Path, str]] = []
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in _walk(root, seen_dirs, sink):
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(STORY_SUFFIXES):
                continue
            path = Path(dirpath) / name
            found.append((path, _display(path)))
            if len(found) > MAX_FILES:
                sink.error(Mark(_display(root), 1, 1), f"the story folder holds more than {MAX_FILES} YAML files")
                return found[:MAX_FILES]
    return found


def _walk(root: Path, seen: set[tuple[int, int]], sink: DiagnosticSink) -> Iterator[tuple[str, list[str], list[str]]]:
    def on_error(err: OSError) -> None:
        where = _display(Path(err.filename)) if err.filename else _display(root)
        sink.error(Mark(where, 1, 1), f"cannot read this folder: {err.strerror or err}")

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        try:
            info = os.stat(dirpath)
        except OSError as err:
            on_error(err)
            dirnames[:] = []
            continue
        key = (info.st_dev, info.st_ino)
        if key in seen:
            sink.warning(Mark(_display(Path(dirpath)), 1, 1), "folder skipped: a symbolic link loops back to a folder already read")
            dirnames[:] = []
            continue
        seen.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        yield dirpath, dirnames, filenames


def _display(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except (ValueError, OSError):  # another drive on Windows, or the working folder was deleted
        return str(path)
    return str(path) if relative.startswith("..") else relative


def read_source(path: Path, display: str, sink: DiagnosticSink) -> SourceFile | None:
    """Read and decode one file, or report exactly why it cannot be."""
    here = Mark(display, 1, 1)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            sink.error(here, f"file is too large ({size / 1e6:.1f} MB; a story file may hold at most {MAX_FILE_BYTES // 2**20} MB): split it into several files")
            return None
        data = path.read_bytes()
    except OSError as err:
        sink.error(here, f"cannot read this file: {err.strerror or err}")
        return None
    if len(data) > MAX_FILE_BYTES:  # the file grew while we looked
        sink.error(here, "file is too large: split it into several files")
        return None
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        sink.error(Mark(display, line, 1), "this looks like a binary file, not YAML text (it holds a NUL byte)")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        body = err.object if isinstance(err.object, bytes) else data  # after the BOM, if there is one
        line = body.count(b"\n", 0, err.start) + 1
        line_start = body.rfind(b"\n", 0, err.start) + 1
        col = len(body[line_start:err.start].decode("utf-8", "replace")) + 1  # characters, as editors count
        sink.error(Mark(display, line, col), f"the file is not valid UTF-8 text (byte 0x{body[err.start]:02x}); save it as UTF-8")
        return None
    return SourceFile(path, display, text)


def compose(source: SourceFile, sink: DiagnosticSink) -> yaml.Node | None:
    """The YAML node graph of one file, or None with the syntax error reported."""
    try:
        root = yaml.compose(source.text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = err.problem or "invalid YAML"
        context = f" ({err.context})" if err.context and err.context != problem else ""
        if "maximum nesting depth" in problem:
            problem = "the YAML nests too deeply"
        sink.error(Mark(source.display, line, col), f"YAML syntax error: {problem}{context}")
        return None
    except yaml.reader.ReaderError as err:  # a character YAML refuses, such as a raw terminal escape
        index = err.position
        if SafeLoader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
            index = len(source.text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        index = max(0, min(index, len(source.text)))
        line = source.text.count("\n", 0, index) + 1
        col = index - (source.text.rfind("\n", 0, index) + 1) + 1
        char = err.character if isinstance(err.character, str) else chr(err.character)
        sink.error(Mark(source.display, line, col),
                   f"the file holds the character U+{ord(char):04X}, which YAML does not allow ({err.reason})")
        return None
    except yaml.YAMLError as err:
        sink.error(Mark(source.display, 1, 1), f"YAML error: {err}")
        return None
    except RecursionError:
        sink.error(Mark(source.display, 1, 1), "the YAML nests too deeply")
        return None
    if root is None:
        sink.error(Mark(source.display, 1, 1), "the file is empty")
    return root
