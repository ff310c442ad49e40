"""Layers: a folder laid over a story adds nodes, declarations and codex entries, and extends nodes
below it without editing them; every conflict is reported where it is written."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story
from kuzbass_game.engine.play.game import Game

from conftest import FERRY_DIR, REPO

TEA = REPO / "docs" / "examples" / "ferry_tea"


def problems(result) -> list[str]:
    return [d.format() for d in result.diagnostics]


def test_the_example_layer_loads_over_the_ferry_and_plays():
    result = load_story([FERRY_DIR, TEA])
    assert problems(result) == []  # its story test passes too
    story = result.story
    assert story.id == "ferry" and story.layers == ("ferry_tea",)
    assert story.node_layer == {"tea_hut": "ferry_tea"} and story.extended == {"waiting": ("ferry_tea",)}
    game = Game(story, seed=1)
    game.submit("Olga")
    game.choose_number(1)
    offered = [c.text for c in game.view().choices]
    assert offered[-1] == "Warm yourself in the tea hut on the landing"
    view = game.choose_number(len(offered))
    assert view.node_id == "tea_hut" and view.reply == "The door sticks, then gives." and view.unlocked == ("Kipyatok",)


def test_the_ferry_alone_is_unchanged_by_the_layer_beside_it():
    alone = load_story(FERRY_DIR).story
    layered = load_story([FERRY_DIR, TEA]).story
    assert len(alone.nodes["waiting"].choices) + 1 == len(layered.nodes["waiting"].choices)
    assert alone.fingerprint != layered.fingerprint  # a save knows which it was made with
    assert "drank_tea" not in alone.variables


def write(folder, files: dict[str, str]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_layer_mistakes_are_reported_at_their_places(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "one",
        {
            "manifest.yaml": "id: one\nextends: ferri\n",
            "nodes.yaml": (
                "extend:\n  wating:\n    choices:\n      - {text: Hi, goto: far_bank}\n"
                "  far_bank:\n    choices:\n      - {text: Again, goto: bank}\n"
                "  bank:\n    text: A new bank.\n"
            ),
        },
    )
    write(
        tmp_path / "two",
        {
            "manifest.yaml": "id: one\nextends: ferry\n",
            "nodes.yaml": "extend:\n  bank:\n    text: Another bank.\n",
        },
    )
    write(tmp_path / "three", {"nodes.yaml": "nodes:\n  x:\n    text: y\n    ending: {title: Z}\n"})
    assert problems(load_story([FERRY_DIR, tmp_path / "one", tmp_path / "two", tmp_path / "three"])) == [
        "one/manifest.yaml:2:10: error: this layer extends 'ferri', but the story below it is 'ferry': give the folders in order, the story first",
        "one/nodes.yaml:2:3: error: layer 'one' extends node 'wating', which does not exist; did you mean 'waiting'?",
        "one/nodes.yaml:6:5: error: node 'far_bank' is an ending: a layer cannot add choices to it",
        "three/manifest.yaml:1:1: error: this layer has no manifest.yaml: it gives the layer's id and the story it extends",
        "two/manifest.yaml:1:5: error: the layer id 'one' is used twice: already used at one/manifest.yaml:1:5",
    ]  # the folder whose id is used twice is read for its syntax only: its text replacing one's is not told too


def test_two_layers_replacing_one_text_are_both_told(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "a", {"manifest.yaml": "id: a\nextends: ferry\n", "n.yaml": "extend:\n  bank:\n    text: A's bank.\n"})
    write(tmp_path / "b", {"manifest.yaml": "id: b\nextends: a\n", "n.yaml": "extend:\n  bank:\n    text: B's bank.\n"})
    assert problems(load_story([FERRY_DIR, tmp_path / "a", tmp_path / "b"])) == [
        "a/n.yaml:3:5: error: layers 'a' and 'b' both replace the text of node 'bank'",
        "b/n.yaml:3:5: error: layers 'a' and 'b' both replace the text of node 'bank' (the other at a/n.yaml:3:5)",
    ]


def test_extend_is_for_layers_and_not_for_a_layers_own_nodes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "own",
        {
            "manifest.yaml": "id: own\nextends: ferry\n",
            "n.yaml": (
                "nodes:\n  mine:\n    text: Mine.\n    choices:\n      - {text: Go, goto: bank}\n"
                "extend:\n  mine:\n    choices:\n      - {text: Back, goto: bank}\n"
                "  waiting:\n    choices:\n      - {text: To mine, goto: mine}\n"
            ),
        },
    )
    assert problems(load_story([FERRY_DIR, tmp_path / "own"])) == [
        "own/n.yaml:7:3: error: node 'mine' belongs to layer 'own' itself: edit the node instead of extending it"
    ]
    story_root = write(
        tmp_path / "plain",
        {
            "manifest.yaml": "id: plain\ntitle: P\nstart: a\n",
            "n.yaml": "nodes:\n  a:\n    text: A\n    ending: {title: E}\nextend:\n  a:\n    text: B\n",
        },
    )
    assert problems(load_story(story_root)) == [
        "plain/n.yaml:5:1: error: 'extend' adds to the nodes of the story a layer is laid over; in the story itself, edit the node"
    ]


def test_a_layered_story_is_cached_apart_from_the_story_alone(tmp_path):
    from kuzbass_game.engine.load import cache

    alone_cold = load_story(FERRY_DIR, cache=True).story
    layered_cold = load_story([FERRY_DIR, TEA], cache=True).story
    alone_warm = load_story(FERRY_DIR, cache=True).story
    layered_warm = load_story([FERRY_DIR, TEA], cache=True).story
    assert isinstance(layered_warm.nodes, cache.LazyNodes) and isinstance(alone_warm.nodes, cache.LazyNodes)
    assert layered_warm.layers == ("ferry_tea",) and alone_warm.layers == ()
    assert layered_warm.node_layer == {"tea_hut": "ferry_tea"} and layered_warm.extended == {"waiting": ("ferry_tea",)}
    assert len(layered_warm.nodes["waiting"].choices) == len(layered_cold.nodes["waiting"].choices)
    assert len(alone_warm.nodes["waiting"].choices) == len(alone_cold.nodes["waiting"].choices)
    assert layered_warm.fingerprint == layered_cold.fingerprint != alone_warm.fingerprint


def test_a_save_records_its_layers_and_loading_without_them_says_which(tmp_path):
    from kuzbass_game.engine.storage.save_store import SaveStore

    layered = load_story([FERRY_DIR, TEA]).story
    game = Game(layered, seed=1)
    game.submit("Olga")
    game.choose_number(1)
    store = SaveStore(tmp_path / "saves", layered)
    store.save(game, "tea")
    assert store.load("tea").game.state == game.state
    alone = SaveStore(tmp_path / "saves", load_story(FERRY_DIR).story)
    import pytest

    from kuzbass_game.engine.storage.save_format import SaveError

    with pytest.raises(
        SaveError,
        match=r"made with the layer 'ferry_tea' \(\"Tea on the landing\"\) over the story, which is not loaded now: load it from its folder",
    ):
        alone.load("tea")
