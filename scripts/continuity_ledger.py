"""Write docs/dev/continuity-ledger.md: every fact of story/ledger.yaml, where it is set and where read.

    .venv/bin/python scripts/continuity_ledger.py           # write it
    .venv/bin/python scripts/continuity_ledger.py --check   # exit 1 if it is not what the story says

Read from the compiled campaign: a fact is "set" where an effect (a choice's, a node's, a
routine's run there) or a vote's record writes it, and "read" where a condition, a text, a lock
or a vote's move reads it, itself or through a computed value that reads it; "the status" where
a value of the status panel is shown only while it holds. Run it after a story edit that adds or
moves a fact (tests/test_campaign.py runs `--check`).
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


LEDGER = ROOT / "docs" / "dev" / "continuity-ledger.md"


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    story = load_story(ROOT / "story").story
    if story is None:
        print("the story has errors: run 'kuzbass check story'", file=sys.stderr)
        return 1
    text = ledger(story)
    if check:
        if LEDGER.read_text(encoding="utf-8") != text:
            print(f"{LEDGER.relative_to(ROOT)} is not what the story says: run scripts/continuity_ledger.py", file=sys.stderr)
            return 1
        return 0
    LEDGER.write_text(text, encoding="utf-8")
    return 0


def ledger(story) -> str:
    """The ledger's text for the compiled campaign."""
    ledger_text = (ROOT / "story" / "ledger.yaml").read_text(encoding="utf-8")
    facts = list((yaml.safe_load(ledger_text) or {}).get("variables") or {})
    sections = _sections(ledger_text)
    sets: dict[str, set[str]] = defaultdict(set)
    reads: dict[str, set[str]] = defaultdict(set)
    for node_id, node in story.nodes.items():
        _scan_node(story, node_id, node, sets, reads)
    _read_through_computed(story, reads)
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
    return "\n".join(lines)


def _read_through_computed(story, reads) -> None:
    """A node that reads a computed value reads what that value reads (its names, transitively);
    a value shown in the status only while a condition holds has that condition read by the status."""
    names = set(story.variables) | set(story.computed)
    direct = {name: set(re.findall(r"[A-Za-z_]\w*", value.source)) & names - {name} for name, value in story.computed.items()}
    for name in direct:
        seen, todo = set(), list(direct[name])
        while todo:
            item = todo.pop()
            if item not in seen:
                seen.add(item)
                todo += direct.get(item, ())
        for read in seen & set(story.variables):
            reads[read] |= reads[name]
    for value in (*story.variables.values(), *story.computed.values()):
        if value.show_if is not None:
            _note(value.show_if.reads, reads, "the status")


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
    text = ", ".join(i if i == "the status" else f"`{i}`" for i in shown[:limit])
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "") if shown else "—"


if __name__ == "__main__":
    raise SystemExit(main())
