"""A cache of checked stories, so a launch does not parse and check YAML that has not changed.

The compiled `Story` holds closures, which cannot be stored; instead we store a plain-data
image of it (the expression sources, not their compiled form) with `marshal`, behind a
CRC-32 checksum (it guards against a damaged file; the cache lives in the user's own
folder and is not a security boundary), keyed by every story file's path, size and modification time. A missing,
stale, corrupt or foreign cache is simply ignored: the story is loaded from its YAML.
Only stories without errors are cached, so a cached load is a checked load.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import zlib
from collections.abc import Mapping
from pathlib import Path

from kuzbass_game.engine.atomic import write_atomic
from kuzbass_game.engine.diagnostics import Diagnostic, Mark, Severity
from kuzbass_game.engine.model import (Branch, Choice, CodexEntry, Computed, Ending, Faction, InputSpec, Move, Node, Paragraph,
                                      Routine, Story, Variable, VarRef, Vote)

CACHE_ENV = "KUZBASS_CACHE_DIR"
FORMAT = 6  # bump when the image's layout or the loader's checks change
MAGIC = b"KZC2"


def cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kuzbass"


def cache_path(root: Path) -> Path:
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return cache_dir() / f"story-{key}.bin"


def files_key(files: list[tuple[Path, str]]) -> tuple:
    """Path, size and mtime of every story file: any edit, addition or removal changes it."""
    from kuzbass_game import __version__

    stamps = []
    for path, _display in files:
        info = path.stat()
        stamps.append((str(path), info.st_size, info.st_mtime_ns))
    return (FORMAT, __version__, tuple(stamps))


# ---------------------------------------------------------------- image


def _mark(mark: Mark | None):
    return None if mark is None else (mark.path, mark.line, mark.col)


def _parts(parts):
    return tuple((p.name,) if isinstance(p, VarRef) else p for p in parts)


def _src(item) -> str | None:
    return None if item is None else item.source


def _vote(vote: Vote | None):
    if vote is None:
        return None
    factions = tuple((f.name, f.size_source, f.lean_source, f.swing,
                      tuple((m.by_source, m.why, _src(m.condition)) for m in f.moves)) for f in vote.factions)
    return (vote.id, vote.question, factions, tuple(vote.outcomes.items()), vote.record, _mark(vote.mark))


def to_image(story: Story, diagnostics: list[Diagnostic]) -> tuple:
    variables = tuple((v.name, v.type, v.default, v.minimum, v.maximum, v.label, _mark(v.mark), v.values, v.description,
                       _src(v.show_if)) for v in story.variables.values())
    computed = tuple((c.name, c.source, c.label, c.description, _src(c.show_if), _mark(c.mark)) for c in story.computed.values())
    routines = tuple((r.name, r.effects.source, _mark(r.mark)) for r in story.routines.values())
    codex = tuple((e.id, e.title, e.text, e.sources, _mark(e.mark)) for e in story.codex.values())
    nodes = []
    for node in story.nodes.values():
        choices = tuple(
            (c.index, _parts(c.text), c.target,
             tuple((b.target, b.weight, _src(b.condition), _mark(b.mark)) for b in c.branches),
             _src(c.condition), None if c.locked_reason is None else _parts(c.locked_reason),
             _src(c.effects), c.once, _mark(c.mark), c.signature,
             None if c.reply is None else _parts(c.reply), c.ballot)
            for c in node.choices)
        nodes.append((node.id, _raw_node(node.id, _mark(node.mark), tuple((_parts(p.parts), _src(p.condition)) for p in node.paragraphs),
                      choices, _src(node.effects), node.chapter, node.date,
                      None if node.ending is None else node.ending.title,
                      None if node.input is None else (node.input.var, node.input.prompt, node.input.max_length),
                      node.unlocks, _vote(node.vote))))
    notes = tuple((d.path, d.line, d.col, d.severity.value, d.message) for d in diagnostics)
    return (story.id, story.title, story.start, _mark(story.start_mark), story.fingerprint, variables, tuple(nodes), notes,
            story.description, story.author, computed, routines, codex)


def _raw_node(*raw) -> bytes:
    """One node's image, marshalled on its own.

    A warm load then unpacks one bytes object per node instead of a dozen tuples: bytes are
    not tracked by the cycle collector, whose first pass over 100,000 fresh tuples cost more
    than the whole unmarshalling. Each node is unpacked when the game first asks for it.
    """
    return marshal.dumps(raw)


def from_image(image: tuple, root: Path) -> tuple[Story, list[Diagnostic]]:
    (story_id, title, start, start_mark, fingerprint, raw_vars, raw_nodes, notes, description, author,
     raw_computed, raw_routines, raw_codex) = image
    raw_by_id = dict(raw_nodes)
    memo: dict = {}  # (kind, source) -> compiled
    # Declarations are compiled now when the story has any (their expressions are few); a story
    # without them builds no expression until its first node is asked for (a title screen needs none).
    enums = {name: values for name, _t, _d, _lo, _hi, _l, _m, values, _desc, _s in raw_vars if values}
    plain_types = {name: vtype for name, vtype, *_rest in raw_vars}
    bounds = {name: (lo, hi) for name, vtype, _d, lo, hi, *_rest in raw_vars if vtype == "int"}
    computed_typed: dict = {}
    routine_effects: dict = {}
    scope = None
    if raw_computed or raw_routines or enums:
        from kuzbass_game.engine import expr

        scope = expr.Scope(plain_types, frozenset(raw_by_id), bounds, enums, computed_typed, routine_effects)
    computed: dict[str, Computed] = {}
    for name, source, label, desc, _show, mark in raw_computed:
        typed = expr.compile_expression(source, scope)
        computed_typed[name] = typed
        computed[name] = Computed(name, typed.type, source, typed.run, label, desc, None, _unmark(mark))
    routines: dict[str, Routine] = {}
    for name, source, mark in raw_routines:
        routine_effects[name] = effects_of = expr.compile_effects(source, scope)
        routines[name] = Routine(name, effects_of, _unmark(mark))

    def compiled(kind: str, source: str | None):
        nonlocal scope
        if source is None:
            return None
        found = memo.get((kind, source))
        if found is None:
            from kuzbass_game.engine import expr

            if scope is None:
                scope = expr.Scope(plain_types, frozenset(raw_by_id), bounds)
            if kind == "int":
                found = expr.compile_value(source, scope, expr.INT)[0]
            else:
                compile_fn = expr.compile_condition if kind == "if" else expr.compile_effects
                found = compile_fn(source, scope)
            memo[(kind, source)] = found
        return found

    variables = {name: Variable(name, vtype, default, lo, hi, label, _unmark(mark), values, desc, compiled("if", show))
                 for name, vtype, default, lo, hi, label, mark, values, desc, show in raw_vars}
    for name, source, label, desc, show, mark in raw_computed:
        if show is not None:
            computed[name] = Computed(name, computed[name].type, source, computed[name].run, label, desc, compiled("if", show), _unmark(mark))
    codex = {entry_id: CodexEntry(entry_id, entry_title, text, sources, _unmark(mark))
             for entry_id, entry_title, text, sources, mark in raw_codex}

    def vote_of(raw):
        if raw is None:
            return None
        vote_id, question, factions, outcomes, record, mark = raw
        return Vote(vote_id, question, tuple(
            Faction(name, compiled("int", size).run, compiled("int", lean).run, swing,
                    tuple(Move(compiled("int", by).run, why, condition(cond), by) for by, why, cond in moves), size, lean)
            for name, size, lean, swing, moves in factions), dict(outcomes), record, _unmark(mark))

    def condition(source):
        return compiled("if", source)

    def effects(source):
        return compiled("fx", source)

    def build(blob: bytes) -> Node:
        node_id, mark, paragraphs, raw_choices, node_fx, chapter, date, ending, raw_input, unlocks, raw_vote = marshal.loads(blob)
        choices = tuple(
            Choice(node_id, index, _unparts(text), target,
                   tuple(Branch(b_target, weight, condition(b_cond), _unmark(b_mark)) for b_target, weight, b_cond, b_mark in branches),
                   condition(cond), None if locked is None else _unparts(locked), effects(fx), once, _unmark(c_mark), signature,
                   None if reply is None else _unparts(reply), ballot)
            for index, text, target, branches, cond, locked, fx, once, c_mark, signature, reply, ballot in raw_choices)
        return Node(node_id, tuple(Paragraph(_unparts(parts), condition(cond)) for parts, cond in paragraphs),
                    choices, effects(node_fx), chapter, date,
                    None if ending is None else Ending(ending),
                    None if raw_input is None else InputSpec(*raw_input), _unmark(mark), unlocks, vote_of(raw_vote))

    nodes = LazyNodes(raw_by_id, build)
    story = Story(story_id, title, start, variables, nodes, fingerprint, root, _unmark(start_mark), description, author,
                  computed, routines, codex)
    diagnostics = [Diagnostic(path, line, col, Severity(sev), message) for path, line, col, sev, message in notes]
    return story, diagnostics


class LazyNodes(dict):
    """Node id -> Node, each node built from the cached image the first time it is asked for.

    A launch needs a handful of nodes, not ten thousand, so building them all would waste most
    of a warm load. A `dict` whose `__missing__` builds the node: once built, `nodes[id]` is a
    plain dict lookup in C, as fast as for a freshly compiled story (the engine's hot path).
    Everything that asks about the whole mapping answers for every node, built or not.
    """

    def __init__(self, raw: dict, build) -> None:
        super().__init__()
        self._raw = raw
        self._build = build

    def __missing__(self, node_id: str) -> Node:
        node = self._build(self._raw[node_id])  # KeyError for an unknown id, as a dict would
        dict.__setitem__(self, node_id, node)
        return node

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._raw

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def get(self, node_id, default=None):
        return self[node_id] if node_id in self._raw else default

    def keys(self):
        return self._raw.keys()

    def values(self):
        return [self[node_id] for node_id in self._raw]

    def items(self):
        return [(node_id, self[node_id]) for node_id in self._raw]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LazyNodes({len(self)} nodes, {dict.__len__(self)} built)"

    def __reduce__(self):
        return (dict, (dict(self.items()),))


def _unmark(mark) -> Mark | None:
    return None if mark is None else Mark(*mark)


def _unparts(parts) -> tuple:
    for part in parts:
        if type(part) is tuple:  # a `{name}` hole, stored as a 1-tuple
            return tuple(VarRef(p[0]) if type(p) is tuple else p for p in parts)
    return parts  # plain text only (most texts): the unmarshalled tuple is already the answer


# ---------------------------------------------------------------- file


def read(root: Path, key: tuple) -> tuple[Story, list[Diagnostic]] | None:
    """The cached story for `root` if the cache matches `key` exactly; None otherwise."""
    path = cache_path(root)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    payload = memoryview(data)[8:]  # no copy of a file that may be megabytes
    if len(data) < 8 or data[:4] != MAGIC or zlib.crc32(payload).to_bytes(4, "big") != data[4:8]:
        return None
    try:
        stored_key, image = marshal.loads(payload)
        if stored_key != key:
            return None
        return from_image(image, root)
    except Exception:  # a cache is only ever a shortcut: anything odd means "load from YAML"
        return None


def write(root: Path, key: tuple, story: Story, diagnostics: list[Diagnostic]) -> None:
    """Store the story's image atomically; failing to cache is never an error."""
    try:
        payload = marshal.dumps((key, to_image(story, diagnostics)))
        write_atomic(cache_path(root), MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload)
    except Exception:
        pass
