"""Finding and reading story files: regular files inside the story folder, bounded; no YAML here.

Kept apart from the YAML composer so a launch that finds its story in the cache of checked
stories never imports PyYAML at all.

A story folder is not trusted: it may hold a FIFO named `x.yaml`, a symbolic link to
`/dev/zero`, to `/` or to files elsewhere, folders that loop, millions of entries. Only regular
files inside the folder (every symbolic link resolved) are read; nothing is opened that could
block, no file is read past its limit, and the whole story is capped in files, folders, entries
and bytes. Each refusal is a `path:line:col: error` that says why.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from kuzbass_game.engine.core.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.core.text import plain_text
from kuzbass_game.engine.files.bounded import NotRegular, TooLarge, inside, kind_of, open_regular, read_fd

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_FILES = 5000
MAX_STORY_BYTES = 256 * 1024 * 1024  # every story file together
MAX_FOLDERS = 5000
MAX_ENTRIES = 200_000  # names listed in all the folders, story files or not
MANIFEST_NAME = "manifest.yaml"
STORY_SUFFIXES = (".yaml", ".yml")


class StoryPath(type(Path())):  # type: ignore[misc]
    """A story file found by `find_story_files`, with what was learnt about it then.

    `relative`: its path inside the story folder (POSIX form), the same however the folder was
    named (`story`, `./story` or an absolute path), for the cache key; `identity`: the device
    and inode seen, so `read_source` reads that very file; `stamp`: its size and mtime in ns.
    """

    __slots__ = ("relative", "identity", "stamp")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    display: str  # the path as the author should see it in messages
    text: str


def find_story_files(root: Path, sink: DiagnosticSink) -> list[tuple[Path, str]]:
    """Every story file under `root`, sorted (a folder's files, then its subfolders in order).

    Symbolic links are followed when they stay inside the story folder and each folder is read
    once (a loop is a warning); anything that leads outside, or is not a regular file, is an error.
    """
    walk = _StoryWalk(Path(root), sink)
    stack: list[tuple[Path, str]] = [(walk.root, "")]
    while stack:
        folder, relative = stack.pop()
        walk.folders += 1
        if walk.folders > MAX_FOLDERS:
            sink.error(Mark(display_path(walk.root), 1, 1), f"the story folder holds more than {MAX_FOLDERS} folders; the rest were not read")
            break
        listed = walk.list_folder(folder)
        if listed is None:
            continue
        files, subfolders = listed
        if walk.entries > MAX_ENTRIES:
            sink.error(
                Mark(display_path(walk.root), 1, 1), f"the story folder holds more than {MAX_ENTRIES} files and folders; the rest were not read"
            )
            stack.clear()
        if not walk.add_files(folder, relative, files):
            return walk.found[:MAX_FILES]
        stack += walk.subfolders_inside(folder, relative, subfolders)
    return walk.found


class _StoryWalk:
    """What `find_story_files` has seen so far, and its limits: one folder listed at a time."""

    def __init__(self, root: Path, sink: DiagnosticSink) -> None:
        self.root = root
        self.root_real = os.path.realpath(root)
        self.sink = sink
        self.found: list[tuple[Path, str]] = []
        self.seen: set[tuple[int, int]] = set()  # (device, inode) of every folder read
        self.total = 0  # bytes in the story files found
        self.folders = 0
        self.entries = 0  # names listed in every folder, story files or not
        self.links: set[str] = set()  # the story files of the folder being read that are symbolic links

    def list_folder(self, folder: Path) -> tuple[list[str], list[str]] | None:
        """The story files and the subfolders named in `folder`; None when it is not to be read
        (it cannot be, or a link led back to a folder already read)."""
        try:
            info = os.stat(folder)
        except OSError as err:
            self.sink.error(Mark(display_path(folder), 1, 1), f"cannot read this folder: {err.strerror or err}")
            return None
        key = (info.st_dev, info.st_ino)
        if key in self.seen:
            self.sink.warning(Mark(display_path(folder), 1, 1), "folder skipped: a symbolic link loops back to a folder already read")
            return None
        self.seen.add(key)
        self.links = set()
        files: list[str] = []
        subfolders: list[str] = []
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    self.entries += 1
                    if self.entries > MAX_ENTRIES:
                        break
                    name = entry.name
                    if name.startswith("."):
                        continue
                    if _is_folder(entry):
                        subfolders.append(name)
                    elif name.endswith(STORY_SUFFIXES):
                        files.append(name)
                        if _is_link(entry):
                            self.links.add(name)
        except OSError as err:
            self.sink.error(Mark(display_path(folder), 1, 1), f"cannot read this folder: {err.strerror or err}")
            return None
        return files, subfolders

    def add_files(self, folder: Path, relative: str, names: list[str]) -> bool:
        """Check and keep a folder's story files, in order; False once the story is over a limit."""
        for name in sorted(names):
            path = StoryPath(folder, name)
            display = display_path(path)
            # a file that is not a symbolic link is where its folder is, which is inside the story's:
            # only a link is resolved (a realpath of each of a large story's hundred files)
            checked = _check_file(path, display, self.root_real if name in self.links else None, self.sink)
            if checked is None:
                continue
            path.relative, path.identity, path.stamp = relative + name, (checked.st_dev, checked.st_ino), (checked.st_size, checked.st_mtime_ns)
            self.total += min(checked.st_size, MAX_FILE_BYTES + 1)  # a larger file is refused when it is read
            if self.total > MAX_STORY_BYTES:
                self.sink.error(
                    Mark(display_path(self.root), 1, 1),
                    f"the story's files hold more than {MAX_STORY_BYTES // 2**20} MB together; a story may hold at most that",
                )
                return False
            self.found.append((path, display))
            if len(self.found) > MAX_FILES:
                self.sink.error(Mark(display_path(self.root), 1, 1), f"the story folder holds more than {MAX_FILES} YAML files")
                return False
        return True

    def subfolders_inside(self, folder: Path, relative: str, names: list[str]) -> list[tuple[Path, str]]:
        """The subfolders to read next, last first (they are popped in order); one that leads outside is an error."""
        inner = []
        for name in sorted(names, reverse=True):
            subfolder = folder / name
            if not inside(subfolder, self.root_real):
                self.sink.error(Mark(display_path(subfolder), 1, 1), _outside("folder", subfolder))
                continue
            inner.append((subfolder, relative + name + "/"))
        return inner


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows a symbolic link, as a folder of the story may be one
    except OSError:
        return False


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True  # (resolved and checked, then)


def _check_file(path: Path, display: str, root_real: str | None, sink: DiagnosticSink) -> os.stat_result | None:
    """The file's `stat` if it may be read: a regular file inside the story folder (`root_real`: the
    story folder's real path, for a file that must be resolved to know; None for one that need not be)."""
    here = Mark(display, 1, 1)
    try:
        info = os.stat(path)
    except OSError as err:
        sink.error(here, f"cannot read this file: {err.strerror or err}")
        return None
    if root_real is not None and not inside(path, root_real):
        sink.error(here, _outside("file", path))
        return None
    if not stat.S_ISREG(info.st_mode):
        sink.error(here, f"this is {kind_of(info.st_mode)}, not an ordinary file: a story file must be a regular file")
        return None
    return info


def _outside(what: str, path: Path) -> str:
    target = plain_text(os.path.realpath(path))
    return f"this {what} is a symbolic link that leads outside the story folder (to {target}); a story may only use files inside its own folder"


def display_path(path: Path) -> str:
    """The path as messages show it: relative to the working folder when inside it, as plain text."""
    try:
        relative = os.path.relpath(path)
    except (ValueError, OSError):  # another drive on Windows, or the working folder was deleted
        return plain_text(str(path))
    return plain_text(str(path) if relative.startswith("..") else relative)


def read_source(path: Path, display: str, sink: DiagnosticSink) -> SourceFile | None:
    """Read and decode one file, or report exactly why it cannot be.

    Opens without blocking, reads only a regular file (the very one `find_story_files` saw, when
    it came from there) and never more than MAX_FILE_BYTES + 1 bytes.
    """
    here = Mark(display, 1, 1)
    try:
        fd, info = open_regular(path)
    except NotRegular as err:
        sink.error(here, f"this file {err}: a story file must be a regular file")
        return None
    except OSError as err:
        sink.error(here, f"cannot read this file: {err.strerror or err}")
        return None
    try:
        identity = getattr(path, "identity", None)
        if identity is not None and identity != (info.st_dev, info.st_ino):
            sink.error(here, "this file was replaced by another while the story was read; load the story again")
            return None
        if info.st_size > MAX_FILE_BYTES:
            sink.error(
                here,
                f"file is too large ({info.st_size / 1e6:.1f} MB; a story file may hold at most "
                f"{MAX_FILE_BYTES // 2**20} MB): split it into several files",
            )
            return None
        data = read_fd(fd, info, MAX_FILE_BYTES)
    except TooLarge:  # the file grew while we looked
        sink.error(here, "file is too large: split it into several files")
        return None
    except OSError as err:
        sink.error(here, f"cannot read this file: {err.strerror or err}")
        return None
    finally:
        os.close(fd)
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
        col = len(body[line_start : err.start].decode("utf-8", "replace")) + 1  # characters, as editors count
        sink.error(Mark(display, line, col), f"the file is not valid UTF-8 text (byte 0x{body[err.start]:02x}); save it as UTF-8")
        return None
    return SourceFile(path, display, text)
