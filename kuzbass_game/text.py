"""Turning story markup into plain text, for line mode and transcripts."""

from __future__ import annotations

import re

from textual.markup import MarkupError, to_content

from kuzbass_game.engine.core import acting_tag

_TAG_END = re.compile(r"\]")
# Each probe parses a prefix, so a longer text is placed at its start (the message still names
# the tag): a hostile 16 MB paragraph must not cost minutes of checking.
MAX_PLACED_LENGTH = 20_000


def markup_to_plain(markup: str) -> str:
    """The text a reader should see; broken markup is shown as written rather than crashing."""
    try:
        return to_content(markup).plain
    except (MarkupError, ValueError, KeyError):
        return markup.replace("\\[", "[")


def markup_problem(markup: str) -> str | None:
    """Why this markup would fail to render or is not allowed, or None when it is fine (used by `kuzbass check`)."""
    if "[" not in markup:
        return None
    acting = acting_tag(markup)
    if acting is not None:
        return f"'{acting}' is an action or a link; story markup may only style text ([b], [i], [dim], colours)"
    try:
        to_content(markup)
    except (MarkupError, ValueError, KeyError) as err:
        return str(err) or type(err).__name__
    return None


def markup_problem_at(markup: str) -> tuple[int, str] | None:
    """Where (a character offset) and why this markup would fail to render, or None.

    Textual's error names the tag but not its place, so the place is found by bisecting the
    prefixes cut just after a `]`: the first one that fails ends with the tag to blame. Only
    broken text pays, and only a logarithmic number of parses.
    """
    problem = markup_problem(markup)
    if problem is None:
        return None
    if len(markup) > MAX_PLACED_LENGTH:
        return 0, problem
    ends = [match.end() for match in _TAG_END.finditer(markup)]
    low, high = 0, len(ends)  # the answer is the first failing prefix among ends[low:high]
    while low < high:
        middle = (low + high) // 2
        if markup_problem(markup[: ends[middle]]) is None:
            low = middle + 1
        else:
            high = middle
    if low < len(ends):
        return max(markup.rfind("[", 0, ends[low] - 1), 0), problem
    # Nothing fails before the end (an unclosed '['): point at the last opening bracket.
    return max(markup.rfind("["), 0), problem
