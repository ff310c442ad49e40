"""Soak test (not run in CI): 100,000 random playthroughs of the campaign with saves and loads.

    .venv/bin/python benchmarks/soak.py [--runs 100000] [--seed 0] [--story story]

Run it with the venv's Python (`sh scripts/setup test` makes it). The default 100,000 games take
over an hour on two cores; `--runs 2000` plays fewer, in a few minutes.

Prints progress and, at the end, how many runs, steps, saves and loads there were, and every
divergence between a game and its saved or replayed self (there should be none).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.storage.soak import soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--story", type=Path, default=ROOT / "story")
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    story = load_and_check(args.story).story
    if story is None:
        print("the story has errors; run kuzbass check", file=sys.stderr)
        return 1
    totals = {"runs": 0, "steps": 0, "saves": 0, "loads": 0}
    divergences: list[str] = []
    start = time.perf_counter()
    for batch_start in range(0, args.runs, args.batch):
        runs = min(args.batch, args.runs - batch_start)
        report = soak(story, runs, seed=args.seed * 1_000_003 + batch_start)
        for key in totals:
            totals[key] += getattr(report, key)
        divergences += report.divergences
        elapsed = time.perf_counter() - start
        print(f"{totals['runs']:>7} runs, {totals['saves']} saves, {len(divergences)} divergences, {elapsed:.0f} s", flush=True)
    print(f"done: {totals}; divergences: {len(divergences)}")
    for line in divergences[:50]:
        print("  " + line)
    return 1 if divergences else 0


if __name__ == "__main__":
    raise SystemExit(main())
