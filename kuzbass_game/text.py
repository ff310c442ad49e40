"""Turning story markup into plain text, for line mode and transcripts."""

from __future__ import annotations

from textual.markup import MarkupError, to_content


def markup_to_plain(markup: str) -> str:
    """The text a reader should see; broken markup is shown as written rather than crashing."""
    try:
        return to_content(markup).plain
    except (MarkupError, ValueError, KeyError):
        return markup.replace("\\[", "[")


def markup_problem(markup: str) -> str | None:
    """Why this markup would fail to render, or None when it is fine (used by `kuzbass check`)."""
    if "[" not in markup:
        return None
    try:
        to_content(markup)
    except (MarkupError, ValueError, KeyError) as err:
        return str(err) or type(err).__name__
    return None
