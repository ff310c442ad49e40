"""The codex and the run summary, unit by unit: what is unlocked and found, and where values came from."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kuzbass_game.engine.core.model import CodexEntry
from kuzbass_game.engine.load import load_story
from kuzbass_game.engine.play import Game, summary
from kuzbass_game.engine.play.codex import search_codex, unlocked

ENTRIES = {
    "payok": CodexEntry("payok", "Payok", ("A ration issued in kind.",)),
    "artel": CodexEntry("artel", "Artel", ("A team that works and is paid together.", "Its ARTEL-BOOK counts the days.")),
    "ikl": CodexEntry("ikl", "The IKL", ("The colony's name for itself.",)),
}


def codex_story(**unlocks: list[str]) -> SimpleNamespace:
    return SimpleNamespace(codex=ENTRIES, nodes={node: SimpleNamespace(unlocks=tuple(ids)) for node, ids in unlocks.items()})


def ids(entries) -> list[str]:
    return [entry.id for entry in entries]


# ---------------------------------------------------------------- the codex


def test_entries_come_in_the_order_their_nodes_were_first_visited_each_once():
    story = codex_story(a=["ikl"], b=["payok", "ikl", "artel"], c=["artel"])
    assert ids(unlocked(story, {"b": 1, "a": 3})) == ["payok", "ikl", "artel"]
    assert ids(unlocked(story, {"a": 1, "b": 2, "c": 1})) == ["ikl", "payok", "artel"]
    assert ids(unlocked(story, {"c": 1})) == ["artel"]
    assert unlocked(story, {}) == []


def test_a_visit_to_a_node_the_story_lost_or_an_entry_it_dropped_unlocks_nothing():
    story = codex_story(a=["gone", "payok"])
    assert ids(unlocked(story, {"removed_node": 1, "a": 1})) == ["payok"]


def test_a_story_without_a_codex_unlocks_nothing():
    story = SimpleNamespace(codex={}, nodes={"a": SimpleNamespace(unlocks=("payok",))})
    assert unlocked(story, {"a": 1}) == []


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("", ["payok", "artel", "ikl"]),  # no words: everything
        ("ration", ["payok"]),
        ("RATION kind", ["payok"]),  # every word, in any case
        ("ration paid", []),  # words from two entries: none holds both
        ("artel-book", ["artel"]),  # the second paragraph counts
        ("ikl colony", ["ikl"]),  # the title and the text together
        ("the", ["artel", "ikl"]),
        ("  team   works ", ["artel"]),
        # a word is never found across the title and the text, or across two paragraphs
        ("payoka", []),
        ("together.its", []),
        ("xx", []),
    ],
)
def test_search_finds_entries_that_hold_every_word(query, found):
    assert ids(search_codex(ENTRIES.values(), query)) == found


# ---------------------------------------------------------------- the summary

MANIFEST = """\
id: month
title: "Month"
start: pit
variables:
  food: {type: int, default: 3, min: 0, max: 9, label: "Food"}
  mood: {type: text, values: [low, high], default: low}
  debt: {type: int, default: 0, min: 0, max: 9}
computed:
  ration:
    value: "12 / food"
    label: "Ration"
  hidden:
    value: "food * 2"
"""

NODES = """\
nodes:
  pit:
    text: "The pit."
    choices:
      - {text: "Eat", goto: pit_again, effects: "food -= 1"}
      - {text: "Sing", goto: pit_again, effects: 'mood = "high"'}
      - {text: "Borrow", goto: pit_again, effects: "debt += 2"}
  pit_again:
    text: "Again."
    choices:
      - {text: "Eat it all", goto: fork, effects: "food -= food"}
      - {text: "Go on", goto: fork}
  fork:
    text: "A fork."
    choices:
      - text: "Chance it"
        random:
          - {goto: rich, weight: 1, if: "debt > 1"}
          - {goto: poor, weight: 1}
  rich:
    text: "Rich."
    ending: {title: "Rich"}
  poor:
    text: "Poor."
    ending: {title: "Poor"}
"""


@pytest.fixture
def story(make_story):
    result = load_story(make_story({"nodes.yaml": NODES}, manifest=MANIFEST))
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


def test_a_change_of_text_has_no_delta_and_a_change_of_number_has_one():
    assert summary.ValueChange("food", "Food", 3, 1).delta == -2
    assert summary.ValueChange("mood", "mood", "low", "high").delta is None
    assert summary.ValueChange("flag", "flag", False, True).delta is None  # a bool is no number here


def test_the_timeline_labels_each_value_and_shows_a_computed_value_it_cannot_work_out_as_unknown(story):
    game = Game(story, seed=1)
    game.choose(1)  # sing: a text value without a label is named by its name
    game.choose(0)  # eat it all: the ration divides by zero food
    first, second = summary.timeline(game)
    assert [(c.name, c.label, c.before, c.after, c.delta) for c in first.changes] == [("mood", "mood", "low", "high", None)]
    assert {(c.name, c.label, c.before, c.after) for c in second.changes} == {("food", "Food", 3, 0), ("ration", "Ration", 4, "?")}
    assert "hidden" not in {c.name for step in (first, second) for c in step.changes}  # a computed value without a label is not shown
    assert [(step.step, change.after) for step, change in summary.history_of(game, "food")] == [(2, 0)]
    assert summary.history_of(game, "debt") == ()


def test_what_the_ways_into_an_ending_read_includes_random_branches(story):
    assert summary.ending_reads(story, "rich") == {"debt"}
    assert summary.ending_reads(story, "poor") == set()
    assert summary.ending_reads(story, "pit") == set()


def test_the_summary_names_the_step_that_decided_a_random_ending(story):
    for seed in range(40):
        game = Game(story, seed=seed)
        game.choose(2)  # borrow: the debt that opens the way to riches
        game.choose(1)
        game.choose(0)
        result = summary.summarize(game)
        assert result.turns == 3 and result.first_date is None and result.last_date is None
        if result.ending == "Rich":
            assert [(step.step, step.text) for step in result.decisive] == [(1, "Borrow")]
            assert ("Food", "3") in result.final
            return
        assert result.ending == "Poor" and result.decisive == ()
    pytest.fail("no seed of 40 reached the rich ending")
