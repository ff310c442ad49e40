"""YAML story files -> `Story`: every key, expression and text template compiled, every problem
reported as a `Diagnostic` with its file, line and column.

Two passes: node files are compiled one at a time (ids collected across the whole story), then
whatever names another node is checked once every id is known. Only loaded on a cache miss.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable

import yaml

from kuzbass_game.engine import expr
from kuzbass_game.engine.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.model import Branch, Choice, Ending, InputSpec, Node, Paragraph, Story, TextPart, Variable, VarRef
from kuzbass_game.engine.schema import IDENTIFIER, NODE_ID, Reader, did_you_mean
from kuzbass_game.engine.sources import SourceFile
from kuzbass_game.engine.yamlsrc import compose

MANIFEST_KEYS = ("id", "title", "start", "author", "description", "variables")
VARIABLE_KEYS = ("type", "default", "min", "max", "label")
NODE_KEYS = ("text", "chapter", "date", "effects", "choices", "ending", "input")
CHOICE_KEYS = ("text", "goto", "random", "if", "locked", "effects", "once")
BRANCH_KEYS = ("goto", "weight", "if")
ENDING_KEYS = ("title",)
INPUT_KEYS = ("var", "prompt", "max_length")
PARAGRAPH_KEYS = ("text", "if")
RESERVED_NAMES = {"and", "or", "not", "true", "false", "min", "max", "visited", "visits"}
TYPE_DEFAULTS: dict[str, expr.Value] = {"int": 0, "bool": False, "text": ""}
MAX_CHOICES = 9  # the player picks with the keys 1-9
MAX_LABEL = 24


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_TEMPLATE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


# A face's markup parser, handed in so the engine imports none: given a text, the offset of its
# first markup problem and what is wrong there, or None when the text renders as written.
MarkupCheck = Callable[[str], "tuple[int, str] | None"]


class StoryBuilder:
    def __init__(self, sink: DiagnosticSink, markup_check: MarkupCheck | None = None) -> None:
        self.sink = sink
        self.markup_check = markup_check
        self.meta: dict[str, str] = {}
        self.meta_marks: dict[str, Mark] = {}
        self.variables: dict[str, Variable] = {}
        self.nodes: dict[str, Node] = {}
        self.node_marks: dict[str, Mark] = {}
        # Node files are compiled one at a time and their YAML dropped, so memory holds one file's
        # YAML, not the whole story's. Whatever names another node is checked once all are known:
        self.pending_targets: list[tuple[str, Mark, str]] = []  # (target, where, what)
        self.pending_refs: list[tuple[str, Mark, str, str]] = []  # (node id, where, what, function)
        self.memo: dict[tuple[str, str], object] = {}  # the same expression text compiles once per story
        self.manifest_seen = False
        # Set when a node file could not be read: its nodes are unknown, so "goes to a node that
        # does not exist" would mostly be false alarms caused by that one broken file.
        self.incomplete = False

    # ---------------------------------------------------------------- manifest
    def read_manifest(self, source: SourceFile) -> None:
        self.manifest_seen = True
        reader = Reader(source.display, self.sink, source.text)
        root = compose(source, self.sink)
        if root is None:
            return
        entries = reader.mapping(root, "the manifest", MANIFEST_KEYS, required=("id", "title", "start"))
        if entries is None:
            return
        for key in ("id", "title", "start", "author", "description"):
            if key in entries:
                key_node, value_node = entries[key]
                value = reader.text(value_node, f"the manifest's '{key}'")
                if value is not None:
                    self.meta[key] = value.strip()
                    self.meta_marks[key] = reader.mark(value_node)
        if "id" in self.meta and not IDENTIFIER.match(self.meta["id"]):
            reader.error(entries["id"][1], "the story id may hold only letters, digits and underscores")
            self.meta.pop("id")
        if "variables" in entries:
            self._read_variables(reader, entries["variables"][1])

    def _read_variables(self, reader: Reader, node: yaml.Node) -> None:
        entries = reader.mapping(node, "'variables'")
        if entries is None:
            return
        for name, (key_node, spec_node) in entries.items():
            if not IDENTIFIER.match(name) or name in RESERVED_NAMES:
                reader.error(key_node, f"'{name}' cannot be a variable name: use letters, digits and underscores, not a reserved word")
                continue
            var = self._read_variable(reader, name, key_node, spec_node)
            if var is not None:
                self.variables[name] = var

    def _read_variable(self, reader: Reader, name: str, key_node: yaml.Node, spec_node: yaml.Node) -> Variable | None:
        what = f"variable '{name}'"
        spec = reader.mapping(spec_node, what, VARIABLE_KEYS, required=("type",))
        if spec is None or "type" not in spec:
            return None
        var_type = reader.text(spec["type"][1], f"the type of {what}")
        if var_type not in expr.TYPES:
            if var_type is not None:
                reader.error(spec["type"][1], f"unknown type '{var_type}' for {what}{did_you_mean(var_type, expr.TYPES)}; use int, bool or text")
            return None
        minimum = maximum = None
        for bound in ("min", "max"):
            if bound in spec:
                if var_type != "int":
                    reader.error(spec[bound][0], f"'{bound}' only applies to int variables; {what} is {var_type}")
                    continue
                value = reader.integer(spec[bound][1], f"'{bound}' of {what}")
                if bound == "min":
                    minimum = value
                else:
                    maximum = value
        if minimum is not None and maximum is not None and minimum > maximum:
            reader.error(spec["max"][1], f"'max' of {what} ({maximum}) is below its 'min' ({minimum})")
            return None
        default: expr.Value = TYPE_DEFAULTS[var_type]
        if "default" in spec:
            value_node = spec["default"][1]
            read = {"int": reader.integer, "bool": reader.boolean}.get(var_type)
            got = read(value_node, f"the default of {what}") if read else reader.text(value_node, f"the default of {what}", allow_empty=True)
            if got is None:
                return None
            default = got
            if var_type == "int" and ((minimum is not None and got < minimum) or (maximum is not None and got > maximum)):  # type: ignore[operator]
                reader.error(value_node, f"the default of {what} ({got}) is outside its range {minimum}..{maximum}")
        label = None
        if "label" in spec:
            label = reader.text(spec["label"][1], f"the label of {what}")
            if label is not None and len(label) > MAX_LABEL:
                reader.warning(spec["label"][1], f"the label of {what} is longer than {MAX_LABEL} characters and will be cut in the status panel")
        return Variable(name, var_type, default, minimum, maximum, label, reader.mark(key_node))

    # ---------------------------------------------------------------- nodes
    def collect_nodes(self, source: SourceFile) -> None:
        reader = Reader(source.display, self.sink, source.text)
        root = compose(source, self.sink)
        if root is None:
            self.incomplete = True
            return
        entries = reader.mapping(root, "a story file", ("nodes",), required=("nodes",))
        if entries is None or "nodes" not in entries:
            return
        nodes = reader.mapping(entries["nodes"][1], "'nodes'")
        if nodes is None:
            return
        if not nodes:
            reader.warning(entries["nodes"][0], "this file declares no nodes")
        scope = expr.Scope({name: var.type for name, var in self.variables.items()}, None,
                           {name: (var.minimum, var.maximum) for name, var in self.variables.items() if var.type == "int"})
        compiler = _NodeCompiler(reader, scope, self.variables, self)
        for node_id, (key_node, body) in nodes.items():
            if not NODE_ID.match(node_id):
                reader.error(key_node, f"'{node_id}' cannot be a node id: use letters, digits, '_', '-' and '.' only")
                continue
            if node_id in self.node_marks:
                first = self.node_marks[node_id]
                reader.error(key_node, f"duplicate node id '{node_id}': already defined at {first.path}:{first.line}:{first.col}")
                continue
            self.node_marks[node_id] = reader.mark(key_node)
            node = compiler.compile(node_id, key_node, body)
            if node is not None:
                self.nodes[node_id] = node

    def check_references(self) -> None:
        """Targets and visited()/visits() names, now that every node id is known."""
        if self.incomplete:
            return  # names into the file that could not be read would be false alarms
        known = self.node_marks
        for target, mark, what in self.pending_targets:
            if target not in known:
                self.sink.error(mark, f"{what} goes to '{target}', which does not exist{did_you_mean(target, known)}")
        for node_id, mark, what, function in self.pending_refs:
            if node_id not in known:
                self.sink.error(mark, f"in {what}: {function}() names an unknown node '{node_id}'{did_you_mean(node_id, known)}")

    def build(self, root: Path, story_fingerprint: str) -> Story | None:
        self.check_references()
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
            author=self.meta.get("author"),
        )


class _NodeCompiler:
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

    def _compiled(self, kind: str, source: str):
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
        return found

    def compile(self, node_id: str, key_node: yaml.Node, body: yaml.Node) -> Node | None:
        r = self.reader
        entries = r.mapping(body, f"node '{node_id}'", NODE_KEYS, required=("text",))
        if entries is None:
            return None
        paragraphs: tuple = ()
        if "text" in entries:
            paragraphs = self.paragraphs(entries["text"][1], f"the text of node '{node_id}'") or ()
        chapter = date = None
        if "chapter" in entries:
            chapter = self.markup_text(entries["chapter"][1], f"the chapter of node '{node_id}'")
        if "date" in entries:
            date = self.markup_text(entries["date"][1], f"the date of node '{node_id}'")
        effects = self.effects(entries["effects"][1], f"the effects of node '{node_id}'") if "effects" in entries else None
        ending = None
        if "ending" in entries:
            spec = r.mapping(entries["ending"][1], f"the ending of node '{node_id}'", ENDING_KEYS, required=("title",))
            if spec and "title" in spec:
                title = self.markup_text(spec["title"][1], f"the ending title of node '{node_id}'")
                if title is not None:
                    ending = Ending(title.strip())
        input_spec = self.input(node_id, entries["input"][1]) if "input" in entries else None
        choices: list[Choice] = []
        if "choices" in entries:
            items = r.sequence(entries["choices"][1], f"the choices of node '{node_id}'")
            for index, item in enumerate(items or ()):
                choice = self.choice(node_id, index, item)
                if choice is not None:
                    choices.append(choice)
            if items is not None and len(items) > MAX_CHOICES:
                r.error(entries["choices"][1], f"node '{node_id}' has {len(items)} choices; at most {MAX_CHOICES} fit the number keys")
            if items == []:
                r.warning(entries["choices"][1], f"node '{node_id}' has an empty choice list")
        if ending is not None and choices:
            r.error(entries["ending"][0], f"node '{node_id}' is an ending but also has choices; an ending closes the story")
        if ending is not None and input_spec is not None:
            r.error(entries["input"][0], f"node '{node_id}' is an ending and cannot ask for input")
        return Node(node_id, paragraphs, tuple(choices), effects, chapter, date, ending, input_spec, r.mark(key_node))

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
        if declared.type != "text":
            r.error(spec["var"][1], f"input can only fill a text variable; '{var}' is {declared.type}")
            return None
        return InputSpec(var, prompt.strip(), max_length)

    def choice(self, node_id: str, index: int, node: yaml.Node) -> Choice | None:
        r = self.reader
        what = f"choice {index + 1} of node '{node_id}'"
        spec = r.mapping(node, what, CHOICE_KEYS, required=("text",))
        if spec is None:
            return None
        text_parts = self.template(spec["text"][1], f"the text of {what}") if "text" in spec else None
        target = None
        branches: list[Branch] = []
        if "goto" in spec and "random" in spec:
            r.error(spec["random"][0], f"{what} has both 'goto' and 'random'; use one")
        elif "goto" in spec:
            target = self.target(spec["goto"][1], what)
        elif "random" in spec:
            items = r.sequence(spec["random"][1], f"the random branches of {what}") or []
            for item in items:
                branch = self.branch(item, what)
                if branch is not None:
                    branches.append(branch)
            if not items and isinstance(spec["random"][1], yaml.SequenceNode):
                r.error(spec["random"][1], f"the random branches of {what} are empty")
        else:
            r.error(node, f"{what} needs 'goto' (a node id) or 'random' (weighted branches)")
        condition = self.condition(spec["if"][1], f"the condition of {what}") if "if" in spec else None
        locked = None
        if "locked" in spec:
            locked = self.template(spec["locked"][1], f"the locked reason of {what}")
            if "if" not in spec:
                r.warning(spec["locked"][0], f"{what} has a 'locked' reason but no 'if', so it is never locked")
        effects = self.effects(spec["effects"][1], f"the effects of {what}") if "effects" in spec else None
        once = bool(r.boolean(spec["once"][1], f"'once' of {what}")) if "once" in spec else False
        if text_parts is None or (target is None and not branches):
            return None
        signature = _signature(spec["text"][1].value, target, branches)
        return Choice(node_id, index, text_parts, target, tuple(branches), condition, locked, effects, once,
                      r.mark(node), signature)

    def branch(self, node: yaml.Node, what: str) -> Branch | None:
        r = self.reader
        spec = r.mapping(node, f"a random branch of {what}", BRANCH_KEYS, required=("goto",))
        if spec is None or "goto" not in spec:
            return None
        target = self.target(spec["goto"][1], f"a random branch of {what}")
        weight = 1
        if "weight" in spec:
            weight = r.integer(spec["weight"][1], "a branch weight")
            if weight is None:
                return None
            if weight < 1 or weight > 1_000_000:
                r.error(spec["weight"][1], "a branch weight must be a whole number from 1 to 1000000")
                return None
        condition = self.condition(spec["if"][1], f"the condition of a random branch of {what}") if "if" in spec else None
        if target is None:
            return None
        return Branch(target, weight, condition, r.mark(node))

    def target(self, node: yaml.Node, what: str) -> str | None:
        target = self.reader.text(node, f"the target of {what}")
        if target is None:
            return None
        target = target.strip()
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
        return compiled

    def _defer_refs(self, refs, node: yaml.Node, what: str) -> None:
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
        if not compiled:
            return None
        if len(compiled) == 1:
            return compiled[0]
        return expr.Effects(
            "; ".join(e.source for e in compiled),
            tuple(a for e in compiled for a in e.assignments),
            tuple(ref for e in compiled for ref in e.node_refs),
        )

    def template(self, node: yaml.Node, what: str) -> tuple[TextPart, ...] | None:
        raw = self.reader.text(node, what)
        if raw is None:
            return None
        self.check_markup(node, raw, 0, what)
        parts = self._parse_template(node, raw, 0, what)
        return None if parts is None else tuple(_flow(parts))

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

    def _block(self, node: yaml.Node, what: str, condition) -> tuple[Paragraph, ...] | None:
        raw = self.reader.text(node, what)
        if raw is None:
            return None
        result = []
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
            parts.append(text[pos:match.start()])
            token = match.group()
            pos = match.end()
            if token == "{{":
                parts.append("{")
            elif token == "}}":
                parts.append("}")
            elif match.group(1) is None:
                self.reader.sink.error(self.reader.locate(node, base + match.start()),
                                       f"in {what}: a lone '{token}'; write '{token}{token}' for a literal brace, or {{name}} for a variable")
                ok = False
            else:
                name = match.group(1).strip()
                if name not in self.variables:
                    self.reader.sink.error(self.reader.locate(node, base + match.start() + 1),
                                           f"in {what}: unknown variable '{{{name}}}'{did_you_mean(name, self.variables)}")
                    ok = False
                else:
                    parts.append(VarRef(name))
        parts.append(text[pos:])
        return parts if ok else None


def _signature(text: str, target: str | None, branches: list[Branch]) -> str:
    """Short hash of what a choice says and where it leads, stored with each action in a save."""
    where = target if target is not None else ",".join(b.target for b in branches)
    return hashlib.sha1(f"{text}\0{where}".encode()).hexdigest()[:8]


_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


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
