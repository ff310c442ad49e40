"""Text made safe to show: one rule for what reaches a terminal, and values made safe inside markup.

Text from outside the story (a save, the cache, a file name, a player's typed line) is never
trusted: a crafted save can hold escape sequences (OSC 52 writes the clipboard, `ESC [ 2 J`
clears the screen), bidirectional overrides that reorder what is shown, and lone surrogates,
which cannot even be encoded for output. `plain_text` removes them all: control characters
(Unicode category Cc, except that tabs and line breaks become spaces), format characters (Cf)
and surrogates (Cs), plus the line and paragraph separators (Zl, Zp), which also become spaces.
It is applied where such text enters the engine, so every face receives plain strings; the
faces must still show them as plain text, never as markup.

Authors may use markup in their own story text; anything else placed inside it (a player's
typed name, a text variable) is escaped by `escape_markup`, so it shows literally.
"""

from __future__ import annotations

import re
import unicodedata

_DROPPED = frozenset(("Cc", "Cf", "Cs"))
_AS_SPACE = frozenset("\t\n")  # what plain_text keeps as a space
_SEPARATORS = frozenset(("Zl", "Zp"))


def plain_text(text: str) -> str:
    """`text` without control, format or surrogate characters (tab and newline become spaces).

    Costs one C-level scan for the usual, printable string; only a string that holds something
    unprintable is rebuilt character by character (its length is bounded by its source).
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
            continue
        category = unicodedata.category(ch)
        if ch in _AS_SPACE or category in _SEPARATORS:
            out.append(" ")
        elif category not in _DROPPED:
            out.append(ch)  # other unprintable but harmless characters: spaces such as U+00A0
    return "".join(out)


def plain_line(text: str, limit: int | None = None) -> str:
    """`plain_text` on one line: runs of white space become one space, trimmed, at most `limit` characters."""
    text = " ".join(plain_text(text).split())
    return text if limit is None or len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"


def is_plain(text: str) -> bool:
    """Whether `plain_text` would leave `text` as it is."""
    return text.isprintable() or plain_text(text) == text


def plain_tree(value: object, budget: int = 10_000_000) -> object:
    """Every string in a JSON value (keys too) through `plain_text`, in place where possible.

    Iterative (a deep value cannot exhaust the stack) and bounded: it visits at most `budget`
    containers and strings, then raises ValueError.
    """
    if isinstance(value, str):
        return plain_text(value)
    if not isinstance(value, (dict, list)):
        return value
    stack: list[dict[object, object] | list[object]] = [value]
    visited = 0
    while stack:
        visited += 1
        if visited > budget:
            raise ValueError("too many values to check")
        item = stack.pop()
        if isinstance(item, list):
            for index, child in enumerate(item):
                if isinstance(child, str):
                    if not child.isprintable():
                        item[index] = plain_text(child)
                elif isinstance(child, (dict, list)):
                    stack.append(child)
            visited += len(item)
            continue
        if not all(type(key) is str and key.isprintable() for key in item):
            cleaned = {plain_text(key) if isinstance(key, str) else key: child for key, child in item.items()}
            item.clear()
            item.update(cleaned)
        for key, child in item.items():
            if isinstance(child, str):
                if not child.isprintable():
                    item[key] = plain_text(child)
            elif isinstance(child, (dict, list)):
                stack.append(child)
        visited += len(item)
    return value


def escape_markup(value: str) -> str:
    """Escape every '[' so the markup parser shows it as text.

    A value ending in a backslash would escape the author's next tag, so a space follows it.
    """
    value = plain_text(value).replace("[", "\\[")
    if value.endswith("\\"):
        value += " "
    return value


def clean_player_text(text: str, max_length: int) -> str:
    """What we keep of player-typed text: one line, no control characters, trimmed, bounded."""
    text = " ".join(plain_text(text).split())
    return text[:max_length].rstrip()


_TAG = re.compile(r"(?<!\\)\[(?:/|[a-zA-Z#@$])[^\[\]]*\]")

# Tags that do something rather than style: `[@click=app.screenshot(...)]` would call an app
# action when clicked, `[link=...]` opens a browser. Story text may only style: the compiler
# refuses them (through the face's markup check) and so does the cache, for a crafted entry.
_ACTING_TAG = re.compile(r"(?<!\\)\[\s*/?\s*(@[\w.-]*|link\b)[^\[\]]*\]")


def acting_tag(markup: str) -> str | None:
    """The first tag in `markup` that acts (an `@` action or a link) rather than styles, or None."""
    if "[" not in markup:
        return None
    found = _ACTING_TAG.search(markup)
    return found.group(0) if found else None


def strip_markup(text: str) -> str:
    """Rough plain text of author markup, for save-slot excerpts (the faces render the real thing)."""
    return _TAG.sub("", text).replace("\\[", "[")


def play_time(seconds: float) -> str:
    """Play time that cannot be misread, the one way every face shows it: "37 s", "1 min 37 s", "1 h 37 min"."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"
