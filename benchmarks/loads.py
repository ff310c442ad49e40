"""Issue 20's figures: launch with a large story, `kuzbass check`, cold loads, peak memory.

    python benchmarks/loads.py                      # every figure, stories of 1,000, 10,000, 50,000 nodes
    python benchmarks/loads.py --only launch check  # some of them
    python benchmarks/loads.py --sizes 1000 10000
    python benchmarks/loads.py --only launch --sizes 0   # size 0: the campaign

Each figure is the median of runs alternated with its baseline's (this machine is shared and noisy):

- launch: `kuzbass play --story DIR`, headless, to the title screen, with a warm story cache,
  against the bare Textual app of `ui_bench.py`;
- check: `kuzbass check` on the campaign, against a process that only parses its YAML files
  with the C loader;
- cold: `load_story(..., cache=False)` in this process, against `yaml.load(..., CSafeLoader)` of
  the same files (as `run.py`'s `bench_load`);
- memory: peak RSS (VmHWM) of a fresh process doing a cold load, against one that parses every
  file and holds all the parsed data.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from generate import build, write_yaml
from ui_bench import BARE_LAUNCH

LAUNCH = textwrap.dedent("""
    import sys
    from kuzbass_game.ui.app import KuzbassApp
    original_run = KuzbassApp.run
    def run_headless(self, *args, **kwargs):
        self.call_after_refresh(lambda: self.call_after_refresh(self.exit))
        return original_run(self, headless=True, size=(100, 30))
    KuzbassApp.run = run_headless
    from kuzbass_game.cli import main
    sys.exit(main(["play", "--saves", sys.argv[1], "--story", sys.argv[2]]))
""")

PARSE_ONLY = textwrap.dedent("""
    import sys, pathlib, yaml
    for path in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):
        yaml.load(path.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader)
""")

HOLD_ALL = textwrap.dedent("""
    import sys, pathlib, yaml
    held = [yaml.load(p.read_text(encoding='utf-8'), Loader=yaml.CSafeLoader) for p in sorted(pathlib.Path(sys.argv[1]).glob('*.yaml'))]
    print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])
""")

COLD_RSS = textwrap.dedent("""
    import sys
    from kuzbass_game.engine import load_story
    assert load_story(sys.argv[1], cache=False).story is not None
    print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])
""")


def story_folder(nodes: int) -> Path:
    """The generated story of `nodes` nodes (0: the campaign)."""
    if nodes == 0:
        return ROOT / "story"
    folder = Path(tempfile.gettempdir()) / f"load20-{nodes}"
    if not (folder / "manifest.yaml").exists():
        write_yaml(build(nodes), folder)
    return folder


def timed(args: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, check=True, cwd=ROOT, capture_output=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def alternated(commands: dict[str, list[str]], rounds: int) -> dict[str, tuple[float, float]]:
    """Each command's median wall and CPU times, the commands run in turn round after round. The CPU
    time is the steadier figure on a shared machine: another process's load stretches the wall time."""
    for args in commands.values():
        timed(args)  # warm the OS's file cache and the story cache once for each
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, args in commands.items():
            times[name].append(timed(args))
    return {name: (statistics.median(w for w, _c in values), statistics.median(c for _w, c in values)) for name, values in times.items()}


def _report(what: str, found: dict[str, tuple[float, float]], engine: str, baseline: str) -> None:
    (ew, ec), (bw, bc) = found[engine], found[baseline]
    wall = f"wall {ew * 1000:4.0f} ms against {bw * 1000:4.0f} ms: {ew / bw:.2f}x"
    print(f"{what}: {wall}; CPU {ec * 1000:4.0f} ms against {bc * 1000:4.0f} ms: {ec / bc:.2f}x")


def byte_compile() -> None:
    """As after `pip install` or `scripts/setup`: otherwise PYTHONDONTWRITEBYTECODE, set on some machines,
    makes every process compile the game's modules."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "kuzbass_game")], check=True, capture_output=True)


def launch(sizes: list[int], rounds: int) -> None:
    byte_compile()
    with tempfile.TemporaryDirectory() as saves:
        for nodes in sizes:
            kuzbass = [sys.executable, "-c", LAUNCH, saves, str(story_folder(nodes))]
            found = alternated({"kuzbass": kuzbass, "bare": [sys.executable, "-c", BARE_LAUNCH]}, rounds)
            _report(f"launch {nodes:>6} nodes (against a bare Textual app)", found, "kuzbass", "bare")


def check(rounds: int) -> None:
    byte_compile()
    story = ROOT / "story"
    found = alternated(
        {"check": [sys.executable, "-m", "kuzbass_game", "check", str(story)], "parse": [sys.executable, "-c", PARSE_ONLY, str(story)]}, rounds
    )
    _report("check campaign (against parsing its YAML)", found, "check", "parse")


def cold(sizes: list[int], rounds: int) -> None:
    import yaml

    from kuzbass_game.engine import load_story

    for nodes in sizes:
        folder = story_folder(nodes)
        files = sorted(folder.glob("*.yaml"))

        def bare(files: list[Path] = files) -> None:
            for path in files:
                yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

        def engine(folder: Path = folder) -> None:
            assert load_story(folder, cache=False).story is not None

        times: dict[str, list[tuple[float, float]]] = {"engine": [], "bare": []}
        for _ in range(rounds):
            for name, fn in (("bare", bare), ("engine", engine)):
                gc.collect()
                start, start_cpu = time.perf_counter(), time.process_time()
                fn()
                times[name].append((time.perf_counter() - start, time.process_time() - start_cpu))
        found = {name: (statistics.median(w for w, _c in values), statistics.median(c for _w, c in values)) for name, values in times.items()}
        _report(f"cold {nodes:>6} nodes (against yaml CSafeLoader)", found, "engine", "bare")


def memory(sizes: list[int]) -> None:
    for nodes in sizes:
        folder = str(story_folder(nodes))
        engine = int(
            subprocess.run([sys.executable, "-c", COLD_RSS, folder], check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()[-1]
        )
        held = int(subprocess.run([sys.executable, "-c", HOLD_ALL, folder], check=True, capture_output=True, text=True, cwd=ROOT).stdout.split()[-1])
        print(f"peak RSS {nodes:>6} nodes: {engine / 1024:6.1f} MB, all YAML held {held / 1024:6.1f} MB: {engine / held:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=["launch", "check", "cold", "memory"], choices=["launch", "check", "cold", "memory"])
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 10000, 50000])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    for what in args.only:
        if what == "launch":
            launch(args.sizes, max(args.rounds, 11))
        elif what == "check":
            check(max(args.rounds, 11))
        elif what == "cold":
            cold(args.sizes, args.rounds)
        else:
            memory(args.sizes)


if __name__ == "__main__":
    main()
