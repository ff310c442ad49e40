"""The codex: entries that explain terms, people and disputed facts, unlocked by reaching nodes.

What a player has unlocked is not stored anywhere: it follows from the nodes visited in this
game (every node names the entries it unlocks), so saves, rewinds and replays need nothing new.
Reading entries (YAML) is only imported by the compiler; the runtime half needs no YAML.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from collections.abc import Iterable, Mapping

from kuzbass_game.engine.model import CodexEntry, Story

if TYPE_CHECKING:
    import yaml

    from kuzbass_game.engine.compiler import MarkupCheck
    from kuzbass_game.engine.schema import Reader

CODEX_KEYS = ("title", "text", "sources")
MAX_SOURCES = 20
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")


def read_entries(reader: Reader, node: yaml.Node, entries: dict[str, CodexEntry], markup_check: MarkupCheck | None) -> None:
    """Read a `codex:` mapping into `entries`, reporting each problem where it is written."""
    from kuzbass_game.engine.schema import NODE_ID

    found = reader.mapping(node, "'codex'")
    for entry_id, (key_node, body) in (found or {}).items():
        what = f"codex entry '{entry_id}'"
        if not NODE_ID.match(entry_id):
            reader.error(key_node, f"'{entry_id}' cannot be a codex id: use letters, digits, '_', '-' and '.' only")
            continue
        if entry_id in entries:
            first = entries[entry_id].mark
            where = f": already defined at {first.path}:{first.line}:{first.col}" if first else ""
            reader.error(key_node, f"duplicate codex entry '{entry_id}'{where}")
            continue
        spec = reader.mapping(body, what, CODEX_KEYS, required=("title", "text"))
        if not spec or "title" not in spec or "text" not in spec:
            continue
        title = reader.text(spec["title"][1], f"the title of {what}")
        raw = reader.text(spec["text"][1], f"the text of {what}")
        if title is None or raw is None:
            continue
        paragraphs: list[str] = []
        start = 0
        for match in [*_PARAGRAPH_BREAK.finditer(raw), None]:
            end = match.start() if match else len(raw)
            chunk = raw[start:end]
            if chunk.strip():
                if markup_check is not None and "[" in chunk:
                    problem = markup_check(chunk)
                    if problem is not None:
                        reader.sink.error(reader.locate(spec["text"][1], start + problem[0]), f"broken markup in the text of {what}: {problem[1]}")
                paragraphs.append(_LINE_BREAK.sub(" ", chunk.strip()))
            if match:
                start = match.end()
        if markup_check is not None and "[" in title and markup_check(title) is not None:
            reader.error(spec["title"][1], f"broken markup in the title of {what}")
        sources: list[str] = []
        if "sources" in spec:
            for item in reader.sequence(spec["sources"][1], f"the sources of {what}") or ():
                source = reader.text(item, f"a source of {what}")
                if source is not None:
                    sources.append(source.strip())
            if len(sources) > MAX_SOURCES:
                reader.error(spec["sources"][1], f"{what} lists more than {MAX_SOURCES} sources")
        entries[entry_id] = CodexEntry(entry_id, title.strip(), tuple(paragraphs), tuple(sources), reader.mark(key_node))


def unlocked(story: Story, visits: Mapping[str, int]) -> list[CodexEntry]:
    """Entries unlocked in a game, in the order the player met them."""
    seen: dict[str, CodexEntry] = {}
    codex = story.codex
    if not codex:
        return []
    nodes = story.nodes
    for node_id in visits:
        node = nodes.get(node_id)
        if node is None:
            continue
        for entry_id in node.unlocks:
            if entry_id not in seen and entry_id in codex:
                seen[entry_id] = codex[entry_id]
    return list(seen.values())


def search(entries: Iterable[CodexEntry], query: str) -> list[CodexEntry]:
    """Entries whose title or text holds every word of the query (case-insensitive)."""
    words = query.casefold().split()
    return [e for e in entries if all(w in (e.title + " " + " ".join(e.text)).casefold() for w in words)]
