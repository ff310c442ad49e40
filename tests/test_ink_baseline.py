"""The inkjs baseline of benchmarks/run.py: the generated graph, converted to ink, compiles with
inkjs's own compiler and plays. Skipped where node or inkjs (cd benchmarks/ink && npm ci) is absent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import ink_bench
from generate import build


def test_the_converter_keeps_the_graph() -> None:
    data = build(40)
    source = ink_bench.to_ink(data)
    assert source.count("\n=== ") == 40
    assert source.count("+ {food > 2} [Sell food]") == sum(1 for node in data["nodes"].values() if node.get("choices"))
    assert source.count("-> END") == sum(1 for node in data["nodes"].values() if "ending" in node)


@pytest.mark.skipif(ink_bench.missing() is not None, reason=f"the inkjs baseline cannot run here: {ink_bench.missing()}")
def test_inkjs_compiles_and_plays_the_converted_story(tmp_path: Path) -> None:
    source = ink_bench.write_ink(build(40), tmp_path / "story.ink")
    with ink_bench.InkPlayer(source, runs=5, max_steps=50, seed=1) as player:
        assert player.ready["ready"]
        answer = player.round()
    assert answer["steps"] > 0 and answer["steps_per_s"] > 0
    assert (tmp_path / "story.ink.json").exists()
