"""Kuzbass benchmarks: every figure beside a baseline measured in the same run.

    python benchmarks/run.py            # 1,000 and 10,000 nodes, games of 1,000 and 10,000 steps (a few minutes)
    python benchmarks/run.py --full     # also 50,000 nodes, 30,000 steps, a save of 100,000 choices
    python benchmarks/run.py --json out.json

Issue 20's table comes first (`issue20_rows`): each of its rows against its baseline, measured in
the same run; the other figures follow.

Each figure is the median of several runs; this machine is shared and noisy, so read the
ratios to the same-run baselines, not the absolute times.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, UTC
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import yaml

from generate import build, write_json, write_yaml
from kuzbass_game.engine import load_story
from kuzbass_game.engine.tools.explorer import explore

TARGETS = {
    "cold_load_vs_yaml": 1.1,
    "warm_load_vs_json": 2.0,
    "engine_steps_vs_bare": 0.25,
    "launch_vs_bare": 1.15,
    "cpu_per_key_vs_bare": 1.5,
    "save_ms": 10.0,
    "load_ms": 10.0,
    # issue 20
    "player_vs_ink": 10.0,
    "player_vs_bare": 0.25,
    "step_cost_growth": 1.3,
    "long_save_vs_json": 3.0,
    "check_vs_parse": 1.5,
    "memory_vs_held_yaml": 1.2,
}


def _timed(fn) -> float:
    """Wall time of one call; what the harness itself holds is frozen out of the collector's
    way, so the engine and its baseline both run against a heap of their own making."""
    gc.collect()
    gc.freeze()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.unfreeze()


def median_time(fn, repeat: int) -> float:
    return statistics.median(_timed(fn) for _ in range(repeat))


def median_times(fns: dict, repeat: int) -> dict:
    """Medians of several functions measured in turn, round after round, so that the machine's
    slow and fast moments fall on the engine and on its baseline alike."""
    times: dict = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            times[name].append(_timed(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def peak_rss_mb_of(code: str) -> float:
    """Peak RSS of a fresh interpreter running `code`.

    Read from VmHWM, which starts afresh at exec; `ru_maxrss` would carry over the peak of
    this (large) benchmark process that forked the child.
    """
    script = (
        f"import sys; sys.path[:0] = {[str(HERE.parent), str(HERE)]!r}\n{code}\n"
        "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) / 1024


# ---------------------------------------------------------------- load


def bench_load(nodes: int, folder: Path, repeat: int) -> dict:
    data = build(nodes)
    yaml_files = write_yaml(data, folder / "yaml")
    json_files = write_json(data, folder / "json")

    def bare_yaml():
        for path in yaml_files:
            yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

    def bare_json():
        for path in json_files:
            json.loads(path.read_text(encoding="utf-8"))

    def cold():
        result = load_story(folder / "yaml", cache=False)
        assert result.story is not None and not result.errors, result.errors[:3]

    def warm():
        result = load_story(folder / "yaml", cache=True)
        assert result.story is not None

    def warm_every_node():  # the cache builds nodes when first asked for; this asks for all
        result = load_story(folder / "yaml", cache=True)
        assert sum(len(node.choices) for node in result.story.nodes.values()) > 0

    load_story(folder / "yaml", cache=True)  # fill the cache
    figures = {"nodes": nodes}
    figures.update(median_times({"bare_yaml_s": bare_yaml, "cold_s": cold}, repeat))
    figures.update(median_times({"bare_json_s": bare_json, "warm_s": warm, "warm_every_node_s": warm_every_node}, max(repeat, 5)))
    figures["cold_vs_yaml"] = figures["cold_s"] / figures["bare_yaml_s"]
    figures["warm_vs_json"] = figures["warm_s"] / figures["bare_json_s"]
    figures["warm_every_node_vs_json"] = figures["warm_every_node_s"] / figures["bare_json_s"]
    story_dir = str(folder / "yaml")
    figures["rss_cold_mb"] = peak_rss_mb_of(f"from kuzbass_game.engine import load_story; load_story({story_dir!r}, cache=False)")
    figures["rss_bare_yaml_mb"] = peak_rss_mb_of(  # the whole parse held, as a loaded story is
        "import yaml, pathlib\n"
        f"held = [yaml.load(p.read_text(), Loader=yaml.CSafeLoader) for p in sorted(pathlib.Path({story_dir!r}).glob('*.yaml'))]"
    )
    return figures


# ---------------------------------------------------------------- stepping


def bare_graph(data: dict) -> tuple[dict, str]:
    """Node id -> its three targets (None for an ending), built once, outside the timing,
    as the engine's own story is loaded before it is timed."""
    graph = {}
    for node_id, node in data["nodes"].items():
        choices = node.get("choices")
        graph[node_id] = None if not choices else (choices[0]["goto"], choices[1]["goto"], choices[2]["goto"])
    return graph, data["manifest"]["start"]


def bare_walk(walk_graph: tuple[dict, str], runs: int, seed: int, max_steps: int = 500) -> int:
    """The same playthroughs with plain dicts: the floor any engine is measured against."""
    graph, start = walk_graph
    rnd = random.Random(seed)
    steps = 0
    for _ in range(runs):
        state = {"food": 0, "gold": 0}
        node = start
        for _ in range(max_steps):
            targets = graph[node]
            if targets is None:
                break
            options = 3 if state["food"] > 2 else 2
            pick = rnd.randrange(options)
            if pick == 0:
                state["food"] += 1
            elif pick == 1:
                state["gold"] += 1
            else:
                state["food"] -= 2
                state["gold"] += 2
            node = targets[pick]
            steps += 1
    return steps


def bench_steps(nodes: int, folder: Path, runs: int, repeat: int) -> dict:
    data = build(nodes)
    story = load_story(folder / "yaml", cache=True).story
    engine_steps = sum(explore(story, runs, seed=1).lengths)
    walk_graph = bare_graph(data)
    bare_steps = bare_walk(walk_graph, runs, 1)
    medians = median_times({"engine": lambda: explore(story, runs, seed=1), "bare": lambda: bare_walk(walk_graph, runs, 1)}, max(repeat, 5))
    engine_s, bare_s = medians["engine"], medians["bare"]
    figures = {
        "nodes": nodes,
        "runs": runs,
        "engine_steps_per_s": engine_steps / engine_s,
        "engine_playthroughs_per_s": runs / engine_s,
        "bare_steps_per_s": bare_steps / bare_s,
        "bare_playthroughs_per_s": runs / bare_s,
    }
    figures["engine_vs_bare"] = figures["engine_steps_per_s"] / figures["bare_steps_per_s"]
    return figures


def player_loop(story, runs: int, seed: int, max_steps: int = 500, *, every_part: bool = False) -> int:
    """What a player (or a face) runs: `Game.view()` to draw the scene, then `choose()`. A view works
    out what the last step did (the status, the changes and their causes, the chosen line and its
    reply, the codex) when first read: `every_part` reads it all, as the app and line mode do."""
    from kuzbass_game.engine.play.game import Game

    picker = random.Random(seed)
    steps = 0
    for run in range(runs):
        game = Game(story, seed=run)
        for _ in range(max_steps):
            view = game.view()
            if every_part:
                view.status, view.changes, view.chosen, view.reply, view.tally, view.unlocked, view.fault  # noqa: B018 - read, as a face reads them
            if view.ending is not None:
                break
            game.choose(picker.choice([c.index for c in view.choices if c.enabled]))
            steps += 1
    return steps


def bench_player_loop(nodes: int, folder: Path, runs: int, repeat: int) -> dict:
    """The player loop against inkjs and against the bare walk, the three in alternation."""
    from issue20 import bench_player_vs_ink

    data = build(nodes)
    story = load_story(folder / "yaml", cache=True).story
    return bench_player_vs_ink(data, story, bare_graph(data), max(repeat, 5), runs)


# ---------------------------------------------------------------- saves


def _loop_story(folder: Path):
    story_dir = folder / "loop"
    story_dir.mkdir(parents=True, exist_ok=True)
    (story_dir / "manifest.yaml").write_text("id: loop\ntitle: Loop\nstart: a\nvariables:\n  n: {type: int, label: N}\n")
    (story_dir / "nodes.yaml").write_text(
        "nodes:\n  a:\n    text: Round and round.\n    choices:\n"
        "      - {text: Again, goto: a, effects: 'n += 1'}\n"
        "      - {text: Gamble, random: [{goto: a, weight: 2}, {goto: b, weight: 1}]}\n"
        "      - {text: Stop, goto: end}\n"
        "  b:\n    text: Lucky.\n    choices:\n      - {text: Back, goto: a}\n"
        "  end:\n    text: Done.\n    ending: {title: Done}\n"
    )
    return load_story(story_dir, cache=False).story


def bench_saves(folder: Path, repeat: int) -> dict:
    from kuzbass_game.engine.play.game import Game
    from kuzbass_game.engine.storage.save_store import SaveStore

    story = _loop_story(folder)
    game = Game(story, seed=3)
    for i in range(1000):
        game.choose(0 if game.state.node == "b" else i % 2)
    store = SaveStore(folder / "saves", story)
    save_s = median_time(lambda: store.save(game, "bench"), repeat * 4)
    load_s = median_time(lambda: store.load("bench"), repeat * 4)
    size = (folder / "saves" / "bench.json").stat().st_size
    return {"choices": 1000, "save_ms": save_s * 1000, "load_ms": load_s * 1000, "file_kb": size / 1024}


LONG_GAME = """
import sys, time, tracemalloc
sys.path.insert(0, {root!r})
from kuzbass_game.engine import load_story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import SaveStore
story = load_story({story!r}, cache=False).story
tracemalloc.start()
game = Game(story, seed=3)
for i in range({steps}):
    game.choose(0 if game.state.node == "b" else i % 2)
    game.view()
held = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
store = SaveStore({saves!r}, story)
start = time.perf_counter(); store.save(game, "long"); save_s = time.perf_counter() - start
start = time.perf_counter(); loaded = store.load("long"); load_s = time.perf_counter() - start
assert loaded.game.state == game.state
print(held, save_s, load_s)
"""


def bench_long_game(folder: Path) -> dict:
    """A 10,000-step game against a 1,000-step one: memory held, save and load (a replay)."""
    _loop_story(folder)
    figures = {}
    for steps in (1000, 10_000):
        code = LONG_GAME.format(root=str(HERE.parent), story=str(folder / "loop"), steps=steps, saves=str(folder / f"long{steps}"))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        figures[steps] = {"held_mb": int(out[0]) / 2**20, "save_ms": float(out[1]) * 1000, "load_ms": float(out[2]) * 1000}
    figures["memory_ratio"] = figures[10_000]["held_mb"] / figures[1000]["held_mb"]
    return figures


def bench_broken_links(folder: Path, repeat: int) -> dict:
    """`check` on 10,000 nodes with 5% of the targets misspelt, against the same story spelt right."""
    from kuzbass_game.authoring import load_and_check

    data = build(10_000)
    clean, broken = folder / "clean", folder / "broken"
    write_yaml(data, clean)
    rnd = random.Random(3)
    misspelt = 0
    for node in data["nodes"].values():
        for choice in node.get("choices") or ():
            if rnd.random() < 0.05:
                target = choice["goto"]
                cut = rnd.randrange(1, len(target))
                choice["goto"] = f"{target[:cut]}x{target[cut:]}"
                misspelt += 1
    write_yaml(data, broken)
    medians = median_times({"clean": lambda: load_and_check(clean), "broken": lambda: load_and_check(broken)}, max(2, repeat // 2))
    return {"misspelt": misspelt, "clean_s": medians["clean"], "broken_s": medians["broken"], "ratio": medians["broken"] / medians["clean"]}


def bench_layers(folder: Path, repeat: int) -> dict:
    """10,000 nodes in one folder against the same files as a story and a layer over it (issue: within 1.1x)."""
    import shutil

    data = build(10_000)
    single = folder / "single"
    write_yaml(data, single)
    base, layer = folder / "base", folder / "layer"
    base.mkdir(parents=True)
    layer.mkdir(parents=True)
    files = sorted(p for p in single.iterdir() if p.name != "manifest.yaml")
    shutil.copy(single / "manifest.yaml", base / "manifest.yaml")
    for number, path in enumerate(files):
        shutil.copy(path, (base if number < len(files) // 2 else layer) / path.name)
    (layer / "manifest.yaml").write_text(f"id: second_half\nextends: {data['manifest']['id']}\n")
    assert load_story([base, layer]).story is not None
    medians = median_times({"one folder": lambda: load_story(single), "two layers": lambda: load_story([base, layer])}, max(3, repeat))
    return {"single_s": medians["one folder"], "layered_s": medians["two layers"], "ratio": medians["two layers"] / medians["one folder"]}


# ---------------------------------------------------------------- report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also measure 50,000 nodes, 30,000 steps, a save of 100,000 choices")
    parser.add_argument("--quick", action="store_true", help="a smoke run of every row at small sizes (not for the record)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument("--skip-ui", action="store_true", help="skip the launch and key-press figures")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table in Markdown to this file")
    args = parser.parse_args()
    sizes = [1000] if args.quick else [1000, 10_000] + ([50_000] if args.full else [])
    results: dict = {
        "machine": describe_machine(),
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": [],
        "steps": [],
        "player": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp) / f"s{size}"
            repeat = args.repeat if size <= 10_000 else 3
            results["load"].append(bench_load(size, folder, repeat))
            results["steps"].append(bench_steps(size, folder, runs=200, repeat=repeat))
            results["player"].append(bench_player_loop(size, folder, runs=100, repeat=repeat))
            print_progress(results)
        measure_issue20(results, Path(tmp), args)
        results["saves"] = bench_saves(Path(tmp), args.repeat)
        results["long_game"] = bench_long_game(Path(tmp) / "long")
        results["broken_links"] = bench_broken_links(Path(tmp) / "links", args.repeat)
        results["layers"] = bench_layers(Path(tmp) / "layers", args.repeat)
        if not args.skip_ui:
            measure_ui(results, Path(tmp), sizes, args.repeat, histories=(0, 1000) if args.quick else (0, 1000, 10_000))
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(markdown_table(results))
    print(json.dumps(results, indent=2))
    return 0


def measure_issue20(results: dict, tmp: Path, args: argparse.Namespace) -> None:
    """Issue 20's rows that are not a story size's: the long game, long saves, check."""
    from issue20 import bench_check_campaign, bench_long_saves, bench_step_cost

    lengths = [1000, 3000] if args.quick else [1000, 10_000] + ([30_000] if args.full else [])
    results["step_cost"] = bench_step_cost(tmp / "ring", lengths, 3 if args.full else 2)
    print("... the long game measured", file=sys.stderr)
    saves = [2000] if args.quick else [10_000] + ([100_000] if args.full else [])
    results["long_saves"] = bench_long_saves(tmp / "long_saves", saves, args.repeat)
    results["check_campaign"] = bench_check_campaign(args.repeat)
    print("... saves and check measured", file=sys.stderr)


def measure_ui(results: dict, tmp: Path, sizes: list[int], repeat: int, histories: tuple[int, ...]) -> None:
    """Launch (the campaign, and each generated story but the smallest) and key presses after
    0, 1,000 and 10,000 steps, each against the bare Textual app."""
    from ui_bench import bench_keypress, bench_keypress_wall, bench_launch

    results["launch"] = bench_launch(repeat)
    results["launch_sizes"] = [
        {"nodes": size, **bench_launch(repeat, tmp / f"s{size}" / "yaml")} for size in sizes if size >= 10_000 or len(sizes) == 1
    ]
    results["keypress_history"] = [bench_keypress(repeat, history=history) for history in histories]
    results["keypress"] = results["keypress_history"][0]
    # To the scene drawn and to its autosave on disk (the worker awaited), fsync included (issue 21).
    results["keypress_wall"] = bench_keypress_wall(repeat, histories)


def describe_machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu})"


def print_progress(results: dict) -> None:
    load = results["load"][-1]
    print(f"... {load['nodes']} nodes measured", file=sys.stderr)


def _verdict(value: float, target: float, higher_is_better: bool = False) -> str:
    ok = value >= target if higher_is_better else value <= target
    return "meets" if ok else "MISSES"


def table_rows(results: dict) -> list[tuple[str, ...]]:
    """(figure, kuzbass, baseline, ratio, target, verdict) for every figure, for both reports."""
    table = _Rows()
    for load in results["load"]:
        n = f"{load['nodes']:,}"
        table.add_row(
            f"warm load+check {n} nodes",
            f"{load['warm_s'] * 1000:.0f} ms",
            f"{load['bare_json_s'] * 1000:.0f} ms (json.load)",
            f"{load['warm_vs_json']:.2f}x",
            "≤ 2x",
            _verdict(load["warm_vs_json"], TARGETS["warm_load_vs_json"]),
        )
        table.add_row(
            f"  same, every node built {n}",
            f"{load['warm_every_node_s'] * 1000:.0f} ms",
            f"{load['bare_json_s'] * 1000:.0f} ms (json.load)",
            f"{load['warm_every_node_vs_json']:.2f}x",
            "",
            "",
        )
    for steps in results["steps"]:
        n = f"{steps['nodes']:,}"
        table.add_row(
            f"engine steps/s {n}",
            f"{steps['engine_steps_per_s']:,.0f}",
            f"{steps['bare_steps_per_s']:,.0f} (bare walk)",
            f"{steps['engine_vs_bare']:.3f}x",
            "≥ 0.25x",
            _verdict(steps["engine_vs_bare"], TARGETS["engine_steps_vs_bare"], True),
        )
        table.add_row(f"playthroughs/s {n}", f"{steps['engine_playthroughs_per_s']:,.0f}", f"{steps['bare_playthroughs_per_s']:,.0f}", "", "", "")
    saves = results["saves"]
    table.add_row("save, 1,000 choices", f"{saves['save_ms']:.2f} ms", "", "", "< 10 ms", _verdict(saves["save_ms"], TARGETS["save_ms"]))
    table.add_row("load, 1,000 choices", f"{saves['load_ms']:.2f} ms", "", "", "< 10 ms", _verdict(saves["load_ms"], TARGETS["load_ms"]))
    if "long_game" in results:
        long_game = results["long_game"]
        for steps in (1000, 10_000):
            figures = long_game[steps] if steps in long_game else long_game[str(steps)]
            table.add_row(f"game of {steps:,} steps: memory held", f"{figures['held_mb']:.1f} MB", "", "", "", "")
            table.add_row("  its save / its load", f"{figures['save_ms']:.1f} ms / {figures['load_ms']:.1f} ms", "", "", "", "")
        table.add_row(
            "memory, 10,000 steps against 1,000",
            f"{long_game['memory_ratio']:.1f}x",
            "10x (linear)",
            "",
            "≤ 10x",
            _verdict(long_game["memory_ratio"], 10.5),
        )
    if "broken_links" in results:
        links = results["broken_links"]
        table.add_row(
            f"check, {links['misspelt']:,} broken links in 10,000 nodes",
            f"{links['broken_s'] * 1000:.0f} ms",
            f"{links['clean_s'] * 1000:.0f} ms (clean check)",
            f"{links['ratio']:.2f}x",
            "< 2x",
            _verdict(links["ratio"], 2.0),
        )
    if "layers" in results:
        layers = results["layers"]
        table.add_row(
            "load+check 10,000 nodes as story + layer",
            f"{layers['layered_s'] * 1000:.0f} ms",
            f"{layers['single_s'] * 1000:.0f} ms (one folder)",
            f"{layers['ratio']:.2f}x",
            "≤ 1.1x",
            _verdict(layers["ratio"], 1.1),
        )
    return table.rows


class _Rows:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)


def print_table(results: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    from issue20 import HEADER, issue20_rows

    console = Console(stderr=True)
    issue = Table(*HEADER, title=f"Issue 20's table, {results['date']}, {results['machine']}")
    for row in issue20_rows(results, TARGETS):
        issue.add_row(*row)
    console.print(issue)
    table = Table("figure", "kuzbass", "baseline", "ratio", "target", "", title="Other figures")
    for row in table_rows(results):
        table.add_row(*row)
    console.print(table)


def markdown_table(results: dict) -> str:
    """The same table in Markdown, as benchmarks/README.md records it."""
    from issue20 import HEADER, issue20_rows

    lines = [
        f"Measured {results['date']} on {results['machine']}, Python {results['python']}.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + " --- |" * len(HEADER),
    ]
    lines += ["| " + " | ".join(cell.strip() or " " for cell in row) + " |" for row in issue20_rows(results, TARGETS)]
    lines += ["", "Other figures, the same run:", "", "| figure | kuzbass | baseline | ratio | target | |", "| --- | --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(cell.strip() for cell in row) + " |" for row in table_rows(results)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
