"""`kuzbass explore`: random playthroughs with a summary table, or one JSON object; with
`--path-to NODE`, the shortest way to a node instead, printed so that it can be replayed.

`--jobs N` plays the runs in N processes. Each run has its own seed (engine/tools/explorer.py), so the
runs are cut into consecutive ranges, played apart and merged in order: the report is the very
report one process gives for the same seed.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shlex
import sys
from pathlib import Path
from collections.abc import Iterable

from kuzbass_game.commands._story import add_story_options, checked_story, load, shown_dirs, story_dirs
from kuzbass_game.engine import tools  # the package: its modules load when a name is first used, not at launch
from kuzbass_game.engine.core import Story

WIDTH = 80  # the table fits an 80-column terminal
RANDOM_RUNS = 2000  # random playthroughs tried for --path-to when the search meets its bound

VERB = "explore"
HELP = "play many random games and report coverage"
DESCRIPTION = "Play random playthroughs through the real engine and report coverage, endings, dead ends and errors."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_options(parser, "the story folder", positional=True)
    parser.add_argument("--runs", type=int, default=200, help="how many playthroughs (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the random picks (default 0)")
    parser.add_argument("--max-steps", type=int, default=500, help="give up a playthrough after this many choices")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument(
        "--jobs", type=int, default=1, metavar="N", help="play the runs in N processes (0: one per core); the same report as one process"
    )
    parser.add_argument(
        "--path-to",
        metavar="NODE",
        default=None,
        help="instead: the shortest choices (and seed) that reach NODE, printed to replay with 'play --plain'",
    )
    parser.add_argument(
        "--max-states", type=int, default=None, metavar="N", help="with --path-to: search at most N game states in all (default 200000)"
    )
    parser.add_argument(
        "--seeds", type=int, default=16, metavar="N", help="with --path-to: try up to N seeds from --seed when the story rolls dice (default 16)"
    )


def run(args: argparse.Namespace) -> int:
    given = [*(args.story_dirs or []), *(args.story or [])]
    return run_explore(
        given or None,
        args.runs,
        args.seed,
        args.max_steps,
        args.json,
        jobs=args.jobs,
        path_to=args.path_to,
        max_states=args.max_states,
        seeds=args.seeds,
    )


def run_explore(
    story_dir: Path | Iterable[Path] | None,
    runs: int,
    seed: int,
    max_steps: int,
    as_json: bool,
    *,
    jobs: int = 1,
    path_to: str | None = None,
    max_states: int | None = None,
    seeds: int = 16,
) -> int:
    if story_dir is not None and not isinstance(story_dir, (str, Path)):
        story_dir = list(story_dir)
    explicit = bool(story_dir)  # the replay command names the folders only when they were given
    if jobs < 0:
        print("kuzbass explore: --jobs is a number of processes (0: one per core)", file=sys.stderr)
        return 2
    dirs = story_dirs(story_dir)
    story = checked_story(dirs)
    if story is None:
        return 1
    if path_to is not None:
        return _path_to(story, dirs, explicit, path_to, seed, max_states, seeds, as_json)
    runs = max(1, runs)
    jobs = max(1, min(jobs if jobs > 0 else (os.cpu_count() or 1), runs))
    if as_json or not sys.stdout.isatty():
        report = _explore(story, dirs, runs, seed, max_steps, jobs)
    else:
        from rich.progress import Progress  # Rich only for a progress bar on a terminal

        with Progress(transient=True) as progress:
            task = progress.add_task("Exploring", total=runs)
            report = _explore(story, dirs, runs, seed, max_steps, jobs, lambda n: progress.update(task, completed=n))
    if report is None:
        return 1
    data = report.to_json(story, [shown_dirs([folder]) for folder in dirs[1:]])  # each layer's folder, as its files' marks name it
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        _print_table(dict(data), story)
    return 0 if report.ok else 1


# ---------------------------------------------------------------- runs, in one process or several


def _explore(story: Story, dirs: list[Path], runs: int, seed: int, max_steps: int, jobs: int, on_run=None) -> tools.ExploreReport | None:
    if jobs == 1:
        return tools.explore(story, runs, seed, max_steps, on_run=on_run)
    import multiprocessing  # launch: the process pool's modules only when the runs are spread over processes
    from concurrent.futures import ProcessPoolExecutor, as_completed  # launch: as multiprocessing above

    chunks = _chunks(runs, jobs * 4)
    parts: dict[int, tools.ExploreReport] = {}
    done = 0
    # Spawned, not forked: each worker loads the story from the cache of checked stories and
    # plays its ranges of runs; nothing is shared with this process but the arguments.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {
            pool.submit(_explore_chunk, [str(d) for d in dirs], story.fingerprint, seed, first, count, max_steps): index
            for index, (first, count) in enumerate(chunks)
        }
        for future in as_completed(futures):
            try:
                part = future.result()
            except Exception as err:
                part = f"kuzbass explore: a worker process failed ({type(err).__name__}: {err}); try --jobs 1"
            if isinstance(part, str):
                for other in futures:
                    other.cancel()
                print(part, file=sys.stderr)
                return None
            parts[futures[future]] = part
            done += part.runs
            if on_run is not None:
                on_run(done)
    return tools.merge([parts[index] for index in range(len(chunks))])


def _chunks(runs: int, pieces: int) -> list[tuple[int, int]]:
    """`runs` cut into at most `pieces` consecutive ranges (first run, how many), each starting
    on a block of runs seeded together (engine/tools/explorer.py, tools.BLOCK), so no range replays another's."""

    blocks = -(-runs // tools.BLOCK)
    pieces = max(1, min(pieces, blocks))
    size, extra = divmod(blocks, pieces)
    result, first = [], 0
    for piece in range(pieces):
        count = min((size + (1 if piece < extra else 0)) * tools.BLOCK, runs - first)
        if count > 0:
            result.append((first, count))
        first += count
    return result


_WORKER_STORY: dict[tuple[str, ...], Story] = {}


def _explore_chunk(dirs: list[str], fingerprint: str, seed: int, first: int, count: int, max_steps: int) -> tools.ExploreReport | str:
    """In a worker process: play runs `first` .. `first + count - 1` (a message when it cannot)."""
    key = tuple(dirs)
    story = _WORKER_STORY.get(key)
    if story is None:
        result = load([Path(d) for d in dirs])
        if result.story is None:
            return f"{' '.join(dirs)}: the story has errors now; it changed while exploring"
        story = _WORKER_STORY[key] = result.story
    if story.fingerprint != fingerprint:
        return f"{' '.join(dirs)}: the story changed while exploring; run the exploration again"
    return tools.explore(story, count, seed, max_steps, first=first)


# ---------------------------------------------------------------- the shortest way to a node


def _path_to(story: Story, dirs: list[Path], explicit: bool, target: str, seed: int, max_states: int | None, seeds: int, as_json: bool) -> int:

    if target not in story.nodes:
        close = difflib.get_close_matches(target, list(story.nodes), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        print(f"{' '.join(str(d) for d in dirs)}: there is no node '{target}'{hint}", file=sys.stderr)
        return 1
    limit = max_states or tools.MAX_STATES
    found = tools.path_to(story, target, seed, limit, seeds, random_runs=RANDOM_RUNS)
    replay = _replay_command(found, dirs, explicit) if found.found else None
    if as_json:
        print(
            json.dumps(
                {
                    "target": target,
                    "found": found.found,
                    "seed": found.seed,
                    "choices": found.choices if found.found else None,
                    "steps": [
                        {"node": s.node, "type": s.typed, "choice": s.index, "text": s.text, "input": s.number is None} for s in found.steps or ()
                    ],
                    "states": found.states,
                    "capped": found.capped,
                    "seeds_tried": found.seeds,
                    "shortest": found.shortest if found.found else None,
                    "random_runs": found.runs,
                    "faults": found.faults,
                    "replay": replay,
                },
                indent=2,
            )
        )
        return 0 if found.found else 1
    from rich.console import Console  # Rich and Textual's markup only for a table on a terminal, never for --json
    from rich.markup import escape  # (as above)

    from kuzbass_game.text import markup_to_plain  # (as above)

    console = Console(highlight=False, width=min(Console().width, WIDTH), soft_wrap=False)
    node = story.nodes[target]
    what = f"'{target}'" + (f' ("{markup_to_plain(node.ending.title)}")' if node.ending else "")
    tried = f"seed {found.seeds[0]}" if len(found.seeds) == 1 else f"seeds {found.seeds[0]}-{found.seeds[-1]}"
    if not found.found:
        if found.capped:
            tries = f", nor by {found.runs:,} random playthroughs" if found.runs else ""
            console.print(escape(f"{what} was not reached within {limit:,} states ({tried}){tries}; raise --max-states to search further."))
        elif found.states == 0:
            console.print(escape(f"{what} cannot be reached from the start: no path of choices leads there."))
        else:
            states = f"{found.states:,} state" + ("" if found.states == 1 else "s")
            console.print(
                escape(f"{what} cannot be reached from the start with {tried}: every state the story can reach on the way was searched ({states}).")
            )
        for fault in found.faults:
            console.print(escape(f"story fault met: {fault}"))
        return 1
    if found.shortest:
        console.print(escape(f"{what}: {_plural(found.choices, 'choice')} with seed {found.seed} ({found.states:,} states searched)."))
    else:
        console.print(
            escape(
                f"{what}: {_plural(found.choices, 'choice')} with seed {found.seed}: the shortest of "
                f"{found.runs:,} random playthroughs that reached it, after the search met its bound of "
                f"{limit:,} states; a shorter way may exist (raise --max-states to look for it)."
            )
        )
    console.print()
    width = max([4] + [len(step.typed) for step in found.steps or ()])
    console.print(escape(f"  {'type'.ljust(width)}  at node / what it is"))
    for step in found.steps or ():
        if step.number is None:
            said = "a sample name, typed" + (f" at: {markup_to_plain(step.prompt)}" if step.prompt else "")
        else:
            said = markup_to_plain(step.text)
        line = f"  {step.typed.ljust(width)}  {step.node}: {said}"
        console.print(escape(_clip(line, console.width)))
    console.print()
    console.print("Replay it:")
    console.print(escape(f"  {replay}"), soft_wrap=True)
    return 0


def _replay_command(found, dirs: list[Path], explicit: bool) -> str:
    typed = "".join(step.typed.replace("\\", "\\\\").replace("%", "%%") + "\\n" for step in found.steps or ())
    story = "".join(f" --story {shlex.quote(str(d))}" for d in dirs) if explicit else ""
    return f"printf {shlex.quote(typed)} | kuzbass play --plain --seed {found.seed}{story}"


# ---------------------------------------------------------------- the table


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _print_untaken(console, untaken: list[str], story: Story, escape, markup_to_plain, limit: int = 10) -> None:
    """Name the choices no run took: "never taken: ch1_gate choice 2 (Climb the fence), ..."."""
    if not untaken:
        return
    console.print("never taken:")
    for key in untaken[:limit]:
        node_id, _, index = key.rpartition("#")
        choice = story.nodes[node_id].choices[int(index)]
        text = markup_to_plain("".join(part for part in choice.text if isinstance(part, str)))
        console.print(f"  {escape(node_id)} choice {int(index) + 1}: {escape(_clip(text, WIDTH - len(node_id) - 14))}")
    if len(untaken) > limit:
        console.print(f"  ... and {len(untaken) - limit} more (--json lists them all)")


def _print_layers(console, layers: dict, escape) -> None:
    """A line for each layer: what it added, as its author wants it (--json counts each)."""
    for layer, part in layers.items():
        seen = sum(1 for visits in part["nodes"].values() if visits)
        taken = sum(1 for times in part["choices"].values() if times)
        line = f"layer {escape(layer)}: its nodes visited {seen}/{len(part['nodes'])}, choices taken {taken}/{len(part['choices'])}"
        if part["codex"]:
            line += f", codex {sum(1 for runs in part['codex'].values() if runs)}/{len(part['codex'])}"
        console.print(line)


def _print_table(data: dict, story: Story) -> None:
    from rich.console import Console  # Rich and Textual's markup only for a table on a terminal, never for --json
    from rich.markup import escape  # (as above)
    from rich.table import Table  # (as above)

    from kuzbass_game.text import markup_to_plain  # (as above)

    console = Console(highlight=False, width=min(Console().width, WIDTH))
    length = data["path_length"]
    console.print(f"[b]{escape(data['story'])}[/b]: {data['runs']} runs, seed {data['seed']}")
    console.print(f"nodes visited {data['nodes_visited']}/{data['nodes_total']}, choices taken {data['choices_taken']}/{data['choices_total']}")
    console.print(f"path length (choices): min {length['min']}, median {length['median']}, max {length['max']}")
    _print_untaken(console, data["untaken_choices"], story, escape, markup_to_plain)

    room = WIDTH - 26  # the ending column: what the numbers and the borders leave of 80 columns

    def title(ending_id: str) -> str:
        """The title, cut to fit, then the id in brackets (kept whole, so the row stays findable)."""
        node = story.nodes.get(ending_id)
        name = markup_to_plain(node.ending.title) if node is not None and node.ending is not None else ending_id
        fits = max(8, room - len(ending_id) - 3)
        if len(name) > fits:
            name = name[: fits - 1].rstrip() + "…"
        return f"{escape(name)} [dim]\\[{escape(ending_id)}][/dim]"

    table = Table(title="Endings", title_justify="left", expand=False)
    table.add_column("ending", no_wrap=True, overflow="ellipsis", max_width=room)
    table.add_column("reached", justify="right", no_wrap=True)
    table.add_column("share", justify="right", no_wrap=True)
    runs = max(1, data["runs"])
    for ending, count in data["endings"].items():
        table.add_row(title(ending), str(count), f"{100 * count / runs:.0f}%")
    for ending in data["endings_unreached"]:
        table.add_row(f"[red]{title(ending)}[/red]", "0", "0%")
    console.print(table)
    if data["votes"]:
        votes = Table(title="Assemblies", title_justify="left")
        votes.add_column("vote", no_wrap=True, overflow="ellipsis", max_width=24)
        for column in ("passed", "failed", "tied", "held"):
            votes.add_column(column, justify="right", no_wrap=True)
        for vote_id, outcomes in data["votes"].items():
            held = sum(outcomes.values())
            cells = [f"{outcomes.get(o, 0)} ({100 * outcomes.get(o, 0) // held}%)" if held else "0" for o in ("passed", "failed", "tied")]
            votes.add_row(escape(vote_id), *cells, str(held))
        console.print(votes)
    codex = data["codex"]
    if codex["entries"]:
        console.print(f"codex entries unlocked in some run: {codex['unlocked']}/{codex['entries']}")
        if codex["never_unlocked"]:
            console.print("[yellow]never unlocked:[/yellow] " + escape(", ".join(codex["never_unlocked"])))
    _print_layers(console, data["layers"], escape)
    if data["unvisited_nodes"]:
        console.print("[yellow]never visited:[/yellow] " + escape(", ".join(data["unvisited_nodes"])))
    for dead in data["dead_ends"]:
        console.print(f"[red]dead end[/red] at {escape(dead['node'])} ({dead['count']} runs)")
    for error in data["errors"][:20]:
        console.print(f"[red]error[/red] in run {error['run']} at {escape(error['node'])}: {escape(error['message'])}")
    if data["unfinished"]:
        console.print(f"{data['unfinished']} runs hit the step limit without an ending")
