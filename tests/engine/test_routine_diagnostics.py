"""What check says of a routine (issue 19): `=-` glued in a routine of any form, in any file and in
a layer's manifest, is warned of; a routine whose effects are wrong is one error where it is
declared, not an 'unknown routine' again where it runs."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story

from check_helpers import problems, warnings
from conftest import TINY_MANIFEST


ROUTINE_NODES = """\
nodes:
  start:
    text: Hello
    choices:
      - text: Go
        goto: end
        effects: "a; b; c; d"
  end:
    text: Bye
    ending:
      title: Done
"""


def test_minus_equals_glued_is_warned_in_routines_of_every_form_and_file(make_story, tmp_path):
    manifest = (
        TINY_MANIFEST
        + "routines:\n"
        + '  a: "gold =- 1"\n'  # the string form
        + "  b:\n    - flag = true\n    - 'gold =- 2'\n"  # the list form
        + "  c: {effects: 'zero =- 1', label: the issue}\n"  # a mapping with effects
    )
    root = make_story({"nodes.yaml": ROUTINE_NODES, "state.yaml": "routines:\n  d:\n    effects: ['zero =- 3']\n"}, manifest=manifest)
    said = [w for w in warnings(load_story(root)) if "'=-'" in w]
    assert said == [
        "story/manifest.yaml:22:12: warning: in routine 'a': '=-' sets 'gold' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'gold = -...')",
        "story/manifest.yaml:25:13: warning: in routine 'b': '=-' sets 'gold' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'gold = -...')",
        "story/manifest.yaml:26:22: warning: in routine 'c': '=-' sets 'zero' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'zero = -...')",
        "story/state.yaml:3:21: warning: in routine 'd': '=-' sets 'zero' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'zero = -...')",
    ]


def test_minus_equals_glued_is_warned_in_a_layer_manifest_routine(make_story, tmp_path):
    root = make_story()
    layer = tmp_path / "over"
    layer.mkdir()
    (layer / "manifest.yaml").write_text("id: over\nextends: tiny\ntitle: Over\nroutines:\n  spend: 'gold =- 1'\n")
    (layer / "more.yaml").write_text("extend:\n  start:\n    choices:\n      - text: Spend\n        goto: end\n        effects: spend\n")
    said = [w for w in warnings(load_story([root, layer])) if "'=-'" in w]
    assert said == [
        "over/manifest.yaml:5:16: warning: in routine 'spend': '=-' sets 'gold' to minus the value; did you mean '-='? "
        "(to set a negative value, write 'gold = -...')"
    ]


def test_a_routine_with_a_wrong_effect_is_its_one_error_not_an_unknown_routine_where_it_runs(make_story):
    manifest = TINY_MANIFEST + "routines:\n  brew: 'leaves -= 1'\n  brew2: 'gold += 1'\n  look: 'flag = visited(\"start\")'\n"
    root = make_story({"nodes.yaml": ROUTINE_NODES.replace('"a; b; c; d"', '"brew; brew2; look"')}, manifest=manifest)
    # Not "unknown routine 'brew'; did you mean 'brew2'?" where the choice runs it.
    assert [p.split(": error: ")[1] for p in problems(load_story(root))] == [
        "in routine 'brew': unknown variable 'leaves'",
        "routine 'look' uses visited()/visits(); a routine runs anywhere, so give it only variables",
    ]
