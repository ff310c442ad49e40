"""Making values safe to place inside story text, which the faces render as Textual markup.

Authors may use markup in their own text; anything else (a player's typed name, a text
variable) must show literally and must never reach the terminal as a control sequence.
"""

from __future__ import annotations

import re
import unicodedata


def strip_controls(text: str) -> str:
    """Drop control characters (terminal escapes among them); keep newlines and tabs as spaces."""
    return "".join(
        " " if ch in "\n\t" else ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    )


def escape_markup(value: str) -> str:
    """Escape every '[' so the markup parser shows it as text.

    A value ending in a backslash would escape the author's next tag, so a space follows it.
    """
    value = strip_controls(value).replace("[", "\\[")
    if value.endswith("\\"):
        value += " "
    return value


def clean_player_text(text: str, max_length: int) -> str:
    """What we keep of player-typed text: one line, no control characters, trimmed, bounded."""
    text = " ".join(strip_controls(text).split())
    return text[:max_length].rstrip()


_TAG = re.compile(r"(?<!\\)\[(?:/|[a-zA-Z#@$])[^\[\]]*\]")


def strip_markup(text: str) -> str:
    """Rough plain text of author markup, for save-slot excerpts (the faces render the real thing)."""
    return _TAG.sub("", text).replace("\\[", "[")
