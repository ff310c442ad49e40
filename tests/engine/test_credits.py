"""Every change credited to its cause: the choice, the new scene's own effects, the vote, each labelled
routine; never netted into nothing across causes, never under the wrong choice; and a tie reads TIED."""

from __future__ import annotations

import pytest

from kuzbass_game.engine.load import load_story
from kuzbass_game.engine.play import Game, changes_text, timeline

MANIFEST = """\
id: month
title: "A month"
start: store
variables:
  food: {type: int, default: 3, min: 0, max: 10, label: "Food"}
  soap: {type: int, default: 1, min: 0, max: 6, label: "Soap"}
  makhorka: {type: int, default: 0, min: 0, max: 10, label: "Makhorka"}
  health: {type: int, default: 7, min: 0, max: 10, label: "Health"}
  ledger: {type: int}
  result: {type: text, values: [none, passed, failed, tied], label: "Motion"}
routines:
  payok_issue:
    effects: "soap += 1; makhorka += 1"
    label: "the monthly issue"
  month_washed:
    effects: ["soap -= 1"]
    label: "a month's washing"
  bookkeeping: "ledger += 1"
"""

NODES = """\
nodes:
  store:
    text: "The store."
    choices:
      - text: "Eat a little of what you put by"
        goto: month_end
        effects: "food -= 1; bookkeeping"
      - text: "Go to the meeting"
        goto: meeting
      - text: "Leave the colony"
        goto: away
  away:
    text: "The train."
    ending: {title: "Away"}
  month_end:
    text: "The month turns."
    effects: "payok_issue; month_washed; health -= 1"
    choices:
      - text: "Go on"
        goto: store
  meeting:
    text: "Hands up."
    vote:
      question: "The motion"
      record: result
      factions:
        - {name: "Pit", size: 10, for: 50}
        - {name: "Office", size: "ledger", for: 0}
      outcomes: {passed: store, failed: store}
    choices:
      - {text: "For", ballot: for}
      - {text: "Against", ballot: against}
      - {text: "Abstain", ballot: abstain}
"""


@pytest.fixture
def story(make_story):
    result = load_story(make_story({"nodes.yaml": NODES}, manifest=MANIFEST))
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


def test_each_change_is_credited_to_its_cause_and_never_netted(story):
    game = Game(story, seed=1)
    scene = game.choose(0)
    assert [(c.text, c.cause) for c in scene.changes] == [
        ("Food −1", ""),
        ("Soap +1", "the monthly issue"),
        ("Makhorka +1", "the monthly issue"),
        ("Soap −1", "a month's washing"),
        ("Health −1", "as the scene opens"),
    ]
    assert (
        changes_text(scene.changes)
        == "Food −1 · Soap +1, Makhorka +1 (the monthly issue) · Soap −1 (a month's washing) · Health −1 (as the scene opens)"
    )


def test_a_loaded_or_rewound_game_credits_its_last_step_the_same_way(story):
    played = Game(story, seed=1)
    played.choose(0)
    replayed = Game(story, seed=1)
    assert replayed.replay(played.actions) == 1
    assert replayed.view().changes == played.view().changes
    played.choose(0)
    again = played.rewind(1)
    assert again.changes == replayed.view().changes


def test_the_history_puts_each_change_under_its_cause(story):
    game = Game(story, seed=1)
    game.choose(0)
    game.choose(0)  # back to the store: no change
    first, second = timeline(game)
    causes = {(c.name, c.cause, c.delta) for c in first.changes}
    assert causes == {
        ("food", "", -1),
        ("ledger", "", 1),
        ("soap", "the monthly issue", 1),
        ("makhorka", "the monthly issue", 1),
        ("soap", "a month's washing", -1),
        ("health", "as the scene opens", -1),
    }
    assert second.changes == ()


@pytest.mark.parametrize(
    ("eats", "ballot", "yes", "no", "verdict", "outcome"),
    [
        (0, "abstain", 5, 5, "TIED: NOT CARRIED", "failed"),  # 10 hewers split 5-5, no office: a tie fails
        (0, "for", 6, 5, "PASSED", "passed"),  # one hand decides
        (0, "against", 5, 6, "FAILED", "failed"),
        (1, "abstain", 5, 6, "FAILED", "failed"),  # one office hand against
        (1, "for", 6, 6, "TIED: NOT CARRIED", "failed"),
    ],
)
def test_a_tie_reads_tied_and_one_hand_decides(story, eats, ballot, yes, no, verdict, outcome):
    game = Game(story, seed=1)
    for _ in range(eats):  # each month eaten puts one clerk in the office faction (ledger += 1)
        game.choose(0)
        game.choose(0)
    game.choose(1)
    scene = game.choose(("for", "against", "abstain").index(ballot))
    tally = scene.tally
    assert (tally.yes, tally.no, tally.outcome, tally.verdict) == (yes, no, outcome, verdict)
    assert [(c.text, c.cause) for c in scene.changes] == [(f"Motion: {outcome}", "the vote")]


def test_a_story_that_leads_a_tie_somewhere_reads_just_tied(make_story):
    nodes = NODES.replace("outcomes: {passed: store, failed: store}", "outcomes: {passed: store, failed: store, tied: store}")
    story = load_story(make_story({"nodes.yaml": nodes}, manifest=MANIFEST)).story
    game = Game(story, seed=1)
    game.choose(1)
    tally = game.choose(2).tally
    assert (tally.yes, tally.no, tally.outcome, tally.verdict) == (5, 5, "tied", "TIED")


def test_a_routine_label_is_checked_like_any_mapping(make_story):
    manifest = MANIFEST.replace('    label: "the monthly issue"', '    lable: "the monthly issue"')
    found = [d.format() for d in load_story(make_story({"nodes.yaml": NODES}, manifest=manifest)).diagnostics]
    assert any("lable" in p and "label" in p for p in found), found


def test_a_value_that_leaves_the_status_still_shows_its_change(make_story):
    manifest = MANIFEST.replace("ledger: {type: int}", 'ledger: {type: int, label: "Ledger", show_if: "ledger > 0"}')
    nodes = NODES.replace(
        'effects: "food -= 1; bookkeeping"',
        'effects: "food -= 1; bookkeeping"\n      - text: "Burn the ledger"\n        goto: away\n        effects: "ledger = 0"',
    )
    story = load_story(make_story({"nodes.yaml": nodes}, manifest=manifest)).story
    game = Game(story, seed=1)
    game.choose(0)
    game.choose(0)  # the ledger shows 1
    scene = game.choose(1)  # burnt: 0, and no longer shown
    assert [(c.text, c.cause) for c in scene.changes] == [("Ledger −1", "")]
