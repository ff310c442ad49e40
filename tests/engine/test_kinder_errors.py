"""YAML and expression mistakes in an author's words, each at its exact line and column.

YAML's own messages ("found character that cannot start any token", "mapping values are not
allowed here", an unclosed quote reported lines after it opened) are replaced where the mistake
is a common one; expressions warn on `=-` and say what `=>` / `=<` were meant to be.
"""

from __future__ import annotations

import pytest

from kuzbass_game.engine.load.loader import load_story

from conftest import TINY_MANIFEST, TINY_NODES


def problems(root) -> list[str]:
    return [d.format() for d in load_story(root).diagnostics]


# ---------------------------------------------------------------- YAML


def test_a_tab_is_named_at_its_column(make_story):
    nodes = TINY_NODES.replace("    choices:\n", "    choices:\n\t").replace("\t      - text: Go", "\t  - text: Go")
    assert "\t  - text: Go" in nodes
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:5:1: error: YAML syntax error: a tab character: indent with spaces (YAML does not allow tabs for indentation)",
    ]


def test_a_tab_after_a_dash_is_named_at_its_column(make_story):
    nodes = TINY_NODES.replace("      - text: Go", "      -\ttext: Go")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:5:8: error: YAML syntax error: a tab character: indent with spaces (YAML does not allow tabs for indentation)",
    ]


def test_a_colon_in_unquoted_text_suggests_quotes(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", "    text: Wind: it finds every gap\n")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:3:15: error: YAML syntax error: the text holds ': ', which YAML reads as the start of another key; "
        'put the text in double quotes (text: "Wind: it finds every gap") or write it as a block (text: |)',
    ]


def test_a_colon_in_a_choice_text_suggests_quotes_with_its_own_key(make_story):
    nodes = TINY_NODES.replace("      - text: Go", '      - text: Say it: "no"')
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:5:21: error: YAML syntax error: the text holds ': ', which YAML reads as the start of another key; "
        'put the text in double quotes (text: "Say it: \\"no\\"") or write it as a block (text: |)',
    ]


def test_a_colon_on_a_continued_line_still_suggests_quotes(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", "    text: The wind\n      says: hello\n")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:4:11: error: YAML syntax error: a ': ' inside text, which YAML reads as the start of another key; "
        "put the text in double quotes, or write it as a block (|)",
    ]


def test_an_unclosed_quote_is_reported_where_it_opened(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", '    text: "Hello\n').replace("      - text: Go", '      - text: "Go"')
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:3:11: error: YAML syntax error: this quote is not closed on its line, so the text runs on to the "
        'next " (line 5) and swallows the lines between; close it on this line',
    ]


def test_an_unclosed_single_quote_is_reported_where_it_opened(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", "    text: 'Hello\n").replace("      - text: Go", "      - text: 'Go'")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:3:11: error: YAML syntax error: this quote is not closed on its line, so the text runs on to the "
        "next ' (line 5) and swallows the lines between; close it on this line",
    ]


def test_a_quote_never_closed_before_the_end_of_the_file(make_story):
    nodes = TINY_NODES.replace("    text: Bye\n", '    text: "Bye\n')
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:8:11: error: YAML syntax error: this quote is never closed: the file ends inside the quoted text",
    ]


def test_an_apostrophe_inside_single_quotes(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", "    text: 'It's cold'\n")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:3:14: error: YAML syntax error: this ' ends the quoted text early: to put a quote inside the text, "
        "write '' for a ' inside single quotes, or quote the text with the other kind of quote",
    ]


def test_a_text_quoted_over_several_lines_is_still_fine(make_story):
    nodes = TINY_NODES.replace("    text: Hello\n", '    text: "Hello,\n      and welcome"\n')
    assert problems(make_story({"nodes.yaml": nodes})) == []


# ---------------------------------------------------------------- expressions

EFFECT_NODES = TINY_NODES.replace("        goto: end\n", '        goto: end\n        effects: "{effect}"\n')


def test_equals_minus_warns_did_you_mean_minus_equals(make_story):
    nodes = EFFECT_NODES.replace("{effect}", "gold =- 1")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:7:24: warning: in the effects of choice 1 of node 'start': '=-' sets 'gold' to minus the value; "
        "did you mean '-='? (to set a negative value, write 'gold = -...')",
    ]


def test_a_negative_value_written_with_a_space_does_not_warn(make_story):
    nodes = EFFECT_NODES.replace("{effect}", "gold = -1")
    assert problems(make_story({"nodes.yaml": nodes})) == []


def test_equals_plus_says_did_you_mean_plus_equals(make_story):
    nodes = EFFECT_NODES.replace("{effect}", "gold =+ 1")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:7:24: error: in the effects of choice 1 of node 'start': '=+' is not an operator: did you mean '+='?",
    ]


@pytest.mark.parametrize("written, meant", [("=>", ">="), ("=<", "<=")])
def test_an_arrow_in_effects_says_what_it_meant(make_story, written, meant):
    nodes = EFFECT_NODES.replace("{effect}", f"gold {written} 1")
    assert problems(make_story({"nodes.yaml": nodes})) == [
        f"story/nodes.yaml:7:24: error: in the effects of choice 1 of node 'start': '{written}' is not an operator: did you mean "
        f"'{meant}'? Comparisons belong in conditions ('if'); effects assign with '=', '+=' or '-='",
    ]


@pytest.mark.parametrize("written, meant", [("=>", ">="), ("=<", "<=")])
def test_an_arrow_in_a_condition_suggests_the_comparison_not_double_equals(make_story, written, meant):
    nodes = TINY_NODES.replace("        goto: end\n", f'        goto: end\n        if: "gold {written} 3"\n')
    assert problems(make_story({"nodes.yaml": nodes})) == [
        f"story/nodes.yaml:7:19: error: in the condition of choice 1 of node 'start': '{written}' is not an operator: did you mean '{meant}'?",
    ]


def test_a_single_equals_in_a_condition_still_suggests_double_equals(make_story):
    nodes = TINY_NODES.replace("        goto: end\n", '        goto: end\n        if: "gold = 3"\n')
    assert problems(make_story({"nodes.yaml": nodes})) == [
        "story/nodes.yaml:7:19: error: in the condition of choice 1 of node 'start': unexpected '=' after the condition; to compare, write '=='",
    ]


# ---------------------------------------------------------------- the manifest


def test_an_invalid_story_id_suggests_a_valid_one(make_story):
    manifest = TINY_MANIFEST.replace("id: tiny", "id: my-story 2")
    found = problems(make_story(manifest=manifest))
    assert found[0] == ("story/manifest.yaml:1:5: error: the story id may hold only letters, digits and underscores; try 'my_story_2'")


def test_a_list_item_out_of_step_is_told_in_plain_words(make_story):
    nodes = TINY_NODES.replace("        goto: end\n", "        goto: end\n    - text: Stay\n      goto: start\n")
    found = problems(make_story({"nodes.yaml": nodes}))
    assert len(found) == 1 and found[0].startswith("story/nodes.yaml:7:5: error: YAML syntax error: this line is not indented in step"), found
    assert "each list item ('- ...') starts at the same column as the items beside it" in found[0]
    assert "did not find expected" not in found[0]
