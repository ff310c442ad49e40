"""A declaration that is wrong is reported once, where it is written: the name is still declared
("declared but broken"), so the texts, conditions, effects and declarations that use it are not
reported again as using an unknown variable (with a "did you mean" of another name), and the
story still does not load, for the one mistake.

Computed values whose value does not compile, variables of an unknown type, with a wrong default
or range or no mapping at all, enumerated values with a wrong one, a routine without its effects
(a routine whose effects do not compile is pinned in test_authoring_2.py).
"""

from __future__ import annotations

import pytest

from kuzbass_game.engine.core import expr
from kuzbass_game.engine.load.loader import load_story

from conftest import TINY_MANIFEST


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


# Every use of `cups` a story can make: a node text, a condition, an effect, another computed
# value, a routine, a show_if, a vote's size and share, a story test's expectation.
USES_NODES = """\
nodes:
  start:
    text: "You have {cups} cups, {twice} doubled."
    choices:
      - text: Drink
        goto: end
        if: "cups > 1 and not (cups == 0)"
        effects: "gold += cups; gold = max(cups, 1) - cups; flag = cups > 1; brew"
      - text: Count
        goto: hall
        otherwise: true
      - text: Weigh
        goto: hall
        if: "twice > 1 and if(cups > 1, true, flag) and max(cups, 2) > 1 and -cups < 0"
  hall:
    text: The hall.
    vote:
      question: "Tea for all?"
      factions:
        - name: "Drinkers"
          size: "cups + 10"
          for: cups
      outcomes:
        passed: end
        failed: end
    choices:
      - text: For
        ballot: for
  end:
    text: Bye
    ending:
      title: Done
tests:
  drink:
    steps: [1]
    expect: ["cups >= 0"]
"""

USES_DECLARATIONS = """\
computed:
  twice: "cups * 2"
  shown:
    value: "gold + 1"
    label: "Shown"
    show_if: "cups > 1"
routines:
  brew: "gold -= cups"
"""


def _story_with_cups(make_story, cups: str):
    """A story whose computed value `cups` is declared as `cups` (the YAML after `cups:`), used everywhere."""
    manifest = TINY_MANIFEST + "computed:\n  cups: " + cups + "\n"
    return load_story(make_story({"nodes.yaml": USES_NODES, "more.yaml": USES_DECLARATIONS}, manifest=manifest))


# ---------------------------------------------------------------- computed values


@pytest.mark.parametrize(
    ("cups", "error"),
    [
        (
            "'gold * 2 +'",
            "story/manifest.yaml:22:20: error: in the value of computed value 'cups': expected a value but found the end of the expression",
        ),
        (
            "'if(flag, \"many\", 3)'",
            "story/manifest.yaml:22:27: error: in the value of computed value 'cups': both values of if() must have one type, "
            "but the first is text and the second a number (int)",
        ),
        ("'leaves * 2'", "story/manifest.yaml:22:10: error: in the value of computed value 'cups': unknown variable 'leaves'"),
        ("{label: Cups}", "story/manifest.yaml:22:9: error: computed value 'cups' is missing the required key 'value'"),
        ("[1, 2]", "story/manifest.yaml:22:9: error: computed value 'cups' must be a mapping of keys to values, not a list"),
    ],
    ids=["syntax", "type", "unknown-name", "no-value", "no-mapping"],
)
def test_a_broken_computed_value_is_its_one_error_and_its_uses_report_nothing(make_story, cups, error):
    result = _story_with_cups(make_story, cups)
    # Not "unknown variable 'cups'" in the text, the condition, the effect, 'twice', the routine...
    assert problems(result) == [error]
    assert result.story is None


def test_a_broken_computed_value_in_a_node_text_alone_is_its_one_error(make_story):
    manifest = TINY_MANIFEST + "computed:\n  cups: 'gold *'\n"
    nodes = "nodes:\n  start:\n    text: 'You have {cups} cups.'\n    choices:\n      - text: Go\n        goto: end\n"
    nodes += "  end:\n    text: Bye\n    ending:\n      title: Done\n"
    result = load_story(make_story({"nodes.yaml": nodes}, manifest=manifest))
    assert problems(result) == [
        "story/manifest.yaml:22:16: error: in the value of computed value 'cups': expected a value but found the end of the expression"
    ]


def test_a_correct_computed_value_compiles_as_before(make_story):
    result = _story_with_cups(make_story, "'gold * 2'")
    assert problems(result) == []
    story = result.story
    assert story is not None
    assert {name: c.type for name, c in story.computed.items()} == {"cups": "int", "twice": "int", "shown": "int"}
    assert story.computed["twice"].run({"gold": 3}, {}) == 12
    assert all(var.type in expr.TYPES for var in story.variables.values())


def test_a_mistake_in_a_use_of_a_correct_computed_value_is_still_reported(make_story):
    nodes = USES_NODES.replace('if: "cups > 1 and not (cups == 0)"', 'if: "cups == \\"many\\""')
    manifest = TINY_MANIFEST + "computed:\n  cups: 'gold * 2'\n"
    result = load_story(make_story({"nodes.yaml": nodes, "more.yaml": USES_DECLARATIONS}, manifest=manifest))
    assert [p for p in problems(result) if ": error: " in p] == [
        "story/nodes.yaml:7:19: error: in the condition of choice 1 of node 'start': cannot compare a number (int) with text using '=='"
    ]


# ---------------------------------------------------------------- variables

KIND_NODES = """\
nodes:
  start:
    text: "You are {kind}."
    choices:
      - text: Go
        goto: ask
        if: "kind == \\"miner\\""
        effects: "kind = \\"clerk\\"; kind += \\"!\\""
  ask:
    text: Who?
    input:
      var: kind
      prompt: "Your trade?"
    choices:
      - text: Go
        goto: end
  end:
    text: Bye
    ending:
      title: Done
"""

KIND_HALL = """\
nodes:
  hall:
    text: The hall.
    vote:
      question: "Strike?"
      record: kind
      factions:
        - name: "All"
          size: 10
          for: 50
      outcomes:
        passed: end
        failed: end
    choices:
      - text: For
        ballot: for
"""


@pytest.mark.parametrize(
    ("declaration", "error"),
    [
        (
            "  kind:\n    type: txt\n",
            "story/manifest.yaml:22:11: error: unknown type 'txt' for variable 'kind'; did you mean 'text'?; use int, bool or text",
        ),
        ("  kind:\n    label: Trade\n", "story/manifest.yaml:22:5: error: variable 'kind' is missing the required key 'type'"),
        ("  kind: text\n", "story/manifest.yaml:21:9: error: variable 'kind' must be a mapping of keys to values, not text"),
        (
            "  kind:\n    type: text\n    default: [miner]\n",
            "story/manifest.yaml:23:14: error: the default of variable 'kind' must be text, not a list",
        ),
    ],
    ids=["unknown-type", "no-type", "no-mapping", "bad-default"],
)
def test_a_broken_variable_is_its_one_error_and_its_uses_report_nothing(make_story, declaration, error):
    result = load_story(make_story({"nodes.yaml": KIND_NODES, "hall.yaml": KIND_HALL}, manifest=TINY_MANIFEST + declaration))
    # Not "unknown variable '{kind}'" in the text, the condition, the effects, the input and the vote's record.
    assert problems(result) == [error]
    assert result.story is None


def test_an_int_variable_with_its_range_upside_down_is_its_one_error(make_story):
    manifest = TINY_MANIFEST + "  cups:\n    type: int\n    min: 5\n    max: 1\n"
    nodes = "nodes:\n  start:\n    text: '{cups} cups.'\n    choices:\n      - text: Go\n        goto: end\n"
    nodes += "        if: cups > 2\n        effects: cups -= 1\n  end:\n    text: Bye\n    ending:\n      title: Done\n"
    result = load_story(make_story({"nodes.yaml": nodes}, manifest=manifest))
    assert problems(result) == ["story/manifest.yaml:24:10: error: 'max' of variable 'cups' (1) is below its 'min' (5)"]


def test_a_broken_variable_keeps_its_type_when_it_has_one(make_story):
    # The default is the mistake, not the type: a text use of the int is still a mistake of its own.
    manifest = TINY_MANIFEST + "  cups:\n    type: int\n    default: many\n"
    nodes = "nodes:\n  start:\n    text: Hi\n    choices:\n      - text: Go\n        goto: end\n"
    nodes += "        if: 'cups == \"many\"'\n  end:\n    text: Bye\n    ending:\n      title: Done\n"
    result = load_story(make_story({"nodes.yaml": nodes}, manifest=manifest))
    assert [p.split(": error: ")[1] for p in problems(result)] == [
        "the default of variable 'cups' must be a whole number, not text",
        "in the condition of choice 1 of node 'start': cannot compare a number (int) with text using '=='",
    ]


# ---------------------------------------------------------------- enumerated values, routines


def test_a_wrong_value_in_values_is_its_one_error_and_no_value_is_enforced(make_story):
    manifest = TINY_MANIFEST + "  trade:\n    type: text\n    values: [worker, 3]\n    default: '3'\n"
    nodes = KIND_NODES.replace("kind", "trade").replace('    input:\n      var: trade\n      prompt: "Your trade?"\n', "")
    nodes = nodes.replace('trade += \\"!\\"', 'trade = \\"3\\"')
    result = load_story(make_story({"nodes.yaml": nodes}, manifest=manifest))
    # Not: the default "3" is not one of its values; 'trade' is never "miner"; never "clerk".
    assert problems(result) == [
        "story/manifest.yaml:23:22: error: a value of variable 'trade' must be text, not a whole number (put it in double quotes)"
    ]


def test_correct_values_are_still_enforced(make_story):
    manifest = TINY_MANIFEST + "  trade:\n    type: text\n    values: [worker, miner]\n"
    nodes = KIND_NODES.replace("kind", "trade").replace('    input:\n      var: trade\n      prompt: "Your trade?"\n', "")
    result = load_story(make_story({"nodes.yaml": nodes}, manifest=manifest))
    assert [p.split(": error: ")[1] for p in problems(result)] == [
        "in the effects of choice 1 of node 'start': 'trade' is never \"clerk\"; its values are worker, miner",
    ]


def test_a_routine_without_its_effects_is_its_one_error(make_story):
    manifest = TINY_MANIFEST + "routines:\n  brew: {label: Brewing}\n  brew2: 'gold += 1'\n"
    nodes = "nodes:\n  start:\n    text: Hi\n    choices:\n      - text: Go\n        goto: end\n"
    nodes += "        effects: brew; brew2\n  end:\n    text: Bye\n    ending:\n      title: Done\n"
    result = load_story(make_story({"nodes.yaml": nodes}, manifest=manifest))
    # Not "unknown routine 'brew'; did you mean 'brew2'?" where the choice runs it.
    assert problems(result) == ["story/manifest.yaml:22:9: error: routine 'brew' is missing the required key 'effects'"]


# ---------------------------------------------------------------- the type that fits anywhere


def test_a_broken_name_fits_wherever_a_type_is_wanted_and_changes_nothing_else():
    broken = expr.Typed(expr.ANY, lambda v, n: 0)
    scope = expr.Scope({"gold": expr.INT, "name": expr.TEXT, "odd": expr.ANY}, computed={"cups": broken})
    for source in ("cups", "cups > 1", 'cups == "x"', "not cups", "if(cups, cups, 1) > 0", "odd and (odd == 2)"):
        expr.compile_condition(source, scope)
    assert expr.compile_value('"tea " + cups', scope)[0].type == expr.TEXT
    assert expr.compile_value("cups + 1", scope)[0].type == expr.INT
    assert expr.compile_value("if(true, cups, name)", scope)[0].type == expr.TEXT
    expr.compile_effects('gold += cups; name = cups; odd = "x"; odd -= 1', scope)
    # Between the declared types, nothing changed.
    with pytest.raises(expr.ExprError, match="cannot compare a number"):
        expr.compile_condition('gold == "x"', scope)
    with pytest.raises(expr.ExprError, match="'\\+' needs a number"):
        expr.compile_value('"tea " + gold', scope)
    with pytest.raises(expr.ExprError, match="must be true/false"):
        expr.compile_condition("gold + 1", scope)
