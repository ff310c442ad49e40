"""The save format's smaller rules, unit by unit (mutants that survived issue 23's first mutation run):
the game id a seed gives, what a save's slot holds, the two migrations field by field, and what
`check --saves` says of a save."""

from __future__ import annotations

import json
import os
import re
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone, UTC

import pytest
from hypothesis import given, settings, strategies as st

from kuzbass_game.engine.storage import save_format
from kuzbass_game.engine.storage.save_format import SaveError, SaveMeta, decode, encode, seed_game_id, verify

from kuzbass_game.engine import load_story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.play.state import Action

from .conftest import FERRY, load, played


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


# ---------------------------------------------------------------- what a save holds, line by line


def test_a_save_is_laid_out_a_section_per_line_with_the_slot_on_a_line_of_its_own(ferry):
    """The store reads a save's time from its head alone (the `"slot": {...},` line): the layout is part of the format."""
    game = played(ferry)
    text, summary = encode(game, SaveMeta("x", "quick", datetime(2026, 3, 1, tzinfo=UTC), 61.25, journal="0123456789abcdef"))
    state = json.dumps(game.state.to_json(), ensure_ascii=False)
    actions = json.dumps([a.to_json() for a in game.actions], ensure_ascii=False)
    excerpt = (
        '\\"Anna,\\" he repeats, and writes something that is not quite it. The fare is two kopeks; you have 3. Literal braces look like {this}.'
    )
    assert text.split("\n") == [
        "{",
        ' "format": "kuzbass-save",',
        ' "version": 3,',
        f' "story": {{"id": "ferry", "title": "The Ferry on the Tom", "fingerprint": "{ferry.fingerprint}", "layers": []}},',
        ' "slot": {"name": "x", "kind": "quick", "saved_at": "2026-03-01T00:00:00.000000+00:00", "play_seconds": 61.2, '
        '"game_id": "0000000000000007", "journal": "0123456789abcdef"},',
        f' "summary": {{"chapter": "The Ferry", "date": "October 1922", "turn": 3, "node": "waiting", "excerpt": "{excerpt}", "ending": null}},',
        ' "game": {',
        '  "seed": 7,',
        '  "base": null,',
        '  "checkpoint": null,',
        f'  "state": {state},',
        f'  "actions": {actions}',
        " }",
        "}",
        "",
    ]
    assert summary == json.loads(text)["summary"]
    assert decode(text.encode()).journal == "0123456789abcdef"


def _one_scene(folder, paragraph: str):
    folder.mkdir()
    (folder / "manifest.yaml").write_text("id: one\ntitle: One\nstart: a\n")
    (folder / "nodes.yaml").write_text(
        f"nodes:\n  a:\n    text: {json.dumps('First.')}\n    choices:\n      - {{text: Onwards, goto: b}}\n"
        f"  b:\n    text: {json.dumps('Before.' + chr(10) * 2 + paragraph)}\n    ending: {{title: The end}}\n"
    )
    game = Game(load_story(folder).story, seed=1)
    game.choose(0)
    return game


@pytest.mark.parametrize(
    ("paragraph", "excerpt"),
    [
        ("x" * 200, "x" * 200),  # exactly 200 characters: kept whole
        ("y" * 100 + "z" * 101, "…" + "y" * 98 + "z" * 101),  # the last 199, behind an ellipsis
        ("[b]" + "y" * 100 + "[/b]" + "z" * 98, "y" * 100 + "z" * 98),  # counted without the markup
        ("w" * 50 + " " * 10 + "v" * 190, "…" + "v" * 190),  # the cut falls on spaces: dropped after the ellipsis
    ],
)
def test_the_excerpt_is_the_last_paragraph_cut_to_200_characters_behind_an_ellipsis(tmp_path, paragraph, excerpt):
    game = _one_scene(tmp_path / "one", paragraph)
    assert save_format.summarize(game) == {"chapter": None, "date": None, "turn": 1, "node": "b", "excerpt": excerpt, "ending": "The end"}


# ---------------------------------------------------------------- reading a save, field by field


def _save_obj(ferry) -> dict:
    return json.loads(encode(played(ferry, seed=7), SaveMeta("mine", "manual", datetime(2026, 3, 1, tzinfo=UTC), 5))[0])


def _forged(obj: dict, path: str, value) -> bytes:
    *parents, last = path.split(".")
    target = obj
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return json.dumps(obj).encode()


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("format", "other", "the file is not a Kuzbass save"),
        ("version", DELETE, "the save has no format version"),
        ("version", True, "the save has no format version"),
        ("version", 4, "the save was made by a newer Kuzbass (save format 4; this version reads up to 3): update the game"),
        ("version", 999_999, "the save was made by a newer Kuzbass (save format 999999; this version reads up to 3): update the game"),
        ("version", 10**6, "the save was made by a newer Kuzbass (save format ?; this version reads up to 3): update the game"),
        ("version", 0, "unknown save format version 0"),
        ("story", DELETE, "the save is damaged: the save has no 'story'"),
        ("slot", [], "the save is damaged: 'slot' in the save has the wrong type"),
        ("game", DELETE, "the save is damaged: the save has no 'game'"),
        ("slot.saved_at", 5, "the save is damaged: 'saved_at' in the slot has the wrong type"),
        ("slot.play_seconds", -0.5, "the save is damaged: negative play time"),
        ("slot.play_seconds", "5", "the save is damaged: 'play_seconds' in the slot has the wrong type"),
        ("slot.kind", "k" * 50, f"the save is damaged: unknown slot kind '{'k' * 40}'"),
        ("slot.kind", DELETE, "the save is damaged: the slot has no 'kind'"),
        ("slot.name", 3, "the save is damaged: 'name' in the slot has the wrong type"),
        ("game.seed", "7", "the save is damaged: 'seed' in the game has the wrong type"),
        ("game.seed", False, "the save is damaged: 'seed' in the game has the wrong type"),
        ("game.actions", {}, "the save is damaged: 'actions' in the game has the wrong type"),
        ("game.base", [], "the save is damaged: 'base' has the wrong type"),
        ("game.state", DELETE, "the save is damaged: the game has no 'state'"),
        ("game.state.node", 1, "the save is damaged: 'node' in the saved state has the wrong type"),
        ("game.checkpoint", {"at": 1}, "the save is damaged: the checkpoint has no 'state'"),
        ("game.checkpoint", {"at": "1", "state": {}}, "the save is damaged: 'at' in the checkpoint has the wrong type"),
        ("game.checkpoint", {"at": 1, "state": {}}, "the save is damaged: the checkpoint's state has no 'node'"),
        ("game.checkpoint", {"at": 4, "state": {"node": "bank"}}, "the save is damaged: its checkpoint is out of place"),
        ("game.checkpoint", {"at": 0, "state": {"node": "bank"}}, "the save is damaged: its checkpoint is out of place"),
        ("game.checkpoint", [], "the save is damaged: the checkpoint is not an object"),
        ("story.id", None, "the save is damaged: 'id' in the story has the wrong type"),
        ("story.fingerprint", DELETE, "the save is damaged: the story has no 'fingerprint'"),
        ("story.layers", "ferry_tea", "the save is damaged: its list of layers"),
        ("story.layers", [1], "the save is damaged: its list of layers"),
        ("story.layers", ["x" * 201], "the save is damaged: its list of layers"),
        ("story.layers", [str(n) for n in range(101)], "the save is damaged: its list of layers"),
    ],
)
def test_each_field_of_a_save_is_checked_with_its_own_message(ferry, path, value, message):
    with pytest.raises(SaveError) as caught:
        decode(_forged(_save_obj(ferry), path, value))
    assert str(caught.value) == message


def test_what_a_save_may_hold_at_the_limits_is_read(ferry):
    obj = _save_obj(ferry)
    obj["story"]["id"] = "ferry" + "i" * 300
    obj["story"]["fingerprint"] = "f" * 300
    obj["slot"]["name"] = "n" * 300
    obj["slot"]["play_seconds"] = 0
    obj["game"]["checkpoint"] = {"at": 3, "state": {"node": "waiting"}}
    obj["story"]["layers"] = ["x" * 200] * 100
    obj["story"]["layer_titles"] = {"x" * 200: "t" * 300, "": "x", "e": ""}
    obj["story"]["layer_folders"] = {"x" * 300: "/" * 5000, "y": "/y" * 2048}
    decoded = decode(json.dumps(obj).encode())
    assert (len(decoded.story_id), len(decoded.fingerprint), len(decoded.meta.name)) == (200, 200, 200)
    assert decoded.meta.play_seconds == 0.0 and decoded.checkpoint == (3, {"node": "waiting"})
    assert decoded.layers == ("x" * 200,) * 100
    assert decoded.layer_titles == {"": "x"}  # a title of more than 200 characters, or none, is not shown
    assert decoded.layer_folders == {"y": "/y" * 2048}
    obj["story"]["layer_titles"] = {str(n): "t" for n in range(101)}
    assert decode(json.dumps(obj).encode()).layer_titles == {}
    obj["slot"]["journal"] = "0123456789ABCDEF"  # not a token as the game writes one: no journal
    assert decode(json.dumps(obj).encode()).journal is None


def test_a_save_s_summary_keeps_only_the_fields_of_the_right_type(ferry):
    obj = _save_obj(ferry)
    obj["summary"] = {"chapter": "c" * 500, "date": 1922, "turn": True, "node": "waiting", "excerpt": None, "ending": "The end", "extra": 1}
    assert decode(json.dumps(obj).encode()).summary == {"chapter": "c" * 400, "node": "waiting", "ending": "The end"}
    obj["summary"] = {"turn": 3, "date": "1922"}
    assert decode(json.dumps(obj).encode()).summary == {"turn": 3, "date": "1922"}
    obj["summary"] = ["not", "an", "object"]
    assert decode(json.dumps(obj).encode()).summary == {}


def test_a_number_may_have_100_digits_and_not_101(ferry):
    assert save_format.parse_int("9" * 100) == int("9" * 100)
    assert save_format.parse_int("-" + "9" * 100) == -int("9" * 100)  # the sign is no digit
    for digits, count in (("9" * 101, 101), ("-" + "9" * 101, 101)):
        with pytest.raises(SaveError) as caught:
            save_format.parse_int(digits)
        assert str(caught.value) == f"the save is damaged: it holds a number with {count} digits"


# ---------------------------------------------------------------- a saved state on this story and on a changed one


def _state(ferry, **changes) -> dict:
    state = played(ferry).state.to_json()
    state.update(changes)
    return state


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"node": "nowhere"}, "the saved scene 'nowhere' no longer exists in the story"),
        ({"variables": "none"}, "the save is damaged: 'variables' in the saved state has the wrong type"),
        ({"visits": []}, "the save is damaged: 'visits' in the saved state has the wrong type"),
        ({"used_once": {}}, "the save is damaged: 'used_once' has the wrong type"),
        ({"rng": -1}, "the save is damaged: random state out of range"),
        ({"rng": 2**64}, "the save is damaged: random state out of range"),
        ({"rng": "7"}, "the save is damaged: 'rng' in the saved state has the wrong type"),
        ({"turn": None}, "the save is damaged: 'turn' in the saved state has the wrong type"),
        ({"chapter": 1}, "the save is damaged: chapter"),
        ({"date": []}, "the save is damaged: date"),
    ],
)
def test_a_saved_state_is_checked_field_by_field(ferry, changes, message):
    for strict in (True, False):
        with pytest.raises(SaveError) as caught:
            save_format.state_from_json(_state(ferry, **changes), ferry, strict=strict)
        assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("kopeks", 21, "the save is damaged: variable 'kopeks' is 21, outside its range 0..20"),
        ("kopeks", -1, "the save is damaged: variable 'kopeks' is -1, outside its range 0..20"),
        ("kopeks", True, "the save is damaged: variable 'kopeks' should be int"),
        ("kopeks", "3", "the save is damaged: variable 'kopeks' should be int"),
        ("has_tobacco", 1, "the save is damaged: variable 'has_tobacco' should be bool"),
        ("name", 5, "the save is damaged: variable 'name' should be text"),
    ],
)
def test_a_value_the_story_does_not_allow_is_damage_on_the_story_the_save_was_made_on(ferry, name, value, message):
    state = _state(ferry)
    state["variables"][name] = value
    with pytest.raises(SaveError) as caught:
        save_format.state_from_json(state, ferry, strict=True)
    assert str(caught.value) == message


def test_on_a_changed_story_a_state_is_fitted_to_its_declarations(ferry):
    state = _state(ferry, visits={"bank": 1, "waiting": 0, "gone": 3, "far_bank": True, "crossing": 2.0, "soaked": 4})
    state["variables"] = {"kopeks": 99, "warmth": -5, "has_tobacco": 1, "name": "Olga", "gold": 5, "coat": 3}
    fitted = save_format.state_from_json(state, ferry, strict=False)
    assert dict(fitted.variables) == {**ferry.defaults(), "kopeks": 20, "warmth": 0, "name": "Olga"}  # clamped; wrong or missing: the default
    assert dict(fitted.visits) == {"bank": 1, "soaked": 4}
    with pytest.raises(SaveError) as caught:
        save_format.state_from_json(state, ferry, strict=True)
    assert str(caught.value) == "the save is damaged: variable 'kopeks' is 99, outside its range 0..20"
    state["variables"] = {"name": "Olga"}
    with pytest.raises(SaveError) as caught:
        save_format.state_from_json(state, ferry, strict=True)
    assert str(caught.value) == "the save is damaged: variable 'kopeks' is missing"
    assert dict(save_format.state_from_json(state, ferry, strict=False).variables) == {**ferry.defaults(), "name": "Olga"}
    state["variables"] = {**played(ferry).state.variables, "gold": 5, "amber": 1}
    with pytest.raises(SaveError) as caught:
        save_format.state_from_json(state, ferry, strict=True)
    assert str(caught.value) == "the save is damaged: unknown variable 'amber'"


def test_a_text_value_may_hold_10000_characters_on_any_story(ferry):
    state = _state(ferry)
    state["variables"]["name"] = "n" * 10_000
    assert save_format.state_from_json(state, ferry, strict=True).variables["name"] == "n" * 10_000
    state["variables"]["name"] += "n"
    for strict in (True, False):
        with pytest.raises(SaveError) as caught:
            save_format.state_from_json(state, ferry, strict=strict)
        assert str(caught.value) == "the save is damaged: variable 'name' is too long"


def test_a_saved_state_s_small_fields(ferry):
    state = _state(ferry, used_once=["a", 3, "b"], turn=-4, chapter="[b]" + "c" * 500, date=None, awaiting_input=True)
    restored = save_format.state_from_json(state, ferry, strict=True)
    assert restored.used_once == frozenset({"a", "b"})
    assert restored.turn == 0
    assert restored.chapter == "\\[b]" + "c" * 397  # cut to 400, then shown as written, never as markup
    assert restored.date is None
    assert restored.awaiting_input is False  # 'waiting' asks for no typed answer
    assert restored.rng == 7
    at_bank = save_format.state_from_json(_state(ferry, node="bank", awaiting_input=1, date="d" * 401, chapter=None), ferry, strict=True)
    assert at_bank.awaiting_input is True and at_bank.date == "d" * 400 and at_bank.chapter is None
    assert save_format.state_from_json(_state(ferry, rng=2**64 - 1, turn=5), ferry, strict=True).turn == 5
    without = _state(ferry)
    del without["used_once"], without["chapter"], without["awaiting_input"]
    assert save_format.state_from_json(without, ferry, strict=True).used_once == frozenset()


# ---------------------------------------------------------------- a save on a story edited since, and without its layers


def _edited(ferry_copy, path: str, old: str, new: str):
    file = ferry_copy / path
    assert old in file.read_text()
    file.write_text(file.read_text().replace(old, new))
    return load(ferry_copy)


def test_check_saves_says_which_values_a_changed_story_gives_a_save(ferry, ferry_copy):
    colder = _edited(ferry_copy, "manifest.yaml", '"sheepskin\\", 0, 1)', '"sheepskin\\", 0, 2)')  # the chill bites harder
    assert verify(saved(ferry, played(ferry)), colder) == ("changed", "all 3 choices replay, but 'warmth' becomes 1 instead of 3")


def test_check_saves_names_the_scene_a_save_now_ends_at_and_five_changes_at_most(ferry):
    obj = json.loads(saved(ferry, played(ferry)))
    obj["story"]["fingerprint"] = "an older story"
    obj["game"]["state"]["node"] = "crossing"
    obj["game"]["state"]["variables"].update(kopeks=9, warmth=9, has_tobacco=False, tips=4, coat="sheepskin", crossing_vote="tied")
    assert verify(json.dumps(obj).encode(), ferry) == (
        "changed",
        "all 3 choices replay, but it now ends at 'waiting' instead of 'crossing'; 'kopeks' becomes 3 instead of 9; "
        "'warmth' becomes 3 instead of 9; 'has_tobacco' becomes True instead of False; 'tips' becomes 0 instead of 4",
    )
    obj["game"]["state"] = played(ferry).state.to_json()
    del obj["game"]["state"]["variables"]["tips"]  # a value the save does not hold is no change
    obj["game"]["state"]["variables"]["gone"] = 5
    assert verify(json.dumps(obj).encode(), ferry) == ("ok", "the story changed, but all 3 choices replay to the same state")
    obj["game"]["state"].update(node="nowhere", variables=["name", "kopeks"])  # a state no longer read: only the scene is compared
    assert verify(json.dumps(obj).encode(), ferry) == ("changed", "all 3 choices replay, but it now ends at 'waiting' instead of 'nowhere'")


def test_check_saves_and_a_load_on_a_story_whose_scene_was_renamed(ferry, ferry_copy):
    for path in ("scenes/bank.yaml", "scenes/river.yaml", "manifest.yaml", "scenes/codex.yaml"):
        file = ferry_copy / path
        file.write_text(re.sub(r"\bwaiting\b", "queue", file.read_text()))
    renamed = load(ferry_copy)
    data = saved(ferry, played(ferry))
    notice = "The story was updated and the scene you saved in is gone. You resume after choice 1 of 3, the last point that still exists ('bank')."
    assert verify(data, renamed) == ("broken", notice)
    restored = save_format.restore(decode(data), renamed)
    assert (restored.notice, restored.exact, restored.game.state.node, len(restored.game.actions)) == (notice, False, "bank", 1)


def test_a_load_on_a_story_that_replays_the_choices_only_in_part(ferry, ferry_copy):
    data = saved(ferry, played(ferry))
    reworded = _edited(ferry_copy, "scenes/bank.yaml", "Literal braces", "Braces")
    restored = save_format.restore(decode(data), reworded)
    assert (restored.notice, restored.exact) == ("The story was updated since this save; all 3 of your choices still apply.", False)
    poorer = _edited(ferry_copy, "manifest.yaml", "    default: 5\n", "    default: 2\n")  # warmth: too cold to stamp and wait
    restored = save_format.restore(decode(data), poorer)
    assert restored.notice == (
        "The story was updated since this save. Your choices replay only up to turn 2 of 3, so you resume where you saved, "
        "with your saved state, but cannot go back past this point."
    )
    assert restored.game.rebased and restored.game.state.node == "waiting" and restored.game.state.variables["warmth"] == 3
    assert verify(data, poorer) == ("broken", restored.notice)


def test_a_save_of_another_story_or_a_choice_that_no_longer_replays(ferry):
    obj = json.loads(saved(ferry, played(ferry)))
    obj["story"]["id"] = "steamer"
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(json.dumps(obj).encode()), ferry)
    assert str(caught.value) == "the save belongs to another story ('steamer', not 'ferry')"
    obj = json.loads(saved(ferry, played(ferry)))
    obj["game"]["actions"][2] = {"node": "waiting", "choice": 40}
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(json.dumps(obj).encode()), ferry)
    assert str(caught.value) == "the save is damaged: choice 3 of 3 cannot be replayed"
    obj = json.loads(saved(ferry, played(ferry)))
    obj["game"]["state"]["variables"]["tips"] = 5
    assert verify(json.dumps(obj).encode(), ferry) == ("broken", "the save is damaged: its choices do not lead to its saved state")


TEA = FERRY.parent / "ferry_tea"


def test_a_layered_save_loaded_without_its_layer_says_how_to_load_it(ferry, tmp_path):
    layered = load_story([FERRY, TEA]).story
    game = Game(layered, seed=1)
    game.submit("Olga")
    data = encode(game, SaveMeta("tea", "manual", datetime(2026, 3, 1, tzinfo=UTC), 0))[0]
    story = json.loads(data)["story"]
    assert (story["layers"], story["layer_titles"], story["layer_folders"]) == (
        ["ferry_tea"],
        {"ferry_tea": "Tea on the landing"},
        {"ferry_tea": str(TEA)},
    )
    one = (
        "the save was made with the layer 'ferry_tea' (\"Tea on the landing\") over the story, which is not loaded now: "
        f"load it from its folder after the story's: --story {TEA}"
    )
    assert verify(data.encode(), ferry) == ("other", f"not checked: {one}")
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(data.encode()), ferry)
    assert str(caught.value) == one
    assert verify(data.encode(), layered) == ("ok", "replays exactly (1 choice)")
    assert save_format.missing_layers(decode(data.encode()), layered) is None


def test_the_message_for_several_missing_layers_and_for_layers_whose_folders_are_not_known(ferry):
    decoded = decode(saved(ferry, played(ferry)))
    two = replace(decoded, layers=("tea", "salt"), layer_titles={"tea": "Tea"}, layer_folders={"tea": "/t", "salt": "/s"})
    assert save_format.missing_layers(two, ferry) == (
        "the save was made with the layers 'tea' (\"Tea\"), 'salt' over the story, which are not loaded now: "
        "load them from their folders after the story's: --story /t --story /s"
    )
    unknown = replace(two, layer_folders={"tea": "/t"})
    assert save_format.missing_layers(unknown, ferry) == (
        "the save was made with the layers 'tea' (\"Tea\"), 'salt' over the story, which are not loaded now: "
        "give their folders with --story after the story's"
    )
    one = replace(decoded, layers=("salt",), layer_titles={}, layer_folders={})
    assert save_format.missing_layers(one, ferry) == (
        "the save was made with the layer 'salt' over the story, which is not loaded now: give its folder with --story after the story's"
    )
    assert save_format.missing_layers(decoded, ferry) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('0123456789 ,:-"é٣a')), max_size=400), st.integers(95, 105))
def test_a_long_number_is_found_as_a_pattern_would_find_it(around, run):
    """`has_long_number` (a byte table and a substring search) says what `[0-9]{101}` says, for
    ASCII digits only (json reads no other digit as a number), wherever the run stands."""
    for text in (around, around + "7" * run + around, "7" * run, around[:5] + "1" * run):
        assert save_format.has_long_number(text.encode()) == bool(re.search("[0-9]{101}", text))
    assert not save_format.has_long_number("٣".encode() * 200)  # Arabic-Indic digits: not a JSON number


# ---------------------------------------------------------------- the full mutation run's survivors (commit 269dd90)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ([], "the save is damaged: an action is not an object"),
        ({"node": 1, "choice": 0}, "the save is damaged: an action names no scene"),
        ({"node": "n" * 1001, "text": "Anna"}, "the save is damaged: an action names no scene"),
        ({"node": "bank"}, "the save is damaged: an action must be a choice or a text"),
        ({"node": "bank", "choice": 0, "text": "Anna"}, "the save is damaged: an action must be a choice or a text"),
        ({"choice": None, "node": "bank", "text": None}, "the save is damaged: an action must be a choice or a text"),
        ({"node": "bank", "choice": 100}, "the save is damaged: a choice number is invalid"),
        ({"node": "bank", "choice": -1}, "the save is damaged: a choice number is invalid"),
        ({"node": "bank", "choice": True}, "the save is damaged: a choice number is invalid"),
        ({"node": "bank", "text": 5}, "the save is damaged: a typed text is invalid"),
        ({"node": "bank", "text": ["Anna"]}, "the save is damaged: a typed text is invalid"),
        ({"node": "bank", "text": "t" * 1001}, "the save is damaged: a typed text is invalid"),
        ({"node": "bank", "choice": 0, "sig": 5}, "the save is damaged: a choice signature is invalid"),
        ({"node": "bank", "choice": 0, "sig": ["s"]}, "the save is damaged: a choice signature is invalid"),
        ({"node": "bank", "choice": 0, "sig": "s" * 65}, "the save is damaged: a choice signature is invalid"),
        ({"node": "bank", "text": "Anna", "sig": "s" * 65}, "the save is damaged: a choice signature is invalid"),
    ],
)
def test_each_way_an_action_is_damaged_has_its_message(ferry, item, message):
    """Read in a file (a choice as the game writes it takes a path of its own) and alone."""
    with pytest.raises(SaveError) as caught:
        decode(_forged(_save_obj(ferry), "game.actions", [item]))
    assert str(caught.value) == message
    with pytest.raises(SaveError) as caught:
        save_format._action(item)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "item",
    [
        {"node": "n" * 1000, "text": "t" * 1000},
        {"node": "n" * 1000, "choice": 99, "sig": "s" * 64},
        {"node": "bank", "text": "Anna", "sig": "s" * 64},
        {"node": "bank", "choice": 0},
    ],
)
def test_an_action_at_its_limits_is_read(item):
    expected = Action(item["node"], item.get("choice"), item.get("text"), item.get("sig"))
    assert save_format._action(item) == expected
    assert save_format._actions([item]) == [expected]


def test_a_save_may_hold_200000_actions_and_not_one_more(ferry):
    obj = _save_obj(ferry)
    with pytest.raises(SaveError) as caught:  # counted, then read one by one: the first names no scene
        decode(_forged(obj, "game.actions", [{}] * 200_000))
    assert str(caught.value) == "the save is damaged: an action names no scene"
    with pytest.raises(SaveError) as caught:
        decode(_forged(obj, "game.actions", [{}] * 200_001))
    assert str(caught.value) == "the save is damaged: too many actions"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"   \n", "the file is empty (perhaps a crash while it was first written)"),
        (b'{"name": "\xff"}', "the file is not a save: it holds binary data, not text"),
        (b"hello", "the file is not a Kuzbass save (it is not JSON)"),
        (b'  {"slot": ', "the save is damaged: it ends too early (truncated)"),
        (b"[1, 2", "the save is damaged: it ends too early (truncated)"),
        (b'{"slot": x}\n', "the save is damaged: broken JSON at line 1, column 10"),
        (b"[" * 100_000, "the save is damaged: it nests too deeply"),
        (b"[1]", "the file is not a Kuzbass save"),
    ],
)
def test_each_way_a_file_is_not_json_has_its_message(data, message):
    with pytest.raises(SaveError) as caught:
        save_format.parse_json(data)
    assert str(caught.value) == message


def test_a_file_may_hold_8_mib_and_not_a_byte_more():
    data = b'{"a": 1}' + b" " * (8 * 1024 * 1024 - 8)
    assert save_format.parse_json(data) == {"a": 1}
    with pytest.raises(SaveError) as caught:
        save_format.parse_json(data + b" ")
    assert str(caught.value) == "the file is too large to be a save (8192 KB)"


def test_an_unprintable_character_written_as_itself_is_removed_too():
    """Without a backslash in the file, a string can still hold a bidi control written raw."""
    assert save_format.parse_json('{"name": "An\u202ena", "ti\u200btle": "x"}'.encode()) == {"name": "Anna", "title": "x"}


@contextmanager
def local_zone(zone: str):
    """The process's local time zone as a POSIX TZ string (no time zone database needed)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_a_time_stamp_at_its_limits(ferry):
    parse = save_format._parse_time
    assert parse("1970-01-02T00:00:00+00:00") == datetime(1970, 1, 2, tzinfo=UTC)
    assert parse("9000-01-01T00:00:00+00:00") == datetime(9000, 1, 1, tzinfo=UTC)
    for stamp, year in (("1970-01-01T23:59:59.999999+00:00", 1970), ("9000-01-01T00:00:00.000001+00:00", 9000)):
        with pytest.raises(SaveError) as caught:
            parse(stamp)
        assert str(caught.value) == f"the save is damaged: its time stamp is out of range (year {year})"
    long = "2026-03-01T00:00:00." + "1" * 39 + "+00:00"  # 65 characters: only the first 64 are read
    for stamp in (long, "not a time", "2026-13-01T00:00:00"):
        with pytest.raises(SaveError) as caught:
            parse(stamp)
        assert str(caught.value) == "the save is damaged: its time stamp is unreadable"
    assert parse(long[:53] + "+00:00") == datetime(2026, 3, 1, 0, 0, 0, 111111, tzinfo=UTC)


def test_a_time_stamp_the_local_time_zone_cannot_show_is_damage():
    with local_zone("<+2459>-24:59"):  # an offset of more than a day: datetime refuses it
        with pytest.raises(SaveError) as caught:
            save_format._parse_time("2026-03-01T00:00:00+00:00")
    assert str(caught.value) == "the save is damaged: its time stamp cannot be shown in local time"


def test_the_slot_s_time_is_written_in_utc_whatever_the_local_zone(ferry):
    with local_zone("<+07>-7"):
        slot = slot_of(encode(played(ferry), SaveMeta("x", "manual", datetime(2026, 3, 1, 12, tzinfo=UTC), 0))[0])
    assert slot["saved_at"] == "2026-03-01T12:00:00.000000+00:00"


def _rebased(story):
    """A game rebased after a story edit: it begins where `start` stands (the name typed), then goes on."""
    start = Game(story, seed=7)
    start.submit("Anna")
    game = Game(story, seed=7, base=start.state)
    game.choose(0)
    game.choose(2)
    return game, start.state


@pytest.mark.parametrize("every", [1000, 2])  # 2: the load resumes at a checkpoint
def test_a_rebased_game_saves_its_base_and_loads_from_it(ferry, monkeypatch, every):
    monkeypatch.setattr(save_format, "CHECKPOINT_EVERY", every)
    game, base = _rebased(ferry)
    data = saved(ferry, game)
    base_json = json.loads(json.dumps(base.to_json()))
    assert json.loads(data)["game"]["base"] == base_json
    assert (json.loads(data)["game"]["checkpoint"] is None) == (every == 1000)
    decoded = decode(data)
    assert decoded.base == base_json
    restored = save_format.restore(decoded, ferry)
    assert (restored.notice, restored.exact, restored.game.rebased) == (None, True, True)
    assert restored.game.actions == game.actions and restored.game.state.to_json() == game.state.to_json()
    assert restored.game.base.to_json() == base.to_json() and restored.game.state_at(0).to_json() == base.to_json()
    assert verify(data, ferry) == ("ok", "replays exactly (2 choices)")


def test_a_rebased_save_s_base_is_checked_on_its_story_and_dropped_on_a_changed_one(ferry):
    obj = json.loads(saved(ferry, _rebased(ferry)[0]))
    obj["game"]["base"]["variables"]["kopeks"] = 99
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(json.dumps(obj).encode()), ferry)
    assert str(caught.value) == "the save is damaged: variable 'kopeks' is 99, outside its range 0..20"
    obj["game"]["base"] = {"node": "nowhere"}
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(json.dumps(obj).encode()), ferry)
    assert str(caught.value) == "the saved scene 'nowhere' no longer exists in the story"
    obj["story"]["fingerprint"] = "an older story"  # the base is dropped: the choices replay from the start, and fail at once
    restored = save_format.restore(decode(json.dumps(obj).encode()), ferry)
    assert restored.notice == (
        "The story was updated since this save. Your choices replay only up to turn 0 of 2, so you resume where you saved, "
        "with your saved state, but cannot go back past this point."
    )
    assert restored.exact is False and restored.game.rebased and restored.game.seed == 7
    assert restored.game.state.to_json() == obj["game"]["state"]


def test_a_checkpoint_or_a_saved_scene_that_does_not_exist_and_a_journal_that_leads_elsewhere(ferry):
    obj = json.loads(saved(ferry, played(ferry)))
    obj["game"]["checkpoint"] = {"at": 1, "state": {"node": "nowhere"}}
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(json.dumps(obj).encode()), ferry)
    assert str(caught.value) == "the save is damaged: its checkpoint's scene does not exist"
    obj = json.loads(saved(ferry, played(ferry)))
    obj["game"]["state"]["node"] = "nowhere"
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(json.dumps(obj).encode()), ferry)
    assert str(caught.value) == "the save is damaged: its saved scene does not exist"
    journaled = replace(decode(saved(ferry, played(ferry))), journaled=True, summary={"node": "waiting", "turn": 2})
    with pytest.raises(SaveError) as caught:
        save_format.restore(journaled, ferry)
    assert str(caught.value) == "the save is damaged: its journal's choices do not lead where it says"


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (RecursionError(), "the save cannot be replayed: RecursionError"),
        (ValueError("v" * 400), "the save cannot be replayed on this story: " + "v" * 300),
        (ValueError("\x1b"), "the save cannot be replayed on this story: ValueError"),
    ],
)
def test_a_fault_met_during_the_replay_is_named(ferry, monkeypatch, error, message):
    """As a fault of the story (or the stack) met while the choices replay would raise it."""

    def failing(self, actions):
        raise error

    data = saved(ferry, played(ferry))
    monkeypatch.setattr(Game, "replay", failing)
    with pytest.raises(SaveError) as caught:
        save_format.restore(decode(data), ferry)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the save is damaged: the saved state is not an object"),
        ({}, "the save is damaged: the saved state has no 'node'"),
        ({"node": 1}, "the save is damaged: 'node' in the saved state has the wrong type"),
    ],
)
def test_a_saved_state_without_its_scene(ferry, data, message):
    for strict in (True, False):
        with pytest.raises(SaveError) as caught:
            save_format.state_from_json(data, ferry, strict=strict)
        assert str(caught.value) == message


def test_on_a_changed_story_a_missing_or_wrong_value_leaves_the_next_ones_read(ferry):
    for first in ({}, {"name": 5}):  # the story's first variable: missing, then of the wrong type
        state = _state(ferry, variables={**first, "kopeks": 9, "coat": "sheepskin"})
        fitted = save_format.state_from_json(state, ferry, strict=False)
        assert dict(fitted.variables) == {**ferry.defaults(), "kopeks": 9, "coat": "sheepskin"}


def test_the_layers_names_are_kept_to_their_limits(ferry):
    obj = _save_obj(ferry)
    obj["story"]["layers"] = ["salt"]
    obj["story"]["layer_titles"] = {"k" * 300: "T", "a": "t" * 200, "b": "t" * 201}
    obj["story"]["layer_folders"] = {"a": "/" * 4096, "b": "/" * 4097}
    decoded = decode(json.dumps(obj).encode())
    assert decoded.layer_titles == {"k" * 200: "T", "a": "t" * 200}
    assert decoded.layer_folders == {"a": "/" * 4096}
    obj["story"]["layer_titles"] = {str(n): "t" for n in range(100)}
    assert decode(json.dumps(obj).encode()).layer_titles == {str(n): "t" for n in range(100)}


def test_a_layered_story_whose_folders_are_not_known_still_saves(ferry):
    """A story compiled without the loader knows its layers but not their folders: its save names none."""
    layered = load_story([FERRY, TEA]).story
    bare = replace(layered, layer_folders=())
    game = Game(bare, seed=1)
    game.submit("Olga")
    data = encode(game, SaveMeta("tea", "manual", datetime(2026, 3, 1, tzinfo=UTC), 0))[0]
    assert json.loads(data)["story"]["layer_folders"] == {}
    assert save_format.missing_layers(decode(data.encode()), ferry) == (
        "the save was made with the layer 'ferry_tea' (\"Tea on the landing\") over the story, which is not loaded now: "
        "give its folder with --story after the story's"
    )


def test_a_scene_showing_no_paragraph_and_a_value_with_a_tab_save_and_replay(tmp_path):
    """The excerpt of a scene whose every part is hidden is empty; a text value the story sets with a
    tab and a zero-width space is read back as plain text, and the replayed one compared as such."""
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "manifest.yaml").write_text('id: one\ntitle: One\nstart: a\nvariables:\n  x: {type: text, default: "no"}\n')
    (folder / "nodes.yaml").write_text(
        'nodes:\n  a:\n    text: "First."\n    choices:\n      - {text: Onwards, goto: b, effects: "x = \\"a\\tb\\u200bc\\""}\n'
        '  b:\n    text:\n      - if: "x == \\"zz\\""\n        text: Never.\n    ending: {title: The end}\n'
    )
    story = load_story(folder).story
    game = Game(story, seed=1)
    game.choose(0)
    assert game.state.variables["x"] == "a\tb\u200bc"
    text, summary = encode(game, SaveMeta("x", "manual", datetime(2026, 3, 1, tzinfo=UTC), 0))
    assert summary == {"chapter": None, "date": None, "turn": 1, "node": "b", "excerpt": "", "ending": "The end"}
    assert decode(text.encode()).snapshot["variables"]["x"] == "a bc"
    assert verify(text.encode(), story) == ("ok", "replays exactly (1 choice)")
