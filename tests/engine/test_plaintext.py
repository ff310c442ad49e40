"""`plain_text`: what is left of a string from a file is safe to print, and replays the same."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st


from kuzbass_game.engine.core.text import clean_player_text, plain_text
from kuzbass_game.engine.core.text import is_plain, plain_line, plain_tree

ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()), max_size=60)
NASTY = st.text(
    st.sampled_from(
        list("\x00\x07\x08\t\n\r\x1b\x7f\x85\x9b\u00ad\u200b\u200e\u202e\u2028\u2029\u2066\ufeff\ud800\udcff\U000e0001 a[]\\Я漢😀\u00a0")
    ),
    max_size=40,
)


def _dropped(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs")


@settings(max_examples=500, deadline=None)
@given(st.one_of(ANY_TEXT, NASTY))
def test_no_control_format_or_surrogate_character_is_left(text):
    cleaned = plain_text(text)
    assert not any(_dropped(ch) for ch in cleaned)
    assert "\u2028" not in cleaned and "\u2029" not in cleaned
    cleaned.encode("utf-8")  # printable on any UTF-8 terminal: no lone surrogate
    assert plain_text(cleaned) == cleaned and is_plain(cleaned)
    assert len(cleaned) <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp")), max_size=40))
def test_ordinary_text_is_kept_exactly(text):
    assert plain_text(text) == text


@settings(max_examples=500, deadline=None)
@given(st.one_of(ANY_TEXT, NASTY), st.integers(1, 50))
def test_typed_text_cleaned_from_a_save_is_what_the_game_stored(text, max_length):
    """A save's typed texts go through plain_text; replayed, they must give the same value."""
    assert clean_player_text(plain_text(text), max_length) == clean_player_text(text, max_length)
    assert plain_text(plain_text(text)) == plain_text(text)


def test_known_attacks():
    assert plain_text("\x1b]52;c;aGVsbG8=\x07") == "]52;c;aGVsbG8="
    assert plain_text("\x1b[2J\x9b31mred") == "[2J31mred"
    assert plain_text("abc\u202edef\u2066") == "abcdef"
    assert plain_text("a\tb\nc\u2028d") == "a b c d"
    assert plain_text("lone \ud800 surrogate") == "lone  surrogate"
    assert plain_text("Пётр\u00a0I") == "Пётр\u00a0I"
    assert plain_line("  a\n\n b\x1b  ", 3) == "a b"
    assert plain_line("abcdef", 4) == "abc…"


def test_plain_tree_cleans_keys_and_values_in_place_and_is_bounded():
    value = {"a\x1b": ["x\x07", {"k": "\u202ev"}], "n": 5, "ok": "fine"}
    assert plain_tree(value) == {"a": ["x", {"k": "v"}], "n": 5, "ok": "fine"}
    deep: list = []
    cursor = deep
    for _ in range(100_000):  # deeper than any recursion could go
        cursor.append([])
        cursor = cursor[0]
    cursor.append("\x1b")
    plain_tree(deep)
    import pytest

    with pytest.raises(ValueError):
        plain_tree([["x"] * 10] * 10, budget=5)
