"""Write docs/dev/continuity-ledger.md: every fact of story/ledger.yaml, where it is set and where read.

    .venv/bin/python scripts/continuity_ledger.py

Read from the compiled campaign: a fact is "set" where an effect (a choice's, a node's, a
routine's run there) or a vote's record writes it, and "read" where a condition, a text, a lock
or a vote's move reads it. Run it after a story edit that adds or moves a fact.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuzbass_game.engine.core.model import VarRef  # noqa: E402
from kuzbass_game.engine.load import load_story  # noqa: E402


def main() -> int:
    story = load_story(ROOT / "story").story
    if story is None:
        print("the story has errors: run 'kuzbass check story'", file=sys.stderr)
        return 1
    ledger_text = (ROOT / "story" / "ledger.yaml").read_text(encoding="utf-8")
    facts = list((yaml.safe_load(ledger_text) or {}).get("variables") or {})
    sections = _sections(ledger_text)
    sets: dict[str, set[str]] = defaultdict(set)
    reads: dict[str, set[str]] = defaultdict(set)
    for node_id, node in story.nodes.items():
        _scan_node(story, node_id, node, sets, reads)
    lines = [
        "# The continuity ledger",
        "",
        "Each fact the story establishes about the player that a later chapter reads is one variable,",
        "declared in `story/ledger.yaml` under the chapter that sets it. This table is written by",
        "`scripts/continuity_ledger.py` from the compiled campaign: where each fact is set (effects,",
        "a vote's record) and where it is read (conditions, texts, locks, a vote's moves). The chapter",
        "notes in `docs/dev/ledger/` say why each fact exists and which contradictions it fixed; the",
        "persona routes in `story/tests/` pin them with checkpoints.",
        "",
    ]
    for section, names in sections:
        lines += [f"## {section}", "", "| fact | values | set in | read in |", "|---|---|---|---|"]
        for name in names:
            if name not in facts:
                continue
            var = story.variables[name]
            values = ", ".join(var.values) if var.values else var.type
            lines.append(f"| `{name}` | {values} | {_nodes(sets[name])} | {_nodes(reads[name])} |")
        lines.append("")
    (ROOT / "docs" / "dev" / "continuity-ledger.md").write_text("\n".join(lines), encoding="utf-8")
    return 0


def _sections(text: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        heading = re.match(r"\s*# --- (.+?) ---", line)
        if heading:
            sections.append((heading.group(1).capitalize(), []))
        key = re.match(r"  ([A-Za-z_]\w*):\s*$", line)
        if key and sections:
            sections[-1][1].append(key.group(1))
    return sections


def _scan_node(story, node_id, node, sets, reads) -> None:
    """Note the node as a setter or a reader of every name its parts write or read."""
    effects = [node.effects, *(choice.effects for choice in node.choices)]
    conditions = [paragraph.condition for paragraph in node.paragraphs]
    for choice in node.choices:
        conditions += [choice.condition, *(branch.condition for branch in choice.branches)]
    if node.vote is not None:
        conditions += [move.condition for faction in node.vote.factions for move in faction.moves]
        if node.vote.record:
            sets[node.vote.record].add(node_id)
    for item in effects:
        if item is not None:
            _note(item.writes, sets, node_id)
            _note(item.reads, reads, node_id)
    for item in conditions:
        if item is not None:
            _note(item.reads, reads, node_id)
    _note((part.name for paragraph in node.paragraphs for part in paragraph.parts if isinstance(part, VarRef)), reads, node_id)


def _note(names, into, node_id) -> None:
    for name in names:
        into[name].add(node_id)


def _nodes(ids: set[str], limit: int = 12) -> str:
    shown = sorted(ids)
    text = ", ".join(f"`{i}`" for i in shown[:limit])
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "") if shown else "—"


if __name__ == "__main__":
    raise SystemExit(main())
