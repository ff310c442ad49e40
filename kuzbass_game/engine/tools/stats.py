"""How big a story is and how a playthrough sees it, for `kuzbass stats`.

Words. A node's words are those of its text (every part, conditional parts included), its
choices' texts, replies and locked reasons, its input prompt and its ending's title, with
markup left out; a `{name}` counts as one word, and so does any run of characters between spaces
that holds a letter or a digit (a lone dash or ellipsis is not a word). Codex entries are counted apart.

Paths to each ending, in choices, over the graph of nodes (conditions ignored, as `check`
walks it): the shortest is exact (breadth-first). The longest without visiting a node twice is
a hard problem in general (NP-hard), so: when the nodes the start reaches form no loop, it is
exact (the longest path in a directed acyclic graph); otherwise it is the longest playthrough
the explorer saw end there, which respects conditions but may pass a node more than once, and
says so ("observed").

Seen share: the mean, over the explorer's runs, of the words of the distinct nodes a run
visits, over all the nodes' words.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypedDict

from kuzbass_game.engine.tools.explorer import explore
from kuzbass_game.engine.tools.graph import chapters_of, node_edges
from kuzbass_game.engine.core.text import strip_markup
from kuzbass_game.engine.core.model import Node, Story, TextPart, VarRef

NO_CHAPTER = "(no chapter)"


class TallyJSON(TypedDict):
    words: int
    nodes: int
    choices: int
    endings: int


class EndingJSON(TypedDict):
    id: str
    title: str
    shortest: int | None
    longest: int | None
    longest_how: str
    reached: int


class PlaythroughsJSON(TypedDict):
    runs: int
    seed: int
    mean_words_seen: float
    seen_share: float


class StatsJSON(TypedDict):
    """A story's figures as `kuzbass stats --json` prints them (see `StoryStats.to_json`)."""

    story: str
    total: TallyJSON
    codex_words: int
    files: dict[str, TallyJSON]
    chapters: dict[str, TallyJSON]
    endings: list[EndingJSON]
    playthroughs: PlaythroughsJSON
    loops: bool


def words(parts: Iterable[TextPart] | str | None) -> int:
    """Words in a text (a template's parts, or a plain string), markup left out."""
    if parts is None:
        return 0
    if isinstance(parts, str):
        parts = (parts,)
    count = 0
    for part in parts:
        if isinstance(part, VarRef):
            count += 1
        else:
            count += sum(1 for word in strip_markup(part).split() if any(ch.isalnum() for ch in word))
    return count


def node_words(node: Node) -> int:
    total = sum(words(p.parts) for p in node.paragraphs)
    for choice in node.choices:
        total += words(choice.text) + words(choice.reply) + words(choice.locked_reason)
    if node.input is not None:
        total += words(node.input.prompt)
    if node.ending is not None:
        total += words(node.ending.title)
    return total


@dataclass
class Tally:
    words: int = 0
    nodes: int = 0
    choices: int = 0
    endings: int = 0

    def add(self, node: Node, count: int) -> None:
        self.words += count
        self.nodes += 1
        self.choices += len(node.choices)
        self.endings += node.ending is not None

    def to_json(self) -> TallyJSON:
        return {"words": self.words, "nodes": self.nodes, "choices": self.choices, "endings": self.endings}


@dataclass
class EndingPaths:
    id: str
    title: str
    shortest: int | None  # None: no path reaches it
    longest: int | None
    longest_how: str  # "exact" (no loops) or "observed" (the explorer's longest run ending here)
    reached: int = 0  # explorer runs that ended here


@dataclass
class StoryStats:
    story: str
    files: dict[str, Tally] = field(default_factory=dict)
    chapters: dict[str, Tally] = field(default_factory=dict)
    total: Tally = field(default_factory=Tally)
    codex_words: int = 0
    endings: list[EndingPaths] = field(default_factory=list)
    runs: int = 0
    seed: int = 0
    mean_words_seen: float = 0.0
    loops: bool = False

    @property
    def seen_share(self) -> float:
        return self.mean_words_seen / self.total.words if self.total.words else 0.0

    def to_json(self) -> StatsJSON:
        return {
            "story": self.story,
            "total": self.total.to_json(),
            "codex_words": self.codex_words,
            "files": {path: tally.to_json() for path, tally in self.files.items()},
            "chapters": {name: tally.to_json() for name, tally in self.chapters.items()},
            "endings": [
                {"id": e.id, "title": e.title, "shortest": e.shortest, "longest": e.longest, "longest_how": e.longest_how, "reached": e.reached}
                for e in self.endings
            ],
            "playthroughs": {
                "runs": self.runs,
                "seed": self.seed,
                "mean_words_seen": round(self.mean_words_seen, 1),
                "seen_share": round(self.seen_share, 4),
            },
            "loops": self.loops,
        }


def story_stats(story: Story, runs: int = 200, seed: int = 0, max_steps: int = 500) -> StoryStats:
    result = StoryStats(story.id, runs=max(1, runs), seed=seed)
    chapters = chapters_of(story)
    counts: dict[str, int] = {}
    root = str(story.root) if story.root is not None else None
    for node_id, node in story.nodes.items():
        count = counts[node_id] = node_words(node)
        path = _relative(node.mark.path, root) if node.mark is not None else "?"
        result.files.setdefault(path, Tally()).add(node, count)
        result.chapters.setdefault(chapters[node_id] or NO_CHAPTER, Tally()).add(node, count)
        result.total.add(node, count)
    result.files = dict(sorted(result.files.items()))
    result.codex_words = sum(words(entry.title) + sum(words(p) for p in entry.text) for entry in story.codex.values())

    seen_words: list[int] = []
    longest_run: Counter[str] = Counter()  # ending -> the longest run (in choices) the explorer saw end there

    def each_run(hits: Counter[str], length: int) -> None:
        seen_words.append(sum(counts[node_id] for node_id in hits))
        for node_id in hits:  # a run ends at the first ending it enters: at most one here
            if story.nodes[node_id].ending is not None:
                longest_run[node_id] = max(longest_run[node_id], length)

    report = explore(story, result.runs, seed, max_steps, each_run=each_run)
    result.mean_words_seen = sum(seen_words) / len(seen_words) if seen_words else 0.0

    graph = _successors(story)
    shortest = _shortest(story, graph)
    order = _topological(story.start, graph)
    result.loops = order is None
    longest = _longest(order, graph, story.start) if order is not None else {}
    for ending_id, node in story.endings.items():
        if node.ending is None:  # (never: these are the endings)
            continue
        exact = not result.loops
        result.endings.append(
            EndingPaths(
                ending_id,
                " ".join(strip_markup(node.ending.title).split()),
                shortest.get(ending_id),
                longest.get(ending_id) if exact else (longest_run.get(ending_id) if ending_id in longest_run else None),
                "exact" if exact else "observed",
                report.endings.get(ending_id, 0),
            )
        )
    result.endings.sort(key=lambda e: (e.shortest is None, e.shortest or 0, e.id))
    return result


def _relative(path: str, root: str | None) -> str:
    if root is None:
        return path
    try:
        relative = os.path.relpath(path, root)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def _successors(story: Story) -> dict[str, list[str]]:
    return {node_id: list(dict.fromkeys(e.target for e in node_edges(node) if e.target in story.nodes)) for node_id, node in story.nodes.items()}


def _shortest(story: Story, graph: dict[str, list[str]]) -> dict[str, int]:
    depth = {story.start: 0}
    queue = deque([story.start])
    while queue:
        node = queue.popleft()
        for nxt in graph.get(node, ()):
            if nxt not in depth:
                depth[nxt] = depth[node] + 1
                queue.append(nxt)
    return depth


def _topological(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """The nodes the start reaches, in an order where every edge goes forward; None if they loop."""
    reached = {start}
    queue = deque([start])
    while queue:
        for nxt in graph.get(queue.popleft(), ()):
            if nxt not in reached:
                reached.add(nxt)
                queue.append(nxt)
    incoming = Counter(nxt for node in reached for nxt in graph.get(node, ()))
    ready = deque(node for node in reached if incoming[node] == 0)
    order = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for nxt in graph.get(node, ()):
            incoming[nxt] -= 1
            if incoming[nxt] == 0:
                ready.append(nxt)
    return order if len(order) == len(reached) else None


def _longest(order: list[str], graph: dict[str, list[str]], start: str) -> dict[str, int]:
    best = {start: 0}
    for node in order:
        if node not in best:
            continue
        for nxt in graph.get(node, ()):
            if best.get(nxt, -1) < best[node] + 1:
                best[nxt] = best[node] + 1
    return best
