"""Random playthroughs through the real engine: coverage, endings, dead ends and runtime errors.

This is how the test suite proves the whole story is playable: every node visited, every
ending reached, no run stuck, on every run of the tests.

Each run draws from its own generator, seeded from the exploration's seed and the run's number
(`run_seed`), so any range of runs can be played apart (in another process, say) and the
partial reports merged (`merge`) into exactly the report of one process playing them all.
"""

from __future__ import annotations

import os
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict
from collections.abc import Callable, Sequence

from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.core import dice as rng
from kuzbass_game.engine.play import stepper
from kuzbass_game.engine.core.gcpause import collector_paused
from kuzbass_game.engine.play.stepper import InvalidAction, StoryRuntimeError

if TYPE_CHECKING:
    from kuzbass_game.engine.play.stepper import Cursor
    from kuzbass_game.engine.play.votes import Tally

SAMPLE_INPUTS = ("Anna", "Jack [b]Beyer[/b]", "Mikko\\", "Ruth [link=x]K[/link]", "Stepan")


class RunError(TypedDict):
    """A run that met a fault in the story (or an action refused): where, and what was said."""

    run: int
    node: str
    message: str


class DeadEnd(TypedDict):
    node: str
    count: int  # runs that ended there


class CodexCoverage(TypedDict):
    entries: int
    unlocked: int
    never_unlocked: list[str]


class LayerJSON(TypedDict):
    """What one layer added, with its counts: what the author of a layer wants to see of it."""

    nodes: dict[str, int]  # its own nodes -> visits over all runs
    choices: dict[str, int]  # "node#index" of its choices (on its nodes, and added to nodes below) -> times taken
    votes: dict[str, dict[str, int]]  # the votes held in its nodes -> outcome -> runs
    codex: dict[str, int]  # its codex entries -> runs that unlocked them


class PathLength(TypedDict):
    """Runs' lengths in choices."""

    min: int
    max: int
    mean: float
    median: float


class ReportJSON(TypedDict):
    """An exploration's report as `kuzbass explore --json` prints it (see `ExploreReport.to_json`)."""

    story: str
    runs: int
    seed: int
    nodes_total: int
    nodes_visited: int
    unvisited_nodes: list[str]
    choices_total: int
    choices_taken: int
    untaken_choices: list[str]  # "node#index" (index from 0) of each choice no run took
    node_visits: dict[str, int]  # node id -> visits over all runs (every node, 0 included)
    node_runs: dict[str, int]  # node id -> runs that visited it at least once (every node)
    choice_counts: dict[str, int]  # "node#index" -> times taken over all runs (every choice)
    endings: dict[str, int]  # ending node id -> runs
    endings_unreached: list[str]
    ending_titles: dict[str, str]
    dead_ends: list[DeadEnd]
    errors: list[RunError]
    unfinished: int
    votes: dict[str, dict[str, int]]  # vote id -> outcome -> runs
    codex: CodexCoverage
    codex_unlocks: dict[str, int]  # entry id -> runs that unlocked it (every entry, 0 included)
    path_length: PathLength
    layers: dict[str, LayerJSON]  # layer id -> what it added, with counts (absent layers: none)


@dataclass
class ExploreReport:
    runs: int
    seed: int
    nodes_total: int
    choices_total: int
    endings: Counter[str] = field(default_factory=Counter)  # ending node id -> runs
    node_hits: Counter[str] = field(default_factory=Counter)  # node id -> visits
    node_runs: Counter[str] = field(default_factory=Counter)  # node id -> runs that visited it
    choices_taken: Counter[str] = field(default_factory=Counter)  # choice key -> times taken
    dead_ends: Counter[str] = field(default_factory=Counter)
    errors: list[RunError] = field(default_factory=list)
    unfinished: int = 0  # runs that hit the step limit
    lengths: list[int] = field(default_factory=list)
    votes: dict[str, Counter[str]] = field(default_factory=dict)  # vote id -> outcome -> runs
    codex_unlocked: set[str] = field(default_factory=set)  # entries unlocked in at least one run
    codex_runs: Counter[str] = field(default_factory=Counter)  # entry id -> runs that unlocked it

    @property
    def ok(self) -> bool:
        return not self.errors and not self.dead_ends

    def unvisited_nodes(self, story: Story) -> list[str]:
        return sorted(set(story.nodes) - set(self.node_hits))

    def unreached_endings(self, story: Story) -> list[str]:
        return sorted(set(story.endings) - set(self.endings))

    def to_json(self, story: Story, layer_folders: Sequence[str] = ()) -> ReportJSON:
        """The report as one object. `layer_folders`: each layer's folder as its files' marks name
        it (the story's folders after the first), so what a layer added to nodes below it and its
        codex entries are counted in its section; without them, a section holds the layer's nodes."""
        lengths = self.lengths or [0]
        choices = [c.key for n in story.nodes.values() for c in n.choices]
        return {
            "story": story.id,
            "runs": self.runs,
            "seed": self.seed,
            "nodes_total": self.nodes_total,
            "nodes_visited": len(self.node_hits),
            "unvisited_nodes": self.unvisited_nodes(story),
            "choices_total": self.choices_total,
            "choices_taken": len(self.choices_taken),
            "untaken_choices": sorted(set(choices) - set(self.choices_taken)),
            "node_visits": {node_id: self.node_hits.get(node_id, 0) for node_id in sorted(story.nodes)},
            "node_runs": {node_id: self.node_runs.get(node_id, 0) for node_id in sorted(story.nodes)},
            "choice_counts": {key: self.choices_taken.get(key, 0) for key in sorted(choices)},
            "endings": dict(sorted(self.endings.items())),
            "endings_unreached": self.unreached_endings(story),
            "ending_titles": {node_id: node.ending.title for node_id, node in sorted(story.endings.items()) if node.ending is not None},
            "dead_ends": [{"node": node, "count": count} for node, count in sorted(self.dead_ends.items())],
            "errors": self.errors,
            "unfinished": self.unfinished,
            "votes": {vote_id: dict(sorted(self.votes.get(vote_id, Counter()).items())) for vote_id in sorted(story.votes)},
            "codex": {
                "entries": len(story.codex),
                "unlocked": len(self.codex_unlocked & set(story.codex)),
                "never_unlocked": sorted(set(story.codex) - self.codex_unlocked),
            },
            "codex_unlocks": {entry: self.codex_runs.get(entry, 0) for entry in sorted(story.codex)},
            "path_length": {
                "min": min(lengths),
                "max": max(lengths),
                "mean": round(statistics.fmean(lengths), 2),
                "median": statistics.median(lengths),
            },
            "layers": {layer: self._layer_json(story, layer, folder) for layer, folder in _layer_folders(story, layer_folders)},
        }

    def _layer_json(self, story: Story, layer: str, folder: str | None) -> LayerJSON:
        """One layer's own nodes, its choices (on its nodes and added below), its votes and codex entries, with counts."""
        inside = _in_folder(folder) if folder else None
        own = sorted(node_id for node_id, owner in story.node_layer.items() if owner == layer and node_id in story.nodes)
        choices = sorted(
            c.key
            for node in story.nodes.values()
            for c in node.choices
            if story.node_layer.get(node.id) == layer or (inside and c.mark is not None and inside(c.mark.path))
        )
        votes = sorted(story.nodes[n].vote.id for n in own if story.nodes[n].vote is not None)  # type: ignore[union-attr]  # (not None: filtered)
        entries = sorted(e for e, entry in story.codex.items() if inside and entry.mark is not None and inside(entry.mark.path))
        return {
            "nodes": {node_id: self.node_hits.get(node_id, 0) for node_id in own},
            "choices": {key: self.choices_taken.get(key, 0) for key in choices},
            "votes": {vote_id: dict(sorted(self.votes.get(vote_id, Counter()).items())) for vote_id in votes},
            "codex": {entry: self.codex_runs.get(entry, 0) for entry in entries},
        }


def _in_folder(folder: str) -> Callable[[str], bool]:
    """Whether a mark's file lies in `folder`, however either was named: a story from the cache
    keeps its marks as the load that stored it named the folder (`../x`, `/abs/x` or a link to it;
    the cache is kept per working folder, so a relative mark still resolves from here)."""
    inside = os.path.join(os.path.realpath(folder), "")
    seen: dict[str, bool] = {}  # a few files hold every mark

    def holds(path: str) -> bool:
        if path not in seen:
            seen[path] = os.path.realpath(path).startswith(inside)
        return seen[path]

    return holds


def _layer_folders(story: Story, folders: Sequence[str]) -> list[tuple[str, str | None]]:
    """Each layer of the story with its folder, when known (the folders are given in the layers' order)."""
    return [(layer, folders[number] if number < len(folders) else None) for number, layer in enumerate(story.layers)]


# Runs are seeded by blocks: seeding Python's generator costs about as much as a short
# playthrough, so one seed serves BLOCK consecutive runs. Ranges of runs that start on a block
# boundary (as `--jobs` cuts them) are played exactly as in one process.
BLOCK = 32


def run_seed(seed: int, run: int) -> int:
    """The seed of block number `run` of an exploration seeded `seed`: independent of every other block."""
    _, out = rng.step(rng.seed_state(seed) ^ (((run + 1) * 0xD1B54A32D192ED03) & rng.MASK))
    return out


def explore(
    story: Story,
    runs: int = 100,
    seed: int = 0,
    max_steps: int = 500,
    on_run: Callable[[int], None] | None = None,
    *,
    first: int = 0,
    each_run: Callable[[Counter[str], int], None] | None = None,
) -> ExploreReport:
    """Play runs number `first` .. `first + runs - 1`, picking uniformly among the enabled
    choices; deterministic for a seed, and the same runs whichever range they are played in.

    `each_run`, when given, receives each run's node visits (node id -> times) and its length
    in choices, after the run.
    """
    report = ExploreReport(runs, seed, len(story.nodes), story.choice_count)
    picker = random.Random()
    with collector_paused():
        if first % BLOCK:  # a range starting inside a block: the block's earlier runs set the stream
            picker.seed(run_seed(seed, first // BLOCK))
            scratch = ExploreReport(0, seed, len(story.nodes), story.choice_count)
            for run in range(first - first % BLOCK, first):
                _one_run(story, run, picker, max_steps, scratch, scratch.node_hits)
        unlocking = {node_id: node.unlocks for node_id, node in story.nodes.items() if node.unlocks} if story.codex else {}
        for number in range(runs):
            run = first + number
            if run % BLOCK == 0:
                picker.seed(run_seed(seed, run // BLOCK))
            hits: Counter[str] = Counter()
            _one_run(story, run, picker, max_steps, report, hits)
            report.node_hits.update(hits)
            report.node_runs.update(hits.keys())
            if unlocking:  # a node's unlocks are for every visitor: the run unlocked what its nodes do
                report.codex_runs.update({entry for node_id in hits if node_id in unlocking for entry in unlocking[node_id]})
            if each_run is not None:
                each_run(hits, report.lengths[-1])
            if on_run is not None:
                on_run(number + 1)
    report.codex_unlocked = set(report.codex_runs)
    return report


def merge(parts: list[ExploreReport]) -> ExploreReport:
    """One report from the reports of consecutive ranges of runs, given in the order of the runs."""
    if not parts:
        raise ValueError("nothing to merge")
    first = parts[0]
    merged = ExploreReport(sum(p.runs for p in parts), first.seed, first.nodes_total, first.choices_total)
    for part in parts:
        merged.endings.update(part.endings)
        merged.node_hits.update(part.node_hits)
        merged.node_runs.update(part.node_runs)
        merged.choices_taken.update(part.choices_taken)
        merged.dead_ends.update(part.dead_ends)
        merged.errors.extend(part.errors)
        merged.unfinished += part.unfinished
        merged.lengths.extend(part.lengths)
        for vote_id, outcomes in part.votes.items():
            merged.votes.setdefault(vote_id, Counter()).update(outcomes)
        merged.codex_unlocked |= part.codex_unlocked
        merged.codex_runs.update(part.codex_runs)
    return merged


def _one_run(story: Story, run: int, picker: random.Random, max_steps: int, report: ExploreReport, hits: Counter[str]) -> None:
    """One playthrough on a bare cursor: the same rules as `Game`, without keeping snapshots."""
    nodes = story.nodes
    cursor: Cursor | None = None
    # Bound once per run: this loop is what `kuzbass explore` and the step benchmark measure.
    # `_randbelow(n)` is exactly what `randrange(n)` returns for n > 0 (the same numbers from the
    # same seed), without randrange's argument checks, a fifth of each step's overhead.
    randbelow = getattr(picker, "_randbelow", picker.randrange)
    chosen: list[str] = []  # the keys of the choices taken, counted once the run is over (faster than counting each)
    open_choices, take, taken = stepper.open_choices, stepper.take, chosen.append
    steps = 0
    try:
        cursor = stepper.start(story, picker.getrandbits(63))
        node = nodes[cursor.node]
        hits[cursor.node] += 1
        while True:
            if node.ending is not None:
                report.endings[node.id] += 1
                break
            if steps >= max_steps:
                report.unfinished += 1
                break
            if cursor.awaiting_input:
                stepper.submit(story, cursor, picker.choice(SAMPLE_INPUTS))
                continue
            options = open_choices(node, cursor)
            if not options:
                report.dead_ends[node.id] += 1
                break
            choice = options[randbelow(len(options))] if len(options) > 1 else options[0]
            taken(choice.key)
            node = take(story, cursor, choice)
            if choice.ballot is not None:
                tally: Tally = cursor.tally  # type: ignore[assignment]  # not None: `take` just counted the ballot's vote
                outcomes = report.votes.get(tally.vote_id)
                if outcomes is None:
                    outcomes = report.votes[tally.vote_id] = Counter()
                outcomes[tally.outcome] += 1
            hits[cursor.node] += 1
            steps += 1
    except (StoryRuntimeError, InvalidAction) as err:
        where = cursor.node if cursor is not None else story.start
        report.errors.append({"run": run, "node": where, "message": str(err)})
    report.choices_taken.update(chosen)
    report.lengths.append(steps)
