"""A choice that leaves unset what every other choice of its node sets is warned of, naming the
variable (issue 19): in a story's own node, not when the way on sets it or loops back, and in a
choice a layer adds to a node of the campaign."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story

from check_helpers import warnings
from conftest import STORY_DIR


SIDES_MANIFEST = """\
id: sides
title: "Sides"
start: start
variables:
  side:
    type: text
    values: [left, right]
  stance:
    type: text
    values: [none, left, right]
  flag:
    type: bool
"""

SIDES_NODES = """\
nodes:
  start:
    text: Pick a side.
    choices:
      - text: Left
        goto: middle
        effects: 'side = "left"; stance = "left"; flag = true'
      - text: Right
        goto: middle
        effects: 'side = "right"; stance = "right"; flag = true'
      - text: Neither
        goto: middle
  middle:
    text: 'You stand {side}, {stance}.'
    choices:
      - text: Go on
        goto: end
        if: flag
      - text: Or go on
        goto: end
  end:
    text: Bye
    ending:
      title: Done
"""


def test_a_choice_that_skips_what_its_siblings_set_is_warned_of_naming_the_variable(make_story):
    result = load_story(make_story({"nodes.yaml": SIDES_NODES}, manifest=SIDES_MANIFEST))
    # `side`: the others set it to its default ("left") among others, so "Neither" leaves the
    # player a left-winger unawares. `stance`'s default, "none", is one no choice gives: it means
    # "none of these"; `flag` is set to true by both: false is the honest "no".
    assert warnings(result) == [
        "story/nodes.yaml:11:9: warning: choice 3 of node 'start' leaves 'side' unset, though every other choice of the "
        'node sets it: a player who takes it goes on with what it held before (its default, "left", if nothing set it); '
        "set it here too, or on the way on"
    ]


def test_no_warning_when_the_way_on_sets_it_or_loops_back(make_story):
    on_the_way = SIDES_NODES.replace("      - text: Neither\n        goto: middle\n", "      - text: Neither\n        goto: undecided\n")
    on_the_way += (
        "  undecided:\n    text: Then choose.\n    choices:\n      - text: Left after all\n        goto: middle\n        effects: 'side = \"left\"'\n"
    )
    result = load_story(make_story({"nodes.yaml": on_the_way}, manifest=SIDES_MANIFEST))
    assert warnings(result) == []
    back = SIDES_NODES.replace(
        "      - text: Neither\n        goto: middle\n", "      - text: Think it over\n        goto: start\n        once: true\n"
    )
    assert warnings(load_story(make_story({"nodes.yaml": back}, manifest=SIDES_MANIFEST))) == []


def test_a_layer_choice_on_the_campaign_first_scene_that_sets_no_gender_is_warned_of(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "night"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: night_shift\nextends: kuzbass\ntitle: "The night shift"\n')
    (layer / "night.yaml").write_text(
        "extend:\n"
        "  ch1_ship_deck:\n"
        "    choices:\n"
        '      - text: "Say nothing, and go below to the night shift"\n'
        "        goto: night_deck\n"
        "nodes:\n"
        "  night_deck:\n"
        "    text: The stokers do not ask your name.\n"
        "    choices:\n"
        "      - text: Up again\n"
        "        goto: ch1_ship_evening\n"
    )
    result = load_story([STORY_DIR, layer])
    assert [w.message for w in result.warnings] == [
        "the choice layer 'night_shift' adds to node 'ch1_ship_deck' leaves 'gender' unset, though every other choice of the "
        'node sets it: a player who takes it goes on with what it held before (its default, "man", if nothing set it); '
        "set it here too, or on the way on"
    ]
    assert result.warnings[0].path == "night/night.yaml" and result.warnings[0].line == 4
    (layer / "night.yaml").write_text(
        (layer / "night.yaml").read_text().replace("        goto: night_deck\n", "        goto: night_deck\n        effects: 'gender = \"woman\"'\n")
    )
    assert [w.message for w in load_story([STORY_DIR, layer]).warnings] == []
