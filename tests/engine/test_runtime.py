"""Playing through `Game`: input sanitising, choosing, locks, `once`, ranges, visits, dice,
rewind, endings and stuck scenes, on the example ferry story and on small stories built here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.tools.explorer import explore
from kuzbass_game.engine.load.loader import load_story
from kuzbass_game.engine.core.text import clean_player_text
from kuzbass_game.engine.play.game import Game, InvalidAction, StoryRuntimeError
from kuzbass_game.text import markup_problem, markup_to_plain

SHOP_MANIFEST = """\
id: shop
title: "Shop"
start: start
variables:
  gold: {type: int, default: 1, min: 0, max: 10, label: "Gold"}
  zero: {type: int}
  flag: {type: bool}
  name: {type: text, default: "Bob", label: "Name"}
"""

SHOP_NODES = """\
nodes:
  start:
    text: "Hello."
    input: {var: name, prompt: "Name?", max_length: 40}
    choices:
      - text: "Go"
        goto: hub
  hub:
    text: "{name}[b]:[/b] you have {gold} gold."
    choices:
      - text: "Find a coin"
        once: true
        effects: "gold += 1"
        goto: hub
      - text: "Win big"
        effects: "gold += 100"
        goto: hub
      - text: "Lose all"
        effects: "gold -= 1000"
        goto: hub
      - text: "Buy the hat"
        if: "gold >= 5"
        locked: "You need 5 gold; you have {gold}."
        goto: end
      - text: "Secret door"
        if: "flag"
        goto: end
      - text: "Leave"
        goto: end
  end:
    text: "Bye, {name}."
    ending: {title: "Home"}
"""


@pytest.fixture
def shop(make_story):
    result = load_and_check(make_story({"nodes.yaml": SHOP_NODES}, manifest=SHOP_MANIFEST))
    assert result.story is not None, [d.format() for d in result.diagnostics]
    return result.story


def at_hub(story, name="Anna", seed=1) -> Game:
    game = Game(story, seed=seed)
    game.submit(name)
    game.choose(0)
    assert game.state.node == "hub"
    return game


def at_waiting(ferry, name="Anna", seed=1) -> Game:
    game = Game(ferry, seed=seed)
    game.submit(name)
    game.choose(0)
    assert game.state.node == "waiting"
    return game


# ---------------------------------------------------------------- the first scene


def test_the_first_scene_of_the_ferry(ferry_story):
    game = Game(ferry_story, seed=1)
    view = game.view()
    assert view.node_id == "bank"
    assert view.chapter == "The Ferry" and view.date == "October 1922"
    assert view.paragraphs == (
        "Wind comes off the [i]Tom[/i] and finds every gap in your coat. The ferryman's horse stamps on the planks.",
        '"Name?" he asks, pencil over a greasy ledger.',
    )
    assert view.input is not None and view.input.var == "name" and view.input.max_length == 20
    assert view.choices == ()  # nothing to choose until the question is answered
    assert view.status == (("Name", "Comrade"), ("Kopeks", "3"), ("Warmth", "5"), ("Fares left", "1"))
    assert view.turn == 0 and view.ending is None and not view.stuck
    assert game.state.visits == {"bank": 1}
    with pytest.raises(InvalidAction, match="answer the question above first"):
        game.choose(0)


# ---------------------------------------------------------------- what the player types


def test_typed_markup_is_shown_literally(ferry_story):
    game = at_waiting(ferry_story, name="Jack [b]Beyer[/b]")
    assert game.state.variables["name"] == "Jack [b]Beyer[/b]"
    paragraph = game.view().paragraphs[0]
    assert paragraph.startswith('"Jack \\[b]Beyer\\[/b]," he repeats')
    assert markup_problem(paragraph) is None
    assert markup_to_plain(paragraph).startswith('"Jack [b]Beyer[/b]," he repeats')
    assert dict(game.view().status)["Name"] == "Jack \\[b]Beyer\\[/b]"


def test_a_closing_tag_typed_by_the_player_cannot_break_the_scene(shop):
    game = at_hub(shop, name="[/b][link=x]")
    paragraph = game.view().paragraphs[0]
    assert markup_problem(paragraph) is None
    assert markup_to_plain(paragraph) == "[/b][link=x]: you have 1 gold."


@pytest.mark.parametrize(
    "name", ["[b]", "\\[b]x[/b]", "\\\\[i]y", "[/]", "[link=x]y", "[@click=app.quit]q[/]", "[on red]", "x\\[bold red]y", "[[b]]", "]["]
)
def test_any_typed_name_shows_exactly_as_typed(shop, name):
    paragraph = at_hub(shop, name=name).view().paragraphs[0]
    assert markup_problem(paragraph) is None
    assert markup_to_plain(paragraph) == name + ": you have 1 gold."


def test_control_characters_are_stripped_from_typed_text(ferry_story):
    game = at_waiting(ferry_story, name="\x1b[31mAnna\x07\x9b\r")
    assert game.state.variables["name"] == "[31mAnna"
    view = game.view()
    for text in (*view.paragraphs, *(value for _, value in view.status)):
        assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text), repr(text)
    assert view.paragraphs[0].startswith('"\\[31mAnna," he repeats')


def test_newlines_and_tabs_in_typed_text_become_single_spaces(ferry_story):
    game = at_waiting(ferry_story, name="  Anna\n\t  Karlovna  ")
    assert game.state.variables["name"] == "Anna Karlovna"


def test_a_trailing_backslash_cannot_escape_the_next_tag(shop):
    game = at_hub(shop, name="Mikko\\")
    assert game.state.variables["name"] == "Mikko\\"
    paragraph = game.view().paragraphs[0]
    assert markup_problem(paragraph) is None
    plain = markup_to_plain(paragraph)
    assert "[b]" not in plain and plain.startswith("Mikko\\") and plain.endswith(": you have 1 gold.")


def test_typed_text_is_cut_to_the_prompts_length(ferry_story):
    game = at_waiting(ferry_story, name="A" * 25 + "B" * 30)
    assert game.state.variables["name"] == "A" * 20


@pytest.mark.parametrize("blank", ["", "   ", "\x1b\x07", "\n\t"])
def test_blank_input_is_refused_and_changes_nothing(ferry_story, blank):
    game = Game(ferry_story, seed=1)
    before = game.state
    with pytest.raises(InvalidAction, match="please type something first"):
        game.submit(blank)
    assert game.state == before and game.actions == () and len(game.states) == 1


def test_text_when_nothing_asks_for_it_is_refused(ferry_story):
    game = at_waiting(ferry_story)
    with pytest.raises(InvalidAction, match="nothing is asking for text here"):
        game.submit("hello")


# ---------------------------------------------------------------- choosing


def test_choose_by_index_and_by_number(ferry_story):
    game = at_waiting(ferry_story)
    view = game.view()
    assert [(c.number, c.index, c.text, c.enabled) for c in view.choices] == [
        (1, 0, "Pay the fare", True),
        (2, 1, "Offer him your tobacco instead", True),
        (3, 2, "Stamp your feet and wait longer", True),
        (4, 3, "Give up and walk back to the barracks", True),
        (5, 5, "Ask the other passengers whether to cross in this wind", True),  # 4 (the sheepskin) is hidden: 3 kopeks
    ]
    assert game.choose_number(4).node_id == "walk_home"
    other = at_waiting(ferry_story)
    assert other.choose(3).node_id == "walk_home"
    assert other.state == game.state


def test_numbers_skip_hidden_choices(shop):
    game = at_hub(shop)
    assert [(c.number, c.index) for c in game.view().choices] == [(1, 0), (2, 1), (3, 2), (4, 3), (5, 5)]
    assert game.choose_number(5).node_id == "end"  # number 5 is "Leave", index 5; "Secret door" is hidden
    with pytest.raises(InvalidAction, match="there is no choice 6"):
        at_hub(shop).choose_number(6)


def test_a_locked_choice_raises_and_leaves_the_state_unchanged(shop):
    game = at_hub(shop)
    hat = game.view().choices[3]
    assert (hat.text, hat.enabled, hat.reason) == ("Buy the hat", False, "You need 5 gold; you have 1.")
    before_state, before_states, before_actions = game.state, game.states, game.actions
    with pytest.raises(InvalidAction, match=r"^You need 5 gold; you have 1\.$"):
        game.choose(3)
    with pytest.raises(InvalidAction, match=r"^You need 5 gold; you have 1\.$"):
        game.choose_number(4)
    assert game.state == before_state and game.states == before_states and game.actions == before_actions
    game.choose(1)  # win big: the lock opens
    hat = game.view().choices[3]
    assert hat.enabled and hat.reason is None
    assert game.choose(3).ending == "Home"


def test_a_hidden_or_missing_choice_raises(shop):
    game = at_hub(shop)
    before = game.state
    with pytest.raises(InvalidAction, match="that choice is not available"):
        game.choose(4)
    with pytest.raises(InvalidAction, match="node 'hub' has no choice 99"):
        game.choose(99)
    with pytest.raises(InvalidAction, match="node 'hub' has no choice -1"):
        game.choose(-1)
    assert game.state == before


def test_a_once_choice_disappears_after_it_is_taken(shop):
    game = at_hub(shop)
    assert game.view().choices[0].text == "Find a coin"
    view = game.choose(0)
    assert game.state.variables["gold"] == 2
    assert "hub#0" in game.state.used_once
    assert [c.text for c in view.choices][0] == "Win big"
    assert [(c.number, c.index) for c in view.choices] == [(1, 1), (2, 2), (3, 3), (4, 5)]
    with pytest.raises(InvalidAction):
        game.choose(0)
    assert game.state.variables["gold"] == 2


def test_effects_clamp_to_the_declared_range(shop):
    game = at_hub(shop)
    game.choose(1)
    assert game.state.variables["gold"] == 10  # 1 + 100, max 10
    assert dict(game.view().status)["Gold"] == "10"
    game.choose(2)
    assert game.state.variables["gold"] == 0  # 10 - 1000, min 0
    game.choose(0)
    assert game.state.variables["gold"] == 1


def test_visits_are_counted_and_conditions_see_them(ferry_story):
    game = at_waiting(ferry_story)
    assert game.state.visits == {"bank": 1, "waiting": 1}
    assert game.state.variables["warmth"] == 4  # entering 'waiting' costs one warmth
    game.choose(2)
    game.choose(2)
    assert game.state.visits == {"bank": 1, "waiting": 3}
    assert game.state.variables["warmth"] == 2
    # "Stamp your feet" needs visits("waiting") < 3: it is gone now (no locked reason, so hidden)
    assert [c.index for c in game.view().choices] == [0, 1, 3, 5]
    assert game.state.turn == 4


def test_choice_effects_and_once_on_the_ferry(ferry_story):
    game = at_waiting(ferry_story)
    game.choose(0)  # pay: kopeks -= 2, tips += 1
    assert (game.state.variables["kopeks"], game.state.variables["tips"]) == (1, 1)
    game = at_waiting(ferry_story)
    game.choose(1)  # the tobacco
    assert game.state.variables["has_tobacco"] is False and game.state.used_once == frozenset({"waiting#1"})


def test_chapter_and_date_carry_over_to_later_scenes(ferry_story):
    view = at_waiting(ferry_story).view()
    assert (view.chapter, view.date) == ("The Ferry", "October 1922")


# ---------------------------------------------------------------- the dice


def cross(ferry, seed):
    game = at_waiting(ferry, seed=seed)
    game.choose(0)  # pay the fare
    game.choose(0)  # hold the bridle: far_bank (weight 3) or soaked (weight 1, since warmth 4 < 5)
    return game


def test_random_branches_are_deterministic_for_a_seed(ferry_story):
    for seed in (0, 1, 42, 2**62):
        first, second = cross(ferry_story, seed), cross(ferry_story, seed)
        assert first.states == second.states
        assert first.view() == second.view()


def test_different_seeds_reach_both_outcomes_in_about_the_weighted_share(ferry_story):
    outcomes = [cross(ferry_story, seed).state.node for seed in range(200)]
    assert set(outcomes) == {"far_bank", "soaked"}
    assert 25 <= outcomes.count("soaked") <= 75  # weight 1 of 4: about 50 of 200


def test_the_dice_only_advance_on_a_random_choice(ferry_story):
    game = at_waiting(ferry_story, seed=9)
    rng_before = game.state.rng
    game.choose(0)
    assert game.state.rng == rng_before  # a plain goto
    game.choose(0)
    assert game.state.rng != rng_before  # the bridle rolled


DICE_NODES = """\
nodes:
  start:
    text: Roll
    choices:
      - text: Roll
        random:
          - {goto: win, weight: 1}
          - {goto: lose, weight: 1000000, if: "flag"}
      - text: Cheat
        effects: "flag = true"
        goto: start
      - text: Impossible
        random:
          - {goto: win, if: "gold > 100"}
  win:
    text: Won
    ending: {title: Won}
  lose:
    text: Lost
    ending: {title: Lost}
"""


def test_a_branch_whose_condition_is_false_is_never_taken(make_story):
    story = load_story(make_story({"nodes.yaml": DICE_NODES})).story
    assert all(Game(story, seed=seed).choose(0).node_id == "win" for seed in range(40))
    game = Game(story, seed=7)
    game.choose(1)
    assert game.choose(0).node_id == "lose"  # weight 1000000 against 1


def test_a_random_choice_with_no_branch_open_is_a_story_runtime_error(make_story):
    story = load_story(make_story({"nodes.yaml": DICE_NODES})).story
    game = Game(story, seed=1)
    with pytest.raises(StoryRuntimeError, match=r"^node 'start', choice 3: no random branch's condition holds$"):
        game.choose(2)
    assert game.state.node == "start" and game.actions == ()


# ---------------------------------------------------------------- rewind


def test_rewind_restores_the_exact_previous_state(ferry_story):
    game = at_waiting(ferry_story, seed=5)
    states, views = [game.state], [game.view()]
    for index in (1, 0):  # the tobacco (a once choice), then the bridle (dice)
        game.choose(index)
        states.append(game.state)
        views.append(game.view())
    assert game.view().node_id in ("far_bank", "soaked")
    assert game.rewind() == views[1] and game.state == states[1]
    assert game.rewind() == views[0] and game.state == states[0]
    assert game.state.used_once == frozenset() and game.state.variables["has_tobacco"] is True
    # the same choices again give the same result, the dice included
    game.choose(1)
    game.choose(0)
    assert game.state == states[2]


def test_rewind_several_steps_and_past_the_start(ferry_story):
    game = at_waiting(ferry_story)
    start, answered = game.states[0], game.states[1]
    assert answered.node == "bank" and not answered.awaiting_input
    game.choose(2)
    assert len(game.actions) == 3
    assert game.rewind(0).node_id == "waiting" and len(game.actions) == 3
    game.rewind(2)
    assert game.state == answered and len(game.actions) == 1 and game.view().choices[0].text == "Wait for the ferry"
    game.rewind(50)
    assert game.state == start and game.actions == () and game.view().input is not None
    assert not game.can_rewind


# ---------------------------------------------------------------- endings and stuck scenes


def test_endings_are_detected_and_conditional_paragraphs_shown(ferry_story):
    game = at_waiting(ferry_story)
    view = game.choose(1)  # give the tobacco
    view = game.choose(1)  # stay in the middle
    assert view.node_id == "far_bank" and game.finished
    assert view.ending == "Across the Tom" and view.choices == () and not view.stuck
    assert view.paragraphs == (
        "The far bank smells of coal smoke and wet larch. Anna has crossed the Tom.",
        "Somewhere behind you, the ferryman is smoking your tobacco.",
    )
    soaked = next(cross(ferry_story, seed) for seed in range(50) if cross(ferry_story, seed).state.node == "soaked")
    soaked.choose(0)
    assert soaked.view().paragraphs[1] == "Your socks will not be dry until spring."
    assert soaked.state.variables["warmth"] == 1  # 5 - 1 at the waiting, - 3 in the river


STUCK_NODES = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Rich door
        goto: end
        if: "gold > 5"
  end:
    text: Bye
    ending: {title: Done}
"""


def test_a_scene_with_no_open_choice_is_stuck(make_story):
    result = load_story(make_story({"nodes.yaml": STUCK_NODES}))
    assert result.errors == [] and result.story is not None  # only a warning: the checker cannot know
    game = Game(result.story, seed=1)
    view = game.view()
    assert view.choices == () and view.stuck
    locked = load_story(
        make_story({"nodes.yaml": STUCK_NODES.replace('        if: "gold > 5"\n', '        if: "gold > 5"\n        locked: "Too poor"\n')})
    )
    view = Game(locked.story, seed=1).view()
    assert [(c.enabled, c.reason) for c in view.choices] == [(False, "Too poor")] and view.stuck


def test_a_division_by_zero_while_playing_is_a_story_runtime_error(make_story):
    nodes = STUCK_NODES.replace('        if: "gold > 5"\n', '        effects: "gold = gold / zero"\n')
    story = load_story(make_story({"nodes.yaml": nodes})).story
    game = Game(story, seed=1)
    with pytest.raises(StoryRuntimeError, match=r"^node 'start', choice 1: division by zero$"):
        game.choose(0)
    assert game.state.node == "start" and game.actions == ()


# ---------------------------------------------------------------- the explorer


def test_the_explorer_is_deterministic_and_covers_the_ferry(ferry_story):
    first = explore(ferry_story, runs=60, seed=3).to_json(ferry_story)
    assert first == explore(ferry_story, runs=60, seed=3).to_json(ferry_story)
    assert first["errors"] == [] and first["dead_ends"] == []
    assert first["nodes_visited"] == first["nodes_total"] == 8
    assert first["endings_unreached"] == [] and sum(first["endings"].values()) == 60


def test_the_explorer_reports_a_stuck_story(make_story):
    story = load_story(make_story({"nodes.yaml": STUCK_NODES})).story
    report = explore(story, runs=5, seed=0)
    assert not report.ok
    assert report.to_json(story)["dead_ends"] == [{"node": "start", "count": 5}]
    assert report.unvisited_nodes(story) == ["end"]


# ---------------------------------------------------------------- property: whatever the player types


@settings(max_examples=200, deadline=timedelta(milliseconds=500), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.one_of(st.sampled_from("[]/\\=@#:;\"' bi"), st.characters()), max_size=60))
def test_whatever_the_player_types_shows_literally_and_never_breaks_markup(shop, typed):
    game = Game(shop, seed=1)
    kept = clean_player_text(typed, 40)
    if not kept:
        with pytest.raises(InvalidAction):
            game.submit(typed)
        return
    game.submit(typed)
    game.choose(0)
    assert game.state.variables["name"] == kept
    paragraph = game.view().paragraphs[0]
    assert markup_problem(paragraph) is None
    plain = markup_to_plain(paragraph)
    shown = kept + " " if kept.endswith("\\") else kept  # a trailing backslash is followed by a guard space
    assert plain == shown + ": you have 1 gold."
    assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in paragraph)


# ---------------------------------------------------------------- history kept as undo records


def test_rewinding_a_long_game_gives_exactly_the_states_a_replay_gives(ferry_story):
    """Undo records step back exactly: every earlier state equals a fresh replay's."""
    import random

    picker = random.Random(7)
    for seed in range(30):
        game = Game(ferry_story, seed=seed)
        game.submit("Anna")
        while not game.finished:
            options = [c.index for c in game.view().choices if c.enabled]
            game.choose(picker.choice(options))
        states = game.states
        assert len(states) == len(game.actions) + 1 and states[-1] == game.state
        for back in range(len(game.actions), 0, -1):
            fresh = Game(ferry_story, seed=seed)
            fresh.replay(game.actions[: len(game.actions) - back])
            rewound = Game(ferry_story, seed=seed)
            rewound.replay(game.actions)
            rewound.rewind(back)
            assert rewound.state == fresh.state == states[len(game.actions) - back]
            assert list(rewound.state.visits) == list(fresh.state.visits)  # first-visit order too (the codex reads it)
