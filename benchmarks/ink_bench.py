"""The inkjs baseline: the generated graph as ink, compiled and played by inkjs in node.

`to_ink(data)` turns `generate.build`'s story into ink source (VARs, one knot a node, sticky `+`
choices so a revisited node offers them again, the third choice guarded by `{food > 2}`).
`InkPlayer` runs `ink/play.js` (which compiles it with inkjs's own compiler, then plays random
playthroughs of the player loop's shape on request) so that run.py can time it in alternation
with the engine. `missing()` says why the baseline cannot run (no node, or `npm ci` not run).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

INK_DIR = Path(__file__).resolve().parent / "ink"
_SPECIAL = re.compile(r"([\\{}\[\]|#~<>/*+\-=^])")


def _text(text: str) -> str:
    """Story text as ink content: its control characters escaped, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _effects(effects: str) -> list[str]:
    return [f"~ {part.strip()}" for part in effects.split(";") if part.strip()]


def to_ink(data: dict) -> str:
    """The story as ink: the same text, variables, conditions, effects and targets."""
    manifest = data["manifest"]
    lines = [f"VAR {name} = 0" for name in manifest["variables"]]
    lines.append(f"-> {manifest['start']}")
    for node_id, node in data["nodes"].items():
        lines += ["", f"=== {node_id} ===", _text(node["text"])]
        if not node.get("choices"):
            lines.append("-> END")
            continue
        for choice in node["choices"]:
            condition = f"{{{choice['if']}}} " if choice.get("if") else ""
            lines.append(f"+ {condition}[{_text(choice['text'])}]")
            lines += [f"  {line}" for line in _effects(choice.get("effects", ""))]
            lines.append(f"  -> {choice['goto']}")
    return "\n".join(lines) + "\n"


def missing() -> str | None:
    """Why the inkjs baseline cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (INK_DIR / "node_modules" / "inkjs").is_dir():
        return "inkjs is not installed (cd benchmarks/ink && npm ci)"
    return None


class InkPlayer:
    """One node process holding the compiled story; `round()` times one round of playthroughs."""

    def __init__(self, source: Path, runs: int, max_steps: int, seed: int) -> None:
        self.process = subprocess.Popen(
            ["node", str(INK_DIR / "play.js"), str(source), str(runs), str(max_steps), str(seed)],
            cwd=INK_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.ready = self._answer()

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            raise RuntimeError(f"inkjs baseline failed: {self.process.stderr.read()[-2000:]}")
        return json.loads(line)

    def round(self) -> dict:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)

    def __enter__(self) -> InkPlayer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_ink(data: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_ink(data), encoding="utf-8")
    return path
