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
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import stat
import time
import zlib
from array import array
from collections.abc import Iterable, Iterator, KeysView, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload
from collections.abc import Callable

from kuzbass_game.engine.files.atomic import write_atomic
from kuzbass_game.engine.core.diagnostics import Diagnostic, Mark, Severity
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
    Routine,
    Story,
    TextPart,
    Variable,
    VarRef,
    Vote,
)
from kuzbass_game.engine.files.bounded import Refused, read_regular

if TYPE_CHECKING:  # the expression compiler is imported only once a node needs it
    from kuzbass_game.engine.core.expr import Condition, Effects, Scope, Typed

CACHE_ENV = "KUZBASS_CACHE_DIR"
FORMAT = 10  # bump when the image's layout or the loader's checks change
MAGIC = b"KZC3"
MAX_CACHE_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64  # nesting of a marshalled image; ours nest fewer than ten levels
STALE_TEMP_SECONDS = 600

StoryRoot = Path | tuple[Path, ...]  # a story's folder, or a story's and its layers' (the story's first)
CacheKey = tuple[object, ...]  # what the cached story was made from: only compared, through its digest
# A story's image as `marshal` stores it: plain data, unpacked by position. Read back from a
# file, it is untrusted: `check_marshal` and `_check_texts` vouch for its kinds of values, and
# every field's shape is checked as it is unpacked (a wrong one raises, and the YAML is loaded).
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
    from kuzbass_game import __version__

    stamps: list[tuple[object, ...]] = []
    for path, _display in files:
        relative = getattr(path, "relative", None)  # set by sources.find_story_files
        stamp = getattr(path, "stamp", None)
        if relative is None or stamp is None:
            info = path.stat()
            relative, stamp = str(path), (info.st_size, info.st_mtime_ns)
        stamps.append((relative, *stamp))
    return (FORMAT, __version__, tuple(stamps))


def _digest(key: CacheKey) -> bytes:
    """The key as 32 bytes, stored in the file instead of the key itself (thousands of tuples to check)."""
    return hashlib.sha256(repr(key).encode("utf-8", "backslashreplace")).digest()


# ---------------------------------------------------------------- image


def _mark(mark: Mark | None) -> tuple[str, int, int] | None:
    return None if mark is None else (mark.path, mark.line, mark.col)


def _parts(parts: Iterable[TextPart]) -> tuple[str | tuple[str], ...]:
    return tuple((p.name,) if isinstance(p, VarRef) else p for p in parts)


def _src(item: Condition | Effects | None) -> str | None:
    return None if item is None else item.source


def _vote(vote: Vote | None) -> tuple[object, ...] | None:
    if vote is None:
        return None
    factions = tuple(
        (f.name, f.size_source, f.lean_source, f.swing, tuple((m.by_source, m.why, _src(m.condition)) for m in f.moves)) for f in vote.factions
    )
    return (vote.id, vote.question, factions, tuple(vote.outcomes.items()), vote.record, _mark(vote.mark))


def to_image(story: Story, diagnostics: list[Diagnostic]) -> Image:
    variables = tuple(
        (v.name, v.type, v.default, v.minimum, v.maximum, v.label, _mark(v.mark), v.values, v.description, _src(v.show_if))
        for v in story.variables.values()
    )
    computed = tuple((c.name, c.source, c.label, c.description, _src(c.show_if), _mark(c.mark)) for c in story.computed.values())
    routines = tuple((r.name, r.effects.source, _mark(r.mark)) for r in story.routines.values())
    codex = tuple((e.id, e.title, e.text, e.sources, _mark(e.mark)) for e in story.codex.values())
    nodes: list[tuple[str, bytes]] = []
    for node in story.nodes.values():
        choices = tuple(
            (
                c.index,
                _parts(c.text),
                c.target,
                tuple((b.target, b.weight, _src(b.condition), _mark(b.mark)) for b in c.branches),
                _src(c.condition),
                None if c.locked_reason is None else _parts(c.locked_reason),
                _src(c.effects),
                c.once,
                _mark(c.mark),
                c.signature,
                None if c.reply is None else _parts(c.reply),
                c.ballot,
            )
            for c in node.choices
        )
        nodes.append(
            (
                node.id,
                _raw_node(
                    node.id,
                    _mark(node.mark),
                    tuple((_parts(p.parts), _src(p.condition)) for p in node.paragraphs),
                    choices,
                    _src(node.effects),
                    node.chapter,
                    node.date,
                    None if node.ending is None else node.ending.title,
                    None if node.input is None else (node.input.var, node.input.prompt, node.input.max_length),
                    node.unlocks,
                    _vote(node.vote),
                ),
            )
        )
    notes = tuple((d.path, d.line, d.col, d.severity.value, d.message) for d in diagnostics)
    # The nodes as three objects (ids, offsets, every node's marshal one after another), not
    # 10,000 pairs: the whole file is checked before it is unmarshalled, object by object.
    offsets = array("Q", [0])
    for _node_id, blob in nodes:
        offsets.append(offsets[-1] + len(blob))
    packed = ("\n".join(node_id for node_id, _blob in nodes), offsets.tobytes(), b"".join(blob for _id, blob in nodes))
    return (
        story.id,
        story.title,
        story.start,
        _mark(story.start_mark),
        story.fingerprint,
        variables,
        packed,
        notes,
        story.description,
        story.author,
        computed,
        routines,
        codex,
        story.layers,
        tuple(story.node_layer.items()),
        tuple(story.extended.items()),
        story.introduction,
        story.afterword,
        tuple(story.endings),
    )


def _raw_node(*raw: Any) -> bytes:
    """One node's image, marshalled on its own.

    A warm load then unpacks one bytes object per node instead of a dozen tuples: bytes are
    not tracked by the cycle collector, whose first pass over 100,000 fresh tuples cost more
    than the whole unmarshalling. Each node is unpacked when the game first asks for it.
    """
    return marshal.dumps(raw)


def _unpack_nodes(packed: Any) -> tuple[dict[str, int], Callable[[int], memoryview]]:
    """Node id -> index, and index -> that node's marshal bytes, with every offset checked."""
    joined, raw_offsets, blob = packed
    if type(joined) is not str or type(raw_offsets) is not bytes or type(blob) is not bytes:
        raise CacheError("the node index has the wrong types")
    ids = joined.split("\n") if joined else []
    offsets = array("Q")
    if len(raw_offsets) != 8 * (len(ids) + 1):
        raise CacheError("the node index does not match the nodes")
    offsets.frombytes(raw_offsets)
    if offsets[0] != 0 or offsets[-1] != len(blob) or any(a > b for a, b in zip(offsets, offsets[1:])):
        raise CacheError("the node offsets are out of order")
    by_id = dict(zip(ids, range(len(ids))))
    if len(by_id) != len(ids):
        raise CacheError("a node id is repeated")
    view = memoryview(blob)

    def raw_of(index: int) -> memoryview:
        return view[offsets[index] : offsets[index + 1]]

    return by_id, raw_of


def from_image(image: Image, root: StoryRoot, recompile: Callable[[], Story] | None = None) -> tuple[Story, list[Diagnostic]]:
    """The story from its image; `recompile` gives the story compiled afresh, for when a node cannot be built."""
    _check_texts(tuple(part for i, part in enumerate(image) if i != 6))
    (
        story_id,
        title,
        start,
        start_mark,
        fingerprint,
        raw_vars,
        packed,
        notes,
        description,
        author,
        raw_computed,
        raw_routines,
        raw_codex,
        layers,
        node_layer,
        extended,
        introduction,
        afterword,
        ending_ids,
    ) = image
    if isinstance(root, tuple):  # a story with layers: the story's own folder is the first
        root = root[0]
    raw_by_id, raw_of = _unpack_nodes(packed)
    if start not in raw_by_id:
        raise CacheError("the start node is missing")
    memo: dict[tuple[str, str], Any] = {}  # (kind, source) -> compiled: a Typed ("int"), a Condition ("if") or Effects ("fx")
    # Declarations are compiled now when the story has any (their expressions are few); a story
    # without them builds no expression until its first node is asked for (a title screen needs none).
    enums = {name: values for name, _t, _d, _lo, _hi, _l, _m, values, _desc, _s in raw_vars if values}
    plain_types = {name: vtype for name, vtype, *_rest in raw_vars}
    bounds = {name: (lo, hi) for name, vtype, _d, lo, hi, *_rest in raw_vars if vtype == "int"}
    computed_typed: dict[str, Typed] = {}
    routine_effects: dict[str, Effects] = {}
    scope: Scope | None = None
    computed: dict[str, Computed] = {}
    routines: dict[str, Routine] = {}
    if raw_computed or raw_routines or enums:
        from kuzbass_game.engine.core import expr

        scope = expr.Scope(plain_types, frozenset(raw_by_id), bounds, enums, computed_typed, routine_effects)
        for name, source, label, desc, _show, mark in raw_computed:
            typed = expr.compile_expression(source, scope)
            computed_typed[name] = typed
            computed[name] = Computed(name, typed.type, source, typed.run, label, desc, None, _unmark(mark))
        for name, source, mark in raw_routines:
            routine_effects[name] = effects_of = expr.compile_effects(source, scope)
            routines[name] = Routine(name, effects_of, _unmark(mark))

    @overload
    def compiled(kind: Literal["int"], source: str) -> Typed: ...
    @overload
    def compiled(kind: Literal["if"], source: str | None) -> Condition | None: ...
    @overload
    def compiled(kind: Literal["fx"], source: str | None) -> Effects | None: ...

    def compiled(kind: str, source: str | None) -> Any:
        nonlocal scope
        if source is None:
            return None
        found = memo.get((kind, source))
        if found is None:
            from kuzbass_game.engine.core import expr

            if scope is None:
                scope = expr.Scope(plain_types, frozenset(raw_by_id), bounds)
            if kind == "int":
                found = expr.compile_value(source, scope, expr.INT)[0]
            else:
                compile_fn = expr.compile_condition if kind == "if" else expr.compile_effects
                found = compile_fn(source, scope)
            memo[(kind, source)] = found
        return found

    variables = {
        name: Variable(name, vtype, default, lo, hi, label, _unmark(mark), values, desc, compiled("if", show))
        for name, vtype, default, lo, hi, label, mark, values, desc, show in raw_vars
    }
    for name, source, label, desc, show, mark in raw_computed:
        if show is not None:
            computed[name] = Computed(name, computed[name].type, source, computed[name].run, label, desc, compiled("if", show), _unmark(mark))
    codex = {entry_id: CodexEntry(entry_id, entry_title, text, sources, _unmark(mark)) for entry_id, entry_title, text, sources, mark in raw_codex}

    def vote_of(raw: Any) -> Vote | None:
        if raw is None:
            return None
        vote_id, question, factions, outcomes, record, mark = raw
        return Vote(
            vote_id,
            question,
            tuple(
                Faction(
                    name,
                    compiled("int", size).run,
                    compiled("int", lean).run,
                    swing,
                    tuple(Move(compiled("int", by).run, why, condition(cond), by) for by, why, cond in moves),
                    size,
                    lean,
                )
                for name, size, lean, swing, moves in factions
            ),
            dict(outcomes),
            record,
            _unmark(mark),
        )

    def condition(source: str | None) -> Condition | None:
        return compiled("if", source)

    def effects(source: str | None) -> Effects | None:
        return compiled("fx", source)

    def build(index: int) -> Node:
        blob = raw_of(index)
        check_marshal(blob)
        raw = marshal.loads(blob)
        _check_texts(raw)
        node_id, mark, paragraphs, raw_choices, node_fx, chapter, date, ending, raw_input, unlocks, raw_vote = raw
        for _index, _text, target, branches, *_rest in raw_choices:
            for goes_to in (target, *(b[0] for b in branches)):
                if goes_to is not None and goes_to not in raw_by_id:
                    raise CacheError(f"node '{node_id}' goes to a node that does not exist")
        choices = tuple(
            Choice(
                node_id,
                index,
                _unparts(text),
                target,
                tuple(Branch(b_target, weight, condition(b_cond), _unmark(b_mark)) for b_target, weight, b_cond, b_mark in branches),
                condition(cond),
                None if locked is None else _unparts(locked),
                effects(fx),
                once,
                _unmark(c_mark),
                signature,
                None if reply is None else _unparts(reply),
                ballot,
            )
            for index, text, target, branches, cond, locked, fx, once, c_mark, signature, reply, ballot in raw_choices
        )
        return Node(
            node_id,
            tuple(Paragraph(_unparts(parts), condition(cond)) for parts, cond in paragraphs),
            choices,
            effects(node_fx),
            chapter,
            date,
            None if ending is None else Ending(ending),
            None if raw_input is None else InputSpec(*raw_input),
            _unmark(mark),
            unlocks,
            vote_of(raw_vote),
        )

    def fresh_nodes() -> Mapping[str, Node]:
        assert recompile is not None
        fresh = recompile()
        if fresh.fingerprint != fingerprint or set(fresh.nodes) != set(raw_by_id):
            raise CacheError("the story's files changed while the game was running: start the game again")
        return fresh.nodes

    nodes = LazyNodes(raw_by_id, build, fresh_nodes if recompile is not None else None)
    story = Story(
        story_id,
        title,
        start,
        variables,
        nodes,
        fingerprint,
        root,
        _unmark(start_mark),
        description,
        author,
        computed,
        routines,
        codex,
        layers=tuple(layers),
        node_layer=dict(node_layer),
        extended={k: tuple(v) for k, v in extended},
        introduction=tuple(introduction),
        afterword=tuple(afterword),
        ending_ids=tuple(ending_ids),
    )
    diagnostics = [Diagnostic(path, line, col, Severity(sev), message) for path, line, col, sev, message in notes]
    return story, diagnostics


class LazyNodes(dict[str, Node]):
    """Node id -> Node, each node built from the cached image the first time it is asked for.

    A launch needs a handful of nodes, not ten thousand, so building them all would waste most
    of a warm load. A `dict` whose `__missing__` builds the node: once built, `nodes[id]` is a
    plain dict lookup in C, as fast as for a freshly compiled story (the engine's hot path).
    Everything that asks about the whole mapping answers for every node, built or not (so
    `keys`, `values` and `items` are not the views of the nodes built so far that `dict`'s are:
    hence their `type: ignore[override]`).
    """

    def __init__(self, raw: dict[str, int], build: Callable[[int], Node], on_failure: Callable[[], Mapping[str, Node]] | None = None) -> None:
        super().__init__()
        self._raw = raw
        self._build = build
        self._on_failure = on_failure
        self._fresh: Mapping[str, Node] | None = None  # the nodes compiled from YAML after a failure

    def __missing__(self, node_id: str) -> Node:
        raw = self._raw[node_id]  # KeyError for an unknown id, as a dict would
        if self._fresh is None:
            try:
                node = self._build(raw)
                if node.id != node_id:
                    raise CacheError(f"node '{node_id}' holds another node")
            except Exception as err:  # a tampered or damaged node: never trusted, never fatal
                if self._on_failure is None:
                    raise
                try:
                    fresh = self._on_failure()
                except CacheError:
                    raise
                except Exception as failure:
                    raise CacheError(f"the story's cache was damaged and the story could not be compiled again: {failure}") from err
                self._fresh = fresh
                # the nodes built so far are replaced too, so that every node comes from one compilation
                dict.update(self, {built: fresh[built] for built in list(dict.keys(self))})
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


def _unmark(mark: tuple[str, int, int] | None) -> Mark | None:
    return None if mark is None else Mark(*mark)


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
            if code == 0x7A or code == 0x5A:  # z Z: short ASCII string
                pos += 1 + data[pos]
            elif code in (0x75, 0x61, 0x41, 0x74, 0x73):  # u a A t: string; s: bytes
                size = _INT32(data[pos : pos + 4], "little", signed=True)
                if size < 0 or size > n - pos - 4:
                    raise CacheError("a string is longer than the data")
                pos += 4 + size
            elif code == 0x29:  # ): small tuple
                size = data[pos]
                pos += 1
                if size:
                    if size > n - pos:
                        raise CacheError("a tuple counts more items than the data holds")
                    counts.append(size)
            elif code in (0x28, 0x5B, 0x3C, 0x3E):  # ( [ < >: tuple, list, set, frozenset
                size = _INT32(data[pos : pos + 4], "little", signed=True)
                pos += 4
                if size < 0 or size > n - pos:
                    raise CacheError("a collection counts more items than the data holds")
                if size:
                    counts.append(size)
            elif code == 0x7B:  # {: a dict, pairs until a NULL
                counts.append(-1)
            elif code == 0x30:  # NULL: the end of a dict
                if left != -1:
                    raise CacheError("a stray end of dict")
                counts.pop()
            elif code in (0x4E, 0x54, 0x46):  # None, True, False
                pass
            elif code == 0x69:  # i: 32-bit int
                pos += 4
            elif code == 0x67:  # g: binary float
                pos += 8
            elif code == 0x6C:  # l: long, in 15-bit digits stored as 16 bits
                size = _INT32(data[pos : pos + 4], "little", signed=True)
                pos += 4
                if abs(size) > 64 or 2 * abs(size) > n - pos:
                    raise CacheError("an integer is too large")
                pos += 2 * abs(size)
            elif code == 0x72:  # r: a reference to an earlier object
                if _INT32(data[pos : pos + 4], "little") >= refs:
                    raise CacheError("a reference to nothing")
                pos += 4
            else:
                raise CacheError(f"an unexpected kind of value (marshal type {code:#04x})")
            if len(counts) > max_depth:
                raise CacheError("the data nests too deeply")
    except IndexError:
        raise CacheError("the data ends too early") from None
    if pos != n:
        raise CacheError("the data ends too early" if pos > n else "the data goes on after its end")


def _check_texts(value: object, budget: int = 10_000_000) -> None:
    """Every string in a (marshalled, so acyclic) image passes the compiler's control-character rule."""
    stack = [value]
    for _ in range(budget):
        if not stack:
            return
        item = stack.pop()
        if type(item) is str:
            if not item.isprintable() and _CONTROL.search(item):
                raise CacheError("a text holds a control character the compiler refuses")
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


def read(root: StoryRoot, key: CacheKey) -> tuple[Story, list[Diagnostic]] | None:
    """The cached story for `root` if the cache matches `key` exactly; None otherwise.

    A cache file that cannot be trusted or used is dropped (it will be rebuilt), except one
    that belongs to another user, which is only ignored.
    """
    folder = _folder(create=False)
    if folder is None:
        return None
    path = cache_path(root)
    try:
        data, info = read_regular(path, MAX_CACHE_BYTES, follow=False)
    except FileNotFoundError:
        return None
    except (OSError, Refused):
        drop(root)
        return None
    if not _ours(info):
        return None
    try:
        story = _read_data(data, root, key)
    except Exception:  # a cache is only ever a shortcut: anything odd means "load from YAML"
        drop(root)
        return None
    return story


def _read_data(data: bytes, root: StoryRoot, key: CacheKey) -> tuple[Story, list[Diagnostic]] | None:
    payload = memoryview(data)[8:]  # no copy of a file that may be megabytes
    if len(data) < 8 or data[:4] != MAGIC or zlib.crc32(payload).to_bytes(4, "big") != data[4:8]:
        raise CacheError("not a cache file of this version, or damaged")
    check_marshal(payload)
    stored_key, image = marshal.loads(payload)
    if stored_key != _digest(key):
        return None  # another version of the story's files: loaded from YAML, then overwritten
    return from_image(image, root, lambda: _recompile(root))


def _recompile(root: StoryRoot) -> Story:
    """A node could not be built from the cache: drop the file and compile the story from YAML."""
    drop(root)
    from kuzbass_game.engine.load.loader import load_story

    result = load_story(root, cache=True)  # stores a fresh cache for the next launch
    if result.story is None:
        first = result.errors[0].format() if result.errors else "the story cannot be loaded"
        raise CacheError(f"the story's cache was damaged and its files no longer load: {first}")
    return result.story


def write(root: StoryRoot, key: CacheKey, story: Story, diagnostics: list[Diagnostic]) -> None:
    """Store the story's image atomically; failing to cache is never an error."""
    try:
        folder = _folder(create=True)
        if folder is None:
            return
        _remove_stale_temp_files(folder)
        payload = marshal.dumps((_digest(key), to_image(story, diagnostics)))
        write_atomic(cache_path(root), MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload)
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
