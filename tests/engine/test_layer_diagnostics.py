"""What check says of the folders a story is given and of the nodes a layer relies on (issue 19):
the same layer given twice, a copy of a layer in another folder, a broken layer or story manifest
(each its one error), and the campaign's stable nodes."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story

from check_helpers import NIGHT_MANIFEST, NIGHT_NODES, night_layer, problems
from conftest import STORY_DIR, TINY_MANIFEST, TINY_NODES


# ---------------------------------------------------------------- the same layer twice; a broken manifest


def test_the_same_layer_given_twice_is_said_once(make_story, tmp_path):
    root = make_story()
    layer = night_layer(tmp_path)
    assert problems(load_story([root, layer])) == []
    assert problems(load_story([root, layer, tmp_path / "night" / ".." / "night"])) == [
        "night:1:1: error: the same folder was given twice: give the story's folder, then each layer's, once"
    ]
    assert problems(load_story([root, root])) == [
        "story:1:1: error: the same folder was given twice: give the story's folder, then each layer's, once"
    ]


def test_a_copy_of_a_layer_in_another_folder_is_one_error(make_story, tmp_path):
    import shutil

    root = make_story()
    layer = night_layer(tmp_path)
    copy = shutil.copytree(layer, tmp_path / "night_copy")
    above = tmp_path / "above"
    above.mkdir()
    (above / "manifest.yaml").write_text("id: above\nextends: night_shift\ntitle: Above\n")
    (above / "above.yaml").write_text("extend:\n  night:\n    choices:\n      - text: Sleep\n        goto: nowhere\n")
    # Not each of the copy's declarations and nodes again as declared twice; the layer above it
    # names the id the first folder gave, so what is wrong there is still told.
    assert problems(load_story([root, layer, copy, above])) == [
        "above/above.yaml:5:15: error: choice 1 that layer 'above' adds to node 'night' goes to 'nowhere', which does not exist",
        "night_copy/manifest.yaml:1:5: error: the layer id 'night_shift' is used twice: already used at night/manifest.yaml:1:5",
    ]
    (copy / "night.yaml").write_text(NIGHT_NODES + "  broken: [\n")  # its own syntax is still read
    assert [p.split(": error: ")[0] for p in problems(load_story([root, layer, copy]))] == [
        "night_copy/manifest.yaml:1:5",
        "night_copy/night.yaml:17:1",
    ]


def test_a_tab_in_a_layer_manifest_is_its_one_error(make_story, tmp_path):
    root = make_story()
    layer = night_layer(tmp_path, NIGHT_MANIFEST.replace("    type: bool", "\ttype: bool"))
    # Not read as the story's files ("'extend' adds to the nodes of the story a layer is laid
    # over"), and nothing that uses its undeclared variable is reported after it.
    assert problems(load_story([root, layer])) == [
        "night/manifest.yaml:6:1: error: YAML syntax error: a tab character: indent with spaces (YAML does not allow tabs for indentation)"
    ]
    (layer / "night.yaml").write_text(NIGHT_NODES + "  broken: [\n")
    assert [p.split(": error: ")[0] for p in problems(load_story([root, layer]))] == ["night/manifest.yaml:6:1", "night/night.yaml:17:1"]


def test_after_a_broken_story_manifest_nothing_that_depends_on_it_is_reported(make_story):
    root = make_story({"nodes.yaml": TINY_NODES.replace("goto: end", "goto: end\n        effects: gold += 1")}, manifest=TINY_MANIFEST + "  x: [\n")
    assert [p.split(": error: ")[0] for p in problems(load_story(root))] == ["story/manifest.yaml:22:1"]


# ---------------------------------------------------------------- stable nodes


def test_the_campaign_marks_its_stable_nodes_and_check_tells_a_layer_of_any_other(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "porch"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: porch\nextends: kuzbass\ntitle: "Porch"\n')
    (layer / "porch.yaml").write_text(
        "extend:\n  ch1_ship_evening:\n    choices:\n      - text: Out to the porch\n        goto: porch\n"
        "nodes:\n  porch:\n    text: Cold.\n    choices:\n      - text: In\n        goto: ch1_ship_evening\n"
        "      - text: To the office\n        goto: ch1_office_rats\n        if: 'visited(\"ch1_mothers\")'\n"
    )
    result = load_story([STORY_DIR, layer])
    assert result.errors == []
    tail = (
        "of the story, which the story does not keep stable: a later version may rename or remove it "
        "(the story's manifest lists the nodes a layer may rely on under 'stable')"
    )
    assert [d.format() for d in result.warnings] == [
        f"porch/porch.yaml:13:15: warning: layer 'porch' names node 'ch1_office_rats' {tail}",
        f"porch/porch.yaml:14:22: warning: layer 'porch' names node 'ch1_mothers' {tail}",
    ]


def test_a_stable_node_that_is_not_there_is_an_error(make_story):
    result = load_story(make_story(manifest=TINY_MANIFEST + "stable: [start, strat]\n"))
    assert problems(result) == ["story/manifest.yaml:21:17: error: the stable node 'strat' is not a node of the story; did you mean 'start'?"]
