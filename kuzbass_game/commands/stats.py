"""`kuzbass stats`: words, nodes, choices and endings per file and per chapter, the shortest and
longest paths to each ending, and the share of the text a playthrough sees (engine/tools/stats.py
says how each is counted). Plain-text tables that fit 80 columns, or one JSON object."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from collections.abc import Iterable

from kuzbass_game.commands._story import add_story_options, checked_story, story_dirs
from kuzbass_game.engine import tools  # the package: its modules load when a name is first used, not at launch

WIDTH = 80

VERB = "stats"
HELP = "count words, nodes, choices and endings; paths to each ending"
DESCRIPTION = (
    "Words, nodes, choices and endings per file and per chapter; the shortest and "
    "longest paths to each ending; the share of the text a playthrough sees."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_story_options(parser, "the story folder", positional=True)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--runs", type=int, default=200, help="playthroughs for the share of text seen (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="seed for those playthroughs (default 0)")


def run(args: argparse.Namespace) -> int:
    return run_stats(story_dirs(args), args.json, args.runs, args.seed)


def run_stats(given: Iterable[Path] | None, as_json: bool, runs: int, seed: int) -> int:
    dirs = story_dirs(given)
    story = checked_story(dirs)
    if story is None:
        return 1
    stats = tools.story_stats(story, runs, seed)
    if as_json:
        print(json.dumps(stats.to_json(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(render(stats)))
    return 0


def render(stats: tools.StoryStats) -> list[str]:
    total = stats.total
    lines = [
        _fit(
            f"{stats.story}: {total.words:,} words in {_plural(total.nodes, 'node')} "
            f"({_plural(total.choices, 'choice')}, {_plural(total.endings, 'ending')}); "
            f"codex {stats.codex_words:,} words"
        ),
        "",
    ]
    numbers = ("words", "nodes", "choices", "endings")
    rows = [[path, *(f"{getattr(t, n):,}" for n in numbers)] for path, t in stats.files.items()]
    rows.append(["total", *(f"{getattr(total, n):,}" for n in numbers)])
    lines += _table(["file", *numbers], rows, clip_start=True)
    lines.append("")
    rows = [[name, *(f"{getattr(t, n):,}" for n in numbers)] for name, t in stats.chapters.items()]
    lines += _table(["chapter", *numbers], rows)
    lines.append("")
    observed = any(e.longest_how == "observed" for e in stats.endings)
    rows = []
    for ending in stats.endings:
        longest = "-" if ending.longest is None else f"{ending.longest}{' ~' if ending.longest_how == 'observed' else ''}"
        rows.append([f"{ending.title} [{ending.id}]", "-" if ending.shortest is None else str(ending.shortest), longest, str(ending.reached)])
    lines += _table(["ending (paths in choices)", "shortest", "longest", "reached"], rows)
    if observed:
        lines.append(_fit(f"  ~ the longest of {stats.runs} playthroughs that ended there (the story loops,"))
        lines.append("    so the longest path that never repeats a node is not worked out)")
    else:
        lines.append("  longest: exact (no path from the start passes a node twice)")
    lines.append("  reached: playthroughs of the explorer that ended there")
    lines.append("")
    lines.append(f"A playthrough sees {100 * stats.seen_share:.0f}% of the text on average ({stats.mean_words_seen:,.0f} of {total.words:,} words;")
    lines.append(f"{stats.runs} random playthroughs, seed {stats.seed}).")
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _fit(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(header: list[str], rows: list[list[str]], clip_start: bool = False) -> list[str]:
    """A left column of names and right-aligned columns of numbers, at most WIDTH wide; names
    too long are cut (paths from the start, so the file name stays)."""
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) if rows else len(header[i]) for i in range(len(header))]
    room = WIDTH - sum(widths[1:]) - 2 * (len(header) - 1)
    widths[0] = max(8, min(widths[0], room))

    def cut(text: str) -> str:
        if len(text) <= widths[0]:
            return text
        return "…" + text[-(widths[0] - 1) :] if clip_start else text[: widths[0] - 1] + "…"

    def line(cells: list[str]) -> str:
        return "  ".join([cut(cells[0]).ljust(widths[0]), *(cell.rjust(w) for cell, w in zip(cells[1:], widths[1:]))]).rstrip()

    return [line(header), *(line(row) for row in rows)]
