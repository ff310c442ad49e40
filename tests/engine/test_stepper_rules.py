"""The stepper's rules, one by one, on a story built for them: the message of every fault a story can
meet while it is played (with the node and the choice's number), what reads the visits, the lock's
reason, a choice number past the last, a typed answer's checks and its credit, and the first state."""

from __future__ import annotations

import pytest

from kuzbass_game.engine.load import load_story
from kuzbass_game.engine.play import Game
from kuzbass_game.engine.play.game import InvalidAction, StoryRuntimeError
from kuzbass_game.engine.play.summary import timeline

MANIFEST = """\
id: rules
title: "Rules"
start: door
variables:
  name: {type: text, default: "Bob", label: "Name"}
  gold: {type: int, default: 2, min: 0, max: 50, label: "Gold"}
  zero: {type: int, label: "Zero"}
  seen: {type: int, label: "Seen"}
  result: {type: text, values: [none, passed, failed], label: "Motion"}
computed:
  pay: {value: "gold * 2", label: "Pay"}
"""

NODES = """\
nodes:
  door:
    text: "A door."
    input: {var: name, prompt: "Name?", max_length: 10}
    choices:
      - {text: "In", goto: hall}
  hall:
    text: "The hall."
    choices:
      - {text: "Count the visits", goto: hall, effects: 'seen = visits("hall") * 10 + gold'}
      - {text: "Rich only", goto: hall, if: "gold > 5", locked: "You have {gold}; pay would be {pay}."}
      - {text: "Hidden when poor", goto: hall, if: "gold > 5"}
      - {text: "Divide", goto: hall, effects: "gold = gold / zero"}
      - {text: "Ask", goto: hall, if: "gold / zero > 1"}
      - text: "Chance it"
        random:
          - {goto: hall, weight: 1, if: 'visits("hall") > 1'}
          - {goto: meeting, weight: 1}
      - text: "Chance a fault"
        random:
          - {goto: hall, weight: 1, if: "gold / zero > 0"}
      - {text: "To the meeting", goto: meeting}
      - {text: "Leave", goto: out}
  out:
    text: "Out."
    ending: {title: "Out"}
  meeting:
    text: "Hands up."
    effects: 'seen = visits("meeting") + gold'
    vote:
      question: "The motion"
      record: result
      factions:
        - {name: "Pit", size: 'visits("meeting") * 4 + gold', for: 50}
        - {name: "Office", size: 2, for: "100 / zero"}
      outcomes: {passed: hall, failed: hall}
    choices:
      - {text: "For", ballot: for}
"""


@pytest.fixture
def story(make_story):
    result = load_story(make_story({"nodes.yaml": NODES}, manifest=MANIFEST))
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


def in_hall(story) -> Game:
    game = Game(story, seed=1)
    game.submit("Vera")
    game.choose(0)
    return game


def test_a_new_game_starts_at_the_start_asking_for_its_text(story):
    game = Game(story, seed=1)
    view = game.view()
    assert (view.node_id, view.turn, game.state.awaiting_input, game.state.node) == ("door", 0, True, "door")
    with pytest.raises(InvalidAction, match="^answer the question above first$"):
        game.choose(0)


def test_a_typed_answer_is_checked_credited_and_counted_as_a_turn(story):
    game = Game(story, seed=1)
    with pytest.raises(InvalidAction, match="^please type something first$"):
        game.submit("   ")
    view = game.submit("  Vera  ")
    assert game.state.variables["name"] == "Vera" and view.turn == 1 and not game.state.awaiting_input
    assert [(c.name, c.before, c.after, c.cause) for c in timeline(game)[0].changes] == [("name", "Bob", "Vera", "")]
    game.choose(0)
    with pytest.raises(InvalidAction, match="^nothing is asking for text here$"):
        game.submit("Olga")
    assert game.view().turn == 2


def test_typing_the_same_value_again_changes_nothing_and_credits_nothing(story):
    game = Game(story, seed=1)
    game.submit("Bob")
    assert timeline(game)[0].changes == () and game.view().turn == 1


def test_effects_and_branches_read_the_visits(story):
    game = in_hall(story)
    game.choose(0)  # a choice's effects run before the next node is entered: seen = 1 * 10 + 2
    assert game.state.variables["seen"] == 12
    game.choose(0)
    assert game.state.variables["seen"] == 22
    game.choose(7)  # the meeting's own effects run on arrival: seen = 1 + 2
    assert game.state.variables["seen"] == 3
    outcomes = set()
    for seed in range(30):
        played = Game(story, seed=seed)
        played.submit("Vera")
        played.choose(0)
        played.choose(0)  # visits("hall") is 2: both branches are open
        outcomes.add(played.choose(5).node_id)
    assert outcomes == {"hall", "meeting"}


def test_a_locked_choice_says_why_with_values_and_computed_values(story):
    game = in_hall(story)
    with pytest.raises(InvalidAction, match=r"^You have 2; pay would be 4\.$"):
        game.choose(1)
    with pytest.raises(InvalidAction, match="^that choice is not available$"):
        game.choose(2)


@pytest.mark.parametrize("index", [9, 10, 99, -1])
def test_a_choice_number_past_the_last_is_refused(story, index):
    game = in_hall(story)
    with pytest.raises(InvalidAction):
        game.choose(index)
    assert game.state.node == "hall" and game.view().turn == 2


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (3, "node 'hall', choice 4: "),  # an effect divides by zero
        (4, "node 'hall', choice 5: "),  # a condition does
        (6, "node 'hall', choice 7: "),  # a random branch's condition does
    ],
)
def test_a_fault_met_in_play_names_the_node_and_the_choice_by_its_number(story, index, message):
    game = in_hall(story)
    with pytest.raises(StoryRuntimeError) as err:
        game.choose(index)
        game.view()
    assert str(err.value).startswith(message) and "zero" in str(err.value)


def test_a_fault_in_a_vote_names_the_vote_and_the_count_reads_the_visits(story):
    game = in_hall(story)
    game.choose(7)
    with pytest.raises(StoryRuntimeError, match=r"^node 'meeting', the vote '[^']+': .*zero"):
        game.choose(0)


def test_the_choices_open_now_are_those_whose_conditions_hold(story):
    game = Game(story, seed=1)
    assert game.enabled_choices() == []  # the door asks for a name first
    game.submit("Vera")
    assert [c.index for c in game.enabled_choices()] == [0]
    game.choose(0)
    with pytest.raises(StoryRuntimeError, match=r"^node 'hall', choice 5: division by zero$"):
        game.enabled_choices()  # a condition that cannot be worked out is a fault, not a closed choice
    game.choose(7)
    assert [c.index for c in game.enabled_choices()] == [0]


def test_a_fault_in_the_start_node_s_effects_is_shown_and_the_game_begins_all_the_same(make_story):
    nodes = NODES.replace('    input: {var: name, prompt: "Name?", max_length: 10}\n', '    effects: "gold = gold / zero"\n')
    story = load_story(make_story({"nodes.yaml": nodes}, manifest=MANIFEST)).story
    view = Game(story, seed=1).view()
    assert view.node_id == "door" and view.turn == 0
    assert view.fault is not None and view.fault.startswith("node 'door'") and "zero" in view.fault


def test_the_scene_shows_each_choice_open_locked_or_closed_by_a_fault_and_names_the_fault(story):
    view = in_hall(story).view()
    assert view.fault == "node 'hall', choice 5: division by zero"
    shown = [(c.number, c.index, c.enabled, c.reason) for c in view.choices]
    assert shown == [
        (1, 0, True, None),
        (2, 1, False, "You have 2; pay would be 4."),  # locked, with its reason; index 2 is hidden
        (3, 3, True, None),
        (4, 4, False, "a fault in the story keeps this closed"),
        (5, 5, True, None),
        (6, 6, True, None),  # a random branch's fault is met only when it is taken
        (7, 7, True, None),
        (8, 8, True, None),
    ]


def test_a_second_answer_to_the_same_question_is_refused(story):
    game = Game(story, seed=1)
    game.submit("Vera")
    with pytest.raises(InvalidAction, match="^nothing is asking for text here$"):
        game.submit("Olga")
    assert game.state.variables["name"] == "Vera" and game.view().turn == 1


def test_a_replayed_game_runs_each_node_s_effects_as_the_game_did(story):
    game = in_hall(story)
    game.choose(0)
    game.choose(7)  # the meeting's effects read its visits
    again = Game(story, seed=1)
    assert again.replay(game.actions) == len(game.actions)
    assert again.state == game.state and again.state.variables["seen"] == 3
