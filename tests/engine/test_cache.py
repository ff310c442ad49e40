"""The cache of checked stories: a warm load is the same story, and any doubt means a cold load."""

import os
import time

from conftest import FERRY_DIR, TINY_NODES

from kuzbass_game.engine import load_story
from kuzbass_game.engine.load import cache
from kuzbass_game.engine.tools.explorer import explore
from kuzbass_game.engine.play.game import Game


def _same_play(a, b, runs=50):
    first, second = explore(a, runs, seed=3).to_json(a), explore(b, runs, seed=3).to_json(b)
    assert first == second


def test_warm_load_gives_the_same_story(private_story_cache):
    cold = load_story(FERRY_DIR, cache=True)
    assert list(private_story_cache.iterdir()), "the first load should have filled the cache"
    warm = load_story(FERRY_DIR, cache=True)
    assert isinstance(warm.story.nodes, cache.LazyNodes) and not isinstance(cold.story.nodes, cache.LazyNodes)
    assert warm.story.fingerprint == cold.story.fingerprint
    assert warm.diagnostics == cold.diagnostics
    assert set(warm.story.nodes) == set(cold.story.nodes)
    assert warm.story.variables == cold.story.variables
    assert warm.story.description == cold.story.description
    _same_play(cold.story, warm.story)
    game_cold, game_warm = Game(cold.story, seed=9), Game(warm.story, seed=9)
    for game in (game_cold, game_warm):
        game.submit("Ann [b]x[/b]")
        game.choose(0)
        game.choose(1)
    assert game_cold.view() == game_warm.view()


def test_warnings_are_remembered(make_story):
    root = make_story({"nodes.yaml": TINY_NODES.replace("      - text: Go\n", "      - text: Go\n        locked: never shown\n")})
    cold = load_story(root, cache=True)
    warm = load_story(root, cache=True)
    assert [d.format() for d in cold.warnings] == [d.format() for d in warm.warnings] != []


def test_an_edit_makes_the_cache_stale(make_story):
    root = make_story()
    load_story(root, cache=True)
    path = root / "nodes.yaml"
    path.write_text(TINY_NODES.replace("Hello", "Good morning"))
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))  # a new mtime even on coarse file systems
    warm = load_story(root, cache=True)
    assert Game(warm.story).view().paragraphs == ("Good morning",)


def test_a_new_file_makes_the_cache_stale(make_story):
    root = make_story()
    load_story(root, cache=True)
    (root / "more.yaml").write_text("nodes:\n  extra:\n    text: Extra\n    ending: {title: X}\n")
    result = load_story(root, cache=True)
    assert result.story is None  # the new node is unreachable: an error a stale cache would hide
    assert any("never be reached" in d.message for d in result.errors)


def test_a_damaged_cache_file_is_ignored(make_story):
    root = make_story()
    load_story(root, cache=True)
    target = cache.cache_path(root)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    result = load_story(root, cache=True)
    assert result.story is not None and not isinstance(result.story.nodes, cache.LazyNodes)


def test_garbage_in_the_cache_file_is_ignored(make_story):
    root = make_story()
    load_story(root, cache=True)
    fresh = load_story(root).story
    cache.cache_path(root).write_bytes(b"KZC2\x00\x00\x00\x00not marshal at all")
    result = load_story(root, cache=True)
    assert result.story is not None and not result.diagnostics
    assert not isinstance(result.story.nodes, cache.LazyNodes)  # compiled afresh, the garbage not read as a story
    assert (result.story.id, result.story.start, sorted(result.story.nodes)) == (fresh.id, fresh.start, sorted(fresh.nodes))
    again = load_story(root, cache=True)  # and the garbage was replaced by a good image
    assert isinstance(again.story.nodes, cache.LazyNodes) and sorted(again.story.nodes) == sorted(fresh.nodes)


def test_an_unwritable_cache_folder_is_not_an_error(make_story, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    result = load_story(make_story(), cache=True)
    assert result.story is not None and not result.errors
    assert not isinstance(result.story.nodes, cache.LazyNodes) and blocker.read_text() == "x"


def test_stories_with_errors_are_not_cached(make_story, private_story_cache):
    root = make_story({"nodes.yaml": TINY_NODES.replace("goto: end", "goto: nowhere")})
    assert load_story(root, cache=True).story is None
    assert not cache.cache_path(root).exists()
