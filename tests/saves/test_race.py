"""Two real processes on one saves folder: nothing is corrupted, nothing silently overwritten, no game lost.

Each child plays a loop story, autosaving after every choice, saving named slots, quicksaving,
and both try to create the same named slot at the same moment. Both start at the same instant
(a shared start time) so that their writes interleave.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kuzbass_game.engine import load_story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import AUTOSAVES, SaveStore

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs POSIX processes and locks")

REPO = Path(__file__).resolve().parents[2]
STEPS = 60

CHILD = r"""
import json, sys, time
from pathlib import Path
from kuzbass_game.engine import load_story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import SaveStore, SlotExists

story_dir, saves, who, mode, start_at, steps, slot = sys.argv[1:8]
story = load_story(story_dir).story
store = SaveStore(Path(saves), story)
if mode == "new":
    game = Game(story, seed=int(who))
else:
    game = store.load(slot).game
    print("loaded", flush=True)
    if mode == "continue-later":
        sys.stdin.readline()  # another copy plays this game meanwhile
while time.time() < float(start_at):
    time.sleep(0.0005)
shared = None
began = time.time()
for i in range(int(steps)):
    game.choose(0)
    store.autosave(game)
    if i % 10 == 0:
        store.save(game, f"p{who}-{i}")
    if i == 5:
        try:
            store.save(game, "shared", overwrite=False)
            shared = "won"
        except SlotExists:
            shared = "lost"
    store.quicksave(game)
print(json.dumps({"id": store.game_id(game), "state": game.state.to_json(), "shared": shared, "forked": store.forked,
                  "began": began, "ended": time.time()}))
"""


@pytest.fixture
def loop_story(tmp_path):
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "manifest.yaml").write_text("id: loop\ntitle: Loop\nstart: a\nvariables:\n  n: {type: int, max: 100000}\n")
    (folder / "nodes.yaml").write_text(
        "nodes:\n  a:\n    text: Round and round.\n    choices:\n"
        "      - {text: Again, goto: a, effects: 'n += 1'}\n      - {text: Stop, goto: end}\n"
        "  end:\n    text: Done.\n    ending: {title: Done}\n"
    )
    return folder


def _spawn(story_dir, saves, who, mode, start_at, slot="-"):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(story_dir), str(saves), str(who), mode, repr(start_at), str(STEPS), slot],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(proc) -> dict:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return json.loads(out.strip().splitlines()[-1])


def _first_autosave(saves: Path, story):
    """A game saved by a copy that has quit since (this process must not hold the game's lock)."""
    import gc

    store = SaveStore(saves, story)
    game = Game(story, seed=3)
    game.choose(0)
    info = store.autosave(game)
    del store
    gc.collect()
    return info


def _folder_is_whole(saves: Path, story) -> SaveStore:
    assert not [p for p in saves.iterdir() if p.name.endswith(".tmp")]
    store = SaveStore(saves, story)
    listing = store.list()
    broken = [(s.name, s.problem) for s in listing if not s.loadable]
    assert not broken, broken
    return store


def _newest_state_of(store: SaveStore, game_id: str) -> dict:
    [group] = [g for g in store.games() if g.game_id == game_id]
    assert 1 <= len(group.autosaves) <= AUTOSAVES  # a snapshot each, the newest with its journal
    return store.load(group.resume.name).game.state.to_json()


def test_two_processes_playing_two_games_on_one_folder(tmp_path, loop_story):
    saves = tmp_path / "saves"
    story = load_story(loop_story).story
    start_at = time.time() + 1.5
    procs = [_spawn(loop_story, saves, who, "new", start_at) for who in (1, 2)]
    results = [_finish(proc) for proc in procs]
    store = _folder_is_whole(saves, story)
    one, two = results
    assert max(r["began"] for r in results) < min(r["ended"] for r in results)  # they did run at the same time
    assert one["id"] != two["id"] and not one["forked"] and not two["forked"]
    # each game's newest autosave is exactly where its process ended: no game lost
    assert _newest_state_of(store, one["id"]) == one["state"]
    assert _newest_state_of(store, two["id"]) == two["state"]
    # the same new slot, created at the same moment by both: one wins, the other is told
    assert sorted(r["shared"] for r in results) == ["lost", "won"]
    winner = next(r for r in results if r["shared"] == "won")
    assert next(s for s in store.list() if s.name == "shared").game_id == winner["id"]
    names = {s.name for s in store.list()}
    assert {f"p{who}-{i}" for who in (1, 2) for i in range(0, STEPS, 10)} <= names


def test_two_processes_continuing_the_same_game_both_keep_their_progress(tmp_path, loop_story):
    saves = tmp_path / "saves"
    story = load_story(loop_story).story
    start = _first_autosave(saves, story)
    start_at = time.time() + 1.5
    procs = [_spawn(loop_story, saves, who, "continue", start_at, start.name) for who in (1, 2)]
    results = [_finish(proc) for proc in procs]
    store = _folder_is_whole(saves, story)
    ids = {r["id"] for r in results}
    assert len(ids) == 2  # one of them went on as a game of its own
    assert sum(bool(r["forked"]) for r in results) == 1, [(r["id"], r["forked"]) for r in results]
    for result in results:
        assert _newest_state_of(store, result["id"]) == result["state"]


def test_a_copy_that_loaded_before_another_played_on_does_not_rotate_its_autosaves_out(tmp_path, loop_story):
    saves = tmp_path / "saves"
    story = load_story(loop_story).story
    start = _first_autosave(saves, story)
    late = _spawn(loop_story, saves, 2, "continue-later", 0.0, start.name)
    assert late.stdout.readline().strip() == "loaded"
    early = _finish(_spawn(loop_story, saves, 1, "continue", 0.0, start.name))  # plays to its end and quits
    late.stdin.write("go\n")
    late.stdin.flush()
    second = _finish(late)
    assert second["forked"] and second["id"] != early["id"]
    store = _folder_is_whole(saves, story)
    assert _newest_state_of(store, early["id"]) == early["state"]
    assert _newest_state_of(store, second["id"]) == second["state"]
