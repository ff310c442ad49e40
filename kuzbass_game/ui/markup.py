"""Turning text into Textual `Content`, so broken author markup or player text can never crash a screen.

Story text is author markup (values already escaped by the engine): render it, but fall back to
the literal text when it does not parse. Everything else is shown literally, never parsed.
"""

from __future__ import annotations

from textual.content import Content
from textual.markup import MarkupError


def story(markup: str | None) -> Content:
    """Author markup as styled content; the text as written when the markup is broken."""
    if not markup:
        return Content("")
    try:
        return Content.from_markup(markup)
    except (MarkupError, ValueError, KeyError):
        return Content(markup.replace("\\[", "["))


def plain(text: str | None) -> Content:
    """Text that is not author markup (slot names, typed text): shown exactly as it is."""
    return Content(text or "")
