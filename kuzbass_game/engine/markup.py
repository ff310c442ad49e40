"""Making values safe to place inside story text, which the faces render as Textual markup.

Authors may use markup in their own text; anything else (a player's typed name, a text
variable) must show literally and must never reach the terminal as a control sequence.
"""

from __future__ import annotations

import re
import unicodedata


_DROPPED = ("Cc", "Cf", "Cs")
_PLAIN = re.compile(
    r"[ -~\u00a0-\u00ac\u00ae-\u05ff]*\Z"
)  # printable ASCII and Latin-to-Hebrew letters: nothing to drop  # controls (terminal escapes), format characters (bidi overrides), lone surrogates


def strip_controls(text: str) -> str:
    """Drop control, format and surrogate characters; keep newlines and tabs as spaces.

    Surrogates come from undecodable bytes typed at a terminal (Python's surrogateescape): they
    cannot be encoded into a save, so they must never reach the game's state.
    """
    if _PLAIN.match(text):  # almost every value (numbers, names): no character to look up
        return text
    return "".join(" " if ch in "\n\t" else ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _DROPPED)


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
