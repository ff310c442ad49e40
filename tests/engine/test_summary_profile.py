"""Where values came from (the timeline), what decided an ending, and the profile of endings found."""

from __future__ import annotations

import json
import random

from kuzbass_game.engine.load import load_story
from kuzbass_game.engine.play import summary
from kuzbass_game.engine.storage.profile import load_profile, load_settings, save_settings
from kuzbass_game.engine.play.game import Game


def finished(story, seed: int) -> Game:
    game = Game(story, seed=seed)
    picker = random.Random(seed)
    for _ in range(500):
        view = game.view()
        if view.ending is not None:
            break
        if view.input is not None:
            game.submit("Anna")
            continue
        game.choose(picker.choice([c.index for c in view.choices if c.enabled]))
    return game


def test_the_timeline_puts_each_change_beside_the_choice_that_made_it(ferry_story):
    game = Game(ferry_story, seed=1)
    game.submit("Anna")
    game.choose_number(1)  # wait: entering 'waiting' costs a warmth
    game.choose_number(1)  # pay the fare: kopeks -2
    steps = summary.timeline(game)
    assert [s.text for s in steps] == ["Anna", "Wait for the ferry", "Pay the fare"]
    assert [(c.label, c.before, c.after) for c in steps[1].changes] == [("Warmth", 5, 4)]
    paid = {c.name: (c.before, c.after, c.delta) for c in steps[2].changes}
    assert paid["kopeks"] == (3, 1, -2) and paid["tips"] == (0, 1, 1) and paid["fares"] == (1, 0, -1)
    assert [(s.step, c.after) for s, c in summary.history_of(game, "kopeks")] == [(3, 1)]


def test_every_run_summary_counts_its_turns_and_names_its_ending(ferry_story):
    endings = set()
    for seed in range(30):
        game = finished(ferry_story, seed)
        result = summary.summarize(game)
        assert result.turns == len(game.actions) and result.ending == game.view().ending is not None
        endings.add(result.ending)
    assert len(endings) >= 2


CROSSING_MANIFEST = """\
id: crossing
title: "Crossing"
start: shop
variables:
  coat: {type: text, values: [thin, sheepskin], default: thin, label: "Coat"}
  food: {type: int, default: 3, min: 0, max: 9, label: "Food"}
  spoke: {type: bool, label: "Spoke"}
"""

CROSSING_NODES = """\
nodes:
  shop:
    text: "The shop."
    choices:
      - {text: "Buy the sheepskin", goto: road, effects: 'coat = "sheepskin"'}
      - {text: "Keep your kopeks", goto: road}
  road:
    text: "The road."
    choices:
      - {text: "Eat", goto: river, effects: "food -= 1"}
      - {text: "Talk", goto: river, effects: "spoke = true"}
  river:
    text: "The river."
    choices:
      - {text: "Wade across", goto: across, if: 'coat == "sheepskin"'}
      - {text: "Turn back", goto: home}
      - {text: "Ask the ferryman", goto: across, if: "spoke"}
  across:
    text: "Across."
    ending: {title: "Across"}
  home:
    text: "Home."
    ending: {title: "Home"}
"""


def test_the_decisive_choices_are_those_that_set_what_the_way_into_the_ending_reads(make_story):
    story = load_story(make_story({"nodes.yaml": CROSSING_NODES}, manifest=CROSSING_MANIFEST)).story
    assert summary.ending_reads(story, "across") == {"coat", "spoke"}
    assert summary.ending_reads(story, "home") == set()
    game = Game(story, seed=1)
    game.choose(0)  # the coat: read by the way across
    game.choose(0)  # food: read by no way into any ending
    game.choose(0)  # wade across
    result = summary.summarize(game)
    assert (result.turns, result.ending) == (3, "Across")
    assert [(step.step, step.text) for step in result.decisive] == [(1, "Buy the sheepskin")]
    talked = Game(story, seed=1)
    talked.choose(0)
    talked.choose(1)  # spoke: read by the ferryman's way
    talked.choose(2)
    assert [step.step for step in summary.summarize(talked).decisive] == [1, 2]
    home = Game(story, seed=1)
    for index in (0, 0, 1):
        home.choose(index)
    assert summary.summarize(home).decisive == ()


def test_the_profile_records_endings_and_survives_damage(ferry_story, tmp_path):
    profile = load_profile(tmp_path)
    assert profile.notice is None and profile.found(ferry_story) == {}
    profile.record(ferry_story, "far_bank", "Anna\x1b[31m")
    profile.record(ferry_story, "far_bank", "Olga")
    again = load_profile(tmp_path)
    record = again.found(ferry_story)["far_bank"]
    assert (record.title, record.run, record.times) == ("Across the Tom", "Anna[31m", 2)
    rows = {node_id: (title, rec is not None, hint) for node_id, title, rec, hint in again.gallery(ferry_story)}
    assert rows["far_bank"][:2] == ("Across the Tom", True) and rows["walk_home"][:2] == ("???", False)
    (tmp_path / "profile.json").write_text('{"format": "kuzbass-profile", "endings": {"ferry": {"x": {"times": 1' + "9" * 5000)
    damaged = load_profile(tmp_path)
    assert damaged.notice and "started afresh" in damaged.notice and damaged.found(ferry_story) == {}
    assert (tmp_path / "profile.json.damaged").exists()
    damaged.record(ferry_story, "walk_home", "Mikko")
    assert list(load_profile(tmp_path).found(ferry_story)) == ["walk_home"]


def test_settings_round_trip_and_damage(tmp_path):
    assert load_settings(tmp_path) == ({}, None)
    assert save_settings(tmp_path, {"theme": "kuzbass-light", "changes": False}) is None
    assert load_settings(tmp_path) == ({"theme": "kuzbass-light", "changes": False}, None)
    (tmp_path / "settings.json").write_text(json.dumps({"settings": {"theme": "x" * 500, "n": 10**9, "ok": True}}))
    assert load_settings(tmp_path) == ({"ok": True}, None)
    (tmp_path / "settings.json").write_bytes(b"\xff\xfe")
    settings, notice = load_settings(tmp_path)
    assert settings == {} and "damaged" in notice
