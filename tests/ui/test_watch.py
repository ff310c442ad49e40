"""play --watch: an edit is noticed, checked, and the game replayed onto the edited story."""

from __future__ import annotations

import os
import shutil
import time

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.load import StoryWatcher

from conftest import FERRY_DIR


def touch(path, text):
    path.write_text(text)
    later = time.time_ns() + 2_000_000_000  # a clear step in mtime, whatever the filesystem's resolution
    os.utime(path, ns=(later, later))


def test_an_edit_is_noticed_checked_and_the_game_replayed(tmp_path):
    story_dir = tmp_path / "ferry"
    shutil.copytree(FERRY_DIR, story_dir)
    game = Game(load_and_check(story_dir).story, seed=4)
    game.submit("Anna")
    game.choose_number(1)
    watcher = StoryWatcher([story_dir], lambda dirs: load_and_check(dirs, cache=True))
    assert not watcher.changed()
    bank = story_dir / "scenes" / "bank.yaml"
    original = bank.read_text()
    touch(bank, original.replace("Wind comes off the", "A colder wind comes off the"))
    assert watcher.changed() and not watcher.changed()
    reloaded = watcher.reload(game)
    assert reloaded.game is not None and reloaded.errors == ()
    assert reloaded.message == "Story reloaded: all 2 of your choices replay."
    assert reloaded.game.state == game.state and reloaded.game.story.fingerprint != game.story.fingerprint
    touch(bank, original.replace("goto: crossing", "goto: crosing"))
    assert watcher.changed()
    broken = watcher.reload(reloaded.game)
    assert broken.game is None and "error" in broken.message and "you play on with the story as it was" in broken.message
    assert any("goes to 'crosing', which does not exist; did you mean 'crossing'?" in line for line in broken.errors)


async def test_the_app_reloads_an_edited_story_in_place(tmp_path):
    from kuzbass_game.ui.app import KuzbassApp
    from kuzbass_game.ui.screens.story import StoryScreen

    story_dir = tmp_path / "ferry"
    shutil.copytree(FERRY_DIR, story_dir)
    app = KuzbassApp(load_and_check(story_dir).story, saves_dir=tmp_path / "saves", seed=3, watch=[story_dir])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        if not isinstance(app.screen, StoryScreen):  # the introduction or a question first
            await pilot.press("enter")
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StoryScreen)
        bank = story_dir / "scenes" / "bank.yaml"
        touch(bank, bank.read_text().replace("Wind comes off the", "A colder wind comes off the"))
        app.check_story_edits()  # read and compiled in a thread worker
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "A colder wind comes off the" in screen.game.view().paragraphs[0]
        assert app.story.fingerprint == screen.game.story.fingerprint
        touch(bank, bank.read_text().replace("goto: waiting", "goto: wating"))
        app.check_story_edits()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "A colder wind" in screen.game.view().paragraphs[0]  # the broken edit left the game as it was


async def test_a_choice_made_while_the_story_reloads_is_replayed_onto_it(tmp_path):
    from kuzbass_game.ui.app import KuzbassApp
    from kuzbass_game.ui.screens.story import StoryScreen

    story_dir = tmp_path / "ferry"
    shutil.copytree(FERRY_DIR, story_dir)
    app = KuzbassApp(load_and_check(story_dir).story, saves_dir=tmp_path / "saves", seed=3, watch=[story_dir])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        if not isinstance(app.screen, StoryScreen):
            await pilot.press("enter")
            await pilot.pause()
        screen = app.screen
        screen.game.submit("Anna")
        bank = story_dir / "scenes" / "bank.yaml"
        touch(bank, bank.read_text().replace("Wind comes off the", "A colder wind comes off the"))
        seed, before = app.game_in_play()
        assert app.watcher.changed()
        reloaded = app.watcher.reload_from(seed, before)  # what the worker does, while...
        screen.game.choose(0)  # ...the player takes a choice on the story as it was
        app.use_reloaded(reloaded, before)
        await pilot.pause()
        assert screen.game.story is app.story and app.story.fingerprint == reloaded.game.story.fingerprint
        assert len(screen.game.actions) == len(before) + 1 and screen.game.actions[:-1] == before  # the choice kept
