"""A save made with a layer that is not loaded now (issue 19): it names the layer's title and
folder, and the saves list still gives its real turn and time."""

from __future__ import annotations

from kuzbass_game.engine.load.loader import load_story

from check_helpers import night_layer
from conftest import TINY_NODES


def test_a_save_whose_layer_is_missing_names_its_title_and_folder_and_lists_its_real_turn_and_time(make_story, tmp_path):
    import json
    import os

    from kuzbass_game.commands.saves import listing
    from kuzbass_game.engine.play.game import Game
    from kuzbass_game.engine.storage.save_format import decode, verify
    from kuzbass_game.engine.storage.save_store import SaveStore

    root = make_story({"nodes.yaml": TINY_NODES.replace("    text: Hello\n", "    chapter: The Start\n    text: Hello\n")})
    layer = night_layer(tmp_path)
    layered = load_story([root, layer]).story
    assert layered.layer_titles == {"night_shift": "The night shift"} and layered.layer_folders == (os.path.abspath(layer),)
    game = Game(layered, seed=1)
    game.choose_number(2)  # the layer's choice: into its night
    saves = tmp_path / "saves"
    SaveStore(saves, layered).save(game, "before the night", 95.0)
    (slot,) = saves.glob("*.json")
    alone = load_story(root).story
    (info,) = [i for group in SaveStore(saves, alone).games() for i in group.slots]
    said = (
        "the save was made with the layer 'night_shift' (\"The night shift\") over the story, which is not loaded now: "
        f"load it from its folder after the story's: --story {os.path.abspath(layer)}"
    )
    assert info.problem == said
    assert (info.turn, info.kind, info.chapter) == (1, "manual", "The Start") and info.saved_at is not None
    assert verify(slot.read_bytes(), alone) == ("other", f"not checked: {said}")
    lines = listing(SaveStore(saves, alone).games(), saves, 80)
    assert all(len(line) <= 80 for line in lines) and len(lines) <= 10
    text = " ".join(" ".join(lines).split())
    assert "before the night (manual), saved " in text and "at an unknown time" not in text
    assert "The Start; turn 1; played 1 min" in text and "Cannot load: the save was made with the layer 'night_shift'" in text
    # A save from before titles and folders were kept (or with forged ones) still names its layer.
    forged = json.loads(slot.read_text())
    forged["story"].pop("layer_titles")
    forged["story"]["layer_folders"] = {"night_shift": 5, "z": ["x"]}
    decoded = decode(json.dumps(forged).encode())
    assert decoded.layer_titles == {} and decoded.layer_folders == {}
