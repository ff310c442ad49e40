"""A scene's parts worked out when first read, and the views of a node's choices made once per offer.

`SceneView` works out what the last step did (status, changes, chosen line, reply, tally, codex)
only when one of them is read; these tests hold that a view read late reads exactly as one read at
once, after the game has moved on, rewound or been replayed. The views of fixed choices are kept
with the story (`Story.memo`) per offer: these hold that a kept view is never one for another offer.
"""

from __future__ import annotations

import pytest

from kuzbass_game.engine.load import load_story
from kuzbass_game.engine.play import Game, stepper

MANIFEST = """\
id: late
title: "Read late"
start: store
variables:
  food: {type: int, default: 3, min: 0, max: 10, label: "Food"}
  soap: {type: int, default: 1, min: 0, max: 6, label: "Soap"}
  hewers: {type: int, default: 10}
  result: {type: text, values: [none, passed, failed, tied], label: "Motion"}
computed:
  fed: {value: "food > 2", label: "Fed"}
routines:
  payok_issue:
    effects: "soap += 1"
    label: "the monthly issue"
"""

NODES = """\
nodes:
  store:
    text: "The store. You have {food} food."
    unlocks: [payok]
    choices:
      - text: "Eat"
        goto: month_end
        effects: "food -= 1"
        reply: "Bread, {food} left."
      - text: "Sell food"
        goto: store
        if: "food > 2"
        locked: "Too little to sell."
        effects: "food -= 2; soap += 1"
      - text: "Go to the meeting"
        goto: meeting
      - text: "Leave"
        goto: away
  away:
    text: "The train."
    ending: {title: "Away"}
  month_end:
    text: "The month turns."
    effects: "payok_issue"
    choices:
      - text: "Go on"
        goto: store
      - text: "Call it a day ({food} food)"
        goto: store
        if: "soap > 1"
  meeting:
    text: "Hands up."
    vote:
      question: "The motion"
      record: result
      factions:
        - {name: "Pit", size: "hewers", for: 50}
      outcomes: {passed: store, failed: store}
    choices:
      - {text: "For", ballot: for}
      - {text: "Against", ballot: against}
"""

CODEX = """\
codex:
  payok:
    title: "The payok"
    text: "A ration."
"""


@pytest.fixture
def story(make_story):
    result = load_story(make_story({"nodes.yaml": NODES, "codex.yaml": CODEX}, manifest=MANIFEST))
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


PARTS = ("paragraphs", "status", "items", "chosen", "reply", "tally", "changes", "unlocked", "fault")


def parts(view):
    return {name: getattr(view, name) for name in PARTS}


@pytest.mark.parametrize("credit", [True, False])
@pytest.mark.parametrize("route", [[0, 0], [2, 0], [1, 2, 1], [0, 1, 2, 1, 3]])
def test_a_view_read_after_the_game_moved_on_reads_as_one_read_at_once(story, route, credit):
    eager, lazy = Game(story, seed=5), Game(story, seed=5, credit=credit)  # (without credit: credited when read)
    read_at_once, kept = [parts(eager.view())], [lazy.view()]
    for index in route:
        read_at_once.append(parts(eager.choose(index)))
        kept.append(lazy.choose(index))
    lazy.rewind(len(route))  # and the game then went back to its start
    assert [parts(view) for view in kept] == read_at_once
    assert [parts(view) for view in kept] == [parts(view) for view in kept]  # (read again: the same)
    assert kept[-1] == eager.view() and kept[0] != kept[1]


def test_what_the_last_step_did_is_the_same_played_loaded_or_rewound(story):
    played = Game(story, seed=2)
    first = played.choose(0)  # food 3 -> 2: no longer fed; the month's issue brings soap
    assert [(c.text, c.cause) for c in first.changes] == [("Food −1", ""), ("Fed: no", ""), ("Soap +1", "the monthly issue")]
    scene = played.choose(0)
    assert (scene.chosen, scene.reply, scene.changes) == ("Go on", None, ())
    eaten = played.choose(0)
    assert (eaten.chosen, eaten.reply) == ("Eat", "Bread, 1 left.")
    assert [(c.text, c.cause) for c in eaten.changes] == [("Food −1", ""), ("Soap +1", "the monthly issue")]
    replayed = Game(story, seed=2)
    assert replayed.replay(played.actions) == 3
    assert parts(replayed.view()) == parts(eaten)
    played.choose(0)
    assert parts(played.rewind(1)) == parts(eaten)
    uncredited = Game(story, seed=2, credit=False)
    for action in played.actions:
        uncredited.choose(action.choice)
    assert parts(uncredited.view()) == parts(eaten) and uncredited.states == played.states


def test_a_vote_is_counted_for_the_view_of_the_step_that_cast_it(story):
    game = Game(story, seed=3)
    game.choose(2)
    voted = game.choose(0)
    assert voted.tally is not None and voted.tally.outcome in ("passed", "failed")
    assert [(c.label, c.after, c.cause) for c in voted.changes] == [("Motion", voted.tally.outcome, "the vote")]
    assert game.last_vote() == voted.tally
    game.choose(0)
    assert game.view().tally is None and voted.tally is not None  # the old view keeps its own count


def test_replace_and_equality_read_every_part(story):
    game = Game(story, seed=1)
    scene = game.choose(0)
    bare = scene._replace(chosen=None, reply=None, changes=())
    assert (bare.chosen, bare.reply, bare.changes) == (None, None, ())
    assert bare.status == scene.status and bare.paragraphs == scene.paragraphs and bare != scene
    assert scene._replace() == scene and "chosen='Eat'" in repr(scene)
    with pytest.raises(ValueError, match="no part called"):
        scene._replace(colour="red")


def test_the_first_scene_unlocks_its_codex_entries_and_did_nothing_else(story):
    view = Game(story, seed=1).view()
    assert view.unlocked == ("The payok",)
    assert (view.chosen, view.reply, view.tally, view.changes) == (None, None, None, ())
    assert view.status == (("Food", "3"), ("Soap", "1"), ("Motion", "none"), ("Fed", "yes"))


def test_a_fault_in_the_status_shows_on_the_view_that_meets_it(make_story):
    manifest = MANIFEST.replace('fed: {value: "food > 2", label: "Fed"}', 'fed: {value: "10 / (food - 2)", label: "Fed"}')
    story = load_story(make_story({"nodes.yaml": NODES, "codex.yaml": CODEX}, manifest=manifest)).story
    assert story is not None
    game = Game(story, seed=1)
    scene = game.choose(0)  # food 3 -> 2: the computed value divides by zero
    assert scene.fault is not None and "fed" in scene.fault and scene.status == ()
    assert [c.text for c in scene.choices] == ["Go on", "Call it a day (2 food)"]


def test_kept_choice_views_follow_the_offer_and_never_a_hole(story):
    game = Game(story, seed=1)
    first = game.view().choices
    assert [(c.number, c.text, c.enabled, c.reason) for c in first] == [
        (1, "Eat", True, None),
        (2, "Sell food", True, None),
        (3, "Go to the meeting", True, None),
        (4, "Leave", True, None),
    ]
    assert [c.text for c in game.choose(0).choices] == ["Go on", "Call it a day (2 food)"]
    second = game.choose(0).choices  # food 2: selling locks
    assert [(c.number, c.text, c.enabled, c.reason) for c in second] == [
        (1, "Eat", True, None),
        (2, "Sell food", False, "Too little to sell."),
        (3, "Go to the meeting", True, None),
        (4, "Leave", True, None),
    ]
    assert [c.text for c in game.choose(0).choices] == ["Go on", "Call it a day (1 food)"]  # a {hole} is never kept
    assert game.choose(1).choices == second
    again = Game(story, seed=9).view().choices  # a second game of the story gets the first one's views
    assert again == first and again is first


def test_an_edited_story_makes_its_views_afresh(make_story):
    old = load_story(make_story({"nodes.yaml": NODES, "codex.yaml": CODEX}, manifest=MANIFEST)).story
    Game(old, seed=1).view()
    new = load_story(make_story({"nodes.yaml": NODES.replace('"Eat"', '"Eat the bread"'), "codex.yaml": CODEX}, manifest=MANIFEST)).story
    assert [c.text for c in Game(new, seed=1).view().choices][0] == "Eat the bread"


ONCE_NODES = """\
nodes:
  hall:
    text: "The hall."
    choices:
      - text: "Take the leaflet"
        goto: hall
        once: true
        effects: "food += 1"
      - text: "Divide the bread"
        goto: hall
        if: "10 / (food - 4) > 0"
        locked: "Nothing to divide."
      - text: "Leave"
        goto: away
  away:
    text: "Out."
    ending: {title: "Out"}
"""


def test_an_offer_key_tells_every_offer_apart_and_a_fault_is_never_kept(make_story):
    story = load_story(make_story({"nodes.yaml": ONCE_NODES}, manifest=MANIFEST.replace("start: store", "start: hall"))).story
    assert story is not None
    hall = story.nodes["hall"]
    keys = {}
    for food, used in [(3, set()), (5, set()), (3, {"hall#0"}), (5, {"hall#0"})]:
        key, offered = stepper.offered_keyed(hall, {"food": food}, {}, used)
        keys[(food, bool(used))] = key
        assert [(c.index, enabled) for c, enabled, _ in offered] == [(0, True)] * (not used) + [(1, food > 4), (2, True)]
    assert len(set(keys.values())) == 4 and min(keys.values()) >= 0
    assert stepper.offered_keyed(hall, {"food": 4}, {}, set())[0] == -1  # divides by zero: a fault
    game = Game(story, seed=1)
    assert [(c.text, c.enabled) for c in game.view().choices] == [("Take the leaflet", True), ("Divide the bread", False), ("Leave", True)]
    game.choose(0)  # food 4: the condition faults, and the scene says so, every time it is shown
    for _ in range(2):
        view = game.view()
        assert view.fault is not None and "divi" in view.fault.lower()
        assert [(c.text, c.enabled, c.reason) for c in view.choices] == [
            ("Divide the bread", False, "a fault in the story keeps this closed"),
            ("Leave", True, None),
        ]
        game.rewind(0)
