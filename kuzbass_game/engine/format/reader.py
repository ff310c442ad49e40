"""Typed reading of composed YAML nodes, reporting every mismatch with its place.

The loader describes the story format through these small readers; each returns None
after reporting a problem, so loading goes on and the author sees every error at once.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Container, Iterable, Iterator

import yaml

from kuzbass_game.engine.core import suggest
from kuzbass_game.engine.core.diagnostics import DiagnosticSink, Mark
from kuzbass_game.engine.format.yaml_source import BOOL, INT, NULL, STR, describe, mark_of

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
NODE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*\Z")
Entries = dict[str, tuple[yaml.Node, yaml.Node]]  # a mapping's key -> (its key node, its value node)
_LOCATE_WINDOW = 512  # how far `locate` looks for the next character (past indentation, quotes, escapes)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    return suggest.did_you_mean(word, options)  # only a close name (core/suggest.py)


def already(first: Mark | None, verb: str = "defined") -> str:
    """Where a name taken twice was first given: `: already defined at path:line:col` (nothing when unknown)."""
    return f": already {verb} at {first.path}:{first.line}:{first.col}" if first else ""


class Suggester:
    """ "Did you mean" over many names (every node id of a large story), fast for many misspellings.

    difflib compares a word with every option, which for 1,377 broken links in a 10,000-node
    story took 14 s. Here a case-folded exact match is tried first, then only the options that
    share the most three-letter pieces with the word are given to difflib; answers are memoised.
    """

    CANDIDATES = 60

    def __init__(self, options: Iterable[str]) -> None:
        self.options = list(options)
        self.folded = {option.casefold(): option for option in self.options}
        self.memo: dict[str, str] = {}
        self._index: dict[str, list[int]] | None = None

    @staticmethod
    def _grams(word: str) -> set[str]:
        padded = f"  {word.casefold()} "
        return {padded[i : i + 3] for i in range(len(padded) - 2)}

    def __call__(self, word: str) -> str:
        found = self.memo.get(word)
        if found is not None:
            return found
        exact = self.folded.get(word.casefold())
        if exact is not None and exact != word:
            answer = f"; did you mean '{exact}'?"
        elif len(self.options) <= self.CANDIDATES:
            answer = did_you_mean(word, self.options)
        else:
            if self._index is None:
                self._index = {}
                for number, option in enumerate(self.options):
                    for gram in self._grams(option):
                        self._index.setdefault(gram, []).append(number)
            shared: dict[int, int] = {}
            postings = sorted((self._index.get(gram, ()) for gram in self._grams(word)), key=len)
            for posting in postings:  # the rarest pieces first; the commonest tell little and cost most
                if shared and len(posting) > 4 * self.CANDIDATES and len(shared) >= self.CANDIDATES:
                    break
                for number in posting:
                    shared[number] = shared.get(number, 0) + 1
            best = sorted(shared, key=shared.__getitem__, reverse=True)[: self.CANDIDATES]
            answer = did_you_mean(word, [self.options[n] for n in best])
        self.memo[word] = answer
        return answer


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def control_character(text: str) -> str | None:
    """The first control character in `text` (other than newline and tab), if any.

    Story text reaches a terminal: an escape sequence hidden in a YAML string could
    move the cursor or change colours, so such characters are refused at load time.
    """
    match = _CONTROL.search(text)
    return match.group() if match else None


class Reader:
    """Reads one file's YAML nodes against the format, reporting into a shared sink."""

    def __init__(self, display: str, sink: DiagnosticSink, source_text: str = "") -> None:
        self.display = display
        self.sink = sink
        self.source = source_text
        self._cursor: tuple[yaml.Node, int, int] | None = None  # where `locate` stopped last
        self._line_starts: list[int] | None = None
        self._seen: set[int] = set()

    def mark(self, node: yaml.Node) -> Mark:
        return mark_of(node, self.display)

    def error(self, node: yaml.Node, message: str) -> None:
        self.sink.error(self.mark(node), message)

    def warning(self, node: yaml.Node, message: str) -> None:
        self.sink.warning(self.mark(node), message)

    def _first_visit(self, node: yaml.Node) -> bool:
        """Refuse reuse of a node (a YAML alias), which is how alias bombs multiply."""
        if id(node) in self._seen:
            self.error(node, "YAML aliases (*name) are not supported in stories; write the value out")
            return False
        self._seen.add(id(node))
        return True

    def mapping(self, node: yaml.Node, what: str, allowed: Iterable[str] | None = None, required: Iterable[str] = ()) -> Entries | None:
        """Key -> (key node, value node), checking duplicates, unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values, not {describe(node)}")
            return None
        if not self._first_visit(node):
            return None
        allowed_set = None if allowed is None else tuple(allowed)
        result: Entries = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<":  # tagged ...:merge
                self.error(key_node, "YAML merge keys (<<) are not supported in stories")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (STR, INT, BOOL):
                self.error(key_node, f"keys in {what} must be plain names, not {describe(key_node)}")
                continue
            key = key_node.value
            if key in result:
                first = self.mark(result[key][0])
                self.error(key_node, f"duplicate key '{key}' in {what} (first defined at line {first.line})")
                continue
            if allowed_set is not None and key not in allowed_set:
                self.error(key_node, f"unknown key '{key}' in {what}{did_you_mean(key, allowed_set)}; allowed keys: {', '.join(allowed_set)}")
                continue
            result[key] = (key_node, value_node)
        for key in required:
            if key not in result:
                self.error(node, f"{what} is missing the required key '{key}'")
        return result

    def fresh_ids(
        self, found: Entries | None, what: str, taken: Container[str], twice: Callable[[str], str]
    ) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """The entries of a mapping keyed by ids (nodes, codex entries, people), in order: those whose id
        is well formed and not in `taken` (checked as each is reached). Each other is reported at its key:
        `what` names an id ("a node id"), `twice(id)` words one taken before."""
        for name, (key_node, body) in (found or {}).items():
            if not NODE_ID.match(name):
                self.error(key_node, f"'{name}' cannot be {what}: use letters, digits, '_', '-' and '.' only")
            elif name in taken:
                self.error(key_node, twice(name))
            else:
                yield name, key_node, body

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"{what} must be a list (lines starting with '- '), not {describe(node)}")
            return None
        if not self._first_visit(node):
            return None
        return list(node.value)

    def text(self, node: yaml.Node, what: str, allow_empty: bool = False) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != STR:
            hint = " (put it in double quotes)" if isinstance(node, yaml.ScalarNode) and node.tag != NULL else ""
            self.error(node, f"{what} must be text, not {describe(node)}{hint}")
            return None
        value: str = node.value  # (a scalar's value is its text)
        bad = control_character(value)
        if bad is not None:
            self.sink.error(
                self.locate(node, value.index(bad)),
                f"{what} contains the control character U+{ord(bad):04X}; terminal escape codes are not allowed in story text",
            )
            return None
        if (bidi := BIDI_CONTROLS.search(value)) is not None:
            self.sink.warning(
                self.locate(node, bidi.start()),
                f"{what} contains the bidirectional control U+{ord(bidi.group()):04X}, which reorders how a line is shown; it is removed",
            )
            value = BIDI_CONTROLS.sub("", value)
        if not allow_empty and not value.strip():
            self.error(node, f"{what} is empty")
            return None
        return value

    def integer(self, node: yaml.Node, what: str) -> int | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != INT:
            self.error(node, f"{what} must be a whole number, not {describe(node)}")
            return None
        try:
            value = int(node.value.replace("_", ""), 0)
        except ValueError:
            self.error(node, f"{what} must be a whole number written in digits")
            return None
        if abs(value) > 10**12:
            self.error(node, f"{what} is too large (the limit is 10^12)")
            return None
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL:
            self.error(node, f"{what} must be true or false, not {describe(node)}")
            return None
        return node.value.lower() in ("true", "yes", "on")

    def expression_source(self, node: yaml.Node, what: str) -> str | None:
        """An expression written as YAML text; a bare true/false or number is accepted too."""
        if isinstance(node, yaml.ScalarNode) and node.tag in (BOOL, INT):
            if node.tag == BOOL:  # YAML's yes/no/on/off are true/false too, as `once: yes` is
                return "true" if node.value.lower() in ("true", "yes", "on") else "false"
            digits: str = node.value
            return digits
        return self.text(node, what)

    def locate(self, node: yaml.Node, offset: int) -> Mark:
        """The file position of character `offset` inside a scalar's value.

        The value's characters are matched, in order, against the scalar's source text, so the
        place is exact for every style: plain and quoted scalars folded over several lines,
        escapes such as `\\"`, and indented block scalars (`|` and `>`). Successive calls on
        one scalar with growing offsets resume where the last stopped, so many problems in one
        long text cost no more than one pass over it.
        """
        value = node.value if isinstance(node.value, str) else ""
        start, end = node.start_mark.index, node.end_mark.index
        source = self.source
        if not source or not 0 <= start <= end <= len(source):
            return self.mark(node)
        offset = max(0, min(offset, len(value.rstrip())))  # "the end" is just after the last word
        cursor = self._cursor
        if cursor is not None and cursor[0] is node and cursor[1] <= offset:
            done, pos = cursor[1], cursor[2]
        else:
            done = 0
            style = getattr(node, "style", None)
            if style in ("|", ">"):
                newline = source.find("\n", start, end)  # skip the header line (`|`, `>-`, a comment)
                pos = end if newline < 0 else newline + 1
            else:
                pos = start + (1 if style in ('"', "'") else 0)
        for char in value[done:offset]:
            if char.isspace():
                if pos < end and source[pos] == char:
                    pos += 1
                continue
            found = source.find(char, pos, min(end, pos + _LOCATE_WINDOW))
            if found >= 0:  # a character made by an escape (\x41) is not in the source: skip it
                pos = found + 1
        self._cursor = (node, offset, pos)
        if offset < len(value) and not value[offset].isspace():
            found = source.find(value[offset], pos, min(end, pos + _LOCATE_WINDOW))
            if found >= 0:
                pos = found
        index = min(pos, end)
        if self._line_starts is None:
            self._line_starts = [0] + [match.end() for match in re.finditer("\n", source)]
        line = bisect.bisect_right(self._line_starts, index)
        return Mark(self.display, line, index - self._line_starts[line - 1] + 1)
