"""A cache of checked stories, so a launch does not parse and check YAML that has not changed.

The compiled `Story` holds closures, which cannot be stored; instead we store a plain-data
image of it (the expression sources, not their compiled form) with `marshal`, behind a
CRC-32 checksum, keyed by every story file's path inside the story folder, size and
modification time. A missing, stale, corrupt or foreign cache is simply ignored: the story is
loaded from its YAML. Only stories without errors are cached, so a cached load is a checked load.

The cache file is read as untrusted input all the same: the folder is created 0700 and a folder
or file owned by another user is never used; a file is read only if regular, without blocking and
up to a limit; every marshal stream is checked by `check_marshal` (which bounds every count and
size against the bytes actually present) before `marshal.loads` may allocate anything for it;
every text must pass the compiler's control-character rule. Each node is unpacked when the game
first asks for it; if that fails (a tampered node), the cache file is dropped and the story is
compiled from its YAML on the spot, so a bad cache costs one slow launch, never a crash.

The file is a head and a tail (`pack_file`): the head (the key's digest and the story's image,
with the node ids and offsets) behind its own CRC-32, then every node's marshal bytes. A launch
reads and checks the head only, and builds no table of node ids, so its cost does not grow with
the story; the tail is read from the same file (same inode, size and time) when the first node is
asked for, and checked against its own CRC-32 then (`NodeBlob`). The story's declarations and its
people are read, and their expressions compiled, when first asked for (`LazyDeclarations`): a launch compiles none.
Compiled expressions are never stored: their sources are, and are compiled again under the same
checks as the compiler's (an image holds plain data only).
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
import re
import stat
import time
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from kuzbass_game import __version__
from kuzbass_game.engine.files.atomic import write_atomic
from kuzbass_game.engine.core.diagnostics import Diagnostic, Mark, Severity
from kuzbass_game.engine.core.text import acting_tag
from kuzbass_game.engine.core.model import (
    Branch,
    Choice,
    CodexEntry,
    Computed,
    Ending,
    Faction,
    InputSpec,
    Move,
    Node,
    Paragraph,
    Person,
    PersonLine,
    Routine,
    Story,
    TextPart,
    Variable,
    VarRef,
    Vote,
)
from kuzbass_game.engine.files.bounded import open_regular

if TYPE_CHECKING:  # the expression compiler is imported only once a node needs it
    from kuzbass_game.engine.core.expr import Condition, Effects, Evaluator, Scope, Typed

CACHE_ENV = "KUZBASS_CACHE_DIR"
FORMAT = 13  # bump when the loader's checks change (the layouts' fields are part of every key already)
MAGIC = b"KZC4"
MAX_CACHE_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64  # nesting of a marshalled image; ours nest fewer than ten levels
STALE_TEMP_SECONDS = 600

StoryRoot = Path | tuple[Path, ...]  # a story's folder, or a story's and its layers' (the story's first)
CacheKey = tuple[object, ...]  # what the cached story was made from: only compared, through its digest
# A story's image as `marshal` stores it: plain data, records laid out by `Layout`. Read back from
# a file, it is untrusted: `check_marshal` and `_check_texts` vouch for its kinds of values, and
# every record's shape is checked as it is read (a wrong one raises, and the YAML is loaded).
Image = tuple[Any, ...]
_T = TypeVar("_T")


class CacheError(Exception):
    """The cache cannot be used (its message says why); the story is loaded from its YAML instead."""


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kuzbass"


def cache_path(root: Path | tuple[Path, ...]) -> Path:
    """The cache file of a story folder, or of a story with its layers (a tuple of folders)."""
    roots = root if isinstance(root, tuple) else (root,)
    key = hashlib.sha256(b"\0".join(os.fsencode(os.path.realpath(r)) for r in roots)).hexdigest()[:24]
    return cache_dir() / f"story-{key}.bin"


def files_key(files: list[tuple[Path, str]]) -> CacheKey:
    """Path inside the story folder, size and mtime of every story file: any edit, addition or
    removal changes it, and `story`, `./story` and `/abs/story` give the same key."""
    stamps: list[tuple[object, ...]] = []
    for path, _display in files:
        relative = getattr(path, "relative", None)  # set by sources.find_story_files
        stamp = getattr(path, "stamp", None)
        if relative is None or stamp is None:
            info = path.stat()
            relative, stamp = str(path), (info.st_size, info.st_mtime_ns)
        stamps.append((relative, *stamp))
    return (FORMAT, __version__, SHAPE, tuple(stamps))


def _digest(key: CacheKey) -> bytes:
    """The key as 32 bytes, stored in the file instead of the key itself (thousands of tuples to check)."""
    return hashlib.sha256(repr(key).encode("utf-8", "backslashreplace")).digest()


# ---------------------------------------------------------------- image
#
# Each model class the cache keeps has a `Layout`: every one of its init fields, in the class's
# own order (`dataclasses.fields`), with how the cache stores it. A record is the tuple of its
# stored fields in that order; `write_record` makes one and `_ImageReader.record` reads one back.
# A field added to a model class and not to its layout stops this module from importing (see
# `check_layouts`), and the layouts are part of every cache key, so a changed layout never
# reads an image written with another.

PLAIN = "plain"  # stored as it is: str, int, bool, None, or a tuple of those
MARK = "mark"  # a Mark, as (path, line, col)
PARTS = "parts"  # a text's parts, with each `{name}` hole as a 1-tuple
IF = "if"  # a Condition, as its source
FX = "fx"  # Effects, as their source
PAIRS = "pairs"  # a mapping, as (key, value) pairs
SEVERITY = "severity"  # a Severity, as its value
NODES = "nodes"  # the story's nodes: see `_pack_nodes`
GIVEN = "given"  # not stored: the reader gives it (a choice's node id, the story's folder)
DERIVED = "derived"  # not stored: rebuilt from the fields stored (a faction's size, from its source)
_NOT_STORED = (GIVEN, DERIVED)


class Layout:
    """How the cache keeps one model class: each init field, in the class's order, and how it is stored."""

    __slots__ = ("cls", "fields", "stored", "size", "kinds", "given", "derived")

    def __init__(self, cls: type, **fields: Kind) -> None:
        self.cls = cls
        self.fields = fields
        self.stored = tuple(name for name, kind in fields.items() if kind not in _NOT_STORED)
        self.size = len(self.stored)
        self.kinds = tuple((name, kind) for name, kind in fields.items() if kind not in _NOT_STORED)
        self.given = tuple(name for name, kind in fields.items() if kind == GIVEN)
        self.derived = any(kind == DERIVED for kind in fields.values())

    def __repr__(self) -> str:
        kinds = (f"{name}:{kind}" if isinstance(kind, str) else f"{name}:{kind.shape}:{kind.layout.cls.__name__}" for name, kind in self.kinds)
        return f"{self.cls.__name__}({', '.join(kinds)})"

    def at(self, name: str) -> int:
        """The place of a stored field in this class's records."""
        return self.stored.index(name)


class Nested:
    """A field that holds another kept class: one record (or None), a tuple of them, or a mapping's values."""

    __slots__ = ("layout", "shape")

    def __init__(self, layout: Layout, shape: Literal["one", "many", "values"]) -> None:
        self.layout = layout
        self.shape = shape


Kind = str | Nested

MARKS = Layout(Mark, path=PLAIN, line=PLAIN, col=PLAIN)  # (only to check its fields: a mark is stored as MARK)
DIAGNOSTIC = Layout(Diagnostic, path=PLAIN, line=PLAIN, col=PLAIN, severity=SEVERITY, message=PLAIN)
VARIABLE = Layout(
    Variable,
    name=PLAIN,
    type=PLAIN,
    default=PLAIN,
    minimum=PLAIN,
    maximum=PLAIN,
    label=PLAIN,
    mark=MARK,
    values=PLAIN,
    description=PLAIN,
    show_if=IF,
)
COMPUTED = Layout(Computed, name=PLAIN, type=DERIVED, source=PLAIN, run=DERIVED, label=PLAIN, description=PLAIN, show_if=IF, mark=MARK)
ROUTINE = Layout(Routine, name=PLAIN, effects=FX, mark=MARK, label=PLAIN)
CODEX_ENTRY = Layout(CodexEntry, id=PLAIN, title=PLAIN, text=PLAIN, sources=PLAIN, mark=MARK)
PARAGRAPH = Layout(Paragraph, parts=PARTS, condition=IF)
PERSON_LINE = Layout(PersonLine, text=PARTS, condition=IF, mark=MARK)
PERSON = Layout(Person, id=PLAIN, lines=Nested(PERSON_LINE, "many"), mark=MARK)
BRANCH = Layout(Branch, target=PLAIN, weight=PLAIN, condition=IF, mark=MARK)
CHOICE = Layout(
    Choice,
    node_id=GIVEN,
    index=PLAIN,
    text=PARTS,
    target=PLAIN,
    branches=Nested(BRANCH, "many"),
    condition=IF,
    locked_reason=PARTS,
    effects=FX,
    once=PLAIN,
    mark=MARK,
    signature=PLAIN,
    reply=PARTS,
    ballot=PLAIN,
)
MOVE = Layout(Move, by=DERIVED, why=PLAIN, condition=IF, by_source=PLAIN)
FACTION = Layout(Faction, name=PLAIN, size=DERIVED, lean=DERIVED, swing=PLAIN, moves=Nested(MOVE, "many"), size_source=PLAIN, lean_source=PLAIN)
VOTE = Layout(Vote, id=PLAIN, question=PLAIN, factions=Nested(FACTION, "many"), outcomes=PAIRS, record=PLAIN, mark=MARK)
INPUT = Layout(InputSpec, var=PLAIN, prompt=PLAIN, max_length=PLAIN)
ENDING = Layout(Ending, title=PLAIN)
NODE = Layout(
    Node,
    id=PLAIN,
    paragraphs=Nested(PARAGRAPH, "many"),
    choices=Nested(CHOICE, "many"),
    effects=FX,
    chapter=PLAIN,
    date=PLAIN,
    ending=Nested(ENDING, "one"),
    input=Nested(INPUT, "one"),
    mark=MARK,
    unlocks=PLAIN,
    vote=Nested(VOTE, "one"),
)
STORY = Layout(
    Story,
    id=PLAIN,
    title=PLAIN,
    start=PLAIN,
    variables=Nested(VARIABLE, "values"),
    nodes=NODES,
    fingerprint=PLAIN,
    root=GIVEN,
    start_mark=MARK,
    description=PLAIN,
    author=PLAIN,
    computed=Nested(COMPUTED, "values"),
    routines=Nested(ROUTINE, "values"),
    codex=Nested(CODEX_ENTRY, "values"),
    layers=PLAIN,
    introduction=PLAIN,
    afterword=PLAIN,
    ending_ids=PLAIN,  # written from `Story.endings`, so a cached story knows its endings without building nodes
    node_layer=PAIRS,
    extended=PAIRS,
    layer_titles=PAIRS,
    layer_folders=PLAIN,
    people=Nested(PERSON, "values"),
)
LAYOUTS = (
    MARKS,
    DIAGNOSTIC,
    VARIABLE,
    COMPUTED,
    ROUTINE,
    CODEX_ENTRY,
    PERSON_LINE,
    PERSON,
    PARAGRAPH,
    BRANCH,
    CHOICE,
    MOVE,
    FACTION,
    VOTE,
    INPUT,
    ENDING,
    NODE,
    STORY,
)


def check_layouts(layouts: Iterable[Layout] = LAYOUTS) -> None:
    """Raise TypeError unless each layout names every init field of its class, in the class's order.

    A field added to a model class must be given a place here (stored, given or derived) before
    the cache can be used: run at import, so the mistake shows at once, in every test."""
    for layout in layouts:
        declared = [f.name for f in dataclasses.fields(layout.cls) if f.init]
        if list(layout.fields) != declared:
            missing = [name for name in declared if name not in layout.fields]
            raise TypeError(
                f"the story cache's layout of {layout.cls.__name__} does not match the class: "
                + (f"it does not keep {', '.join(missing)}; " if missing else "")
                + f"the class has ({', '.join(declared)}), the layout ({', '.join(layout.fields)}): update load/cache.py"
            )
        # (a record is read positionally, after its given fields; the story itself is read by name, in from_image)
        if layout.cls is not Story and not layout.derived and list(layout.given) != list(layout.fields)[: len(layout.given)]:
            raise TypeError(f"the story cache's layout of {layout.cls.__name__}: given fields come first")


check_layouts()
# What every layout stores, in the cache key: an image written with other layouts is never read.
SHAPE = ";".join(map(repr, LAYOUTS))


def write_record(layout: Layout, item: object) -> tuple[Any, ...]:
    """One kept object as its record: its stored fields, in its layout's order."""
    return tuple(_encode(kind, getattr(item, name)) for name, kind in layout.kinds)


def _encode(kind: Kind, value: Any) -> Any:
    if value is None or kind == PLAIN:
        return value
    if kind == MARK:
        return (value.path, value.line, value.col)
    if kind == PARTS:
        return tuple((p.name,) if isinstance(p, VarRef) else p for p in value)
    if kind == IF or kind == FX:
        return value.source
    if kind == PAIRS:
        return tuple(value.items())
    if kind == SEVERITY:
        return value.value
    if isinstance(kind, Nested):
        if kind.shape == "one":
            return write_record(kind.layout, value)
        return tuple(write_record(kind.layout, item) for item in (value.values() if kind.shape == "values" else value))
    raise TypeError(f"the story cache cannot store a field of kind {kind!r}")  # pragma: no cover - NODES is packed by to_image


def to_image(story: Story, diagnostics: list[Diagnostic]) -> Image:
    """The story and its diagnostics as plain data: (the story's record, the diagnostics' records)."""
    story = dataclasses.replace(story, ending_ids=tuple(story.endings))
    record = tuple(_pack_nodes(story.nodes) if kind == NODES else _encode(kind, getattr(story, name)) for name, kind in STORY.kinds)
    return (record, tuple(write_record(DIAGNOSTIC, d) for d in diagnostics))


def _pack_nodes(nodes: Mapping[str, Node]) -> tuple[str, bytes, bytes]:
    """The nodes as three objects (ids, offsets, every node's record marshalled one after another),
    not 10,000 tuples: the whole file is checked before it is unmarshalled, object by object.

    A warm load then unpacks one bytes object per node instead of a dozen tuples: bytes are
    not tracked by the cycle collector, whose first pass over 100,000 fresh tuples cost more
    than the whole unmarshalling. Each node is unpacked when the game first asks for it.
    """
    blobs = [marshal.dumps(write_record(NODE, node)) for node in nodes.values()]
    offsets = array("Q", [0])
    for blob in blobs:
        offsets.append(offsets[-1] + len(blob))
    return "\n".join(nodes), offsets.tobytes(), b"".join(blobs)


def _unpack_nodes(packed: Any, blob: NodeBlob) -> NodeIndex:
    """The node index, its shape checked: the table of ids is built when first asked for, and each
    node's offsets are checked when it is built."""
    if type(packed) is not tuple or len(packed) != 3:
        raise CacheError("the node index has the wrong shape")
    joined, raw_offsets, crc = packed
    if type(joined) is not str or type(raw_offsets) is not bytes or type(crc) is not int:
        raise CacheError("the node index has the wrong types")
    count = joined.count("\n") + 1 if joined else 0
    if len(raw_offsets) != 8 * (count + 1):
        raise CacheError("the node index does not match the nodes")
    blob.offsets.frombytes(raw_offsets)
    blob.crc = crc
    return NodeIndex(joined)


class NodeIndex:
    """The node ids of a cached story, one a line; the table (id -> index) is built on first use.

    A launch asks nothing of the nodes (the title screen's endings are counted from their ids), so
    a story of 50,000 nodes costs it one string, not a dict of 50,000 entries."""

    __slots__ = ("joined", "_table")

    def __init__(self, joined: str) -> None:
        self.joined = joined
        self._table: dict[str, int] | None = None

    def __contains__(self, node_id: str) -> bool:
        """Whether a node has this id, without building the table (a search of the joined ids)."""
        if self._table is not None:
            return node_id in self._table
        return "\n" not in node_id and f"\n{node_id}\n" in f"\n{self.joined}\n"

    def ids(self) -> list[str]:
        return self.joined.split("\n") if self.joined else []

    def built(self) -> dict[str, int] | None:
        """The table if it has been built."""
        return self._table

    def table(self) -> dict[str, int]:
        """Node id -> its place; CacheError when an id is repeated."""
        if self._table is None:
            ids = self.ids()
            table = dict(zip(ids, range(len(ids))))
            if len(table) != len(ids):
                raise CacheError("a node id is repeated")
            self._table = table
        return self._table


def _split_nodes(packed: Any) -> tuple[Any, NodeBlob]:
    """An image that holds its nodes' bytes (as `to_image` makes it): the index, and the bytes."""
    if type(packed) is not tuple or len(packed) != 3 or type(packed[2]) is not bytes:
        raise CacheError("the node index has the wrong shape")
    joined, raw_offsets, data = packed
    return (joined, raw_offsets, zlib.crc32(data)), NodeBlob(None, (), 0, data)


class NodeBlob:
    """Every node's marshal bytes, the tail of the cache file: read on the first node asked for, not at launch.

    A launch reads the file's head (the story's record, the node ids and offsets), so its cost
    does not grow with the story. The tail is read from the very file the head came from (the
    same device, inode, size and modification time, or the node is not built and the story is
    compiled again), its checksum checked, and each node's offsets are checked when it is built.
    """

    __slots__ = ("path", "identity", "start", "offsets", "crc", "view")

    def __init__(self, path: Path | None, identity: tuple[int, ...], start: int, data: bytes | None = None) -> None:
        self.path = path
        self.identity = identity
        self.start = start
        self.offsets = array("Q")
        self.crc = 0
        self.view: memoryview | None = None if data is None else memoryview(data)

    def raw(self, index: int) -> memoryview:
        """The marshal bytes of node `index`; CacheError when the file or the offsets are wrong."""
        view = self.view if self.view is not None else self._read()
        offsets = self.offsets
        start, end = offsets[index], offsets[index + 1]
        if not start <= end <= len(view):
            raise CacheError("the node offsets are out of order")
        return view[start:end]

    def _read(self) -> memoryview:
        if self.path is None:
            raise CacheError("the nodes were not kept")
        fd, info = open_regular(self.path, follow=False)
        try:
            if _identity(info) != self.identity:
                raise CacheError("the cache file changed after it was read")
            size = info.st_size - self.start
            data = _pread_all(fd, size, self.start)
        finally:
            os.close(fd)
        if self.offsets[-1] != size or zlib.crc32(data) != self.crc:
            raise CacheError("the stored nodes are damaged")
        self.view = memoryview(data)
        return self.view


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _pread_all(fd: int, size: int, offset: int) -> bytes:
    """Exactly `size` bytes at `offset` of a regular file (CacheError if it ends before)."""
    chunks = []
    got = 0
    while got < size:
        chunk = os.pread(fd, size - got, offset + got)
        if not chunk:
            raise CacheError("the cache file ends too early")
        chunks.append(chunk)
        got += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def stored_fields(layout: Layout, raw: Any) -> dict[str, Any]:
    """A record's stored fields by name, its shape checked."""
    if type(raw) is not tuple or len(raw) != len(layout.stored):
        raise CacheError(f"a cached {layout.cls.__name__} has the wrong shape")
    return dict(zip(layout.stored, raw))


def from_image(
    image: Image, root: StoryRoot, recompile: Callable[[], Story] | None = None, blob: NodeBlob | None = None
) -> tuple[Story, list[Diagnostic]]:
    """The story from its image; `recompile` gives the story compiled afresh, for when a node cannot be built.

    `blob` is where the nodes' bytes are (the cache file's tail); without it, the image holds them."""
    if type(image) is not tuple or len(image) != 2:
        raise CacheError("the image has the wrong shape")
    raw_story, raw_notes = image
    kept = stored_fields(STORY, raw_story)
    _check_texts((tuple(value for name, value in kept.items() if name != "nodes"), raw_notes))
    if isinstance(root, tuple):  # a story with layers: the story's own folder is the first
        root = root[0]
    if blob is None:
        kept["nodes"], blob = _split_nodes(kept["nodes"])
    index = _unpack_nodes(kept["nodes"], blob)
    if type(kept["start"]) is not str or kept["start"] not in index:
        raise CacheError("the start node is missing")
    reader = _ImageReader(kept["variables"], kept["computed"], kept["routines"], index)
    fingerprint = kept["fingerprint"]
    fresh: list[Story] = []  # the story compiled from its files, once, if anything of the cache fails

    def fresh_story() -> Story:
        if not fresh:
            assert recompile is not None
            again = recompile()
            table = index.built()  # None when the table could not be built (a repeated id): the fresh ids are used
            if again.fingerprint != fingerprint or (table is not None and set(again.nodes) != set(table)):
                raise CacheError("the story's files changed while the game was running: start the game again")
            fresh.append(again)
        return fresh[0]

    declared = _Declared(reader, fresh_story if recompile is not None else None, kept["people"])
    story = Story(
        **{name: reader.plain(kind, kept[name]) for name, kind in STORY.kinds if kind in (PLAIN, MARK, PAIRS)},
        variables=LazyDeclarations(declared, 0),
        nodes=LazyNodes(index.table, lambda place: reader.node(blob.raw(place)), (lambda: fresh_story().nodes) if recompile is not None else None),
        root=root,
        computed=LazyDeclarations(declared, 1),
        routines=LazyDeclarations(declared, 2),
        codex=reader.keyed(CODEX_ENTRY, kept["codex"], "id"),
        people=LazyDeclarations(declared, 3),  # (read with the declarations: a line's `if` may read a computed value)
    )
    diagnostics = [reader.record(DIAGNOSTIC, raw) for raw in _records(raw_notes)]
    return story, diagnostics


class _Declared:
    """The story's variables, computed values and routines, read (their expressions compiled) when
    first asked for: a launch to the title screen asks for none, and compiles no expression.

    If they cannot be read (a tampered record, an expression that does not compile), the story is
    compiled from its files and its declarations are used instead, as for a damaged node."""

    def __init__(self, reader: _ImageReader, fresh: Callable[[], Story] | None, raw_people: Any) -> None:
        self.reader = reader
        self.fresh = fresh
        self.raw_people = raw_people
        self.read: tuple[dict[str, Any], ...] | None = None

    def get(self) -> tuple[dict[str, Any], ...]:
        """(variables, computed values, routines, people)."""
        if self.read is None:
            reader = self.reader
            try:
                routines = reader.declare()
                variables = reader.keyed(VARIABLE, reader.raw_variables, "name")
                computed = reader.keyed(COMPUTED, reader.raw_computed, "name")  # a `show_if` may read any declaration
                people = reader.keyed(PERSON, self.raw_people, "id")  # a line's `if` too
                self.read = (variables, computed, routines, people)
            except Exception as err:
                if self.fresh is None:
                    raise
                try:
                    story = self.fresh()
                except CacheError:
                    raise
                except Exception as failure:
                    raise CacheError(f"the story's cache was damaged and the story could not be compiled again: {failure}") from err
                self.read = (dict(story.variables), dict(story.computed), dict(story.routines), dict(story.people))
        return self.read


class LazyDeclarations(dict[str, _T]):
    """Name -> declaration (variables, computed values, routines or people), read from the cached image the first
    time anything is asked of it; then a plain dict lookup in C, as for a freshly compiled story (see
    `LazyNodes`, whose pattern this follows: hence the `type: ignore[override]`s)."""

    def __init__(self, declared: _Declared, which: int) -> None:
        super().__init__()
        self._declared = declared
        self._which = which
        self._loaded = False

    def _load(self) -> None:
        if not self._loaded:
            dict.update(self, self._declared.get()[self._which])
            self._loaded = True

    def __missing__(self, name: str) -> _T:
        if self._loaded:
            raise KeyError(name)
        self._load()
        return dict.__getitem__(self, name)

    def __contains__(self, name: object) -> bool:
        self._load()
        return dict.__contains__(self, name)

    def __iter__(self) -> Iterator[str]:
        self._load()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._load()
        return dict.__len__(self)

    def get(self, name: str, default: Any = None) -> Any:
        self._load()
        return dict.get(self, name, default)

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        self._load()
        return dict.keys(self)

    def values(self) -> Any:
        self._load()
        return dict.values(self)

    def items(self) -> Any:
        self._load()
        return dict.items(self)

    def __eq__(self, other: object) -> bool:
        self._load()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        self._load()
        return dict.__repr__(self)

    def __reduce__(self) -> tuple[type[dict[str, _T]], tuple[dict[str, _T]]]:
        self._load()
        return (dict, (dict(dict.items(self)),))


class _ImageReader:
    """Reads one story's records back into model objects, compiling each expression source once.

    Expressions are compiled when first met: nothing is compiled until a node or a declaration is
    asked for (a title screen needs none)."""

    def __init__(self, raw_variables: Any, raw_computed: Any, raw_routines: Any, index: NodeIndex) -> None:
        if type(raw_variables) is not tuple or type(raw_computed) is not tuple or type(raw_routines) is not tuple:
            raise CacheError("the declarations have the wrong shape")
        if any(type(raw) is not tuple or len(raw) != VARIABLE.size for raw in raw_variables):
            raise CacheError("a cached Variable has the wrong shape")
        self.raw_variables = raw_variables
        self.raw_computed = raw_computed
        self.raw_routines = raw_routines
        self.routines: dict[str, Routine] | None = None  # once declared
        self.failure: Exception | None = None  # why declaring failed, if it did
        name, kind, low, high, values = map(VARIABLE.at, ("name", "type", "minimum", "maximum", "values"))
        self.index = index
        self.types = {raw[name]: raw[kind] for raw in raw_variables}  # what a scope needs, before any variable is read
        self.bounds = {raw[name]: (raw[low], raw[high]) for raw in raw_variables if raw[kind] == "int"}
        self.enums = {raw[name]: raw[values] for raw in raw_variables if raw[values]}
        self.computed_typed: dict[str, Typed] = {}
        self.routine_effects: dict[str, Effects] = {}
        self.scope: Scope | None = None
        self.memo: dict[tuple[str, str], Any] = {}  # (kind, source) -> a Typed ("int"), a Condition (IF) or Effects (FX)
        self.given: dict[str, Any] = {"node_id": ""}  # the GIVEN fields: the node being read
        self.decoders: dict[Layout, list[tuple[int, Callable[[Any], Any]]]] = {}
        self.by_kind: dict[Kind, Callable[[Any], Any]] = {
            MARK: _unmark,
            PARTS: _unparts,
            IF: self.condition,
            FX: self.effects,
            PAIRS: dict,
            SEVERITY: Severity,
        }

    # ------------------------------------------------ expressions
    def _scope(self) -> Scope:
        if self.routines is None:
            self.declare()  # conditions and effects may use the computed values and routines
        if self.scope is None:
            from kuzbass_game.engine.core import expr  # launch time: a title screen compiles no expression

            self.scope = expr.Scope(self.types, frozenset(self.index.table()), self.bounds)
        return self.scope

    def condition(self, source: str) -> Condition:
        found = self.memo.get((IF, source))
        if found is None:
            from kuzbass_game.engine.core import expr  # launch time, as above

            found = self.memo[(IF, source)] = expr.compile_condition(source, self._scope())
        return found

    def effects(self, source: str) -> Effects:
        found = self.memo.get((FX, source))
        if found is None:
            from kuzbass_game.engine.core import expr  # launch time, as above

            found = self.memo[(FX, source)] = expr.compile_effects(source, self._scope())
        return found

    def int_run(self, source: str) -> Evaluator:
        found = self.memo.get(("int", source))
        if found is None:
            from kuzbass_game.engine.core import expr  # launch time, as above

            found = self.memo[("int", source)] = expr.compile_value(source, self._scope(), expr.INT)[0]
        return found.run

    def declare(self) -> dict[str, Routine]:
        """The routines, the computed values compiled first (a scope with both, for every expression after)."""
        if self.failure is not None:
            raise CacheError("the story's declarations cannot be read") from self.failure
        if self.routines is None:
            self.routines = {}  # (reading a routine compiles effects, which ask for the scope: not again)
            try:
                self.routines = self._declarations(self.raw_computed, self.raw_routines)
            except Exception as err:
                self.failure = err
                raise
        return self.routines

    def _declarations(self, raw_computed: tuple[Any, ...], raw_routines: tuple[Any, ...]) -> dict[str, Routine]:
        """Compile the computed values and read the routines, in order (each may use those before it).

        Run before any other expression is compiled: conditions and effects may use both."""
        if not (raw_computed or raw_routines or self.enums):
            return {}
        from kuzbass_game.engine.core import expr  # launch time, as above

        self.scope = expr.Scope(self.types, frozenset(self.index.table()), self.bounds, self.enums, self.computed_typed, self.routine_effects)
        for raw in raw_computed:
            kept = stored_fields(COMPUTED, raw)
            self.computed_typed[kept["name"]] = expr.compile_expression(kept["source"], self.scope)
        routines: dict[str, Routine] = {}
        for raw in raw_routines:
            routine = self.record(ROUTINE, raw)
            routines[routine.name] = routine
            self.routine_effects[routine.name] = routine.effects
        return routines

    # ------------------------------------------------ records
    def record(self, layout: Layout, raw: Any) -> Any:
        """One record read back into its class: shape checked, each stored field decoded by its kind."""
        if type(raw) is not tuple or len(raw) != layout.size:
            raise CacheError(f"a cached {layout.cls.__name__} has the wrong shape")
        values = [*[self.given[name] for name in layout.given], *raw] if layout.given else list(raw)
        decoders = self.decoders.get(layout)
        if decoders is None:
            decoders = self.decoders[layout] = self._decoders_of(layout)
        for index, decode in decoders:
            value = values[index]
            if value is not None:
                values[index] = decode(value)
        if layout.derived:
            return self._derive(layout, dict(zip(layout.stored, values)))
        return layout.cls(*values)

    def _decoders_of(self, layout: Layout) -> list[tuple[int, Callable[[Any], Any]]]:
        """(place among the record's values, how to decode it) for every field not stored as it is."""
        decoders = []
        for index, (_name, kind) in enumerate(layout.kinds, len(layout.given)):
            if isinstance(kind, Nested):
                decoders.append((index, self._nested(kind)))
            elif kind != PLAIN:
                decoders.append((index, self.by_kind[kind]))
        return decoders

    def _nested(self, kind: Nested) -> Callable[[Any], Any]:
        layout = kind.layout
        if kind.shape == "one":
            return lambda raw: self.record(layout, raw)
        return lambda raws: tuple(self.record(layout, raw) for raw in _records(raws))

    def _derive(self, layout: Layout, kept: dict[str, Any]) -> Any:
        """A class with fields rebuilt from others: its compiled expressions from their sources."""
        if layout is COMPUTED:
            typed = self.computed_typed[kept["name"]]
            return Computed(**kept, type=typed.type, run=typed.run)
        if layout is MOVE:
            return Move(**kept, by=self.int_run(kept["by_source"]))
        if layout is FACTION:
            return Faction(**kept, size=self.int_run(kept["size_source"]), lean=self.int_run(kept["lean_source"]))
        raise TypeError(f"nothing rebuilds the derived fields of {layout.cls.__name__}")  # pragma: no cover - check_layouts' classes

    def keyed(self, layout: Layout, raws: Any, key: str) -> dict[str, Any]:
        """A mapping kept as its values' records (variables, computed values, codex entries), by their `key` field."""
        items = [self.record(layout, raw) for raw in _records(raws)]
        return {getattr(item, key): item for item in items}

    def plain(self, kind: Kind, value: Any) -> Any:
        return value if value is None or kind == PLAIN else self.by_kind[kind](value)

    def node(self, blob: memoryview) -> Node:
        """One node, from its own marshal bytes (checked first: they are untrusted)."""
        check_marshal(blob)
        raw = marshal.loads(blob)
        _check_texts(raw)
        if type(raw) is not tuple or not raw:
            raise CacheError("a cached node has the wrong shape")
        self.given["node_id"] = raw[_NODE_ID]
        node: Node = self.record(NODE, raw)
        for choice in node.choices:
            for goes_to in choice.targets:
                if goes_to not in self.index.table():
                    raise CacheError(f"node '{node.id}' goes to a node that does not exist")
        return node


_NODE_ID = NODE.at("id")


def _records(raws: Any) -> tuple[Any, ...]:
    if type(raws) is not tuple:
        raise CacheError("a list of records has the wrong shape")
    return raws


class LazyNodes(dict[str, Node]):
    """Node id -> Node, each node built from the cached image the first time it is asked for.

    A launch needs a handful of nodes, not ten thousand, so building them all would waste most
    of a warm load. A `dict` whose `__missing__` builds the node: once built, `nodes[id]` is a
    plain dict lookup in C, as fast as for a freshly compiled story (the engine's hot path).
    Everything that asks about the whole mapping answers for every node, built or not (so
    `keys`, `values` and `items` are not the views of the nodes built so far that `dict`'s are:
    hence their `type: ignore[override]`).
    """

    def __init__(
        self, table: Callable[[], dict[str, int]], build: Callable[[int], Node], on_failure: Callable[[], Mapping[str, Node]] | None = None
    ) -> None:
        super().__init__()
        self._table = table
        self._by_id: dict[str, int] | None = None  # node id -> its place in the image, built when first needed
        self._build = build
        self._on_failure = on_failure
        self._fresh: Mapping[str, Node] | None = None  # the nodes compiled from YAML after a failure

    @property
    def _raw(self) -> dict[str, int]:
        by_id = self._by_id
        if by_id is None:
            try:
                by_id = self._table()
            except CacheError as err:  # a repeated id: the story is compiled from its files instead
                by_id = dict.fromkeys(self._recover(err), -1)
            self._by_id = by_id
        return by_id

    def _recover(self, err: Exception) -> Mapping[str, Node]:
        """The story's nodes compiled afresh, for a cache found damaged (or `err` raised without a way back)."""
        if self._on_failure is None:
            raise err
        try:
            fresh = self._on_failure()
        except CacheError:
            raise
        except Exception as failure:
            raise CacheError(f"the story's cache was damaged and the story could not be compiled again: {failure}") from err
        self._fresh = fresh
        # the nodes built so far are replaced too, so that every node comes from one compilation
        dict.update(self, {built: fresh[built] for built in list(dict.keys(self))})
        return fresh

    def __missing__(self, node_id: str) -> Node:
        raw = self._raw[node_id]  # KeyError for an unknown id, as a dict would
        if self._fresh is None:
            try:
                node = self._build(raw)
                if node.id != node_id:
                    raise CacheError(f"node '{node_id}' holds another node")
            except Exception as err:  # a tampered or damaged node: never trusted, never fatal
                self._recover(err)
        if self._fresh is not None:
            node = self._fresh[node_id]
        dict.__setitem__(self, node_id, node)
        return node

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def get(self, node_id: str, default: None = None) -> Node | None: ...
    @overload
    def get(self, node_id: str, default: Node) -> Node: ...
    @overload
    def get(self, node_id: str, default: _T) -> Node | _T: ...

    def get(self, node_id: str, default: object = None) -> object:
        return self[node_id] if node_id in self._raw else default

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        return self._raw.keys()

    def values(self) -> list[Node]:  # type: ignore[override]
        return [self[node_id] for node_id in self._raw]

    def items(self) -> list[tuple[str, Node]]:  # type: ignore[override]
        return [(node_id, self[node_id]) for node_id in self._raw]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None

    def __repr__(self) -> str:
        return f"LazyNodes({len(self)} nodes, {dict.__len__(self)} built)"

    def __reduce__(self) -> tuple[type[dict[str, Node]], tuple[dict[str, Node]]]:
        return (dict, (dict(self.items()),))


def _unmark(mark: tuple[str, int, int]) -> Mark:
    return Mark(*mark)


def _unparts(parts: tuple[Any, ...]) -> tuple[TextPart, ...]:
    for part in parts:
        if type(part) is tuple:  # a `{name}` hole, stored as a 1-tuple
            return tuple(VarRef(p[0]) if type(p) is tuple else p for p in parts)
    return parts  # plain text only (most texts): the unmarshalled tuple is already the answer


# ---------------------------------------------------------------- checking untrusted bytes

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # the compiler's rule (schema.control_character)
_INT32 = int.from_bytes


def check_marshal(data: bytes | memoryview, max_depth: int = MAX_DEPTH) -> None:
    """Raise CacheError unless `data` is exactly one well-formed marshal stream of plain data.

    `marshal.loads` allocates a tuple or list of the size the stream declares before it reads
    a single item, and an integer of the declared digit count, so a 9-byte file can ask for
    16 GB. This walk, run first, checks every count and size against the bytes that are really
    there (each item takes at least one byte) and refuses anything but the plain types an image
    holds (no code objects): once it passes, unmarshalling allocates in proportion to the data.
    Iterative, and linear in the length of `data`.
    """
    n = len(data)
    pos = 0
    refs = 0
    counts = [1]  # items still expected at each open level; -1 for a dict (it ends with a NULL)
    try:
        while counts:
            left = counts[-1]
            if left == 0:
                counts.pop()
                continue
            code = data[pos]
            pos += 1
            if code & 0x80:  # FLAG_REF: the object may be referred to later
                refs += 1
                code &= 0x7F
            if left > 0:
                counts[-1] = left - 1
            fixed = _FIXED_SIZE.get(code)
            if fixed is not None:  # None, True, False, a 32-bit int, a float: a size known by its code
                pos += fixed
            elif code == 0x7A or code == 0x5A:  # z Z: short ASCII string
                pos += 1 + data[pos]
            elif code in _STRINGS:
                size = _INT32(data[pos : pos + 4], "little", signed=True)
                if size < 0 or size > n - pos - 4:
                    raise CacheError("a string is longer than the data")
                pos += 4 + size
            elif code in _COLLECTIONS:
                pos = _open_collection(data, pos, code, counts)
            elif code == 0x72:  # r: a reference to an earlier object
                if _INT32(data[pos : pos + 4], "little") >= refs:
                    raise CacheError("a reference to nothing")
                pos += 4
            else:
                pos = _rare_value(data, pos, code, left, counts)
            if len(counts) > max_depth:
                raise CacheError("the data nests too deeply")
    except IndexError:
        raise CacheError("the data ends too early") from None
    if pos != n:
        raise CacheError("the data ends too early" if pos > n else "the data goes on after its end")


_FIXED_SIZE = {0x4E: 0, 0x54: 0, 0x46: 0, 0x69: 4, 0x67: 8}  # None, True, False; i: 32-bit int; g: binary float
_STRINGS = frozenset((0x75, 0x61, 0x41, 0x74, 0x73))  # u a A t: string; s: bytes (a 32-bit size, then the bytes)
_COLLECTIONS = frozenset((0x29, 0x28, 0x5B, 0x3C, 0x3E))  # ): small tuple; ( [ < >: tuple, list, set, frozenset


def _open_collection(data: bytes | memoryview, pos: int, code: int, counts: list[int]) -> int:
    """A tuple, list or set: its count checked against the bytes left (each item takes one at least),
    and a level opened for its items. Returns where its items start."""
    if code == 0x29:  # ): small tuple, a one-byte count
        size = data[pos]
        pos += 1
        if size > len(data) - pos:
            raise CacheError("a tuple counts more items than the data holds")
    else:
        size = _INT32(data[pos : pos + 4], "little", signed=True)
        pos += 4
        if size < 0 or size > len(data) - pos:
            raise CacheError("a collection counts more items than the data holds")
    if size:
        counts.append(size)
    return pos


def _rare_value(data: bytes | memoryview, pos: int, code: int, left: int, counts: list[int]) -> int:
    """A dict's start or end, or a long integer (none in an image of ours); anything else is refused."""
    if code == 0x7B:  # {: a dict, pairs until a NULL
        counts.append(-1)
    elif code == 0x30:  # NULL: the end of a dict
        if left != -1:
            raise CacheError("a stray end of dict")
        counts.pop()
    elif code == 0x6C:  # l: long, in 15-bit digits stored as 16 bits
        size = _INT32(data[pos : pos + 4], "little", signed=True)
        pos += 4
        if abs(size) > 64 or 2 * abs(size) > len(data) - pos:
            raise CacheError("an integer is too large")
        pos += 2 * abs(size)
    else:
        raise CacheError(f"an unexpected kind of value (marshal type {code:#04x})")
    return pos


def _check_texts(value: object, budget: int = 10_000_000) -> None:
    """Every string in a (marshalled, so acyclic) image passes the compiler's control-character rule,
    and its markup rule that a tag may style but never act (`[@click=app.quit]`, `[link=...]`)."""
    stack = [value]
    for _ in range(budget):
        if not stack:
            return
        item = stack.pop()
        if type(item) is str:
            if not item.isprintable() and _CONTROL.search(item):
                raise CacheError("a text holds a control character the compiler refuses")
            if "[" in item and acting_tag(item) is not None:
                raise CacheError("a text holds a tag that acts, which the compiler refuses")
        elif isinstance(item, (tuple, list, frozenset, set)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    raise CacheError("the image is too large to check")


# ---------------------------------------------------------------- file


def _euid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def _ours(info: os.stat_result) -> bool:
    euid = _euid()
    return euid is None or info.st_uid == euid


def _folder(create: bool) -> Path | None:
    """The cache folder if it may be used: a folder of ours, 0700 once we have written to it."""
    folder = cache_dir()
    try:
        if create:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        info = os.stat(folder)
        if not stat.S_ISDIR(info.st_mode) or not _ours(info):
            return None
        if create and stat.S_IMODE(info.st_mode) & 0o077 and _euid() is not None:
            os.chmod(folder, 0o700)
    except OSError:
        return None
    return folder


def drop(root: StoryRoot) -> None:
    """Remove the cache file of `root`'s story, so that the next launch compiles it from YAML."""
    try:
        path = cache_path(root)
        if path.parent == _folder(create=False) and _ours(os.lstat(path)):
            path.unlink()
    except OSError:
        pass


def read(root: StoryRoot, key: CacheKey, recompile: Callable[[], Story] | None = None) -> tuple[Story, list[Diagnostic]] | None:
    """The cached story for `root` if the cache matches `key` exactly; None otherwise.

    A cache file that cannot be trusted or used is dropped (it will be rebuilt), except one
    that belongs to another user, which is only ignored. `recompile` (the loader's) gives the
    story compiled from its files, for when a node of the cached story turns out damaged.
    """
    folder = _folder(create=False)
    if folder is None:
        return None
    path = cache_path(root)
    try:
        return _read_data(path, root, key, recompile)
    except FileNotFoundError:
        return None
    except Exception:  # a cache is only ever a shortcut: anything odd means "load from YAML"
        drop(root)
        return None


def _read_data(path: Path, root: StoryRoot, key: CacheKey, recompile: Callable[[], Story] | None) -> tuple[Story, list[Diagnostic]] | None:
    """The story of the cache file at `path`: its head read and checked now, its nodes' bytes when first needed."""
    fd, info = open_regular(path, follow=False)
    try:
        if not _ours(info):
            return None
        if info.st_size > MAX_CACHE_BYTES:
            raise CacheError("the cache file is too large")
        prefix = os.pread(fd, _PREFIX, 0)
        if len(prefix) != _PREFIX or prefix[:4] != MAGIC:
            raise CacheError("not a cache file of this version, or damaged")
        size = int.from_bytes(prefix[8:], "big")
        if size > info.st_size - _PREFIX:
            raise CacheError("the cache file ends too early")
        head = _pread_all(fd, size, _PREFIX)
    finally:
        os.close(fd)
    if zlib.crc32(head).to_bytes(4, "big") != prefix[4:8]:
        raise CacheError("not a cache file of this version, or damaged")
    check_marshal(head)
    stored_key, image = marshal.loads(head)
    if stored_key != _digest(key):
        return None  # another version of the story's files: loaded from YAML, then overwritten
    return from_image(image, root, recompile, NodeBlob(path, _identity(info), _PREFIX + size))


_PREFIX = 12  # MAGIC, the head's CRC-32, the head's size


def pack_file(digest: bytes, image: Image) -> bytes:
    """A cache file: MAGIC, the head's CRC-32 and size, the head (the key's digest and the image, its
    nodes' bytes replaced by their CRC-32), then the nodes' bytes, read only when a node is asked for."""
    record, notes = image
    at = STORY.at("nodes")
    joined, offsets, data = record[at]
    nodes: bytes = data
    head = marshal.dumps((digest, (record[:at] + ((joined, offsets, zlib.crc32(data)),) + record[at + 1 :], notes)))
    return MAGIC + zlib.crc32(head).to_bytes(4, "big") + len(head).to_bytes(4, "big") + head + nodes


def unpack_file(data: bytes) -> tuple[bytes, Image]:
    """The key's digest and the image of a cache file made by `pack_file`, unchecked (for tests and tools only)."""
    size = int.from_bytes(data[8:_PREFIX], "big")
    digest, (record, notes) = marshal.loads(data[_PREFIX : _PREFIX + size])
    at = STORY.at("nodes")
    joined, offsets, _crc = record[at]
    return digest, (record[:at] + ((joined, offsets, data[_PREFIX + size :]),) + record[at + 1 :], notes)


def write(root: StoryRoot, key: CacheKey, story: Story, diagnostics: list[Diagnostic]) -> None:
    """Store the story's image atomically; failing to cache is never an error."""
    try:
        folder = _folder(create=True)
        if folder is None:
            return
        _remove_stale_temp_files(folder)
        write_atomic(cache_path(root), pack_file(_digest(key), to_image(story, diagnostics)))
    except Exception:
        pass


def _remove_stale_temp_files(folder: Path, limit: int = 1000) -> None:
    """Temporary files of a write that was killed, once they are old enough not to be in flight."""
    now = time.time()
    with os.scandir(folder) as entries:
        for count, entry in enumerate(entries):
            if count >= limit:
                break
            if entry.name.startswith(".story-") and entry.name.endswith(".tmp"):
                try:
                    info = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode) and _ours(info) and now - info.st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                except OSError:
                    pass
