"""The save format's smaller rules, unit by unit (mutants that survived issue 23's first mutation run):
the game id a seed gives, what a save's slot holds, the two migrations field by field, and what
`check --saves` says of a save."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone, UTC

import pytest

from kuzbass_game.engine.storage import save_format
from kuzbass_game.engine.storage.save_format import SaveError, SaveMeta, decode, encode, seed_game_id, verify

from .conftest import played


@pytest.mark.parametrize(
    ("seed", "game_id"),
    [
        (7, "0000000000000007"),
        (2**64 + 5, "0000000000000005"),  # held to 64 bits
        (-1, "ffffffffffffffff"),
        (2**63, "8000000000000000"),
        (True, "0" * 16),  # not an int seed: no id of its own
        ("7", "0" * 16),
        (None, "0" * 16),
    ],
)
def test_a_seed_s_game_id(seed, game_id):
    assert seed_game_id(seed) == game_id


def slot_of(text: str) -> dict:
    return json.loads(text)["slot"]


def test_the_slot_keeps_its_time_in_utc_to_the_microsecond_and_play_time_to_a_tenth(ferry):
    moscow = timezone(timedelta(hours=3))
    meta = SaveMeta("mine", "manual", datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=moscow), 12.345)
    slot = slot_of(encode(played(ferry, seed=7), meta)[0])
    assert slot == {
        "name": "mine",
        "kind": "manual",
        "saved_at": "2026-03-01T09:00:00.123456+00:00",
        "play_seconds": 12.3,
        "game_id": "0000000000000007",
    }


@pytest.mark.parametrize(
    ("given", "kept"),
    [("0123456789abcdef", "0123456789abcdef"), ("not-an-id", "0000000000000007"), (None, "0000000000000007"), ("", "0000000000000007")],
)
def test_the_slot_keeps_a_well_formed_game_id_and_else_the_seed_s(ferry, given, kept):
    meta = SaveMeta("mine", "auto", datetime(2026, 3, 1, tzinfo=UTC), 0, given)
    assert slot_of(encode(played(ferry, seed=7), meta)[0])["game_id"] == kept


def test_a_game_not_rebased_saves_no_base(ferry):
    meta = SaveMeta("mine", "manual", datetime(2026, 3, 1, tzinfo=UTC), 0)
    assert json.loads(encode(played(ferry), meta)[0])["game"]["base"] is None


V1 = {
    "story_id": "ferry",
    "fingerprint": "abc",
    "seed": 7,
    "saved_at": "2026-01-01T00:00:00+00:00",
    "choices": [["bank", "Anna"], ["bank", 0]],
    "state": {"node": "waiting"},
}


def test_format_1_becomes_format_2_field_by_field():
    assert save_format._from_v1(dict(V1, name="kept")) == {
        "format": "kuzbass-save",
        "version": 2,
        "story": {"id": "ferry", "title": "ferry", "fingerprint": "abc"},
        "slot": {"name": "kept", "kind": "manual", "saved_at": "2026-01-01T00:00:00+00:00", "play_seconds": 0},
        "summary": {},
        "game": {"seed": 7, "base": None, "actions": [{"node": "bank", "text": "Anna"}, {"node": "bank", "choice": 0}], "state": {"node": "waiting"}},
    }
    assert save_format._from_v1(V1)["slot"]["name"] == "old save"


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (None, "^the save is damaged: no choices$"),
        ([["bank"]], "^the save is damaged: a choice is malformed$"),
        (["bank"], "malformed"),
        ([[1, 2, 3]], "malformed"),
    ],
)
def test_a_format_1_save_without_good_choices_is_damaged(choices, message):
    with pytest.raises(SaveError, match=message):
        save_format._from_v1(dict(V1, choices=choices))


def test_format_2_becomes_format_3_with_the_game_known_by_its_seed():
    old = {"version": 2, "slot": {"name": "x"}, "game": {"seed": 7}}
    assert save_format._from_v2(old) == {"version": 3, "slot": {"name": "x", "game_id": "0000000000000007"}, "game": {"seed": 7}}
    kept = {"version": 2, "slot": {"game_id": "0123456789abcdef"}, "game": {"seed": 7}}
    assert save_format._from_v2(kept)["slot"] == {"game_id": "0123456789abcdef"}
    odd = {"version": 2, "slot": {}, "game": "not an object"}
    assert save_format._from_v2(odd) == {"version": 3, "slot": {"game_id": "0" * 16}, "game": "not an object"}
    assert save_format._from_v2({"version": 2, "slot": "odd"}) == {"version": 3, "slot": "odd"}


def test_a_format_1_file_loads_as_format_3(ferry):
    game = played(ferry, seed=7)
    v1 = {
        "story_id": "ferry",
        "fingerprint": ferry.fingerprint,
        "seed": 7,
        "saved_at": "2026-01-01T00:00:00+00:00",
        "version": 1,
        "choices": [[a.node, a.text if a.text is not None else a.choice] for a in game.actions],
        "state": game.state.to_json(),
    }
    decoded = decode(json.dumps(v1).encode())
    assert (decoded.meta.name, decoded.meta.kind, decoded.meta.play_seconds, decoded.game_id) == ("old save", "manual", 0.0, "0000000000000007")


def saved(ferry, game) -> bytes:
    return encode(game, SaveMeta("x", "manual", datetime(2026, 3, 1, tzinfo=UTC), 0))[0].encode()


def test_check_saves_says_how_many_choices_replay(ferry):
    game = played(ferry)
    assert verify(saved(ferry, game), ferry) == ("ok", "replays exactly (3 choices)")
    one = played(ferry)
    one.rewind(2)
    assert verify(saved(ferry, one), ferry) == ("ok", "replays exactly (1 choice)")


def test_check_saves_names_a_save_of_another_story_and_never_a_traceback(ferry, monkeypatch):
    data = json.loads(saved(ferry, played(ferry)))
    data["story"]["id"] = "x" * 100
    status, message = verify(json.dumps(data).encode(), ferry)
    assert (status, message) == ("other", f"a save of another story ('{'x' * 80}'), not checked against 'ferry'")

    def boom(data):
        raise ValueError("y" * 300)

    monkeypatch.setattr(save_format, "decode", boom)
    assert verify(b"{}", ferry) == ("broken", f"the save cannot be read (ValueError: {'y' * 200})")
