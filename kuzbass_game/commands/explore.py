"""`kuzbass explore`: random playthroughs with a summary table, or one JSON object."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.explore import explore


def run_explore(story_dir: Path, runs: int, seed: int, max_steps: int, as_json: bool) -> int:
    result = load_and_check(story_dir, cache=True)
    if result.story is None:
        for diagnostic in result.errors:
            print(diagnostic.format(), file=sys.stderr)
        print(f"{story_dir}: the story has errors; run 'kuzbass check' first", file=sys.stderr)
        return 1
    story = result.story
    runs = max(1, runs)
    if as_json or not sys.stdout.isatty():
        report = explore(story, runs, seed, max_steps)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as progress:
            task = progress.add_task("Exploring", total=runs)
            report = explore(story, runs, seed, max_steps, on_run=lambda n: progress.update(task, completed=n))
    data = report.to_json(story)
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        _print_table(data)
    return 0 if report.ok else 1


def _print_table(data: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(f"[b]{data['story']}[/b]: {data['runs']} runs, seed {data['seed']}")
    console.print(f"nodes visited {data['nodes_visited']}/{data['nodes_total']}, "
                  f"choices taken {data['choices_taken']}/{data['choices_total']}, "
                  f"path length min {data['path_length']['min']} / median {data['path_length']['median']} / max {data['path_length']['max']}")
    table = Table("ending", "reached", title="Endings")
    for ending, count in data["endings"].items():
        table.add_row(ending, str(count))
    for ending in data["endings_unreached"]:
        table.add_row(f"[red]{ending}[/red]", "0")
    console.print(table)
    if data["votes"]:
        votes = Table("vote", "passed", "failed", "tied", "held", title="Assemblies")
        for vote_id, outcomes in data["votes"].items():
            held = sum(outcomes.values())
            cells = [f"{outcomes.get(o, 0)} ({100 * outcomes.get(o, 0) // held}%)" if held else "0" for o in ("passed", "failed", "tied")]
            votes.add_row(vote_id, *cells, str(held))
        console.print(votes)
    codex = data["codex"]
    if codex["entries"]:
        console.print(f"codex entries unlocked in some run: {codex['unlocked']}/{codex['entries']}")
        if codex["never_unlocked"]:
            console.print("[yellow]never unlocked:[/yellow] " + ", ".join(codex["never_unlocked"]))
    if data["unvisited_nodes"]:
        console.print("[yellow]never visited:[/yellow] " + ", ".join(data["unvisited_nodes"]), markup=True)
    for dead in data["dead_ends"]:
        console.print(f"[red]dead end[/red] at {dead['node']} ({dead['count']} runs)")
    for error in data["errors"][:20]:
        console.print(f"[red]error[/red] in run {error['run']} at {error['node']}: {error['message']}", markup=True)
    if data["unfinished"]:
        console.print(f"{data['unfinished']} runs hit the step limit without an ending")
