"""The codex, the compile half: a `codex:` mapping read into entries, each problem where it is written.

The run half (what a game has unlocked, searching) is `play/codex.py`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kuzbass_game.engine.core.model import CodexEntry
from kuzbass_game.engine.format.reader import already

if TYPE_CHECKING:
    import yaml

    from kuzbass_game.engine.format.compiler import MarkupCheck
    from kuzbass_game.engine.format.reader import Reader

CODEX_KEYS = ("title", "text", "sources")
MAX_SOURCES = 20
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def read_entries(reader: Reader, node: yaml.Node, entries: dict[str, CodexEntry], markup_check: MarkupCheck | None) -> None:
    """Read a `codex:` mapping into `entries`, reporting each problem where it is written."""
    found = reader.mapping(node, "'codex'")
    twice = lambda e: f"duplicate codex entry '{e}'{already(entries[e].mark)}"
    for entry_id, key_node, body in reader.fresh_ids(found, "a codex id", entries, twice):
        entry = _entry(reader, entry_id, key_node, body, markup_check)
        if entry is not None:
            entries[entry_id] = entry


def _entry(reader: Reader, entry_id: str, key_node: yaml.Node, body: yaml.Node, markup_check: MarkupCheck | None) -> CodexEntry | None:
    what = f"codex entry '{entry_id}'"
    spec = reader.mapping(body, what, CODEX_KEYS, required=("title", "text"))
    if not spec or "title" not in spec or "text" not in spec:
        return None
    title = reader.text(spec["title"][1], f"the title of {what}")
    raw = reader.text(spec["text"][1], f"the text of {what}")
    if title is None or raw is None:
        return None
    paragraphs = _paragraphs(reader, spec["text"][1], raw, what, markup_check)
    if markup_check is not None and "[" in title and markup_check(title) is not None:
        reader.error(spec["title"][1], f"broken markup in the title of {what}")
    sources = _sources(reader, spec["sources"][1], what) if "sources" in spec else ()
    return CodexEntry(entry_id, title.strip(), paragraphs, sources, reader.mark(key_node))


def _paragraphs(reader: Reader, node: yaml.Node, raw: str, what: str, markup_check: MarkupCheck | None) -> tuple[str, ...]:
    """The text's paragraphs (blank lines apart), lines joined, broken markup reported at its character."""
    paragraphs: list[str] = []
    start = 0
    for match in [*_PARAGRAPH_BREAK.finditer(raw), None]:
        end = match.start() if match else len(raw)
        chunk = raw[start:end]
        if chunk.strip():
            if markup_check is not None and "[" in chunk:
                problem = markup_check(chunk)
                if problem is not None:
                    reader.sink.error(reader.locate(node, start + problem[0]), f"broken markup in the text of {what}: {problem[1]}")
            paragraphs.append(_LINE_BREAK.sub(" ", chunk.strip()))
        if match:
            start = match.end()
    return tuple(paragraphs)


def _sources(reader: Reader, node: yaml.Node, what: str) -> tuple[str, ...]:
    sources: list[str] = []
    for item in reader.sequence(node, f"the sources of {what}") or ():
        source = reader.text(item, f"a source of {what}")
        if source is not None:
            sources.append(source.strip())
    if len(sources) > MAX_SOURCES:
        reader.error(node, f"{what} lists more than {MAX_SOURCES} sources")
    return tuple(sources)
