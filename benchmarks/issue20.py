"""The rows of issue 20's table that run.py did not measure before, each beside its baseline.

- the player loop against inkjs (`ink_bench.py`) as well as the bare walk, in alternation;
- the cost of one step on a long game that keeps visiting new nodes (a ring of distinct nodes);
- loading a save of 10,000 / 100,000 choices against `json.load` of the same file;
- `kuzbass check` on the campaign against a process that only parses its YAML.

The launch and key-press rows are in `ui_bench.py`; cold load and peak memory in `run.py`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

from generate import build_ring, write_yaml
import ink_bench

INK_CACHE = HERE / "ink" / "cache"  # compiled ink, kept between runs (git-ignored): inkjs takes ~1 ms a node


def _ink_source(data: dict) -> Path:
    source = ink_bench.to_ink(data)
    path = INK_CACHE / f"{hashlib.sha256(source.encode()).hexdigest()[:16]}.ink"
    if not path.exists():
        INK_CACHE.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return path


def _frozen(fn, before=None) -> float:
    """`fn`'s wall time, the collector's objects frozen first (and `before` run, untimed)."""
    if before is not None:
        before()
    gc.collect()
    gc.freeze()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.unfreeze()


def bench_player_vs_ink(data: dict, story, walk, rounds: int, runs: int = 100) -> dict:
    """`Game.view` + `Game.choose` against inkjs's ContinueMaximally + ChooseChoiceIndex on the same
    graph, and against the bare walk: the three timed in turn, round after round."""
    from run import bare_walk, player_loop

    engine_steps = player_loop(story, runs, 1)
    bare_steps = bare_walk(walk, runs, 1)
    reason, ink = ink_bench.missing(), None
    if reason is None:
        try:
            ink = ink_bench.InkPlayer(_ink_source(data), runs, 500, 1)
        except (OSError, RuntimeError) as err:  # a row that says why, not a failed run
            reason = f"inkjs failed: {str(err)[-300:]}"
    engine_t, face_t, bare_t, ink_rates = [], [], [], []
    try:
        for _ in range(rounds):
            # Each round from a story with nothing kept (`Story.memo`: the choice views made once per
            # node and offer): the rounds play the same games, and inkjs's rounds play new ones.
            engine_t.append(_frozen(lambda: player_loop(story, runs, 1), before=story.memo.clear))
            face_t.append(_frozen(lambda: player_loop(story, runs, 1, every_part=True), before=story.memo.clear))
            bare_t.append(_frozen(lambda: bare_walk(walk, runs, 1)))
            if ink is not None:
                ink_rates.append(ink.round()["steps_per_s"])
    finally:
        if ink is not None:
            ink.close()
    figures = {
        "nodes": len(data["nodes"]),
        "runs": runs,
        "player_steps_per_s": engine_steps / statistics.median(engine_t),
        "face_steps_per_s": engine_steps / statistics.median(face_t),
        "bare_steps_per_s": bare_steps / statistics.median(bare_t),
    }
    figures["player_vs_bare"] = figures["player_steps_per_s"] / figures["bare_steps_per_s"]
    if ink is None:
        figures["ink_missing"] = reason
    else:
        figures["ink_steps_per_s"] = statistics.median(ink_rates)
        figures["player_vs_ink"] = figures["player_steps_per_s"] / figures["ink_steps_per_s"]
        figures["face_vs_ink"] = figures["face_steps_per_s"] / figures["ink_steps_per_s"]
    return figures


# ---------------------------------------------------------------- a long game


def _step_times(story, lengths: list[int], window: int) -> dict[int, float]:
    """One game of max(lengths) steps (view + choose, new node each step): µs a step over the
    `window` steps before each length."""
    from kuzbass_game.engine.play.game import Game

    game = Game(story, seed=1)
    marks = {length - window for length in lengths} | set(lengths)
    at: dict[int, float] = {}
    gc.collect()
    gc.freeze()  # the harness's heap out of the collector's way; the game's own growth is not
    try:
        for step in range(max(lengths) + 1):
            if step in marks:
                at[step] = time.perf_counter()
            view = game.view()
            game.choose(view.choices[step % 2].index)
    finally:
        gc.unfreeze()
    return {length: (at[length] - at[length - window]) / window * 1e6 for length in lengths}


def bench_step_cost(folder: Path, lengths: list[int], repeat: int, window: int = 500) -> dict:
    """The cost of one step on a long game that keeps visiting new nodes, at each length."""
    from kuzbass_game.engine import load_story

    story_dir = folder / "ring"
    write_yaml(build_ring(max(lengths) + 1), story_dir)
    load_story(story_dir, cache=True)  # fill the cache
    runs = []
    for _ in range(repeat):
        story = load_story(story_dir, cache=True).story
        # every node built before the game (the cache builds a node when first asked for it, about
        # 150 µs, the same at every length): what is left is the step's own cost
        assert sum(len(node.choices) for node in story.nodes.values()) > 0
        runs.append(_step_times(story, lengths, window))
        del story
    figures = {"window": window, "us_per_step": {str(n): statistics.median(r[n] for r in runs) for n in lengths}}
    per = figures["us_per_step"]
    figures["last_vs_first"] = per[str(max(lengths))] / per[str(min(lengths))]
    return figures


# ---------------------------------------------------------------- long saves


def _loop_game(story, choices: int):
    from kuzbass_game.engine.play.game import Game

    game = Game(story, seed=3)
    for i in range(choices):
        game.choose(0 if game.state.node == "b" else i % 2)
    return game


def bench_long_saves(folder: Path, sizes: list[int], repeat: int) -> list[dict]:
    """A save of N choices (made with `Game` and `SaveStore`), loaded (`SaveStore.load`: parse,
    validate, replay) against `json.load` of the same file, in alternation."""
    from kuzbass_game.engine.storage import SaveStore
    from run import _loop_story

    story = _loop_story(folder)
    rows = []
    for size in sizes:
        store = SaveStore(folder / f"saves{size}", story)
        game = _loop_game(story, size)
        store.save(game, "long")
        path = folder / f"saves{size}" / "long.json"
        del game

        def bare(path=path):
            with open(path, encoding="utf-8") as file:
                json.load(file)

        times: dict[str, list[float]] = {"load": [], "json": []}
        for _ in range(repeat):
            times["load"].append(_frozen(lambda store=store: store.load("long")))
            times["json"].append(_frozen(bare))
        load_s, json_s = statistics.median(times["load"]), statistics.median(times["json"])
        rows.append(
            {"choices": size, "file_kb": path.stat().st_size / 1024, "load_ms": load_s * 1000, "json_ms": json_s * 1000, "ratio": load_s / json_s}
        )
    return rows


# ---------------------------------------------------------------- check on the campaign

CHECK = "import sys; from kuzbass_game.cli import main; sys.exit(main(['check', sys.argv[1]]))"
PARSE_ONLY = (
    "import pathlib, sys, yaml\nfor p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')): yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)"
)


def _process_s(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: check found warnings or errors, still a full check
        raise RuntimeError(done.stderr[-2000:])
    return elapsed


def bench_check_campaign(repeat: int, story_dir: Path = ROOT / "story") -> dict:
    """`kuzbass check story` as a process, against a process that only parses the same YAML
    files with the C loader; both byte-compiled, interleaved."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kuzbass_game")], check=True, capture_output=True)
    check = [sys.executable, "-c", CHECK, str(story_dir)]
    parse = [sys.executable, "-c", PARSE_ONLY, str(story_dir)]
    _process_s(check)
    _process_s(parse)
    times: dict[str, list[float]] = {"check": [], "parse": []}
    for _ in range(max(repeat, 7)):
        times["check"].append(_process_s(check))
        times["parse"].append(_process_s(parse))
    check_s, parse_s = statistics.median(times["check"]), statistics.median(times["parse"])
    files = len(list(story_dir.rglob("*.yaml")))
    return {"files": files, "check_s": check_s, "parse_s": parse_s, "ratio": check_s / parse_s}


# ---------------------------------------------------------------- issue 20's table

HEADER = ("measure", "size", "kuzbass", "baseline", "ratio", "goal", "verdict")


def _verdict(value: float, goal: float, higher_is_better: bool = False) -> str:
    return "meets" if (value >= goal if higher_is_better else value <= goal) else "MISSES"


def _player_rows(results: dict, targets: dict) -> list[tuple[str, ...]]:
    rows = []
    for p in results.get("player", []):
        n = f"{p['nodes']:,} nodes"
        if "player_vs_ink" in p:
            ink = (
                f"{p['ink_steps_per_s']:,.0f}/s (inkjs)",
                f"{p['player_vs_ink']:.2f}x",
                _verdict(p["player_vs_ink"], targets["player_vs_ink"], True),
            )
        else:
            ink = (f"not measured: {p.get('ink_missing')}", "", "")
        rows.append(("player loop (view + choose) against inkjs", n, f"{p['player_steps_per_s']:,.0f}/s", ink[0], ink[1], ">= 10x", ink[2]))
        if "face_vs_ink" in p:  # (every part of each view read, as a face reads it: no goal of its own)
            face = f"{p['face_steps_per_s']:,.0f}/s"
            rows.append(("same, every part of each view read (a face's loop)", n, face, ink[0], f"{p['face_vs_ink']:.2f}x", "", ""))
        rows.append(
            (
                "player loop against the bare walk",
                n,
                f"{p['player_steps_per_s']:,.0f}/s",
                f"{p['bare_steps_per_s']:,.0f}/s (bare walk)",
                f"{p['player_vs_bare']:.3f}x",
                ">= 0.25x",
                _verdict(p["player_vs_bare"], targets["player_vs_bare"], True),
            )
        )
    return rows


def _step_rows(results: dict, targets: dict) -> list[tuple[str, ...]]:
    if "step_cost" not in results:
        return []
    cost = results["step_cost"]
    per = cost["us_per_step"]
    first = min(per, key=int)
    rows = [
        (
            "one step of a long game, new node each step",
            f"{int(n):,} steps",
            f"{us:.1f} µs",
            f"{per[first]:.1f} µs (at {int(first):,})",
            f"{us / per[first]:.2f}x",
            "",
            "",
        )
        for n, us in per.items()
    ]
    last = max(per, key=int)
    rows.append(
        (
            f"  growth, {int(last):,} steps against {int(first):,}",
            "",
            "",
            "",
            f"{cost['last_vs_first']:.2f}x",
            "<= 1.3x",
            _verdict(cost["last_vs_first"], targets["step_cost_growth"]),
        )
    )
    return rows


def _keypress_rows(results: dict, targets: dict) -> list[tuple[str, ...]]:
    rows = []
    for k in results.get("keypress_history", []):
        n = f"{k['history']:,} steps"
        rows.append(
            (
                "CPU per key press in the app",
                n,
                f"{k['kuzbass_ms']:.2f} ms",
                f"{k['bare_ms']:.2f} ms (bare Textual app)",
                f"{k['ratio']:.2f}x",
                "<= 1.5x",
                _verdict(k["ratio"], targets["cpu_per_key_vs_bare"]),
            )
        )
    for k in results.get("keypress_history", []):
        n = f"{k['history']:,} steps"
        rows.append(
            (
                "  wall time per key press, fsync included (issue 21)",
                n,
                f"{k['kuzbass_wall_ms']:.2f} ms",
                f"{k['bare_wall_ms']:.2f} ms (bare Textual app)",
                f"{k['wall_ratio']:.2f}x",
                "",
                "",
            )
        )
    return rows


def _save_and_launch_rows(results: dict, targets: dict) -> list[tuple[str, ...]]:
    rows = []
    for s in results.get("long_saves", []):
        rows.append(
            (
                "loading a save",
                f"{s['choices']:,} choices",
                f"{s['load_ms']:.1f} ms",
                f"{s['json_ms']:.1f} ms (json.load, {s['file_kb']:,.0f} KB)",
                f"{s['ratio']:.1f}x",
                "<= 3x",
                _verdict(s["ratio"], targets["long_save_vs_json"]),
            )
        )
    launches = ([{"nodes": None, **results["launch"]}] if "launch" in results else []) + results.get("launch_sizes", [])
    for launch in launches:
        n = "campaign" if launch["nodes"] is None else f"{launch['nodes']:,} nodes"
        rows.append(
            (
                "launch to the title screen",
                n,
                f"{launch['kuzbass_s'] * 1000:.0f} ms",
                f"{launch['bare_s'] * 1000:.0f} ms (bare Textual app)",
                f"{launch['ratio']:.2f}x",
                "<= 1.15x",
                _verdict(launch["ratio"], targets["launch_vs_bare"]),
            )
        )
    return rows


def _load_rows(results: dict, targets: dict) -> list[tuple[str, ...]]:
    rows = []
    if "check_campaign" in results:
        c = results["check_campaign"]
        rows.append(
            (
                "`kuzbass check story` (a process)",
                f"campaign, {c['files']} files",
                f"{c['check_s'] * 1000:.0f} ms",
                f"{c['parse_s'] * 1000:.0f} ms (a process parsing its YAML, C loader)",
                f"{c['ratio']:.2f}x",
                "<= 1.5x",
                _verdict(c["ratio"], targets["check_vs_parse"]),
            )
        )
    for load in results.get("load", []):
        n = f"{load['nodes']:,} nodes"
        rows.append(
            (
                "cold load+check",
                n,
                f"{load['cold_s'] * 1000:.0f} ms",
                f"{load['bare_yaml_s'] * 1000:.0f} ms (libyaml parse)",
                f"{load['cold_vs_yaml']:.2f}x",
                "<= 1.1x",
                _verdict(load["cold_vs_yaml"], targets["cold_load_vs_yaml"]),
            )
        )
    for load in results.get("load", []):
        ratio = load["rss_cold_mb"] / load["rss_bare_yaml_mb"]
        goal, verdict = ("<= 1.2x", _verdict(ratio, targets["memory_vs_held_yaml"])) if load["nodes"] >= 50_000 else ("", "")
        rows.append(
            (
                "peak memory (VmHWM), cold load",
                f"{load['nodes']:,} nodes",
                f"{load['rss_cold_mb']:.0f} MB",
                f"{load['rss_bare_yaml_mb']:.0f} MB (the parsed YAML held)",
                f"{ratio:.2f}x",
                goal,
                verdict,
            )
        )
    return rows


def issue20_rows(results: dict, targets: dict) -> list[tuple[str, ...]]:
    """Issue 20's table: (measure, size, kuzbass, baseline, ratio, goal, verdict) for each row."""
    rows: list[tuple[str, ...]] = []
    for part in (_player_rows, _step_rows, _keypress_rows, _save_and_launch_rows, _load_rows):
        rows += part(results, targets)
    return rows


if __name__ == "__main__":  # a quick look at the new rows alone
    sys.path[:0] = [str(ROOT), str(HERE)]
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(bench_step_cost(Path(tmp), [1000, 10_000], 1), indent=2))
        print(json.dumps(bench_long_saves(Path(tmp), [10_000], 3), indent=2))
        print(json.dumps(bench_check_campaign(3), indent=2))
