"""The safe YAML composer and source marks (files are found and read by sources.py).

We compose YAML into its node graph (keeping line and column of everything) instead of
constructing Python objects, so every later problem can point at its exact place. Only the
safe loaders are used: `CSafeLoader` where libyaml is present, `SafeLoader` otherwise.
"""

from __future__ import annotations

import yaml

from kuzbass_game.engine.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.sources import SourceFile

try:
    SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    SafeLoader = yaml.SafeLoader

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
        if SafeLoader is not yaml.SafeLoader:  # libyaml counts UTF-8 bytes, not characters
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
