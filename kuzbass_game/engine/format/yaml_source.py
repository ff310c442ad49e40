"""The safe YAML composer and source marks (files are found and read by sources.py).

We compose YAML into its node graph (keeping line and column of everything) instead of
constructing Python objects, so every later problem can point at its exact place. Only the
safe loaders are used: `CSafeLoader` where libyaml is present, `SafeLoader` otherwise (below,
with a memo in front of their tag resolver).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

from kuzbass_game.engine.core.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.format.sources import SourceFile

if TYPE_CHECKING:  # the two loaders have one interface: the type checker is shown the C one's
    _Base = yaml.CSafeLoader
    _LIBYAML: bool
else:
    try:
        _Base = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - libyaml missing
        _Base = yaml.SafeLoader
    _LIBYAML = _Base is not yaml.SafeLoader

_PLAIN_TAGS: dict[str, str] = {}  # a short plain scalar's text -> the tag the safe resolver gives it
_CACHED_UP_TO = 64  # longer scalars (story texts) are resolved each time, not kept in the memo


class SafeLoader(_Base):
    """The safe loader, with its tag resolver memoised (a story repeats `goto`, `text` and the
    same few conditions thousands of times, and resolving each was a third of composing).

    Only how tags are found changes, never which: the same implicit resolvers of the safe loader,
    and no path resolvers (the safe loader has none, so descending into them is skipped).
    """

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is not yaml.ScalarNode:
            return self.DEFAULT_MAPPING_TAG if kind is yaml.MappingNode else self.DEFAULT_SEQUENCE_TAG
        if not implicit[0]:  # quoted or block text: always a string
            return self.DEFAULT_SCALAR_TAG
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            tag = _resolve_plain(self, value)
            if len(value) <= _CACHED_UP_TO:
                _PLAIN_TAGS[value] = tag
        return tag


def _resolve_plain(loader: SafeLoader, value: str) -> str:
    """What `BaseResolver.resolve` does for a plain scalar, without the path-resolver steps."""
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = loader.yaml_implicit_resolvers
    for tag, regexp in table.get(value[:1], []) + table.get(None, []):
        if regexp.match(value):
            return tag
    return loader.DEFAULT_SCALAR_TAG


STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
FLOAT = "tag:yaml.org,2002:float"


def mark_of(node: yaml.Node, display: str) -> Mark:
    start = node.start_mark
    line = start.line + 1
    # one int object per line number, shared by every mark (past 256 each sum is a new 32-byte int)
    return Mark(display, _LINES.setdefault(line, line) if line < _SHARED_LINES else line, start.column + 1)


_LINES: dict[int, int] = {}
_SHARED_LINES = 1 << 16


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
        kinder = _kinder(err, source.text)
        if kinder is not None:
            line, col, message = kinder
            sink.error(Mark(source.display, line, col), f"YAML syntax error: {message}")
            return None
        sink.error(Mark(source.display, line, col), f"YAML syntax error: {problem}{context}")
        return None
    except yaml.reader.ReaderError as err:  # a character YAML refuses, such as a raw terminal escape
        index = err.position
        if _LIBYAML:  # libyaml counts UTF-8 bytes, not characters
            index = len(source.text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        index = max(0, min(index, len(source.text)))
        line = source.text.count("\n", 0, index) + 1
        col = index - (source.text.rfind("\n", 0, index) + 1) + 1
        char = err.character if isinstance(err.character, str) else chr(err.character)
        sink.error(Mark(source.display, line, col), f"the file holds the character U+{ord(char):04X}, which YAML does not allow ({err.reason})")
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


# ---------------------------------------------------------------- YAML's errors in an author's words

_KEY_AND_TEXT = re.compile(r"""^(\s*(?:-\s+)?)([^\s#'"{}\[\]][^:#]*?):\s+(\S.*?)\s*$""")
_STRUCTURE = re.compile(r"\n[ \t]*(?:-[ \t]|[A-Za-z0-9_.\-]+:(?:[ \t]|$))")
_SCAN_LIMIT = 1_000_000  # tokens scanned to find the quote to blame (a 16 MB file has fewer)


def _kinder(err: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str] | None:
    """(line, column, message) for the YAML mistakes authors make most, or None for the rest."""
    problem = err.problem or ""
    mark = err.problem_mark
    if mark is None:
        return None
    lines = text.split("\n")
    line_text = lines[mark.line] if 0 <= mark.line < len(lines) else ""
    char = line_text[mark.column] if 0 <= mark.column < len(line_text) else ""
    if char == "\t" or "tab character" in problem:
        column = mark.column if char == "\t" else max(line_text.find("\t"), 0)
        return mark.line + 1, column + 1, "a tab character: indent with spaces (YAML does not allow tabs for indentation)"
    if problem.startswith("mapping values are not allowed"):
        return mark.line + 1, mark.column + 1, _colon_in_text(line_text, mark.column)
    if err.context == "while scanning a quoted scalar" and err.context_mark is not None:
        opened = err.context_mark
        return opened.line + 1, opened.column + 1, "this quote is never closed: the file ends inside the quoted text"
    quoted = _last_quoted_scalar(text, mark)
    if quoted is not None:
        start, end, style = quoted
        swallowed = text[start.index : end.index]
        if start.line < end.line and end.line == mark.line and _STRUCTURE.search(swallowed):
            return (
                start.line + 1,
                start.column + 1,
                f"this quote is not closed on its line, so the text runs on to the next {style} "
                f"(line {end.line + 1}) and swallows the lines between; close it on this line",
            )
        if start.line == end.line == mark.line and end.column == mark.column:
            inside = "'' for a ' inside single quotes" if style == "'" else '\\" for a " inside double quotes'
            return (
                end.line + 1,
                end.column,
                f"this {style} ends the quoted text early: to put a quote inside the text, "
                f"write {inside}, or quote the text with the other kind of quote",
            )
    if problem.startswith(("did not find expected key", "did not find expected '-' indicator", "expected <block end>")):
        return mark.line + 1, mark.column + 1, _indentation(err)
    return None


def _indentation(err: yaml.MarkedYAMLError) -> str:
    """The message for a line indented out of step with its block (a list item one space off, a key too far in)."""
    started = err.context_mark
    block = f" (the one that starts on line {started.line + 1})" if started is not None else ""
    return (
        f"this line is not indented in step with the block it belongs to{block}: the keys of one mapping "
        "line up exactly, and each list item ('- ...') starts at the same column as the items beside it"
    )


def _colon_in_text(line_text: str, column: int) -> str:
    """The message for `text: Wind: it blows`: YAML took the second ': ' for another key."""
    found = _KEY_AND_TEXT.match(line_text)
    if found is not None and found.end(2) < column and found.group(3)[:1] not in ("'", '"', "|", ">"):
        key, value = found.group(2).strip(), found.group(3)
        shown = value if len(value) <= 40 else value[:39] + "…"
        shown = shown.replace("\\", "\\\\").replace('"', '\\"')
        return (
            f"the text holds ': ', which YAML reads as the start of another key; put the text in double quotes "
            f'({key}: "{shown}") or write it as a block ({key}: |)'
        )
    return "a ': ' inside text, which YAML reads as the start of another key; put the text in double quotes, or write it as a block (|)"


def _last_quoted_scalar(text: str, mark: yaml.Mark) -> tuple[yaml.Mark, yaml.Mark, str] | None:
    """(start mark, end mark, quote) of the last quoted text YAML read before the error, if any."""
    found: tuple[yaml.Mark, yaml.Mark, str] | None = None
    try:
        for count, token in enumerate(yaml.scan(text, Loader=SafeLoader)):
            if count > _SCAN_LIMIT or token.start_mark.index > mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and getattr(token, "style", None) in ('"', "'"):
                found = (token.start_mark, token.end_mark, token.style)
    except (yaml.YAMLError, RecursionError):
        pass
    if found is None or found[1].index > mark.index:
        return None
    return found
