"""YAML story files -> `Story`: every key, expression and text template compiled, every problem
reported as a `Diagnostic` with its file, line and column.

Two passes: node files are compiled one at a time (ids collected across the whole story), then
whatever names another node is checked once every id is known. Only loaded on a cache miss.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypedDict, TypeVar, overload
from collections.abc import Callable

import yaml

from kuzbass_game.engine.core import expr
from kuzbass_game.engine.format import codex, people, stable, votes
from kuzbass_game.engine.format.declarations import Declarations
from kuzbass_game.engine.core.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.core.model import (
    BALLOTS,
    Branch,
    Choice,
    CodexEntry,
    Ending,
    InputSpec,
    Node,
    Paragraph,
    Person,
    Story,
    TextPart,
    Variable,
    VarRef,
)
from kuzbass_game.engine.format.reader import IDENTIFIER, Entries, Reader, Suggester, already, did_you_mean
from kuzbass_game.engine.format.sources import SourceFile
from kuzbass_game.engine.format.story_tests import StoryTest, read_tests
from kuzbass_game.engine.format.yaml_source import compose

_Part = TypeVar("_Part", Choice, Branch)  # what `_with_otherwise` builds: choices or random branches

DECLARATION_KEYS = ("variables", "computed", "routines", "codex", "tests", "people")
MANIFEST_KEYS = ("id", "title", "start", "author", "description", "introduction", "afterword", "stable", *DECLARATION_KEYS)
LAYER_MANIFEST_KEYS = ("id", "title", "extends", "author", "description", *DECLARATION_KEYS)
FILE_KEYS = ("nodes", "extend", *DECLARATION_KEYS)
EXTEND_KEYS = ("text", "choices", "unlocks")
NODE_KEYS = ("text", "chapter", "date", "effects", "choices", "ending", "input", "unlocks", "vote")
CHOICE_KEYS = ("text", "goto", "random", "if", "otherwise", "locked", "effects", "once", "reply", "ballot")
BRANCH_KEYS = ("goto", "weight", "if", "otherwise")
ENDING_KEYS = ("title",)
INPUT_KEYS = ("var", "prompt", "max_length")
PARAGRAPH_KEYS = ("text", "if")
MAX_CHOICES = 9  # the player picks with the keys 1-9

# A file that declares variables, computed values or routines is compiled before the files that
# only hold nodes, whatever its name, so a node may use a name declared in any file.
DECLARES = re.compile(r"""^["']?(?:variables|computed|routines)["']?[ \t]*:""", re.M)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_TEMPLATE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


# A face's markup parser, handed in so the engine imports none: given a text, the offset of its
# first markup problem and what is wrong there, or None when the text renders as written.
MarkupCheck = Callable[[str], "tuple[int, str] | None"]


class _NodeChanges(TypedDict, total=False):
    """What the layers change in a node below them (given to `dataclasses.replace`)."""

    paragraphs: tuple[Paragraph, ...]
    unlocks: tuple[str, ...]
    choices: tuple[Choice, ...]


class ParsedFile:
    """One file's composed YAML, held between the declaration passes and the nodes pass."""

    __slots__ = ("reader", "entries", "is_manifest", "declared", "layer")

    def __init__(self, reader: Reader, entries: Entries, is_manifest: bool, layer: str | None = None) -> None:
        self.reader = reader
        self.entries = entries
        self.is_manifest = is_manifest
        self.declared = False  # its computed values and routines were read in pass 2
        self.layer = layer  # the id of the layer the file belongs to (None: the story at the bottom)


class Extension:
    """What a layer adds to a node of the layers below: choices, replaced text, codex unlocks."""

    __slots__ = ("target", "layer", "mark", "choices", "paragraphs", "text_mark", "unlocks", "choices_mark")

    def __init__(self, target: str, layer: str, mark: Mark) -> None:
        self.target = target
        self.layer = layer
        self.mark = mark
        self.choices: list[Choice] = []
        self.paragraphs: tuple[Paragraph, ...] | None = None
        self.text_mark: Mark | None = None
        self.unlocks: tuple[str, ...] = ()
        self.choices_mark: Mark | None = None


class StoryBuilder:
    """Builds a `Story` from its files in three passes: variables, then computed values and
    routines, then codex entries and nodes (files that only hold nodes are streamed through the
    last pass one at a time, so memory holds one file's YAML, not the whole story's)."""

    def __init__(self, sink: DiagnosticSink, markup_check: MarkupCheck | None = None) -> None:
        self.sink = sink
        self.markup_check = markup_check
        self.meta: dict[str, str] = {}
        self.meta_marks: dict[str, Mark] = {}
        self.pages: dict[str, tuple[str, ...]] = {}  # the manifest's introduction and afterword, as paragraphs
        self.declarations = Declarations()
        self.variables: dict[str, Variable] = self.declarations.variables
        self.codex: dict[str, CodexEntry] = {}
        self.people: dict[str, Person] = {}  # the run summary's "Who stayed with you" (format/people.py), in the order declared
        self.nodes: dict[str, Node] = {}
        self.node_marks: dict[str, Mark] = {}
        # Whatever names another node is checked once all are known:
        self.pending_targets: list[tuple[str, Mark, str]] = []  # (target, where, what)
        self._settled = 0  # how many pending targets were left when they were last settled
        self.node_names: dict[str, str] = {}  # each target named, to itself: one string object per node named
        self.shared_texts: dict[tuple[TextPart, ...], tuple[TextPart, ...]] = {}  # short texts, each kept once
        self.pending_refs: list[tuple[str, Mark, str, str]] = []  # (node id, where, what, function)
        self.pending_unlocks: list[tuple[str, Mark, str]] = []  # (codex id, where, node id)
        self.tests: list[StoryTest] = []  # story tests (storytests.py), run once the story is checked
        # Layers: folders given after the first, each adding to the story below it (see docs).
        self.layers: list[str] = []  # their ids, bottom first
        self.layer_marks: dict[str, Mark] = {}
        self.node_layer: dict[str, str] = {}  # node id -> the layer that added it (absent: the story itself)
        self.extensions: list[Extension] = []
        self.stable: dict[str, Mark] | None = None  # the story's stable nodes (format/stable.py); None: it lists none
        self.file_layer: dict[str, str] = {}  # a layer's file (as marks name it) -> the layer
        self.layer_titles: dict[str, str] = {}  # layer id -> its title
        self.layer_folders: tuple[str, ...] = ()  # each layer's folder, set by the loader
        self.repeated: set[str] = set()  # the manifests (as marks name them) of layers whose id a layer below has
        # The same expression text compiles once per story: (kind, source) -> what compiling it gave,
        # a Condition ("if"), Effects ("effects"), (Typed, names read) ("int") or the ExprError raised.
        self.memo: dict[tuple[str, str], Any] = {}
        self.reads: set[str] = set()  # every name something reads: unread variables are warned about
        self.writes: set[str] = set()  # variables some effect, input or vote assigns
        self.manifest_seen = False
        self._scope: expr.Scope | None = None
        # Set when a node file could not be read: its nodes are unknown, so "goes to a node that
        # does not exist" would mostly be false alarms caused by that one broken file.
        self.incomplete = False

    @staticmethod
    def declares(source: SourceFile) -> bool:
        """Whether a file declares names (so it must be read before the files of nodes)."""
        return bool(DECLARES.search(source.text))

    # ---------------------------------------------------------------- pass 1: the file and its variables
    def parse(self, source: SourceFile, is_manifest: bool, layer: str | None = None, layer_manifest: bool = False) -> ParsedFile | None:
        """Compose a file and read its variables. `layer_manifest`: the manifest of a layer
        (it names the story it extends; its id, read here, is the layer's id for its files)."""
        reader = Reader(source.display, self.sink, source.text)
        root = compose(source, self.sink)
        if root is None:
            if not is_manifest:
                self.incomplete = True
            return None
        if layer_manifest:
            entries = reader.mapping(root, "a layer's manifest", LAYER_MANIFEST_KEYS, required=("id", "extends"))
            if entries is None:
                return None
            layer = self._read_layer(reader, entries, source.display)
            if layer is None:  # a layer id used twice: one error, and its folder read as a broken manifest's is
                return None
            if "variables" in entries:
                self.declarations.read_variables(reader, entries["variables"][1])
            return ParsedFile(reader, entries, True, layer)
        if is_manifest:
            self.manifest_seen = True
            entries = reader.mapping(root, "the manifest", MANIFEST_KEYS, required=("id", "title", "start"))
        else:
            entries = reader.mapping(root, "a story file", FILE_KEYS)
            if entries is not None and not entries:
                reader.error(root, f"a story file holds at least one of: {', '.join(FILE_KEYS)}")
        if entries is None:
            return None
        if is_manifest:
            self._read_meta(reader, entries)
        if "variables" in entries:
            self.declarations.read_variables(reader, entries["variables"][1])
        return ParsedFile(reader, entries, is_manifest, layer)

    def _read_layer(self, reader: Reader, entries: Entries, display: str) -> str | None:
        """A layer's id and the story it extends; returns the id (a stand-in when unusable), or
        None for an id already used: the same layer, most likely, from a second folder (a copy), whose
        every declaration would otherwise be reported again as declared twice."""
        layer_id = reader.text(entries["id"][1], "the layer's 'id'") if "id" in entries else None
        extends = reader.text(entries["extends"][1], "the layer's 'extends'") if "extends" in entries else None
        if layer_id is not None:
            layer_id = layer_id.strip()
            if not IDENTIFIER.match(layer_id):
                reader.error(entries["id"][1], f"a layer id may hold only letters, digits and underscores; try '{_identifier(layer_id)}'")
                layer_id = None
            elif layer_id in self.layer_marks or layer_id == self.meta.get("id"):
                first = self.layer_marks.get(layer_id) or self.meta_marks.get("id")
                reader.error(entries["id"][1], f"the layer id '{layer_id}' is used twice{already(first, 'used')}")
                self.repeated.add(display)
                return None
        base = self.meta.get("id")
        if extends is not None and base is not None and extends.strip() not in (base, *self.layers):
            below = ", ".join(f"'{name}'" for name in (base, *self.layers))
            reader.error(
                entries["extends"][1],
                f"this layer extends '{extends.strip()}', but the story below it is {below}: give the folders in order, the story first",
            )
        if layer_id is None:
            return self.unnamed_layer(display)
        self.layers.append(layer_id)
        self.layer_marks[layer_id] = reader.mark(entries["id"][1])
        title = reader.text(entries["title"][1], "the layer's 'title'") if "title" in entries else None
        if title is not None:
            self.layer_titles[layer_id] = title.strip()
        return layer_id

    def unnamed_layer(self, hint: str) -> str:
        """A stand-in id for a layer whose manifest is missing or wrong (its problem is reported
        already), so that its files are still read as a layer's."""
        layer_id = f"{_identifier(hint)}_{len(self.layers) + 1}"
        self.layers.append(layer_id)
        return layer_id

    def _read_meta(self, reader: Reader, entries: Entries) -> None:
        for key in ("id", "title", "start", "author", "description"):
            if key in entries:
                key_node, value_node = entries[key]
                value = reader.text(value_node, f"the manifest's '{key}'")
                if value is not None:
                    self.meta[key] = value.strip()
                    self.meta_marks[key] = reader.mark(value_node)
        for key in ("introduction", "afterword"):  # paragraphs of markup, shown before and after a game
            if key in entries:
                raw = reader.text(entries[key][1], f"the manifest's '{key}'")
                if raw is not None:
                    self.pages[key] = tuple(" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", raw) if p.strip())
                    if self.markup_check is not None:
                        for paragraph in self.pages[key]:
                            problem = self.markup_check(paragraph)
                            if problem is not None:
                                reader.error(entries[key][1], f"broken markup in the manifest's '{key}': {problem[1]}")
        if "stable" in entries:
            self.stable = stable.read_stable(reader, entries["stable"][1])
        if "id" in self.meta and not IDENTIFIER.match(self.meta["id"]):
            reader.error(entries["id"][1], f"the story id may hold only letters, digits and underscores; try '{_identifier(self.meta['id'])}'")
            self.meta.pop("id")

    # ---------------------------------------------------------------- pass 2: computed values, routines
    def define(self, parsed: ParsedFile) -> None:
        parsed.declared = True
        if "computed" in parsed.entries:
            self.declarations.read_computed(parsed.reader, parsed.entries["computed"][1])
        if "routines" in parsed.entries:
            self.declarations.read_routines(parsed.reader, parsed.entries["routines"][1])

    def seal_declarations(self) -> expr.Scope:
        """Every name is declared: compile what waited for all of them, and fix the scope (returned)."""
        self.declarations.finish()
        self.reads |= self.declarations.reads
        for routine in self.declarations.routines.values():
            self.writes.update(a.name for a in routine.effects.assignments if a.op != "run")
        self._scope = scope = self.declarations.scope()
        return scope

    def scope(self) -> expr.Scope:
        """The scope of every declared name; the declarations are sealed the first time it is asked for."""
        return self.seal_declarations() if self._scope is None else self._scope

    # ---------------------------------------------------------------- pass 3: codex entries and nodes
    def collect(self, parsed: ParsedFile) -> None:
        """A file's codex entries, story tests, extensions and nodes."""
        reader, entries = parsed.reader, parsed.entries
        if parsed.layer is not None:
            self.file_layer[reader.display] = parsed.layer
        if not parsed.declared:
            self._report_late_declarations(parsed)
        if "codex" in entries:
            codex.read_entries(reader, entries["codex"][1], self.codex, self.markup_check)
        if "people" in entries:
            people.read_people(NodeCompiler(reader, self.scope(), self.variables, self), entries["people"][1], self.people)
        if "tests" in entries:
            read_tests(NodeCompiler(reader, self.scope(), self.variables, self), entries["tests"][1], self.tests)
        if "extend" in entries:
            if self._scope is None:
                self.seal_declarations()
            self._read_extensions(parsed, entries["extend"])
        if "nodes" in entries:
            self._collect_nodes(parsed, entries["nodes"])

    @staticmethod
    def _report_late_declarations(parsed: ParsedFile) -> None:
        """Declarations in a file the quick scan missed (flow style, say): read too late for the nodes."""
        for key in ("variables", "computed", "routines"):
            if key in parsed.entries:
                parsed.reader.error(
                    parsed.entries[key][0], f"write '{key}:' at the start of a line (block style), so the loader reads it before any node"
                )

    def _collect_nodes(self, parsed: ParsedFile, entry: tuple[yaml.Node, yaml.Node]) -> None:
        """A file's `nodes:` mapping, each node compiled and kept under its id."""
        reader = parsed.reader
        nodes = reader.mapping(entry[1], "'nodes'")
        if nodes is None:
            return
        if not nodes:
            reader.warning(entry[0], "this file declares no nodes")
        compiler = NodeCompiler(reader, self.scope(), self.variables, self)
        twice = lambda n: f"duplicate node id '{n}'{already(self.node_marks[n])}"
        for node_id, key_node, body in reader.fresh_ids(nodes, "a node id", self.node_marks, twice):
            mark = self.node_marks[node_id] = reader.mark(key_node)
            if parsed.layer is not None:
                self.node_layer[node_id] = parsed.layer
            node = compiler.compile(node_id, key_node, body, mark)
            if node is not None:
                self.nodes[node_id] = node
        self._settle_targets()

    def _settle_targets(self) -> None:
        """Let go of the pending targets that name a node already compiled (they cannot be errors), once
        the list has doubled since it was last settled: a story of 50,000 nodes otherwise holds a mark
        and a description for each of its 140,000 choices until every file is read. Kept whole when
        the story names stable nodes (each target a layer names is checked against them)."""
        pending = self.pending_targets
        if self.stable is not None or len(pending) < 2 * self._settled + 1024:
            return
        known = self.node_marks
        pending[:] = [entry for entry in pending if entry[0] not in known]
        self._settled = len(pending)

    def _read_extensions(self, parsed: ParsedFile, entry: tuple[yaml.Node, yaml.Node]) -> None:
        """`extend:` node id -> what to add to it (applied in `apply_extensions`, once every node is known)."""
        reader = parsed.reader
        key_node, value = entry
        if parsed.layer is None:
            reader.error(key_node, "'extend' adds to the nodes of the story a layer is laid over; in the story itself, edit the node")
            return
        targets = reader.mapping(value, "'extend'")
        compiler = NodeCompiler(reader, self.scope(), self.variables, self)
        for node_id, (target_node, body) in (targets or {}).items():
            what = f"the extension of node '{node_id}'"
            spec = reader.mapping(body, what, EXTEND_KEYS)
            if spec is None:
                continue
            if not spec:
                reader.warning(target_node, f"{what} adds nothing: give it 'choices', 'text' or 'unlocks'")
            extension = Extension(node_id, parsed.layer, reader.mark(target_node))
            if "text" in spec:
                extension.paragraphs = compiler.paragraphs(spec["text"][1], f"the replaced text of node '{node_id}'")
                extension.text_mark = reader.mark(spec["text"][0])
            if "unlocks" in spec:
                extension.unlocks = compiler.unlocks(node_id, spec["unlocks"][1])
            if "choices" in spec:
                extension.choices_mark = reader.mark(spec["choices"][0])
                items = reader.sequence(spec["choices"][1], f"the choices {parsed.layer} adds to node '{node_id}'") or []
                for number, item in enumerate(items):
                    what = f"choice {number + 1} that layer '{parsed.layer}' adds to node '{node_id}'"
                    ballot = isinstance(item, yaml.MappingNode) and any(getattr(key, "value", None) == "ballot" for key, _ in item.value)
                    choice = compiler.choice(node_id, number, item, ballot, what)  # a ballot: its node's vote is checked when applied
                    if choice is not None:
                        extension.choices.append(choice)
            self.extensions.append(extension)

    def apply_extensions(self) -> None:
        """Add each layer's choices, texts and unlocks to the nodes below it, bottom layer first."""
        replaced: dict[str, Extension] = {}
        for extension in self.extensions:
            node_id = extension.target
            node = self.nodes.get(node_id)
            if node is None:
                if node_id not in self.node_marks and not self.incomplete:
                    self.sink.error(
                        extension.mark,
                        f"layer '{extension.layer}' extends node '{node_id}', which does not exist{Suggester(self.node_marks)(node_id)}",
                    )
                continue
            if self.node_layer.get(node_id) == extension.layer:
                self.sink.error(
                    extension.mark, f"node '{node_id}' belongs to layer '{extension.layer}' itself: edit the node instead of extending it"
                )
                continue
            changes: _NodeChanges = {}
            if extension.paragraphs is not None:
                earlier = replaced.get(node_id)
                if earlier is not None:
                    first = earlier.text_mark or earlier.mark
                    self.sink.error(
                        extension.text_mark or extension.mark,
                        f"layers '{earlier.layer}' and '{extension.layer}' both replace the text of node '{node_id}' "
                        f"(the other at {first.path}:{first.line}:{first.col})",
                    )
                    self.sink.error(first, f"layers '{earlier.layer}' and '{extension.layer}' both replace the text of node '{node_id}'")
                    continue
                replaced[node_id] = extension
                changes["paragraphs"] = extension.paragraphs
            if extension.unlocks:
                changes["unlocks"] = node.unlocks + tuple(u for u in extension.unlocks if u not in node.unlocks)
            if extension.choices:
                if node.ending is not None:
                    self.sink.error(extension.choices_mark or extension.mark, f"node '{node_id}' is an ending: a layer cannot add choices to it")
                    continue
                ballots = [c for c in extension.choices if c.ballot is not None]
                if ballots and node.vote is None:
                    self.sink.error(
                        ballots[0].mark or extension.mark, f"layer '{extension.layer}' adds a ballot to node '{node_id}', which holds no vote"
                    )
                    continue
                start = len(node.choices)
                added = tuple(replace(choice, index=start + number) for number, choice in enumerate(extension.choices))
                if start + len(added) > MAX_CHOICES:
                    self.sink.error(
                        extension.choices_mark or extension.mark,
                        f"node '{node_id}' would have {start + len(added)} choices with layer '{extension.layer}''s; "
                        f"at most {MAX_CHOICES} fit the number keys",
                    )
                    continue
                changes["choices"] = node.choices + added
            if changes:
                self.nodes[node_id] = replace(node, **changes)

    def check_references(self) -> None:
        """Targets, visited()/visits() names and codex ids, now that every id is known."""
        entries = Suggester(self.codex)
        for entry_id, mark, node_id in self.pending_unlocks:
            if entry_id not in self.codex:
                self.sink.error(mark, f"node '{node_id}' unlocks an unknown codex entry '{entry_id}'{entries(entry_id)}")
        if self.incomplete:
            return  # names into the file that could not be read would be false alarms
        known = self.node_marks
        suggest = Suggester(known)
        for target, mark, what in self.pending_targets:
            if target not in known:
                self.sink.error(mark, f"{what} goes to '{target}', which does not exist{suggest(target)}")
        for node_id, mark, what, function in self.pending_refs:
            if node_id not in known:
                self.sink.error(mark, f"in {what}: {function}() names an unknown node '{node_id}'{suggest(node_id)}")

    def check_declarations(self) -> None:
        """Warnings that keep a story honest: declared but never read, codex entries never unlocked."""
        if self.incomplete or self.sink.has_errors:
            return  # what a broken part would read or unlock is unknown
        for name, var in self.variables.items():
            if name not in self.reads and not var.label and var.mark is not None:
                verb = "set" if name in self.writes else "declared"
                self.sink.warning(
                    var.mark,
                    f"variable '{name}' is {verb} but never read: no condition, effect, text, "
                    f"computed value or vote reads it (give it a 'label' to show it, or remove it)",
                )
        for name, item in self.declarations.computed.items():
            if name not in self.reads and not item.label and item.mark is not None:
                self.sink.warning(item.mark, f"computed value '{name}' is never read or shown")
        for name, routine in self.declarations.routines.items():
            if name not in self.reads and routine.mark is not None:
                self.sink.warning(routine.mark, f"routine '{name}' is never run")
        unlocked = {entry_id for entry_id, _mark, _node in self.pending_unlocks}
        for entry_id, entry in self.codex.items():
            if entry_id not in unlocked and entry.mark is not None:
                self.sink.warning(entry.mark, f"codex entry '{entry_id}' is never unlocked: name it in some node's 'unlocks'")

    def build(self, root: Path, story_fingerprint: str) -> Story | None:
        if self._scope is None:
            self.seal_declarations()
        self.apply_extensions()
        self.check_references()
        stable.check_stable(self)
        self.check_declarations()
        nodes = self.nodes
        start = self.meta.get("start")
        if start is not None and start not in self.node_marks and not self.incomplete:
            self.sink.error(self.meta_marks["start"], f"the start node '{start}' does not exist{did_you_mean(start, self.node_marks)}")
        if not self.manifest_seen or not all(k in self.meta for k in ("id", "title", "start")):
            return None
        return Story(
            id=self.meta["id"],
            title=self.meta["title"],
            start=self.meta["start"],
            variables=dict(self.variables),
            nodes=nodes,
            fingerprint=story_fingerprint,
            root=root,
            start_mark=self.meta_marks.get("start"),
            description=self.meta.get("description"),
            introduction=self.pages.get("introduction", ()),
            afterword=self.pages.get("afterword", ()),
            author=self.meta.get("author"),
            computed=dict(self.declarations.computed),
            routines=dict(self.declarations.routines),
            codex=dict(self.codex),
            layers=tuple(self.layers),
            node_layer=dict(self.node_layer),
            layer_titles=dict(self.layer_titles),
            layer_folders=self.layer_folders,
            extended=self._extended(),
            people=dict(self.people),
        )

    def _extended(self) -> dict[str, tuple[str, ...]]:
        """Each extended node -> the layers that extend it, in order: one pass over the extensions."""
        layers: dict[str, list[str]] = {}
        for extension in self.extensions:
            layers.setdefault(extension.target, []).append(extension.layer)
        return {target: tuple(found) for target, found in layers.items()}


class NodeCompiler:
    """Compiles one node's YAML into a `Node`, reporting each problem where it is written."""

    def __init__(self, reader: Reader, scope: expr.Scope, variables: dict[str, Variable], builder: StoryBuilder) -> None:
        self.reader = reader
        self.scope = scope  # without node ids: names of nodes are checked later (see check_references)
        self.variables = variables
        self.builder = builder
        self.memo = builder.memo
        self.markup_check = builder.markup_check

    def check_markup(self, node: yaml.Node, text: str | None, base: int, what: str) -> None:
        """Report broken markup at the very tag, inside the scalar (`base` is where `text` starts in it)."""
        if self.markup_check is None or text is None or "[" not in text:
            return
        found = self.markup_check(text)
        if found is not None:
            offset, problem = found
            self.reader.sink.error(self.reader.locate(node, base + offset), f"broken markup in {what}: {problem}")

    def markup_text(self, node: yaml.Node, what: str) -> str | None:
        """A plain text field that is shown as markup (chapter, date, ending title, prompt)."""
        raw = self.reader.text(node, what)
        self.check_markup(node, raw, 0, what)
        return raw

    @overload
    def _compiled(self, kind: Literal["if"], source: str) -> expr.Condition: ...
    @overload
    def _compiled(self, kind: Literal["effects"], source: str) -> expr.Effects: ...

    def _compiled(self, kind: str, source: str) -> Any:
        """Compile (or recall) an expression; raises the same ExprError every time it is asked."""
        key = (kind, source)
        found = self.memo.get(key)
        if found is None:
            try:
                found = (expr.compile_condition if kind == "if" else expr.compile_effects)(source, self.scope)
            except expr.ExprError as err:
                found = err
            self.memo[key] = found
        if isinstance(found, expr.ExprError):
            raise found
        self.builder.reads.update(found.reads)
        if kind != "if":
            self.builder.writes.update(a.name for a in found.assignments if a.op != "run")  # type: ignore[union-attr]  # Effects, as `kind` says
        return found

    def int_value(self, node: yaml.Node, what: str) -> tuple[expr.Typed, str] | None:
        """A whole number or an int expression (a faction's size, a move's points)."""
        source = self.reader.expression_source(node, what)
        if source is None:
            return None
        key = ("int", source)
        found = self.memo.get(key)
        if found is None:
            try:
                found = expr.compile_value(source, self.scope, expr.INT)
            except expr.ExprError as err:
                found = err
            self.memo[key] = found
        if isinstance(found, expr.ExprError):
            self.reader.sink.error(self.reader.locate(node, found.offset), f"in {what}: {found.message}")
            return None
        typed, reads = found
        self.builder.reads.update(reads)
        return typed, source

    def compile(self, node_id: str, key_node: yaml.Node, body: yaml.Node, mark: Mark | None = None) -> Node | None:
        """One node: its text and fields, its choices, then the checks on how they fit together."""
        r = self.reader
        entries = r.mapping(body, f"node '{node_id}'", NODE_KEYS, required=("text",))
        if entries is None:
            return None
        paragraphs: tuple[Paragraph, ...] = ()
        if "text" in entries:
            paragraphs = self.paragraphs(entries["text"][1], f"the text of node '{node_id}'") or ()
        chapter = self.markup_text(entries["chapter"][1], f"the chapter of node '{node_id}'") if "chapter" in entries else None
        date = self.markup_text(entries["date"][1], f"the date of node '{node_id}'") if "date" in entries else None
        effects = self.effects(entries["effects"][1], f"the effects of node '{node_id}'") if "effects" in entries else None
        ending = self._ending(node_id, entries["ending"][1]) if "ending" in entries else None
        input_spec = self.input(node_id, entries["input"][1]) if "input" in entries else None
        unlocks = self.unlocks(node_id, entries["unlocks"][1]) if "unlocks" in entries else ()
        vote = votes.compile_vote(self, node_id, entries["vote"][1]) if "vote" in entries else None
        choices = self._choices(node_id, entries["choices"][1], "vote" in entries) if "choices" in entries else []
        self._check_node_shape(node_id, entries, ending, input_spec, choices)
        return Node(node_id, paragraphs, tuple(choices), effects, chapter, date, ending, input_spec, mark or r.mark(key_node), unlocks, vote)

    def _ending(self, node_id: str, node: yaml.Node) -> Ending | None:
        spec = self.reader.mapping(node, f"the ending of node '{node_id}'", ENDING_KEYS, required=("title",))
        if not spec or "title" not in spec:
            return None
        title = self.markup_text(spec["title"][1], f"the ending title of node '{node_id}'")
        return None if title is None else Ending(title.strip())

    def _choices(self, node_id: str, node: yaml.Node, in_vote: bool) -> list[Choice]:
        """A node's `choices:` list, with its `otherwise` choice (at most one) given its condition."""
        r = self.reader
        items = r.sequence(node, f"the choices of node '{node_id}'")
        choices, fallback = self._with_otherwise(
            items or [],
            lambda index, item: self.choice(node_id, index, item, in_vote),
            lambda index: f"choice {index + 1} of node '{node_id}'",
            f"node '{node_id}' has two 'otherwise' choices; one is shown when no other is open",
        )
        if fallback is not None:
            choices = self._otherwise_choice(node_id, choices, fallback)
        if items is not None and len(items) > MAX_CHOICES:
            r.error(node, f"node '{node_id}' has {len(items)} choices; at most {MAX_CHOICES} fit the number keys")
        if items == []:
            r.warning(node, f"node '{node_id}' has an empty choice list")
        return choices

    def _check_node_shape(self, node_id: str, entries: Entries, ending: Ending | None, input_spec: InputSpec | None, choices: list[Choice]) -> None:
        """What a node's parts cannot be together: an ending with choices or input, a vote without ballots."""
        r = self.reader
        if ending is not None and choices:
            r.error(entries["ending"][0], f"node '{node_id}' is an ending but also has choices; an ending closes the story")
        if ending is not None and input_spec is not None:
            r.error(entries["input"][0], f"node '{node_id}' is an ending and cannot ask for input")
        if "vote" not in entries:
            return
        if ending is not None:
            r.error(entries["vote"][0], f"node '{node_id}' is an ending and cannot hold a vote")
        elif "choices" in entries and not any(c.ballot for c in choices) and len(choices) == len(r.sequence(entries["choices"][1], "") or ()):
            r.error(entries["vote"][0], f"node '{node_id}' holds a vote but no choice casts a ballot ('ballot: for', 'against' or 'abstain')")
        elif "choices" not in entries:
            r.error(entries["vote"][0], f"node '{node_id}' holds a vote but has no choices: give the player a ballot")

    def _otherwise_choice(self, node_id: str, choices: list[Choice], fallback: tuple[int, yaml.Node]) -> list[Choice]:
        index, node = fallback
        what = f"choice {choices[index].index + 1} of node '{node_id}'"
        others = [c for i, c in enumerate(choices) if i != index and not c.once]  # `once` choices are not counted
        open_always = [c for c in others if c.condition is None]
        if open_always:
            self.reader.warning(node, f"the 'otherwise' {what} is never shown: choice {open_always[0].index + 1} has no 'if', so it is always open")
            return choices
        if not others:
            self.reader.warning(node, f"the 'otherwise' {what} has no other choice with an 'if' to stand in for")
            return choices
        condition = self._otherwise([c.condition.source for c in others if c.condition is not None], node, what)
        choices[index] = replace(choices[index], condition=condition)
        return choices

    def unlocks(self, node_id: str, node: yaml.Node) -> tuple[str, ...]:
        r = self.reader
        items = r.sequence(node, f"'unlocks' of node '{node_id}'")
        result: list[str] = []
        for item in items or ():
            entry_id = r.text(item, f"a codex id in 'unlocks' of node '{node_id}'")
            if entry_id is None:
                continue
            entry_id = entry_id.strip()
            if entry_id in result:
                r.warning(item, f"node '{node_id}' unlocks '{entry_id}' twice")
                continue
            result.append(entry_id)
            self.builder.pending_unlocks.append((entry_id, r.mark(item), node_id))
        return tuple(result)

    def input(self, node_id: str, node: yaml.Node) -> InputSpec | None:
        r = self.reader
        spec = r.mapping(node, f"the input of node '{node_id}'", INPUT_KEYS, required=("var", "prompt"))
        if not spec or "var" not in spec or "prompt" not in spec:
            return None
        var = r.text(spec["var"][1], "the input's 'var'")
        prompt = self.markup_text(spec["prompt"][1], f"the input prompt of node '{node_id}'")
        max_length = 24
        if "max_length" in spec:
            got = r.integer(spec["max_length"][1], "the input's 'max_length'")
            if got is not None and not 1 <= got <= 200:
                r.error(spec["max_length"][1], "the input's 'max_length' must be between 1 and 200")
            elif got is not None:
                max_length = got
        if var is None or prompt is None:
            return None
        declared = self.variables.get(var)
        if declared is None:
            r.error(spec["var"][1], f"unknown variable '{var}'{did_you_mean(var, self.variables)}")
            return None
        if declared.type not in ("text", expr.ANY):  # (of no known type: its declaration is the mistake)
            r.error(spec["var"][1], f"input can only fill a text variable; '{var}' is {declared.type}")
            return None
        if declared.values:
            r.error(spec["var"][1], f"input cannot fill '{var}': it may only hold {', '.join(declared.values)}, and a player could type anything")
            return None
        self.builder.writes.add(var)
        return InputSpec(var, prompt.strip(), max_length)

    def choice(self, node_id: str, index: int, node: yaml.Node, in_vote: bool = False, what: str | None = None) -> Choice | None:
        """One choice: its text, its ballot or where it leads, then its condition, effects and replies."""
        r = self.reader
        what = what or f"choice {index + 1} of node '{node_id}'"
        spec = r.mapping(node, what, CHOICE_KEYS, required=("text",))
        if spec is None:
            return None
        text_parts = self.template(spec["text"][1], f"the text of {what}") if "text" in spec else None
        ballot = None
        if "ballot" in spec:
            ballot = self._ballot(spec, node_id, in_vote, what)
            if ballot is None:
                return None
            target: str | None = None
            branches: list[Branch] = []
        else:
            target, branches = self._destination(spec, node, in_vote, what)
        condition = self.condition(spec["if"][1], f"the condition of {what}") if "if" in spec else None
        locked = self._locked(spec, what) if "locked" in spec else None
        effects = self.effects(spec["effects"][1], f"the effects of {what}") if "effects" in spec else None
        once = bool(r.boolean(spec["once"][1], f"'once' of {what}")) if "once" in spec else False
        reply = self.template(spec["reply"][1], f"the reply of {what}") if "reply" in spec else None
        if text_parts is None or (target is None and not branches and ballot is None):
            return None
        signature = _signature(spec["text"][1].value, target if ballot is None else f"ballot:{ballot}", branches)
        return Choice(node_id, index, text_parts, target, tuple(branches), condition, locked, effects, once, r.mark(node), signature, reply, ballot)

    def _ballot(self, spec: Entries, node_id: str, in_vote: bool, what: str) -> str | None:
        """The ballot a choice casts (for, against or abstain); None when the choice cannot be used."""
        r = self.reader
        ballot = r.text(spec["ballot"][1], f"the ballot of {what}")
        if ballot is not None and ballot.strip() not in BALLOTS:
            r.error(spec["ballot"][1], f"a ballot is for, against or abstain, not '{ballot}'{did_you_mean(ballot, BALLOTS)}")
            return None
        if not in_vote:
            r.error(spec["ballot"][0], f"{what} casts a ballot, but node '{node_id}' holds no vote")
            return None
        if ballot is not None and ("goto" in spec or "random" in spec):
            r.error(spec["ballot"][0], f"{what} casts a ballot, so the vote's outcome decides where it leads: remove its 'goto'/'random'")
            return None
        return None if ballot is None else ballot.strip()

    def _destination(self, spec: Entries, node: yaml.Node, in_vote: bool, what: str) -> tuple[str | None, list[Branch]]:
        """Where a choice without a ballot leads: its `goto` target, or its `random` branches."""
        r = self.reader
        if "goto" in spec and "random" in spec:
            r.error(spec["random"][0], f"{what} has both 'goto' and 'random'; use one")
        elif "goto" in spec:
            return self.target(spec["goto"][1], what), []
        elif "random" in spec:
            return None, self._random_branches(spec["random"][1], what)
        elif in_vote:
            r.error(node, f"{what} needs a 'ballot' (for, against or abstain), or a 'goto' to leave without voting")
        else:
            r.error(node, f"{what} needs 'goto' (a node id) or 'random' (weighted branches)")
        return None, []

    def _random_branches(self, node: yaml.Node, what: str) -> list[Branch]:
        """A choice's `random:` list, with its `otherwise` branch (at most one) given its condition."""
        r = self.reader
        items = r.sequence(node, f"the random branches of {what}") or []
        branches, fallback = self._with_otherwise(
            items,
            lambda _index, item: self.branch(item, what),
            lambda _index: f"a random branch of {what}",
            f"{what} has two 'otherwise' branches; one is taken when no other holds",
        )
        if fallback is not None:
            branches = self._otherwise_branch(branches, fallback, what)
        if not items and isinstance(node, yaml.SequenceNode):
            r.error(node, f"the random branches of {what} are empty")
        return branches

    def _locked(self, spec: Entries, what: str) -> tuple[TextPart, ...] | None:
        """The reason shown on a choice its `if` keeps closed."""
        locked = self.template(spec["locked"][1], f"the locked reason of {what}")
        if "if" not in spec:
            self.reader.warning(spec["locked"][0], f"{what} has a 'locked' reason but no 'if', so it is never locked")
        return locked

    def _with_otherwise(
        self, items: list[yaml.Node], build: Callable[[int, yaml.Node], _Part | None], what: Callable[[int], str], twice: str
    ) -> tuple[list[_Part], tuple[int, yaml.Node] | None]:
        """Choices or random branches, each built from its item, and the one marked `otherwise` (at most one)."""
        built: list[_Part] = []
        fallback: tuple[int, yaml.Node] | None = None
        for index, item in enumerate(items):
            part = build(index, item)
            if part is None:
                continue
            built.append(part)
            if self._otherwise_flag(item, what(index)):
                if fallback is not None:
                    self.reader.error(item, twice)
                fallback = (len(built) - 1, item)
        return built, fallback

    def _otherwise_flag(self, node: yaml.Node, what: str) -> bool:
        """`otherwise: true` on a choice or a branch (read again here: the mapping was checked already)."""
        if not isinstance(node, yaml.MappingNode):
            return False
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "otherwise":
                flag = self.reader.boolean(value, f"'otherwise' of {what}")
                if flag:
                    for other, _ in node.value:
                        if isinstance(other, yaml.ScalarNode) and other.value == "if":
                            self.reader.error(other, f"{what} has both 'if' and 'otherwise'; 'otherwise' is its condition")
                return bool(flag)
        return False

    def _otherwise(self, sources: list[str], node: yaml.Node, what: str) -> expr.Condition | None:
        """The condition of an `otherwise` choice or branch: that none of its siblings' conditions holds."""
        source = otherwise_source(sources)
        try:
            return self._compiled("if", source)
        except expr.ExprError as err:  # pragma: no cover - built from conditions that compiled
            self.reader.sink.error(self.reader.mark(node), f"in the 'otherwise' of {what}: {err.message}")
            return None

    def _otherwise_branch(self, branches: list[Branch], fallback: tuple[int, yaml.Node], what: str) -> list[Branch]:
        index, node = fallback
        others = [b for i, b in enumerate(branches) if i != index]
        if any(b.condition is None for b in others):
            self.reader.warning(node, f"the 'otherwise' branch of {what} is never taken: another branch has no 'if', so one always holds")
            return branches
        condition = self._otherwise([b.condition.source for b in others if b.condition is not None], node, what)
        fallback_branch = branches[index]
        branches[index] = Branch(fallback_branch.target, fallback_branch.weight, condition, fallback_branch.mark)
        return branches

    def branch(self, node: yaml.Node, what: str) -> Branch | None:
        r = self.reader
        spec = r.mapping(node, f"a random branch of {what}", BRANCH_KEYS, required=("goto",))
        if spec is None or "goto" not in spec:
            return None
        target = self.target(spec["goto"][1], f"a random branch of {what}")
        weight = 1
        if "weight" in spec:
            got = r.integer(spec["weight"][1], "a branch weight")
            if got is None:
                return None
            if got < 1 or got > 1_000_000:
                r.error(spec["weight"][1], "a branch weight must be a whole number from 1 to 1000000")
                return None
            weight = got
        condition = self.condition(spec["if"][1], f"the condition of a random branch of {what}") if "if" in spec else None
        if target is None:
            return None
        return Branch(target, weight, condition, r.mark(node))

    def target(self, node: yaml.Node, what: str) -> str | None:
        target = self.reader.text(node, f"the target of {what}")
        if target is None:
            return None
        target = target.strip()
        target = self.builder.node_names.setdefault(target, target)  # one string for every choice that goes there
        self.builder.pending_targets.append((target, self.reader.mark(node), what))
        return target

    def condition(self, node: yaml.Node, what: str) -> expr.Condition | None:
        source = self.reader.expression_source(node, what)
        if source is None:
            return None
        try:
            compiled = self._compiled("if", source)
        except expr.ExprError as err:
            self.reader.sink.error(self.reader.locate(node, err.offset), f"in {what}: {err.message}")
            return None
        self._defer_refs(compiled.node_refs, node, what)
        self._warn(compiled.warnings, node, what)
        return compiled

    def _warn(self, warnings: Iterable[tuple[int, str]], node: yaml.Node, what: str) -> None:
        for offset, message in warnings:
            self.reader.sink.warning(self.reader.locate(node, offset), f"in {what}: {message}")

    def _defer_refs(self, refs: Iterable[tuple[str, int, str]], node: yaml.Node, what: str) -> None:
        for node_id, offset, function in refs:
            self.builder.pending_refs.append((node_id, self.reader.locate(node, offset), what, function))

    def effects(self, node: yaml.Node, what: str) -> expr.Effects | None:
        r = self.reader
        parts: list[yaml.Node]
        if isinstance(node, yaml.SequenceNode):
            parts = r.sequence(node, what) or []
        else:
            parts = [node]
        compiled: list[expr.Effects] = []
        for part in parts:
            source = r.text(part, what)
            if source is None:
                continue
            try:
                compiled.append(self._compiled("effects", source))
            except expr.ExprError as err:
                r.sink.error(r.locate(part, err.offset), f"in {what}: {err.message}")
                continue
            self._defer_refs(compiled[-1].node_refs, part, what)
            self._warn(compiled[-1].warnings, part, what)
        if not compiled:
            return None
        return expr.joined(compiled)

    def template(self, node: yaml.Node, what: str) -> tuple[TextPart, ...] | None:
        raw = self.reader.text(node, what)
        if raw is None:
            return None
        self.check_markup(node, raw, 0, what)
        parts = self._parse_template(node, raw, 0, what)
        if parts is None:
            return None
        flowed = tuple(_flow(parts))
        if len(raw) > _SHARED_TEXT:
            return flowed
        # a short text (a choice's "Go on", "Leave") is kept once, however many choices say it
        return self.builder.shared_texts.setdefault(flowed, flowed)

    def paragraphs(self, node: yaml.Node, what: str) -> tuple[Paragraph, ...] | None:
        """Node text: one block of paragraphs, or a list of blocks, each optionally behind an `if`."""
        if not isinstance(node, yaml.SequenceNode):
            return self._block(node, what, None)
        result: list[Paragraph] = []
        items = self.reader.sequence(node, what)
        for number, item in enumerate(items or (), 1):
            where = f"part {number} of {what}"
            if isinstance(item, yaml.MappingNode):
                spec = self.reader.mapping(item, where, PARAGRAPH_KEYS, required=("text",))
                if not spec or "text" not in spec:
                    continue
                condition = self.condition(spec["if"][1], f"the condition of {where}") if "if" in spec else None
                result.extend(self._block(spec["text"][1], where, condition) or ())
            else:
                result.extend(self._block(item, where, None) or ())
        if items == []:  # (parts that failed were reported each in its place)
            self.reader.error(node, f"{what} is empty")
        return tuple(result)

    def _block(self, node: yaml.Node, what: str, condition: expr.Condition | None) -> tuple[Paragraph, ...] | None:
        raw = self.reader.text(node, what)
        if raw is None:
            return None
        result: list[Paragraph] = []
        start = 0
        for match in [*_PARAGRAPH_BREAK.finditer(raw), None]:
            end = match.start() if match else len(raw)
            chunk = raw[start:end]
            if chunk.strip():
                self.check_markup(node, chunk, start, what)
                parts = self._parse_template(node, chunk, start, what)
                if parts is not None:
                    result.append(Paragraph(tuple(_flow(parts)), condition))
            if match:
                start = match.end()
        return tuple(result)

    def _parse_template(self, node: yaml.Node, text: str, base: int, what: str) -> list[TextPart] | None:
        if "{" not in text and "}" not in text:  # most text has no {holes}: skip the scan
            return [text]
        parts: list[TextPart] = []
        pos = 0
        ok = True
        for match in _TEMPLATE.finditer(text):
            parts.append(text[pos : match.start()])
            token = match.group()
            pos = match.end()
            if token == "{{":
                parts.append("{")
            elif token == "}}":
                parts.append("}")
            elif match.group(1) is None:
                self.reader.sink.error(
                    self.reader.locate(node, base + match.start()),
                    f"in {what}: a lone '{token}'; write '{token}{token}' for a literal brace, or {{name}} for a variable",
                )
                ok = False
            else:
                name = match.group(1).strip()
                computed = self.builder.declarations.computed
                if name not in self.variables and name not in computed:
                    self.reader.sink.error(
                        self.reader.locate(node, base + match.start() + 1),
                        f"in {what}: unknown variable '{{{name}}}'{did_you_mean(name, [*self.variables, *computed])}",
                    )
                    ok = False
                else:
                    self.builder.reads.add(name)
                    parts.append(VarRef(name))
        parts.append(text[pos:])
        return parts if ok else None


def _identifier(text: str) -> str:
    """A valid id made from an invalid one (letters, digits and underscores; not starting with a digit)."""
    made = re.sub(r"[^A-Za-z0-9_]+", "_", text.strip()).strip("_") or "story"
    return f"_{made}" if made[0].isdigit() else made


def otherwise_source(sources: list[str]) -> str:
    """The condition an `otherwise` stands for, as source text (so the cache can rebuild it)."""
    return "not (" + " or ".join(f"({source})" for source in sources) + ")"


def _signature(text: str, target: str | None, branches: list[Branch]) -> str:
    """Short hash of what a choice says and where it leads, stored with each action in a save."""
    where = target if target is not None else ",".join(b.target for b in branches)
    return hashlib.sha1(f"{text}\0{where}".encode()).hexdigest()[:8]


_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


_SHARED_TEXT = 80  # texts up to this long are kept once however often they are written (see `template`)


def _flow(parts: list[TextPart]) -> list[TextPart]:
    """Join a paragraph's lines into one flowing line and merge neighbouring text pieces."""
    out: list[TextPart] = []
    for part in parts:
        if isinstance(part, str):
            if "\n" in part:
                part = _LINE_BREAK.sub(" ", part)
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] = out[-1] + part
                continue
        out.append(part)
    if out and isinstance(out[0], str):
        out[0] = out[0].lstrip()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return [p for p in out if p != ""]
