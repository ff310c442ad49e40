"""Checks that need the faces' markup parser, run by `kuzbass check` and before play.

The engine itself stays free of Textual and Rich; these checks borrow the same markup
parser the app renders with, so an author learns of a broken tag before a player does.
"""

from __future__ import annotations

from pathlib import Path

from kuzbass_game.engine.loader import load_story
from kuzbass_game.engine.diagnostics import Diagnostic, Mark, Severity
from kuzbass_game.engine.loader import LoadResult
from kuzbass_game.engine.model import Story, VarRef
from kuzbass_game.text import markup_problem


def _sample(parts) -> str:
    return "".join("x" if isinstance(p, VarRef) else p for p in parts)


def markup_diagnostics(story: Story) -> list[Diagnostic]:
    found: list[Diagnostic] = []

    def report(mark: Mark | None, what: str, markup: str) -> None:
        problem = markup_problem(markup)
        if problem is not None and mark is not None:
            found.append(Diagnostic(mark.path, mark.line, mark.col, Severity.ERROR, f"broken markup in {what}: {problem}"))

    for node in story.nodes.values():
        for number, paragraph in enumerate(node.paragraphs, 1):
            report(node.mark, f"paragraph {number} of node '{node.id}'", _sample(paragraph.parts))
        for choice in node.choices:
            report(choice.mark, f"the text of choice {choice.index + 1} of node '{node.id}'", _sample(choice.text))
            if choice.locked_reason:
                report(choice.mark, f"the locked reason of choice {choice.index + 1} of node '{node.id}'", _sample(choice.locked_reason))
        for label, value in (("chapter", node.chapter), ("date", node.date)):
            if value:
                report(node.mark, f"the {label} of node '{node.id}'", value)
        if node.ending:
            report(node.mark, f"the ending title of node '{node.id}'", node.ending.title)
        if node.input:
            report(node.mark, f"the input prompt of node '{node.id}'", node.input.prompt)
    return found


def load_and_check(story_dir: Path, *, cache: bool = False) -> LoadResult:
    """Load the story with the markup checks added: what `kuzbass check` reports and play relies on.

    `cache` reuses the checked story from the last load when no file changed (for play).
    """
    return load_story(story_dir, cache=cache, extra_checks=markup_diagnostics)
