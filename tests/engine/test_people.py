"""`people:`, the story's list of who the run may keep or lose (issue 18): the run summary's "Who
stayed with you" says, for each person, the first line whose `if` holds at the end. Each mistake
is asserted at its line and column; every story is loaded compiled and through the cache."""

from __future__ import annotations

import pytest

from kuzbass_game.engine.load import cache
from kuzbass_game.engine.load.loader import load_story
from kuzbass_game.engine.play import Game, run_sections, summarize

MANIFEST = """\
id: yard
title: "Yard"
start: yard
variables:
  lodger:
    type: bool
  trust:
    type: int
    max: 10
  name:
    type: text
    default: "Stepan"
computed:
  close:
    value: "trust >= 3"
people:
  hosts:
    - if: "lodger and close"
      text: "You board with [i]{name}[/i] still; the bench by the stove is yours."
    - if: "lodger"
      text: "You board with {name}, and pay on the day."
  hewer:
    if: 'visited("pit")'
    text: "The hewer you went down with keeps your place at the face."
"""

NODES = """\
nodes:
  yard:
    text: "A yard."
    choices:
      - text: "Lodge with them"
        effects: "lodger = true; trust += 3"
        goto: end
      - text: "Lodge, and keep to yourself"
        effects: "lodger = true"
        goto: end
      - text: "Go down the pit"
        goto: pit
      - text: "Walk on"
        goto: end
  pit:
    text: "The pit."
    choices:
      - text: "Up"
        goto: end
  end:
    text: "The end."
    ending: {title: "End"}
"""


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


@pytest.fixture(params=["compiled", "cached"])
def load(request, private_story_cache):
    def load_via(root):
        if request.param == "compiled":
            return load_story(root)
        first = load_story(root, cache=True)
        again = load_story(root, cache=True)
        if not first.errors:
            assert isinstance(again.story.nodes, cache.LazyNodes), "the second load should come from the cache"
        assert problems(again) == problems(first)
        return again

    return load_via


def told(story, *choices: int) -> tuple[str, ...]:
    game = Game(story, seed=1)
    for index in choices:
        game.choose(index)
    return dict(run_sections(summarize(game))).get("Who stayed with you", ())


def test_each_person_is_told_by_the_first_line_that_holds_at_the_end(make_story, load):
    result = load(make_story({"nodes.yaml": NODES}, manifest=MANIFEST))
    assert problems(result) == []
    story = result.story
    assert list(story.people) == ["hosts", "hewer"]
    assert told(story, 0) == ("You board with [i]Stepan[/i] still; the bench by the stove is yours.",)
    assert told(story, 1) == ("You board with Stepan, and pay on the day.",)
    assert told(story, 2, 0) == ("The hewer you went down with keeps your place at the face.",)


def test_the_section_is_left_out_when_no_line_holds(make_story, load):
    story = load(make_story({"nodes.yaml": NODES}, manifest=MANIFEST)).story
    game = Game(story, seed=1)
    game.choose(3)
    summary = summarize(game)
    assert summary.people == ()
    assert "Who stayed with you" not in dict(run_sections(summary))


def test_a_value_in_a_line_is_shown_as_it_is_never_as_markup(make_story, load):
    nodes = NODES.replace('effects: "lodger = true"', "effects: 'lodger = true; name = \"[b]Agafya\"'")
    story = load(make_story({"nodes.yaml": nodes}, manifest=MANIFEST)).story
    assert told(story, 1) == ("You board with \\[b]Agafya, and pay on the day.",)


def test_a_layer_adds_people_and_cannot_declare_one_twice(make_story, load, tmp_path):
    root = make_story({"nodes.yaml": NODES}, manifest=MANIFEST)
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "manifest.yaml").write_text(
        'id: tea\nextends: yard\npeople:\n  tea_woman:\n    if: \'visited("pit")\'\n    text: "The tea woman saves you a glass."\n'
    )
    result = load((root, layer))
    assert problems(result) == []
    assert told(result.story, 2, 0) == (
        "The hewer you went down with keeps your place at the face.",
        "The tea woman saves you a glass.",
    )
    (layer / "people.yaml").write_text('people:\n  hosts:\n    text: "Twice."\n')
    assert problems(load((root, layer))) == [
        "layer/people.yaml:2:3: error: person 'hosts' is declared twice: already declared at story/manifest.yaml:17:3",
    ]


def test_mistakes_in_people_are_reported_where_they_are_written(make_story, load):
    manifest = MANIFEST.replace('"lodger and close"', '"lodger and clse"').replace('if: "lodger"\n', 'if: "trust"\n')
    manifest = manifest.replace('text: "The hewer you went down with keeps your place at the face."', 'txt: "The hewer."')
    manifest += '  nobody: []\n  yard_dog:\n    if: "lodger"\n    text: "A {dog}."\n  "bad id":\n    text: "x"\n'
    assert problems(load(make_story({"nodes.yaml": NODES}, manifest=manifest))) == [
        "story/manifest.yaml:18:23: error: in the condition of line 1 of person 'hosts': unknown variable 'clse'; did you mean 'close'?",
        "story/manifest.yaml:20:12: error: in the condition of line 2 of person 'hosts': a condition must be true/false (bool), but this is a number (int)",
        "story/manifest.yaml:23:5: error: person 'hewer' is missing the required key 'text'",
        "story/manifest.yaml:24:5: error: unknown key 'txt' in person 'hewer'; did you mean 'text'?; allowed keys: text, if",
        "story/manifest.yaml:25:11: error: person 'nobody' has no lines: give each a 'text', and an 'if' for when it is said",
        "story/manifest.yaml:28:15: error: in the text of person 'yard_dog': unknown variable '{dog}'",
        "story/manifest.yaml:29:3: error: 'bad id' cannot be a person's id: use letters, digits, '_', '-' and '.' only",
    ]


def test_a_line_after_one_without_an_if_is_never_said(make_story, load):
    manifest = MANIFEST.replace('    - if: "lodger and close"\n      text:', "    - text:").replace('if: "lodger"\n', 'if: "lodger and close"\n')
    assert problems(load(make_story({"nodes.yaml": NODES}, manifest=manifest))) == [
        "story/manifest.yaml:19:7: warning: line 2 of person 'hosts' is never said: line 1 has no 'if', so it always holds",
    ]
