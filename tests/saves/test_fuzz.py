"""Hostile save files: random bytes and mutations of a real save only ever end in a SaveError."""

import json
import re
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuzbass_game.engine.storage.save_format import SaveError, decode, restore

from .conftest import FERRY, load, played
from datetime import UTC

STORY = load(FERRY)
_game = played(STORY)


def _good_bytes() -> bytes:
    from datetime import datetime

    from kuzbass_game.engine.storage.save_format import SaveMeta, encode

    text, _ = encode(_game, SaveMeta("fuzz", "manual", datetime(2026, 1, 1, tzinfo=UTC), 5.0))
    return text.encode()


VALID = _good_bytes()


def _try(data: bytes) -> None:
    start = time.monotonic()
    try:
        restored = restore(decode(data), STORY)
    except SaveError as err:
        assert str(err)  # a message the player can read
    else:
        _assert_the_saved_game(restored)
    assert time.monotonic() - start < 2.0


def _assert_the_saved_game(restored) -> None:
    """Whatever loads is a playable game on this story and, loaded as exact, the very game that was
    saved: a damaged save may load only where the damage touched nothing played (its name, its
    summary), never as another state (a check that let one through would be seen here)."""
    game = restored.game
    assert game.state.node in STORY.nodes
    game.view()
    if restored.exact:
        assert game.state == _game.state and restored.notice is None

        # (a choice's signature may be lost with its key: it only guards a replay on a changed story;
        # a typed answer is taken as the game takes it, without the spaces around it)
        def played(actions):
            return [(a.node, a.choice, a.text if a.text is None else a.text.strip()) for a in actions]

        assert played(game.actions) == played(_game.actions)
    else:  # the fingerprint no longer matches: the story is taken as changed, and the player is told
        assert restored.notice


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    _try(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_bytes_of_a_real_save(edits):
    data = bytearray(VALID)
    for position, value in edits:
        data[position] = value
    _try(bytes(data))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
PATHS = [
    ("game", "seed"),
    ("game", "actions"),
    ("game", "state"),
    ("game", "base"),
    ("slot", "saved_at"),
    ("slot", "play_seconds"),
    ("slot", "kind"),
    ("story", "id"),
    ("story", "fingerprint"),
    ("version",),
    ("game", "state", "variables"),
    ("game", "state", "visits"),
    ("game", "state", "rng"),
    ("game", "state", "node"),
]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(PATHS), JSON_VALUES)
def test_structurally_wrong_values_in_a_real_save(path, value):
    data = json.loads(VALID)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    _try(json.dumps(data).encode())


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.one_of(JSON_VALUES, st.just({"node": "bank", "choice": 99})))
def test_tampered_actions(position, value):
    data = json.loads(VALID)
    actions = data["game"]["actions"]
    actions.insert(min(position, len(actions)), value)
    _try(json.dumps(data).encode())


def test_deeply_nested_json_is_refused():
    _try(b"[" * 100_000 + b"]" * 100_000)
    _try(b'{"a":' * 50_000 + b"1" + b"}" * 50_000)


# ---------------------------------------------------------------- issue 9: huge numbers, control codes, surrogates

import unicodedata

import pytest

from kuzbass_game.engine.storage.save_format import decode as _decode


def _paths(value, prefix=()):
    """Every (path, leaf) in a JSON value; a key's path ends with ("key", name)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield prefix + (("key", key),), key
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))
    else:
        yield prefix, value


_TREE = json.loads(VALID)
INT_PATHS = [path for path, leaf in _paths(_TREE) if type(leaf) is int and not (path and isinstance(path[-1], tuple))]
STRING_PATHS = [path for path, leaf in _paths(_TREE) if isinstance(leaf, str)]
assert len(INT_PATHS) > 10 and len(STRING_PATHS) > 30


def _set(tree, path, value):
    target = tree
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    if isinstance(last, tuple):  # rename a key
        target[value] = target.pop(last[1])
    else:
        target[last] = value


def _assert_plain(value):
    if isinstance(value, str):
        assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value), repr(value)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _assert_plain(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _assert_plain(key)
            _assert_plain(item)


def _try_hostile(data: bytes) -> None:
    """As `_try`, and: whatever decodes holds only plain strings, and any message is plain too."""
    start = time.monotonic()
    try:
        decoded = _decode(data)
    except SaveError as err:
        _assert_plain(str(err))
    else:
        _assert_plain(
            [
                decoded.meta.name,
                decoded.meta.kind,
                decoded.story_id,
                decoded.fingerprint,
                decoded.summary,
                decoded.snapshot,
                decoded.base,
                [tuple(a) for a in decoded.actions],
            ]
        )
        try:
            restored = restore(decoded, STORY)
        except SaveError as err:
            _assert_plain(str(err))
        else:
            _assert_the_saved_game(restored)
    assert time.monotonic() - start < 2.0


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(INT_PATHS), st.integers(101, 6000), st.booleans())
def test_a_huge_integer_anywhere_is_a_save_error(path, digits, negative):
    tree = json.loads(VALID)
    marker = 987654321012
    _set(tree, path, marker)
    huge = ("-" if negative else "") + "7" * digits
    data = json.dumps(tree).replace(str(marker), huge).encode()
    with pytest.raises(SaveError, match="digits"):
        _decode(data)
    _try_hostile(data)


NASTY_CHARS = st.sampled_from(
    list("\x00\x01\x07\x08\t\n\r\x1b\x7f\x85\x9b\u00ad\u200b\u200e\u202e\u2028\u2066\ufeff\ud800\udbff\udc00\udfff\U000e0001[]\\")
    + ["\x1b]52;c;aGk=\x07", "\x1b[2J", "\x9b6n"]
)
NASTY_TEXT = st.lists(NASTY_CHARS, min_size=1, max_size=8).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(STRING_PATHS), NASTY_TEXT, st.integers(0, 40), st.booleans())
def test_control_codes_and_surrogates_in_any_string_field(path, nasty, position, ascii_only):
    tree = json.loads(VALID)
    target = tree
    for step in path[:-1]:
        target = target[step]
    last = path[-1]
    old = last[1] if isinstance(last, tuple) else target[last]
    _set(tree, path, old[:position] + nasty + old[position:])
    # \u escapes (as our writer makes them), or raw characters, lone surrogates as invalid UTF-8
    _try_hostile(json.dumps(tree, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STRING_PATHS), NASTY_TEXT), min_size=2, max_size=12))
def test_control_codes_in_many_fields_at_once(edits):
    tree = json.loads(VALID)
    for path, nasty in edits:
        try:
            target = tree
            for step in path[:-1]:
                target = target[step]
            last = path[-1]
            old = last[1] if isinstance(last, tuple) else target[last]
            _set(tree, path, nasty + old)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit renamed a key on this path
    _try_hostile(json.dumps(tree).encode())


@pytest.mark.parametrize(
    ("stamp", "why"),
    [
        ("0001-01-01T00:00:00+00:00", "out of range"),
        ("9999-12-31T23:59:59.999999-23:59", "unreadable"),  # past the last moment a datetime holds, in UTC
        ("0001-01-01", "out of range"),
        ("9999-12-31", "out of range"),
        ("2026-13-01T00:00:00", "unreadable"),
        ("", "unreadable"),
        ("T", "unreadable"),
        ("2026-01-01T00:00:00+99:00", "unreadable"),
    ],
)
def test_an_impossible_time_stamp_is_a_save_error(stamp, why):
    tree = json.loads(VALID)
    tree["slot"]["saved_at"] = stamp
    with pytest.raises(SaveError, match=f"time stamp is {why}"):
        _decode(json.dumps(tree).encode())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40) | st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat()))
def test_any_time_stamp_is_a_save_error_or_one_every_face_can_show(stamp):
    from kuzbass_game.engine.storage.save_format import EARLIEST, LATEST

    tree = json.loads(VALID)
    tree["slot"]["saved_at"] = stamp
    try:
        decoded = _decode(json.dumps(tree).encode())
    except SaveError as err:
        assert "time stamp" in str(err)
        return
    saved_at = decoded.meta.saved_at
    assert saved_at.tzinfo is UTC and EARLIEST <= saved_at <= LATEST
    assert re.fullmatch(r"\d\d \w{3} \d\d:\d\d", saved_at.astimezone().strftime("%d %b %H:%M"))
