"""The codex: entries that explain terms, people and disputed facts, unlocked by reaching nodes.

What a player has unlocked is not stored anywhere: it follows from the nodes visited in this
game (every node names the entries it unlocks), so saves, rewinds and replays need nothing new.
This is the run half; reading entries from YAML is the compile half, `format/codex.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kuzbass_game.engine.core.model import CodexEntry, Story


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


def search_codex(entries: Iterable[CodexEntry], query: str) -> list[CodexEntry]:
    """Entries whose title or text holds every word of the query (case-insensitive)."""
    words = query.casefold().split()
    return [e for e in entries if all(w in (e.title + " " + " ".join(e.text)).casefold() for w in words)]
