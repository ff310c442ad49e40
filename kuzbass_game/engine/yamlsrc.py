"""The safe YAML composer and source marks (files are found and read by sources.py).

We compose YAML into its node graph (keeping line and column of everything) instead of
constructing Python objects, so every later problem can point at its exact place. Only the
safe loaders are used: `CSafeLoader` where libyaml is present, `SafeLoader` otherwise (below,
with a memo in front of their tag resolver).
"""

from __future__ import annotations

import yaml

from kuzbass_game.engine.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.sources import SourceFile

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader

_PLAIN_TAGS: dict[str, str] = {}  # a short plain scalar's text -> the tag the safe resolver gives it
_CACHED_UP_TO = 64  # longer scalars (story texts) are resolved each time, not kept in the memo


class SafeLoader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, with its tag resolver memoised (a story repeats `goto`, `text` and the
    same few conditions thousands of times, and resolving each was a third of composing).

    Only how tags are found changes, never which: the same implicit resolvers of the safe loader,
    and no path resolvers (the safe loader has none, so descending into them is skipped).
    """

    def descend_resolver(self, current_node, current_index):
        return None

    def ascend_resolver(self):
        return None

    def resolve(self, kind, value, implicit):
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


def _resolve_plain(loader, value: str) -> str:
    """What `BaseResolver.resolve` does for a plain scalar, without the path-resolver steps."""
    table = loader.yaml_implicit_resolvers
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
        if _Base is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
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
