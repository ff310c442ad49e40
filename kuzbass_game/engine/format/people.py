"""The people a run may keep, the compile half: a `people:` mapping read into persons, each problem where it is written.

Each person is an id and a list of lines (or one line): a text (story markup, `{name}` holes) and
an `if`, a condition compiled as a choice's is (parsed once, type-checked, never `eval`'d). The
run half (`play/summary.py`) shows, for each person, the first line whose condition holds at the
end of the run, under "Who stayed with you".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from kuzbass_game.engine.core.model import Person, PersonLine
from kuzbass_game.engine.format.reader import already

if TYPE_CHECKING:
    from kuzbass_game.engine.format.compiler import NodeCompiler

PERSON_LINE_KEYS = ("text", "if")
MAX_LINES = 20  # lines of one person: their outcomes, not a chapter


def read_people(compiler: NodeCompiler, node: yaml.Node, people: dict[str, Person]) -> None:
    """Read a `people:` mapping into `people` (story-wide, in the order declared), reporting each problem where it is written."""
    reader = compiler.reader
    found = reader.mapping(node, "'people'")
    twice = lambda p: f"person '{p}' is declared twice{already(people[p].mark, 'declared')}"
    for person_id, key_node, body in reader.fresh_ids(found, "a person's id", people, twice):
        person = _person(compiler, person_id, key_node, body)
        if person is not None:
            people[person_id] = person


def _person(compiler: NodeCompiler, person_id: str, key_node: yaml.Node, body: yaml.Node) -> Person | None:
    """One person: a single line (a mapping), or a list of them, the first that holds shown."""
    reader = compiler.reader
    what = f"person '{person_id}'"
    items = reader.sequence(body, f"the lines of {what}") if isinstance(body, yaml.SequenceNode) else [body]
    if items is None:
        return None
    if not items:
        reader.error(body, f"{what} has no lines: give each a 'text', and an 'if' for when it is said")
        return None
    if len(items) > MAX_LINES:
        reader.error(body, f"{what} has {len(items)} lines; at most {MAX_LINES}")
        return None
    lines = [_line(compiler, item, f"line {number} of {what}" if len(items) > 1 else what) for number, item in enumerate(items, 1)]
    _warn_unreachable(compiler, items, lines, what)
    kept = tuple(line for line in lines if line is not None)
    if len(kept) < len(lines):
        return None  # a broken line is reported; the person is left out rather than shown with a line missing
    return Person(person_id, kept, reader.mark(key_node))


def _line(compiler: NodeCompiler, item: yaml.Node, what: str) -> PersonLine | None:
    reader = compiler.reader
    spec = reader.mapping(item, what, PERSON_LINE_KEYS, required=("text",))
    if spec is None or "text" not in spec:
        return None
    text = compiler.template(spec["text"][1], f"the text of {what}")
    condition = compiler.condition(spec["if"][1], f"the condition of {what}") if "if" in spec else None
    if text is None or ("if" in spec and condition is None):
        return None
    return PersonLine(text, condition, reader.mark(item))


def _warn_unreachable(compiler: NodeCompiler, items: list[yaml.Node], lines: list[PersonLine | None], what: str) -> None:
    """A line after one without an `if` is never said: the earlier one always holds."""
    for number, line in enumerate(lines[:-1], 1):
        if line is not None and line.condition is None:
            compiler.reader.warning(items[number], f"line {number + 1} of {what} is never said: line {number} has no 'if', so it always holds")
            return
