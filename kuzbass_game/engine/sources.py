"""Finding and reading story files: size limits, encoding, symlink loops; no YAML here.

Kept apart from the YAML composer so a launch that finds its story in the cache of checked
stories never imports PyYAML at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from kuzbass_game.engine.diagnostics import DiagnosticSink, Mark

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_FILES = 5000
MANIFEST_NAME = "manifest.yaml"
STORY_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str  # the path as the author should see it in messages
    text: str


def find_story_files(root: Path, sink: DiagnosticSink) -> list[tuple[Path, str]]:
    """Every story file under `root`, sorted, following symlinks once and never looping."""
    found: list[tuple[Path, str]] = []
    seen_dirs: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in _walk(root, seen_dirs, sink):
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(STORY_SUFFIXES):
                continue
            path = Path(dirpath) / name
            found.append((path, display_path(path)))
            if len(found) > MAX_FILES:
                sink.error(Mark(display_path(root), 1, 1), f"the story folder holds more than {MAX_FILES} YAML files")
                return found[:MAX_FILES]
    return found


def _walk(root: Path, seen: set[tuple[int, int]], sink: DiagnosticSink) -> Iterator[tuple[str, list[str], list[str]]]:
    def on_error(err: OSError) -> None:
        where = display_path(Path(err.filename)) if err.filename else display_path(root)
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
            sink.warning(Mark(display_path(Path(dirpath)), 1, 1), "folder skipped: a symbolic link loops back to a folder already read")
            dirnames[:] = []
            continue
        seen.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        yield dirpath, dirnames, filenames


def display_path(path: Path) -> str:
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
