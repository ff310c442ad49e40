"""Synthetic stories of a fixed shape, so Kuzbass's figures compare with other engines.

Shape: about 60 words a node; 5% of nodes are endings; every other node has three choices:
(a) `food + 1`, (b) `gold + 1`, (c) only if `food > 2`: `food - 2`, `gold + 2`. Targets come
from a fixed-seed generator, with every node reachable from the start and an ending reachable
from every node.

    python benchmarks/generate.py 10000 /tmp/story10k
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

WORDS = (
    "coal snow barracks ferry river shaft lamp bread ration stove frost miner colony boots "
    "wagon larch smoke kettle ledger meeting vote wage shovel timber furnace steam winter "
    "spring mud tent blanket candle ration card soup rope cart horse bridge bank plant coke "
    "oven siding train whistle mine seam pillar pony bucket letter office clerk typewriter"
).split()
NODES_PER_FILE = 500


def build(nodes: int, seed: int = 1) -> dict:
    """The story as plain data: {"manifest": {...}, "nodes": {id: node}}."""
    rnd = random.Random(seed)
    ids = [f"n{i}" for i in range(nodes)]
    ending_count = max(1, nodes // 20)
    endings = {nodes - 1} | set(rnd.sample(range(1, nodes - 1), ending_count - 1)) if nodes > 2 else {nodes - 1}
    targets: dict[int, list[int | None]] = {}
    for i in range(nodes):
        if i in endings:
            continue
        # (a) always moves forward, so an ending is reachable from every node
        targets[i] = [rnd.randrange(i + 1, nodes), None, None]
    # every node is reached: give each one a forward edge from an earlier node with a free slot
    free = [i for i in range(nodes) if i not in endings]
    reached = {0} | {t[0] for t in targets.values()}
    cursor = 0  # the earliest non-ending node that still has a free slot (only moves forward)
    for j in range(1, nodes):
        if j in reached:
            continue
        while None not in targets[free[cursor]][1:]:
            cursor += 1
        parent = free[cursor]
        targets[parent][targets[parent].index(None, 1)] = j
        reached.add(j)
    for slots in targets.values():
        for k in (1, 2):
            if slots[k] is None:
                slots[k] = rnd.randrange(nodes)
    story_nodes = {}
    for i, node_id in enumerate(ids):
        text = " ".join(rnd.choice(WORDS) for _ in range(60)).capitalize() + "."
        if i in endings:
            story_nodes[node_id] = {"text": text, "ending": {"title": f"Ending {i}"}}
            continue
        a, b, c = targets[i]
        story_nodes[node_id] = {
            "text": text,
            "choices": [
                {"text": "Eat", "goto": ids[a], "effects": "food += 1"},
                {"text": "Trade", "goto": ids[b], "effects": "gold += 1"},
                {"text": "Sell food", "goto": ids[c], "if": "food > 2", "effects": "food -= 2; gold += 2"},
            ],
        }
    manifest = {
        "id": "synthetic",
        "title": f"Synthetic {nodes}",
        "start": "n0",
        "variables": {"food": {"type": "int", "label": "Food"}, "gold": {"type": "int", "label": "Gold"}},
    }
    return {"manifest": manifest, "nodes": story_nodes}


def build_ring(nodes: int, seed: int = 1) -> dict:
    """A ring of `nodes` distinct nodes (about 60 words each, the same two variables and choices):
    the first two choices lead on to the next node, so a game of up to `nodes` steps that takes them
    visits a new node at every step; the third (`food > 2`) leads to the one ending."""
    rnd = random.Random(seed)
    ids = [f"r{i}" for i in range(nodes)]
    story_nodes = {}
    for i, node_id in enumerate(ids):
        after = ids[(i + 1) % nodes]
        story_nodes[node_id] = {
            "text": " ".join(rnd.choice(WORDS) for _ in range(60)).capitalize() + ".",
            "choices": [
                {"text": "Eat", "goto": after, "effects": "food += 1"},
                {"text": "Trade", "goto": after, "effects": "gold += 1"},
                {"text": "Sell food", "goto": "end", "if": "food > 2", "effects": "food -= 2; gold += 2"},
            ],
        }
    story_nodes["end"] = {"text": "The ring is left.", "ending": {"title": "Out"}}
    manifest = {
        "id": "ring",
        "title": f"Ring {nodes}",
        "start": "r0",
        "variables": {"food": {"type": "int", "label": "Food"}, "gold": {"type": "int", "label": "Gold"}},
    }
    return {"manifest": manifest, "nodes": story_nodes}


def write_yaml(data: dict, folder: Path) -> list[Path]:
    """Write the story in the project's format, 500 nodes to a file; returns the files."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "manifest.yaml"]
    files[0].write_text(yaml.safe_dump(data["manifest"], sort_keys=False))
    items = list(data["nodes"].items())
    for start in range(0, len(items), NODES_PER_FILE):
        path = folder / f"nodes_{start // NODES_PER_FILE:04d}.yaml"
        path.write_text(yaml.safe_dump({"nodes": dict(items[start : start + NODES_PER_FILE])}, sort_keys=False, width=100))
        files.append(path)
    return files


def write_json(data: dict, folder: Path) -> list[Path]:
    """The same data as JSON files, for the bare `json.load` baseline."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "manifest.json"]
    files[0].write_text(json.dumps(data["manifest"]))
    items = list(data["nodes"].items())
    for start in range(0, len(items), NODES_PER_FILE):
        path = folder / f"nodes_{start // NODES_PER_FILE:04d}.json"
        path.write_text(json.dumps({"nodes": dict(items[start : start + NODES_PER_FILE])}))
        files.append(path)
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("nodes", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    files = write_yaml(build(args.nodes, args.seed), args.folder)
    print(f"wrote {args.nodes} nodes in {len(files)} files to {args.folder}")


if __name__ == "__main__":
    main()
