"""The loader and the checker: every kind of problem in a story, with its exact place and words.

Each test writes a tiny story (see `make_story` in tests/conftest.py) and compares the
diagnostics, formatted as `path:line:col: severity: message`, with what an author must see.
"""

from __future__ import annotations

import pytest

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.core.diagnostics import Diagnostic, Severity
from kuzbass_game.engine.load.loader import load_story

from conftest import TINY_MANIFEST, TINY_NODES

NODE_KEYS = "allowed keys: text, chapter, date, effects, choices, ending, input, unlocks, vote"


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


def load(root, **kwargs):
    return load_story(root, **kwargs)


def test_the_tiny_story_is_clean(make_story):
    result = load(make_story())
    assert problems(result) == []
    assert result.files == 2
    story = result.story
    assert story is not None
    assert (story.id, story.title, story.start) == ("tiny", "Tiny", "start")
    assert sorted(story.nodes) == ["end", "start"]
    assert story.variables["gold"].default == 1 and story.variables["gold"].maximum == 10
    assert story.variables["zero"].default == 0 and story.variables["flag"].default is False
    assert story.endings["end"].ending.title == "Done"
    assert story.nodes["start"].mark.line == 2 and story.nodes["start"].mark.path == "story/nodes.yaml"


def test_diagnostic_format_is_compiler_style():
    d = Diagnostic("story/a.yaml", 12, 7, Severity.ERROR, "something is wrong")
    assert d.format() == "story/a.yaml:12:7: error: something is wrong"
    assert Diagnostic("m.yaml", 1, 1, Severity.WARNING, "hm").format() == "m.yaml:1:1: warning: hm"
    assert d.is_error and not Diagnostic("m.yaml", 1, 1, Severity.WARNING, "hm").is_error


# ---------------------------------------------------------------- YAML and the format's shape


def test_yaml_syntax_error_is_located(make_story):
    root = make_story({"nodes.yaml": TINY_NODES, "more.yaml": 'nodes:\n  other:\n    text: "unclosed\n'})
    result = load(root)
    assert result.story is None
    # at the quote that opened, not where the file ended
    assert "story/more.yaml:3:11: error: YAML syntax error: this quote is never closed: the file ends inside the quoted text" in problems(result)


def test_yaml_tab_indentation_is_a_syntax_error_at_the_tab(make_story):
    result = load(make_story({"nodes.yaml": TINY_NODES, "more.yaml": "nodes:\n\tother: x\n"}))
    assert problems(result) == [
        "story/more.yaml:2:1: error: YAML syntax error: a tab character: indent with spaces (YAML does not allow tabs for indentation)"
    ]


def test_unknown_key_with_did_you_mean(make_story):
    result = load(make_story({"nodes.yaml": TINY_NODES.replace("    choices:", "    choises:")}))
    # only the typo: the graph is not checked while the story has errors, so no false
    # "dead end: node 'start' has no choices" follows from the choices it could not read
    assert problems(result) == [
        f"story/nodes.yaml:4:5: error: unknown key 'choises' in node 'start'; did you mean 'choices'?; {NODE_KEYS}",
    ]
    assert result.story is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        goto: end\n",
            '        goto: end\n        once: "yes"\n',
            "story/nodes.yaml:7:15: error: 'once' of choice 1 of node 'start' must be true or false, not text",
        ),
        ("      - text: Go\n", "      - text: [Go]\n", "story/nodes.yaml:5:15: error: the text of choice 1 of node 'start' must be text, not a list"),
        ("    text: Bye\n", "    text: {say: Bye}\n", "story/nodes.yaml:8:11: error: the text of node 'end' must be text, not a mapping"),
        (
            "    text: Hello\n",
            "    text: Hello\n    chapter: 3\n",
            "story/nodes.yaml:4:14: error: the chapter of node 'start' must be text, not a whole number (put it in double quotes)",
        ),
        ("      title: Done\n", "      title: ~\n", "story/nodes.yaml:10:14: error: the ending title of node 'end' must be text, not nothing (null)"),
        (
            "        goto: end\n",
            "        goto: end\n        effects: 5\n",
            "story/nodes.yaml:7:18: error: the effects of choice 1 of node 'start' must be text, not a whole number (put it in double quotes)",
        ),
        (
            "    ending:\n      title: Done\n",
            "    ending: Done\n",
            "story/nodes.yaml:9:13: error: the ending of node 'end' must be a mapping of keys to values, not text",
        ),
        (
            "        goto: end\n",
            "        goto: [end]\n",
            "story/nodes.yaml:6:15: error: the target of choice 1 of node 'start' must be text, not a list",
        ),
        (
            "        goto: end\n",
            "        random:\n          - {goto: end, weight: 1.5}\n",
            "story/nodes.yaml:7:33: error: a branch weight must be a whole number, not a decimal number",
        ),
        (
            "        goto: end\n",
            "        random:\n          - {goto: end, weight: 0}\n",
            "story/nodes.yaml:7:33: error: a branch weight must be a whole number from 1 to 1000000",
        ),
        ("        goto: end\n", "        random: []\n", "story/nodes.yaml:6:17: error: the random branches of choice 1 of node 'start' are empty"),
        (
            "      - text: Go\n        goto: end\n",
            "      - text: Go\n",
            "story/nodes.yaml:5:9: error: choice 1 of node 'start' needs 'goto' (a node id) or 'random' (weighted branches)",
        ),
        (
            "        goto: end\n",
            "        goto: end\n        random:\n          - goto: end\n",
            "story/nodes.yaml:7:9: error: choice 1 of node 'start' has both 'goto' and 'random'; use one",
        ),
        ("    text: Bye\n", "    text: '   '\n", "story/nodes.yaml:8:11: error: the text of node 'end' is empty"),
        ("    text: Bye\n", "    text: []\n", "story/nodes.yaml:8:11: error: the text of node 'end' is empty"),
        ("    text: Bye\n", "    chapter: Two\n", "story/nodes.yaml:8:5: error: node 'end' is missing the required key 'text'"),
        ("    text: Bye\n", "    text: Bye\n    <<: {date: x}\n", "story/nodes.yaml:9:5: error: YAML merge keys (<<) are not supported in stories"),
    ],
)
def test_wrong_value_types_and_shapes(make_story, old, new, expected):
    assert TINY_NODES.count(old) == 1
    result = load(make_story({"nodes.yaml": TINY_NODES.replace(old, new)}))
    assert problems(result) == [expected]
    assert result.story is None


def test_duplicate_node_ids_across_files_name_the_first_place(make_story):
    root = make_story({"a.yaml": TINY_NODES, "b/c.yaml": "nodes:\n  end:\n    text: Another\n    ending: {title: Two}\n"})
    assert problems(load(root)) == ["story/b/c.yaml:2:3: error: duplicate node id 'end': already defined at story/a.yaml:7:3"]


def test_duplicate_key_in_one_mapping(make_story):
    nodes = TINY_NODES.replace("        goto: end\n", "        goto: end\n        text: Go on\n")
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:7:9: error: duplicate key 'text' in choice 1 of node 'start' (first defined at line 5)"
    ]


def test_targets_that_do_not_exist(make_story):
    nodes = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Go
        goto: edn
      - text: Gamble
        random:
          - goto: end
          - goto: nowhere_at_all
            weight: 2
  end:
    text: Bye
    ending: {title: Done}
"""
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:6:15: error: choice 1 of node 'start' goes to 'edn', which does not exist; did you mean 'end'?",
        "story/nodes.yaml:10:19: error: a random branch of choice 2 of node 'start' goes to 'nowhere_at_all', which does not exist",
    ]


# ---------------------------------------------------------------- variables and expressions inside YAML


def test_undeclared_variables_in_text_effects_and_conditions(make_story):
    nodes = """\
nodes:
  start:
    text: |
      Hello, {nmae}.
      You have {gold} gold and {{braces}}.
    effects: "gold += 1; glod -= 1"
    choices:
      - text: "Go, {name}"
        goto: end
        if: "gold > 1 and flga"
      - text: "Stay {nobody}"
        goto: end
  end:
    text: Bye
    ending: {title: Done}
"""
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:4:15: error: in the text of node 'start': unknown variable '{nmae}'; did you mean 'name'?",
        "story/nodes.yaml:6:26: error: in the effects of node 'start': unknown variable 'glod'; did you mean 'gold'?",
        "story/nodes.yaml:10:27: error: in the condition of choice 1 of node 'start': unknown variable 'flga'; did you mean 'flag'?",
        "story/nodes.yaml:11:22: error: in the text of choice 2 of node 'start': unknown variable '{nobody}'",
    ]


def test_expression_errors_are_located_inside_every_kind_of_yaml_scalar(make_story):
    nodes = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Go
        goto: end
        if: gold >= 2 and
          flag and name
      - text: Pay
        goto: end
        if: "visited(\\"start\\") and gold / 2"
        effects:
          - "gold -= 1"
          - 'name = name + 1'
      - text: Wait
        goto: end
        if: |
          gold > 0 and
          flag ==
      - text: Fold
        goto: end
        if: >-
          gold > 0 and
            flag = true
  end:
    text: Bye
    ending: {title: Done}
"""
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        # a plain scalar folded over two lines: the second 'and' on line 8
        "story/nodes.yaml:8:16: error: in the condition of choice 1 of node 'start': 'and' needs true/false (bool) but got text",
        # a double-quoted scalar with escapes: the column counts the backslashes
        "story/nodes.yaml:11:33: error: in the condition of choice 2 of node 'start': 'and' needs true/false (bool) but got a number (int)",
        "story/nodes.yaml:14:26: error: in the effects of choice 2 of node 'start': '+' needs a number (int) but got text",
        # a literal block: just after the last word
        "story/nodes.yaml:19:18: error: in the condition of choice 3 of node 'start': expected a value but found the end of the expression",
        # a folded block with a more-indented line
        "story/nodes.yaml:24:18: error: in the condition of choice 4 of node 'start': unexpected '=' after the condition; to compare, write '=='",
    ]


def test_the_same_broken_expression_is_reported_at_each_use(make_story):
    nodes = TINY_NODES.replace(
        "        goto: end\n", '        goto: end\n        if: "gold >> 1"\n      - text: Again\n        goto: end\n        if: "gold >> 1"\n'
    )
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:7:20: error: in the condition of choice 1 of node 'start': expected a value but found '>'",
        "story/nodes.yaml:10:20: error: in the condition of choice 2 of node 'start': expected a value but found '>'",
    ]


def test_conditions_written_as_bare_yaml_booleans(make_story):
    nodes = TINY_NODES.replace("        goto: end\n", "        goto: end\n        if: yes\n      - text: Never\n        goto: end\n        if: off\n")
    result = load(make_story({"nodes.yaml": nodes}))
    assert problems(result) == [
        "story/nodes.yaml:2:3: warning: every choice of node 'start' has an 'if' or 'once', so a player may find none open; add one choice that is always available, or mark one 'otherwise: true'",
        "story/nodes.yaml:8:9: warning: the condition of choice 2 of node 'start' is always false",
    ]
    choices = result.story.nodes["start"].choices
    assert [c.condition.constant for c in choices] == [True, False]


def test_lone_braces_in_text(make_story):
    nodes = """\
nodes:
  start:
    text: "Hello { there"
    choices:
      - text: "Go }"
        goto: end
  end:
    text: |
      Bye {}
      and {{ok}} and }
    ending: {title: Done}
"""
    lone = "write '{0}{0}' for a literal brace, or {{name}} for a variable"
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:3:18: error: in the text of node 'start': a lone '{'; " + lone.format("{"),
        "story/nodes.yaml:5:19: error: in the text of choice 1 of node 'start': a lone '}'; " + lone.format("}"),
        "story/nodes.yaml:9:12: error: in the text of node 'end': unknown variable '{}'",
        "story/nodes.yaml:10:22: error: in the text of node 'end': a lone '}'; " + lone.format("}"),
    ]


def test_literal_braces_and_variables_render_in_text(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", "    text: |\n      Hi {name}, {{not a var}}\n      second line.\n\n      Next {gold}.\n")
    result = load(make_story({"nodes.yaml": nodes}))
    assert problems(result) == []
    from kuzbass_game.engine.core.model import VarRef

    paragraphs = [p.parts for p in result.story.nodes["start"].paragraphs]
    assert paragraphs == [("Hi ", VarRef("name"), ", {not a var} second line."), ("Next ", VarRef("gold"), ".")]


# ---------------------------------------------------------------- the graph


def test_unreachable_nodes_dead_ends_traps_and_unreachable_endings(make_story):
    nodes = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Go
        goto: end
      - text: Loop
        goto: loop
      - text: Stop
        goto: stop
  loop:
    text: Round and round
    choices:
      - text: Again
        goto: loop
  stop:
    text: Nothing here
  lost:
    text: Nobody comes here
    choices:
      - text: Out
        goto: end
  end:
    text: Bye
    ending: {title: Done}
  other_end:
    text: Never
    ending: {title: Never Seen}
"""
    result = load(make_story({"nodes.yaml": nodes}))
    assert problems(result) == [
        "story/nodes.yaml:11:3: error: node 'loop' is a trap: no ending can be reached from it",
        "story/nodes.yaml:16:3: error: dead end: node 'stop' has no choices and is not an ending",
        "story/nodes.yaml:18:3: error: node 'lost' is never reached: no path from the start 'start' leads here",
        "story/nodes.yaml:26:3: error: ending 'other_end' (\"Never Seen\") can never be reached: no path from the start leads here",
    ]
    assert result.story is None


def test_a_choice_behind_an_always_false_condition_does_not_count_as_a_path(make_story):
    nodes = TINY_NODES.replace("        goto: end\n", '        goto: end\n        if: "1 > 2"\n')
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:2:3: error: node 'start' is a trap: no ending can be reached from it",
        "story/nodes.yaml:5:9: warning: the condition of choice 1 of node 'start' is always false",
        "story/nodes.yaml:8:3: error: ending 'end' (\"Done\") can never be reached: no path from the start leads here",
    ]


def test_a_story_without_any_ending(make_story):
    nodes = "nodes:\n  start:\n    text: Hello\n    choices:\n      - text: Again\n        goto: start\n"
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/manifest.yaml:3:8: error: the story has no ending: mark at least one node with 'ending: {title: ...}'",
        "story/nodes.yaml:2:3: error: node 'start' is a trap: no ending can be reached from it",
    ]


def test_an_ending_with_choices_or_input(make_story):
    nodes = TINY_NODES + '    input: {var: name, prompt: "Name?"}\n    choices:\n      - text: Again\n        goto: start\n'
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:9:5: error: node 'end' is an ending but also has choices; an ending closes the story",
        "story/nodes.yaml:11:5: error: node 'end' is an ending and cannot ask for input",
    ]


def test_too_many_choices(make_story):
    nodes = TINY_NODES.replace("      - text: Go\n        goto: end\n", "      - text: Go\n        goto: end\n" * 10)
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:5:7: error: node 'start' has 10 choices; at most 9 fit the number keys"
    ]


# ---------------------------------------------------------------- the manifest


def test_missing_manifest(make_story):
    result = load(make_story(manifest=None))
    assert problems(result) == [
        "story/manifest.yaml:1:1: error: the story has no manifest.yaml: it declares the title, the start node and the variables"
    ]
    assert result.story is None


def test_missing_story_folder(make_story, tmp_path):
    make_story()
    assert problems(load(tmp_path / "nope")) == [f"{tmp_path / 'nope'}:1:1: error: story folder does not exist"]
    (tmp_path / "file").write_text("x")
    assert problems(load(tmp_path / "file")) == [f"{tmp_path / 'file'}:1:1: error: story folder is not a folder"]


def test_missing_start_node(make_story):
    result = load(make_story(manifest=TINY_MANIFEST.replace("start: start", "start: strat")))
    assert problems(result) == ["story/manifest.yaml:3:8: error: the start node 'strat' does not exist; did you mean 'start'?"]


def test_variable_default_outside_its_range(make_story):
    result = load(make_story(manifest=TINY_MANIFEST.replace("    default: 1\n", "    default: 11\n")))
    assert problems(result) == ["story/manifest.yaml:7:14: error: the default of variable 'gold' (11) is outside its range 0..10"]


def test_manifest_problems_are_all_reported(make_story):
    manifest = """\
id: my story
title: ""
start: start
colour: red
variables:
  gold:
    type: integer
  and:
    type: bool
  hp:
    type: int
    min: 10
    max: 5
  flag:
    type: bool
    default: 1
    max: 3
  name:
    type: text
    label: "A label far too long for the status panel"
"""
    assert problems(load(make_story(manifest=manifest))) == [
        "story/manifest.yaml:1:5: error: the story id may hold only letters, digits and underscores; try 'my_story'",
        "story/manifest.yaml:2:8: error: the manifest's 'title' is empty",
        "story/manifest.yaml:4:1: error: unknown key 'colour' in the manifest; allowed keys: id, title, start, author, description, introduction, afterword, stable, variables, computed, routines, codex, tests, people",
        "story/manifest.yaml:7:11: error: unknown type 'integer' for variable 'gold'; did you mean 'int'?; use int, bool or text",
        "story/manifest.yaml:8:3: error: 'and' cannot be a variable name: use letters, digits and underscores, not a reserved word",
        "story/manifest.yaml:13:10: error: 'max' of variable 'hp' (5) is below its 'min' (10)",
        "story/manifest.yaml:16:14: error: the default of variable 'flag' must be true or false, not a whole number",
        "story/manifest.yaml:17:5: error: 'max' only applies to int variables; variable 'flag' is bool",
        "story/manifest.yaml:20:12: warning: the label of variable 'name' is longer than 24 characters and will be cut in the status panel",
    ]


def test_input_problems(make_story):
    nodes = """\
nodes:
  start:
    text: Hello
    input:
      var: gold
      prompt: "How much?"
    choices:
      - text: Go
        goto: ask
  ask:
    text: Who?
    input:
      var: nmae
      prompt: "Name?"
      max_length: 0
    choices:
      - text: Go
        goto: end
  end:
    text: Bye
    ending: {title: Done}
"""
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:5:12: error: input can only fill a text variable; 'gold' is int",
        "story/nodes.yaml:13:12: error: unknown variable 'nmae'; did you mean 'name'?",
        "story/nodes.yaml:15:19: error: the input's 'max_length' must be between 1 and 200",
    ]


# ---------------------------------------------------------------- what reaches the terminal


def test_control_characters_are_refused_where_they_are(make_story):
    nodes = """\
nodes:
  start:
    text: "Hello \\e[31mred"
    choices:
      - text: "Go\\x07"
        goto: end
  end:
    text: Bye
    ending: {title: "Done\\u009b"}
"""
    tail = "; terminal escape codes are not allowed in story text"
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:3:18: error: the text of node 'start' contains the control character U+001B" + tail,
        "story/nodes.yaml:5:18: error: the text of choice 1 of node 'start' contains the control character U+0007" + tail,
        "story/nodes.yaml:9:26: error: the ending title of node 'end' contains the control character U+009B" + tail,
    ]


def test_a_raw_escape_byte_in_the_file_is_refused_with_its_place(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", "    text: Пр\x1b[31mивет\n")
    # The start node is in the unreadable file, so "the start node does not exist" would be a
    # false alarm caused by this same problem: it is not reported.
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:3:13: error: the file holds the character U+001B, which YAML does not allow (control characters are not allowed)",
    ]


def test_broken_markup_is_reported_by_load_and_check(make_story):
    nodes = """\
nodes:
  start:
    text: Hello [bold]there[/italic]
    choices:
      - text: "Go"
        goto: end
        locked: "[/b] no"
        if: gold > 0
      - text: "Ok [i]fine[/i]"
        goto: end
  end:
    chapter: "[b]Four[/b] [/]"
    text: |
      Bye [b]ok[/b], {name}.

      A second paragraph,
      whose second line [/u] is wrong.
    ending: {title: "Done [/x]"}
"""
    root = make_story({"nodes.yaml": nodes})
    assert load(root).errors == []  # the engine alone does not parse markup
    result = load_and_check(root)
    assert problems(result) == [  # each at the very tag, even inside a block of several lines
        "story/nodes.yaml:3:28: error: broken markup in the text of node 'start': closing tag '[/italic]' does not match any open tag",
        "story/nodes.yaml:7:18: error: broken markup in the locked reason of choice 1 of node 'start': closing tag '[/b]' does not match any open tag",
        "story/nodes.yaml:12:27: error: broken markup in the chapter of node 'end': auto closing tag ('[/]') has nothing to close",
        "story/nodes.yaml:17:25: error: broken markup in the text of node 'end': closing tag '[/u]' does not match any open tag",
        "story/nodes.yaml:18:27: error: broken markup in the ending title of node 'end': closing tag '[/x]' does not match any open tag",
    ]
    assert result.story is None


def test_markup_checked_stories_are_cached_apart(make_story):
    """A story cached by a load without the markup parser is checked again by one with it."""
    root = make_story({"nodes.yaml": TINY_NODES.replace("text: Hello", "text: Hello [/b]")})
    assert load(root, cache=True).errors == []
    assert [d.message for d in load_and_check(root, cache=True).errors] == [
        "broken markup in the text of node 'start': closing tag '[/b]' does not match any open tag"
    ]


def test_node_ids_must_be_plain(make_story):
    nodes = TINY_NODES + '  "[bold]x":\n    text: x\n    ending: {title: X}\n  "a b":\n    text: y\n    ending: {title: Y}\n'
    assert problems(load(make_story({"nodes.yaml": nodes}))) == [
        "story/nodes.yaml:11:3: error: '[bold]x' cannot be a node id: use letters, digits, '_', '-' and '.' only",
        "story/nodes.yaml:14:3: error: 'a b' cannot be a node id: use letters, digits, '_', '-' and '.' only",
    ]


# ---------------------------------------------------------------- all at once, sorted


def test_every_problem_in_a_file_is_reported_at_once(make_story):
    nodes = """\
nodes:
  start:
    text: Hello {nmae}
    colour: blue
    choices:
      - text: Go
        goto: edn
        if: "gold >"
        effects: "flag = 3"
      - text: Stay
        goto: end
  end:
    text: Bye
    ending: {title: Done}
"""
    result = load(make_story({"nodes.yaml": nodes}))
    assert problems(result) == [
        "story/nodes.yaml:3:18: error: in the text of node 'start': unknown variable '{nmae}'; did you mean 'name'?",
        f"story/nodes.yaml:4:5: error: unknown key 'colour' in node 'start'; {NODE_KEYS}",
        "story/nodes.yaml:7:15: error: choice 1 of node 'start' goes to 'edn', which does not exist; did you mean 'end'?",
        "story/nodes.yaml:8:20: error: in the condition of choice 1 of node 'start': expected a value but found the end of the expression",
        "story/nodes.yaml:9:24: error: in the effects of choice 1 of node 'start': 'flag' (bool) needs true/false (bool) but got a number (int)",
    ]
    assert len(result.errors) == 5 and result.warnings == []


def test_diagnostics_from_several_files_are_sorted_by_path_line_and_column(make_story):
    root = make_story(
        {
            "b.yaml": "nodes:\n  b1:\n    text: x\n    bogus: 1\n    ending: {title: B}\n",
            "a.yaml": TINY_NODES.replace("    text: Bye\n", "    text: Bye\n    zzz: 1\n    aaa: 2\n"),
        },
        manifest=TINY_MANIFEST + "extra: 1\n",
    )
    result = load(root)
    keys = [(d.path, d.line, d.col) for d in result.diagnostics]
    assert keys == sorted(keys)
    assert [d.path for d in result.diagnostics] == ["story/a.yaml", "story/a.yaml", "story/b.yaml", "story/manifest.yaml"]
    assert [d.line for d in result.diagnostics] == [9, 10, 4, 21]


def test_warnings_do_not_stop_a_story_from_loading(make_story):
    nodes = TINY_NODES.replace("        goto: end\n", '        goto: end\n        locked: "Not yet"\n')
    result = load(make_story({"nodes.yaml": nodes, "empty.yaml": "nodes: {}\n"}))
    assert problems(result) == [
        "story/empty.yaml:1:1: warning: this file declares no nodes",
        "story/nodes.yaml:7:9: warning: choice 1 of node 'start' has a 'locked' reason but no 'if', so it is never locked",
    ]
    assert result.errors == [] and result.story is not None


def test_an_empty_choice_list_is_a_warning_and_a_dead_end(make_story):
    nodes = TINY_NODES.replace("        goto: end\n", "        goto: spare\n") + "  spare:\n    text: x\n    choices: []\n"
    result = load(make_story({"nodes.yaml": nodes}))
    assert problems(result) == [
        "story/nodes.yaml:2:3: error: node 'start' is a trap: no ending can be reached from it",
        "story/nodes.yaml:7:3: error: ending 'end' (\"Done\") can never be reached: no path from the start leads here",
        "story/nodes.yaml:11:3: error: dead end: node 'spare' has no choices and is not an ending",
        "story/nodes.yaml:13:14: warning: node 'spare' has an empty choice list",
    ]


def test_a_broken_file_does_not_flood_other_files_with_missing_targets(make_story):
    """One YAML syntax error is one problem: gotos into that file are not reported missing."""
    files = {
        "a.yaml": "nodes:\n  start:\n    text: Hi\n    choices:\n      - text: Go\n        goto: middle\n",
        "b.yaml": "nodes:\n  middle:\n    text: [unclosed\n",
    }
    found = problems(load(make_story(files)))
    assert len(found) == 1 and found[0].startswith("story/b.yaml:") and "YAML syntax error" in found[0]
