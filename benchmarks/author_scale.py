"""What an author can write, at scale: a layer of N `extend:` entries, and N variables with N/10
computed values, checked at 10,000 and 50,000 (issue 17: both were quadratic).

    python benchmarks/author_scale.py                 # 10,000 and 50,000
    python benchmarks/author_scale.py --sizes 2000 10000

Each figure has a same-run baseline: the layer against loading its story alone, the declarations
against reading the same manifest with PyYAML's C loader. Linear growth keeps the ratio to the
baseline flat from 10,000 to 50,000, and the time about 5x; quadratic growth multiplies it by 25.
(20,000 extensions took 17 s and 40,000 took 126 s; 50,000 variables with 5,000 computed values
took 158 s to check.)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import yaml

from generate import build, write_yaml
from kuzbass_game.engine import load_story


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_extends(size: int, folder: Path) -> dict:
    """A story of `size` nodes and a layer that adds one choice to every node that is not an ending."""
    data = build(size)
    base, layer = folder / "base", folder / "layer"
    write_yaml(data, base)
    layer.mkdir(parents=True)
    (layer / "manifest.yaml").write_text(f"id: everywhere\nextends: {data['manifest']['id']}\n")
    extend = {node_id: {"choices": [{"text": "Go back to the start", "goto": "n0"}]} for node_id, node in data["nodes"].items() if "choices" in node}
    (layer / "extend.yaml").write_text(yaml.safe_dump({"extend": extend}, sort_keys=False))

    def story_alone() -> None:
        assert load_story(base).story is not None

    def with_layer() -> None:
        result = load_story([base, layer])
        assert result.story is not None, result.errors[:3]

    alone, layered = timed(story_alone), timed(with_layer)
    return {"size": size, "extends": len(extend), "story_alone_s": alone, "with_layer_s": layered, "ratio": layered / alone}


def bench_declarations(size: int, folder: Path) -> dict:
    """`size` int variables and `size // 10` computed values, each reading a variable and the computed value before it."""
    variables = {f"v{i}": {"type": "int", "default": i % 7} for i in range(size)}
    computed = {f"c{i}": f"v{i} + {'c' + str(i - 1) if i else '0'}" for i in range(size // 10)}
    manifest = {"id": "declared", "title": "Declared", "start": "start", "variables": variables, "computed": computed}
    folder.mkdir(parents=True)
    path = folder / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    start = {"text": "Start", "choices": [{"text": "Go", "goto": "end", "if": "c0 >= 0"}]}
    (folder / "nodes.yaml").write_text(yaml.safe_dump({"nodes": {"start": start, "end": {"text": "End", "ending": {"title": "End"}}}}))

    def bare_yaml() -> None:
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

    def check() -> None:
        result = load_story(folder)
        assert result.story is not None, result.errors[:3]

    bare, checked = timed(bare_yaml), timed(check)
    return {"size": size, "computed": len(computed), "bare_yaml_s": bare, "check_s": checked, "ratio": checked / bare}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    results: dict[str, list[dict]] = {"extends": [], "declarations": []}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            results["extends"].append(bench_extends(size, Path(tmp) / f"extends{size}"))
            results["declarations"].append(bench_declarations(size, Path(tmp) / f"declarations{size}"))
    print(f"{'what':<14}{'size':>8}  {'baseline s':>11}  {'checked s':>10}  {'ratio':>6}")
    for row in results["extends"]:
        print(f"{'extends':<14}{row['size']:>8}  {row['story_alone_s']:>11.2f}  {row['with_layer_s']:>10.2f}  {row['ratio']:>6.2f}")
    for row in results["declarations"]:
        print(f"{'declarations':<14}{row['size']:>8}  {row['bare_yaml_s']:>11.2f}  {row['check_s']:>10.2f}  {row['ratio']:>6.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
