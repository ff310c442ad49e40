"""A long save keeps a checkpoint: a load replays only the actions after it, and the game it gives
is the game a full replay gives, its history before the checkpoint included (rebuilt when asked)."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kuzbass_game.engine import load_story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage import save_format
from kuzbass_game.engine.storage.journal import journal_path
from kuzbass_game.engine.storage.save_format import SaveError
from kuzbass_game.engine.storage.save_store import SaveStore

EVERY = 7


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    folder = tmp_path_factory.mktemp("loop")
    (folder / "manifest.yaml").write_text(
        "id: loop\ntitle: Loop\nstart: a\nvariables:\n  n: {type: int, max: 100000, label: N}\n  luck: {type: int, max: 100000, label: Luck}\n"
    )
    (folder / "nodes.yaml").write_text(
        "nodes:\n  a:\n    text: Round and round, {n}.\n    choices:\n"
        "      - {text: Again, goto: a, effects: 'n += 1'}\n"
        "      - {text: Gamble, random: [{goto: a, weight: 2}, {goto: b, weight: 1}]}\n"
        "      - {text: Stop, goto: end}\n"
        "  b:\n    text: Lucky.\n    effects: 'luck += 1'\n    choices:\n      - {text: Back, goto: a}\n"
        "  end:\n    text: Done.\n    ending: {title: Done}\n"
    )
    return load_story(folder, cache=False).story


@pytest.fixture(autouse=True)
def small_checkpoints(monkeypatch):
    monkeypatch.setattr(save_format, "CHECKPOINT_EVERY", EVERY)


def _played(story, seed: int, steps: int) -> Game:
    picker = random.Random(seed)
    game = Game(story, seed=seed)
    for _ in range(steps):
        if picker.random() < 0.1 and game.can_rewind:
            game.rewind(picker.randint(1, 3))
        options = [c.index for c in game.enabled_choices() if (game.state.node, c.index) != ("a", 2)]  # never Stop
        game.choose(picker.choice(options))
    return game


def _replays(monkeypatch) -> list[int]:
    """How many actions each `Game.replay` is given, from now on."""
    given_counts: list[int] = []
    original = Game.replay

    def counting(self, actions):
        given_counts.append(len(actions))
        return original(self, actions)

    monkeypatch.setattr(Game, "replay", counting)
    return given_counts


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), steps=st.integers(0, 40), back=st.integers(0, 45))
def test_a_checkpointed_load_is_the_game_a_full_replay_gives(tmp_path_factory, loop, seed, steps, back):
    store = SaveStore(tmp_path_factory.mktemp("saves"), loop)
    game = _played(loop, seed, steps)
    info = store.save(game, "long")
    raw = json.loads(info.path.read_text())
    count = len(game.actions)
    checkpoint = raw["game"]["checkpoint"]
    if count >= EVERY:
        assert checkpoint["at"] == count - count % EVERY
        assert checkpoint["state"] == game.state_at(checkpoint["at"]).to_json() == game.states[checkpoint["at"]].to_json()
    else:
        assert checkpoint is None
    loaded = store.load("long").game
    assert loaded.state == game.state and loaded.actions == game.actions and not loaded.rebased
    assert loaded.journal() == game.journal()  # the history before the checkpoint, rebuilt
    assert loaded.states == game.states
    loaded.rewind(back)
    game.rewind(back)
    assert loaded.state == game.state and loaded.actions == game.actions


def test_a_load_replays_only_what_follows_the_checkpoint_until_the_past_is_asked_for(tmp_path, loop, monkeypatch):
    store = SaveStore(tmp_path, loop)
    game = _played(loop, 3, 40)
    store.save(game, "long")
    replays = _replays(monkeypatch)
    loaded = store.load("long").game
    assert replays and max(replays) < EVERY  # not the 40
    assert loaded.state == game.state
    loaded.rewind(EVERY + 2)  # past the checkpoint: the actions before it are replayed now, once
    assert max(replays) == len(game.actions) - len(game.actions) % EVERY
    game.rewind(EVERY + 2)
    assert loaded.state == game.state


def test_a_checkpoint_that_breaks_a_rule_of_the_story_is_refused(tmp_path, loop):
    store = SaveStore(tmp_path, loop)
    info = store.save(_played(loop, 5, 20), "long")
    original = json.loads(info.path.read_text())
    for field, value, words in (
        ("variables", {"n": "many", "luck": 0}, "'n' should be int"),
        ("variables", {"n": 1, "luck": 0, "gold": 5}, "gold"),
        ("node", "nowhere", "scene does not exist"),
    ):
        forged = json.loads(json.dumps(original))
        forged["game"]["checkpoint"]["state"][field] = value
        info.path.write_text(json.dumps(forged))
        with pytest.raises(SaveError, match=words):
            store.load("long")
    for at in (0, 999):
        forged = json.loads(json.dumps(original))
        forged["game"]["checkpoint"]["at"] = at
        info.path.write_text(json.dumps(forged))
        with pytest.raises(SaveError, match="checkpoint is out of place"):
            store.load("long")


def test_a_checkpoint_its_choices_do_not_lead_to_is_where_the_game_begins(tmp_path, loop):
    """Within the story's rules, but not where the choices before it lead: found when the past is
    rebuilt, and the game then begins there, as a save whose story changed."""
    store = SaveStore(tmp_path, loop)
    game = _played(loop, 8, 20)
    info = store.save(game, "long")
    forged = json.loads(info.path.read_text())
    forged["game"]["checkpoint"]["state"]["variables"]["luck"] += 50
    forged["game"]["state"]["variables"]["luck"] += 50
    info.path.write_text(json.dumps(forged))
    loaded = store.load("long").game
    at = forged["game"]["checkpoint"]["at"]
    assert loaded.state.variables["luck"] == game.state.variables["luck"] + 50
    loaded.rewind(100)
    assert loaded.rebased and loaded.actions == () and loaded.state.variables["luck"] == game.states[at].variables["luck"] + 50


def test_a_journal_line_that_cuts_below_the_checkpoint_sets_it_aside(tmp_path, loop):
    store = SaveStore(tmp_path, loop)
    game = _played(loop, 11, 30)
    first = store.autosave(game)
    game.rewind(EVERY + 3)
    game.choose(0)
    store.autosave(game)
    assert json.loads(journal_path(first.path).read_text().splitlines()[-1])["at"] < len(json.loads(first.path.read_text())["game"]["actions"]) - EVERY
    loaded = store.load(first.name).game
    assert loaded.state == game.state and loaded.actions == game.actions and loaded.states == game.states
