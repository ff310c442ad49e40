"""Turning story markup into plain text, for line mode and transcripts; and checking it for `kuzbass check`.

Textual's markup parser is what renders story text, so it is the judge of what is broken; but
importing it imports all of Textual (a third of `kuzbass check`'s time on the campaign). Most
markup is plainly fine (`[i]...[/i]`, `[bold red]...[/]`): `plainly_fine` recognises that much
without Textual, and only the rest (escapes, odd tags, a closing tag that is not the last one
opened) is handed to the parser, imported then.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from kuzbass_game.engine.core import acting_tag

if TYPE_CHECKING:
    from textual.content import Content

_TAG_END = re.compile(r"\]")
# Each probe parses a prefix, so a longer text is placed at its start (the message still names
# the tag): a hostile 16 MB paragraph must not cost minutes of checking.
MAX_PLACED_LENGTH = 20_000


# A tag Textual reads as a style, for certain: words of its TOKEN pattern, one space apart (no key=,
# no colour by number, no variable, no escape); the closing tag `[/]` or `[/same words]`.
_PLAIN_TAG = re.compile(r"\[(/?)((?:[a-zA-Z_][a-zA-Z0-9_-]*)(?: [a-zA-Z_][a-zA-Z0-9_-]*)*)?\]")


def plainly_fine(markup: str) -> bool:
    """True when Textual's parser certainly accepts `markup` (False: it may not; ask the parser).

    Every `[` opens a plain tag, and every closing tag closes the tag opened last and still open,
    written the same (Textual would also match `[/b]` to an earlier tag, or `[b]` to `[/bold]`:
    those, and anything else, go to the parser). A tag left open is fine, as Textual has it."""
    if "\\" in markup:
        return False
    open_tags: list[str] = []
    position = markup.find("[")
    while position != -1:
        tag = _PLAIN_TAG.match(markup, position)
        if tag is None:
            return False
        closing, words = tag.groups()
        if not closing:
            if words is None:  # `[]` is text to Textual
                return False
            open_tags.append(words)
        elif not open_tags or (words is not None and words != open_tags[-1]):
            return False
        else:
            open_tags.pop()
        position = markup.find("[", tag.end())
    return True


def _to_content(markup: str) -> Content:
    # launch time: Textual's markup parser imports all of Textual; `kuzbass check` needs it only for odd markup
    from textual.markup import to_content

    return to_content(markup)


def _parse_errors() -> tuple[type[Exception], ...]:
    # launch time: as above, imported only when the parser has been
    from textual.markup import MarkupError

    return (MarkupError, ValueError, KeyError)


def markup_to_plain(markup: str) -> str:
    """The text a reader should see; broken markup is shown as written rather than crashing."""
    if "[" not in markup:
        return markup
    if plainly_fine(markup):  # every tag a style: the text is what is left without them (no Textual)
        return _PLAIN_TAG.sub("", markup)
    try:
        return _to_content(markup).plain
    except _parse_errors():
        return markup.replace("\\[", "[")


def markup_problem(markup: str) -> str | None:
    """Why this markup would fail to render or is not allowed, or None when it is fine (used by `kuzbass check`)."""
    if "[" not in markup:
        return None
    acting = acting_tag(markup)
    if acting is not None:
        return f"'{acting}' is an action or a link; story markup may only style text ([b], [i], [dim], colours)"
    if plainly_fine(markup):
        return None
    try:
        _to_content(markup)
    except _parse_errors() as err:
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
