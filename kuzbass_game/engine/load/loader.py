"""Story folder -> checked `Story`, with every problem as a `Diagnostic`.

An unchanged story comes from the cache of checked stories (cache.py) without importing
YAML at all; otherwise compiler.py compiles the files and check.py checks the graph.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Sequence

from kuzbass_game.engine.core.diagnostics import Diagnostic, DiagnosticSink, Mark
from kuzbass_game.engine.core.gcpause import collector_paused
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.format.sources import MANIFEST_NAME, SourceFile, display_path, find_story_files, read_source
from kuzbass_game.engine.load import cache as story_cache
from kuzbass_game.engine.load.cache import CacheKey, StoryRoot

if TYPE_CHECKING:  # the compiler (and PyYAML) are imported only when a story must be compiled
    from kuzbass_game.engine.format.compiler import MarkupCheck, ParsedFile, StoryBuilder

Layered = list[tuple[Path, list[tuple[Path, str]]]]  # each folder (the story's first) with its story files


@dataclass
class LoadResult:
    story: Story | None
    diagnostics: list[Diagnostic]
    files: int = 0
    tests_run: int = 0  # the story tests played by this load (none on a load from the cache: they passed when it was stored)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def load_story(
    root: Path | str | Sequence[Path | str], *, check_graph: bool = True, cache: bool = False, markup_check: MarkupCheck | None = None
) -> LoadResult:
    """Load and check the story in `root`. `story` is None when any error was found.

    `root` may be several folders: the first is the story, each later one a layer over the
    folders before it (it adds nodes, declarations and codex entries, and can `extend` nodes
    below it), as `kuzbass --story A --story B` gives them.

    With `cache`, an unchanged story is read from the cache of checked stories (see cache.py)
    instead of being parsed and checked again, and a freshly checked one is stored there.
    `markup_check` is a face's markup parser (the engine imports none), which the compiler runs
    on every shown text so that a broken tag is reported at its own line and column.
    """
    roots = [Path(root)] if isinstance(root, (str, Path)) else [Path(r) for r in root]
    with collector_paused():
        return _load_story(roots, check_graph, cache, markup_check)


def _load_story(roots: list[Path], check_graph: bool, cache: bool, markup_check: MarkupCheck | None) -> LoadResult:
    """Discover the files -> look the story up in the cache -> parse and compile -> check -> cache it."""
    sink = DiagnosticSink()
    layered = _discover(roots, sink)
    if layered is None:
        return LoadResult(None, sink.sorted())
    cache_root: StoryRoot = roots[0] if len(roots) == 1 else tuple(roots)
    key = _cache_key(layered, markup_check) if cache and check_graph and not sink.has_errors else None
    if key is not None:
        hit = story_cache.read(cache_root, key, lambda: _recompile(cache_root))
        if hit is not None:
            return LoadResult(hit[0], hit[1], sum(len(found) for _folder, found in layered))
    # launch time: the compiler (and PyYAML) are imported only when a story must be compiled
    from kuzbass_game.engine.format.compiler import StoryBuilder

    builder = StoryBuilder(sink, markup_check)
    builder.layer_folders = tuple(os.path.abspath(folder) for folder in roots[1:])
    file_digests: dict[str, bytes] = {}
    read, node_files = _parse_declaring_files(builder, layered, file_digests, sink)
    _compile_node_files(builder, node_files)
    story = builder.build(roots[0], fingerprint(file_digests))
    if story is not None and check_graph and not sink.has_errors:
        # The graph of a story with errors lacks the parts that failed to compile: checking it
        # would only report false dead ends and unreachable nodes caused by those errors.
        tests_run = _check(story, builder, sink)
    else:
        tests_run = 0
    diagnostics = sink.sorted()
    ok = story is not None and not any(d.is_error for d in diagnostics)
    if ok and story is not None and key is not None:  # (ok: there is a story)
        story_cache.write(cache_root, key, story, diagnostics)
    return LoadResult(story if ok else None, diagnostics, read, tests_run)


def _discover(roots: list[Path], sink: DiagnosticSink) -> Layered | None:
    """Each folder with its story files; None (the errors in `sink`) when a folder is missing."""
    if not roots:
        sink.error(Mark("story", 1, 1), "no story folder given")
        return None
    for folder in roots:
        if not folder.is_dir():
            what = "does not exist" if not folder.exists() else "is not a folder"
            sink.error(Mark(str(folder), 1, 1), f"story folder {what}")
    if sink.has_errors:
        return None
    seen: dict[str, Path] = {}
    for folder in roots:
        real = os.path.realpath(folder)
        if real in seen:  # its every name would be declared twice: say it once, and read nothing
            first = display_path(seen[real])
            again = "" if display_path(folder) == first else f" (as {first} first)"
            sink.error(Mark(display_path(folder), 1, 1), f"the same folder was given twice{again}: give the story's folder, then each layer's, once")
            return None
        seen[real] = folder
    return [(folder, find_story_files(folder, sink)) for folder in roots]


def _cache_key(layered: Layered, markup_check: MarkupCheck | None) -> CacheKey | None:
    """What a cached story must have been made from: every file's stamp, the working folder, and
    whether markup was checked (a story checked without the face's markup parser is not a checked
    story for one with it). None when a file cannot be stamped."""
    try:
        stamps = story_cache.files_key(layered[0][1]) if len(layered) == 1 else tuple(story_cache.files_key(found) for _f, found in layered)
    except OSError:
        return None
    return (stamps, os.getcwd(), markup_check is not None)


def _recompile(root: StoryRoot) -> Story:
    """A node could not be built from the cache: drop the file and compile the story from its files
    (handed to the cache, which calls it when a node of the cached story turns out damaged)."""
    story_cache.drop(root)
    result = load_story(root, cache=True)  # stores a fresh cache for the next launch
    if result.story is None:
        first = result.errors[0].format() if result.errors else "the story cannot be loaded"
        raise story_cache.CacheError(f"the story's cache was damaged and its files no longer load: {first}")
    return result.story


def _parse_declaring_files(
    builder: StoryBuilder, layered: Layered, file_digests: dict[str, bytes], sink: DiagnosticSink
) -> tuple[int, list[tuple[SourceFile, str | None]]]:
    """Read every file; parse each folder's manifest (the story's, then each layer's, which names
    the layer) and every file that declares names (nodes may use them wherever they are declared),
    then define those names; the files of nodes are returned to be compiled after, with their layer.
    Returns how many files were read, and the files of nodes.

    A manifest or a file of declarations that cannot be parsed (a YAML syntax error) leaves its
    names undeclared: every file of its folder and of the layers above it is then only read for
    its own syntax errors, so nothing that depends on the broken file is reported after it."""
    read = 0
    declaring: list[tuple[int, ParsedFile]] = []
    node_files: list[tuple[int, SourceFile, str | None]] = []
    broken = len(layered)  # the first folder with a broken manifest or file of declarations
    repeated: set[int] = set()  # folders of a layer whose id one below has (a copy of it): their syntax only
    for depth, (folder, found) in enumerate(layered):
        manifest_path = folder / MANIFEST_NAME
        ordered = sorted(found, key=lambda item: item[0] != manifest_path)
        has_manifest = bool(ordered) and ordered[0][0] == manifest_path
        if not has_manifest:
            _no_manifest(manifest_path, depth, sink)
        layer: str | None = builder.unnamed_layer(folder.name) if depth and not has_manifest else None
        for path, display in ordered:
            source = read_source(path, display, sink)
            if source is None:
                if path != manifest_path:
                    builder.incomplete = True
                continue
            read += 1
            file_digests[f"{depth}/" * bool(depth) + _relative(path, folder)] = hashlib.sha256(source.text.encode()).digest()
            is_manifest = path == manifest_path
            if depth in repeated:  # not a dependant: the layers above it name the id the first folder gave
                _syntax_only(source, builder, sink, incomplete=False)
                continue
            if not is_manifest and not builder.declares(source):
                node_files.append((depth, source, layer))
                continue
            if depth >= broken:
                _syntax_only(source, builder, sink)
                continue
            parsed = builder.parse(source, True, layer_manifest=depth > 0) if is_manifest else builder.parse(source, False, layer)
            if parsed is not None:
                if is_manifest:
                    layer = parsed.layer
                declaring.append((depth, parsed))
                continue
            if is_manifest and depth:  # still a layer's files, not the story's
                layer = builder.unnamed_layer(folder.name)
                if source.display in builder.repeated:
                    repeated.add(depth)
                    continue
            broken = min(broken, depth)
    return read, _declare(builder, declaring, node_files, broken, sink)


def _no_manifest(manifest_path: Path, depth: int, sink: DiagnosticSink) -> None:
    what = (
        "the story has no {0}: it declares the title, the start node and the variables"
        if depth == 0
        else "this layer has no {0}: it gives the layer's id and the story it extends"
    )
    sink.error(Mark(display_path(manifest_path), 1, 1), what.format(MANIFEST_NAME))


def _declare(
    builder: StoryBuilder,
    declaring: list[tuple[int, ParsedFile]],
    node_files: list[tuple[int, SourceFile, str | None]],
    broken: int,
    sink: DiagnosticSink,
) -> list[tuple[SourceFile, str | None]]:
    """Define every name declared in the folders below `broken`, then read those files' codex,
    tests and extensions; the files of nodes to compile (those of folders from `broken` up are
    only read for their syntax)."""
    for depth, parsed in declaring:
        if depth < broken:
            builder.define(parsed)
    builder.seal_declarations()
    for depth, parsed in declaring:
        if depth < broken:
            builder.collect(parsed)
    kept: list[tuple[SourceFile, str | None]] = []
    for depth, source, layer in node_files:
        if depth >= broken:
            _syntax_only(source, builder, sink)
        else:
            kept.append((source, layer))
    return kept


def _syntax_only(source: SourceFile, builder: StoryBuilder, sink: DiagnosticSink, *, incomplete: bool = True) -> None:
    """A file that depends on a broken one: its own syntax errors are reported, nothing else.
    `incomplete`: what it holds may be named elsewhere (so a name not found is no proof of an error)."""
    # launch time: on a cache miss only, with the compiler (this module imports neither at the top)
    from kuzbass_game.engine.format.yaml_source import compose

    if incomplete:
        builder.incomplete = True
    compose(source, sink)


def _compile_node_files(builder: StoryBuilder, node_files: list[tuple[SourceFile, str | None]]) -> None:
    """Each file of nodes read, compiled and let go, the story's first."""
    node_files.reverse()  # popped from the end: each file's text is let go once compiled
    while node_files:
        source, layer = node_files.pop()
        parsed = builder.parse(source, False, layer)
        if parsed is not None:
            builder.collect(parsed)
        del parsed, source


def _check(story: Story, builder: StoryBuilder, sink: DiagnosticSink) -> int:
    """The graph's checks, then the story's own tests (only on a story without errors); how many tests ran."""
    # launch time: a story from the cache was checked when it was stored, so the checks load only here
    from kuzbass_game.engine.tools.check import check_graph

    check_graph(story, sink)
    if builder.tests and not sink.has_errors:
        # launch time, as above; and the tests' compile half imports PyYAML
        from kuzbass_game.engine.tools.story_tests import run_tests

        run_tests(story, builder.tests, sink)
        return len(builder.tests)
    return 0


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def fingerprint(file_digests: dict[str, bytes]) -> str:
    """A short hash of every story file's path and text: saves record it to notice story edits."""
    digest = hashlib.sha256()
    for relative in sorted(file_digests):
        digest.update(relative.encode() + b"\0" + file_digests[relative])
    return digest.hexdigest()[:16]
