"""Check's "did you mean" offers only a close name, never an unrelated one (issue 19)."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story

from conftest import STORY_DIR


def test_did_you_mean_offers_only_a_close_name():
    from kuzbass_game.engine.core.suggest import did_you_mean

    nodes = ["ch1_dining_hall", "ch1_ship_deck", "ch1_ship_evening", "the_stokehold_shift", "the_stokehold"]
    assert did_you_mean("ch1_night_cage", nodes) == ""  # an invented name: no unrelated one offered
    assert did_you_mean("ch1_ship_evning", nodes) == "; did you mean 'ch1_ship_evening'?"
    assert did_you_mean("the_stokehold_shfit", nodes) == "; did you mean 'the_stokehold_shift'?"
    assert did_you_mean("stokehold", nodes) == "; did you mean 'the_stokehold'?"
    assert did_you_mean("integer", ["int", "bool", "text"]) == "; did you mean 'int'?"
    assert did_you_mean("helth", ["health", "faith"]) == "; did you mean 'health'?"


def test_an_invented_node_of_a_layer_over_the_campaign_gets_no_unrelated_suggestion(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layer = tmp_path / "cage"
    layer.mkdir()
    (layer / "manifest.yaml").write_text('id: cage\nextends: kuzbass\ntitle: "Cage"\n')
    (layer / "cage.yaml").write_text(
        "extend:\n  ch1_night_cage:\n    choices:\n      - text: Down\n        goto: ch1_ship_evning\n"
        "  ch1_ship_evening:\n    choices:\n      - text: Down\n        goto: ch1_night_cagee\n"
    )
    messages = sorted(d.message for d in load_story([STORY_DIR, layer]).errors)
    assert messages == [
        "choice 1 that layer 'cage' adds to node 'ch1_night_cage' goes to 'ch1_ship_evning', which does not exist; did you mean 'ch1_ship_evening'?",
        "choice 1 that layer 'cage' adds to node 'ch1_ship_evening' goes to 'ch1_night_cagee', which does not exist",
        "layer 'cage' extends node 'ch1_night_cage', which does not exist",
    ]
