"""A known name offered ("did you mean") for a misspelt one, only when it is close.

difflib's ratio alone praised names that merely share a long prefix ('ch1_night_cage' ->
'ch1_dining_hall', 0.62): many ids of one story begin alike. A name is offered only when it is
also a few edits away (letters added, dropped, changed or swapped: about one in four of the
word's, and two for any word), or when one name holds the other whole ('stokehold' and
'the_stokehold').
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def edits(a: str, b: str, limit: int) -> int:
    """The edits (insert, delete, change, swap two neighbours) from `a` to `b`; `limit + 1` when more."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if before is not None and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def is_close(word: str, option: str) -> bool:
    """Whether `option` is near enough to `word` to be what was meant."""
    a, b = word.casefold(), option.casefold()
    if min(len(a), len(b)) >= 3 and (a in b or b in a):
        return True
    limit = max(2, len(word) // 4)
    return edits(a, b, limit) <= limit


def closest(word: str, options: Iterable[str]) -> str | None:
    """The known name most like `word`, when one is close; None otherwise."""
    listed = list(options)
    for option in difflib.get_close_matches(word, listed, n=5, cutoff=0.6):
        if is_close(word, option):
            return option
    for option in listed:  # difflib's ratio misses a long name inside a short one
        if len(word) >= 4 and word.casefold() in option.casefold() and len(option) <= 2 * len(word):
            return option
    return None


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """The words "; did you mean 'x'?" for the closest known name, or nothing."""
    found = closest(word, options)
    return f"; did you mean '{found}'?" if found is not None else ""
