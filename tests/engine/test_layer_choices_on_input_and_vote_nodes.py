"""What the docs promise of layers (issue 19): a layer may add a choice to a node that asks for
typed input (shown after the answer), and a ballot or a way out to a vote; a ballot where no vote
is held is an error."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story

from check_helpers import problems


def test_a_layer_may_add_a_choice_to_an_input_node_shown_after_the_answer(tmp_path, monkeypatch):
    from kuzbass_game.engine.play.game import Game

    from conftest import FERRY_DIR

    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "asked"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: asked\nextends: ferry\ntitle: "Asked"\n')
    (layer / "asked.yaml").write_text(  # `bank` asks the player's name, then offers its choices
        "extend:\n  bank:\n    choices:\n      - text: Walk along the bank instead\n        goto: waiting\n"
        "        reply: The mud takes a boot and gives it back.\n"
    )
    result = load_story([FERRY_DIR, layer])
    assert problems(result) == []
    game = Game(result.story, seed=1)
    assert game.view().choices == () or game.view().input_prompt is not None  # the answer is asked first
    view = game.submit("Olga")
    assert view.choices[-1].text == "Walk along the bank instead"
    assert game.choose_number(len(view.choices)).reply == "The mud takes a boot and gives it back."


def test_a_layer_may_add_a_ballot_or_a_way_out_to_a_vote_below(tmp_path, monkeypatch):

    from conftest import FERRY_DIR

    monkeypatch.chdir(tmp_path)
    vote_node = next(n.id for n in load_story(FERRY_DIR).story.nodes.values() if n.vote is not None)
    layer = tmp_path / "hall"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: hall\nextends: ferry\ntitle: "Hall"\n')
    (layer / "hall.yaml").write_text(
        f"extend:\n  {vote_node}:\n    choices:\n      - text: Slip out\n        goto: waiting\n"
        "      - text: Shout aye from the back\n        ballot: for\n        reply: Heads turn.\n"
    )
    result = load_story([FERRY_DIR, layer])
    assert problems(result) == []
    choices = result.story.nodes[vote_node].choices
    assert [c.ballot for c in choices[-2:]] == [None, "for"]
    (layer / "hall.yaml").write_text("extend:\n  waiting:\n    choices:\n      - text: Shout aye\n        ballot: for\n")
    assert [d.format() for d in load_story([FERRY_DIR, layer]).errors] == [
        "hall/hall.yaml:4:9: error: layer 'hall' adds a ballot to node 'waiting', which holds no vote"
    ]
