"""Making values safe to place inside story text, which the faces render as Textual markup.

Authors may use markup in their own text; anything else (a player's typed name, a text
variable) must show literally and must never reach the terminal as a control sequence.
"""

from __future__ import annotations

import re

from kuzbass_game.engine.plaintext import plain_text


def strip_controls(text: str) -> str:
    """Drop control, format and surrogate characters; keep newlines and tabs as spaces.

    One rule for everything shown: it is `plaintext.plain_text`, which cleans what saves, the
    cache and file names hand the faces too. (Surrogates come from undecodable bytes typed at a
    terminal: they cannot be encoded into a save, so they must never reach the game's state.)
    """
    return plain_text(text)


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
