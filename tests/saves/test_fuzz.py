"""Hostile save files: random bytes and mutations of a real save only ever end in a SaveError."""

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuzbass_game.engine.savefile import SaveError, decode, restore

from .conftest import FERRY, load, played

STORY = load(FERRY)
_game = played(STORY)


def _good_bytes() -> bytes:
    from datetime import datetime, timezone

    from kuzbass_game.engine.savefile import SaveMeta, encode

    text, _ = encode(_game, SaveMeta("fuzz", "manual", datetime(2026, 1, 1, tzinfo=timezone.utc), 5.0))
    return text.encode()


VALID = _good_bytes()


def _try(data: bytes) -> None:
    start = time.monotonic()
    try:
        restored = restore(decode(data), STORY)
    except SaveError as err:
        assert str(err)  # a message the player can read
    else:
        # whatever loads must be a playable game on this story
        assert restored.game.state.node in STORY.nodes
        restored.game.view()
    assert time.monotonic() - start < 2.0


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
    st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
PATHS = [("game", "seed"), ("game", "actions"), ("game", "state"), ("game", "base"), ("slot", "saved_at"),
         ("slot", "play_seconds"), ("slot", "kind"), ("story", "id"), ("story", "fingerprint"), ("version",),
         ("game", "state", "variables"), ("game", "state", "visits"), ("game", "state", "rng"), ("game", "state", "node")]


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
