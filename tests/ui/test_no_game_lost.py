"""Issue 9, "no game is ever lost", through the app: New game asks before it leaves a game in
progress (and "no" keeps it), each game keeps its own autosaves and both stay loadable, Continue
resumes the most recently saved game, a failing autosave is told once, and nothing a crafted save
holds is shown as markup."""

from __future__ import annotations

import errno
import json
import os

from textual.widgets import OptionList, Static

from kuzbass_game.engine.files import atomic
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.storage.save_store import SaveStore, game_id_of
from kuzbass_game.ui.screens.new_game import NewGameDialog, start_new_game
from kuzbass_game.ui.screens.saves import SavesScreen
from kuzbass_game.ui.screens.story import StoryScreen
from kuzbass_game.ui.screens.title import TitleScreen

from .test_play import SIZE, start
from tests.ui.conftest import settle


def played(ferry, name="Vera", *choices: int) -> Game:
    game = Game(ferry, seed=1)
    game.submit(name)
    for choice in (0, *choices):
        game.choose(choice)
    return game


def autosaves_by_game(saves_dir, ferry) -> dict[str, set[str]]:
    return {group.game_id: {slot.name for slot in group.autosaves} for group in SaveStore(saves_dir, ferry).games()}


def question_text(dialog: NewGameDialog) -> str:
    return dialog.query_one(".dialog-text", Static).visual.plain


async def test_new_game_asks_before_leaving_a_game_in_progress_and_no_keeps_it(make_app, ferry, saves_dir):
    store = SaveStore(saves_dir, ferry)
    store.autosave(played(ferry, "Vera"), 97)
    before = sorted(p.name for p in saves_dir.iterdir() if p.suffix == ".json")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, NewGameDialog)
        text = question_text(dialog)
        assert "stays saved" in text and "Continue or Load brings it back" in text
        assert "The Ferry, October 1922, played 1 min 37 s" in text  # which game, where it was left
        await pilot.press("n")  # no (a second n never starts a game by accident)
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert not app.screen.query_one("#title-menu", OptionList).get_option("continue_game").disabled
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("escape")  # Esc is no too
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        await pilot.press("c")  # and the game is still the one Continue resumes
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)
        assert app.screen.game.state.variables["name"] == "Vera"
    after = sorted(p.name for p in saves_dir.iterdir() if p.suffix == ".json")
    assert after == before


async def test_yes_starts_a_new_game_and_both_games_keep_their_autosaves(make_app, ferry, saves_dir):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        first = await start(pilot, "Vera")  # no game yet: no question
        await pilot.press("1", "3")
        await settle(pilot)  # the autosaves are written by workers
        first_id = game_id_of(first.game)
        first_autosaves = autosaves_by_game(saves_dir, ferry)[first_id]
        assert len(first_autosaves) == 1  # a snapshot; the choices after it are lines of its journal
        first_files = {path.name: path.read_bytes() for path in saves_dir.glob(f"autosave-{first_id}-*")}
        app.show_title()
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewGameDialog)
        await pilot.press("y")
        await pilot.pause()
        second = await start_typing(pilot, "Olga")
        for key in ("1", "3", "b", "3", "b"):  # five more autosaves: more than the three a game keeps
            await pilot.press(key)
            await pilot.pause()
        second_id = game_id_of(second.game)
        assert second_id != first_id
        await settle(pilot)
        autosaves = autosaves_by_game(saves_dir, ferry)
        assert autosaves[first_id] == first_autosaves  # the first game's autosaves were not rotated out
        assert {path.name: path.read_bytes() for path in saves_dir.glob(f"autosave-{first_id}-*")} == first_files  # nor written
        assert len(autosaves[second_id]) == 1
        assert SaveStore(saves_dir, ferry).load(next(iter(autosaves[second_id]))).game.state == second.game.state
        await pilot.press("s")  # the Load screen shows both games
        await pilot.pause()
        saves = app.screen
        assert isinstance(saves, SavesScreen)
        assert saves.headings[0] == "This game: autosaves"
        assert saves.headings[1].startswith("Game 1, last saved") and saves.headings[1].endswith(": autosaves")
        older = [s for s in saves.slots if s.game_id == first_id]
        assert saves.highlight(older[0].name)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is second and second.game.state.variables["name"] == "Vera"


async def start_typing(pilot, name: str) -> StoryScreen:
    await pilot.press(*name, "enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, StoryScreen)
    return pilot.app.screen


async def test_no_question_without_a_game_in_progress(make_app, ferry, saves_dir):
    ended = played(ferry, "Vera", 3)  # walked home: the end
    assert ended.view().ending is not None
    SaveStore(saves_dir, ferry).save(ended, "finished")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, StoryScreen)  # an ended game is not left behind


async def test_in_a_game_the_question_says_whether_it_was_autosaved(make_app, monkeypatch):
    """What the palette's New game would ask (start_new_game), in a game in play."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        start_new_game(app)
        await pilot.pause()
        assert "The game in play stays saved" in question_text(app.screen)
        await pilot.press("n")
        await pilot.pause()
        full_disk(monkeypatch)
        await pilot.press("1")
        await pilot.pause()
        start_new_game(app)
        await pilot.pause()
        text = question_text(app.screen)
        assert "could not be autosaved (could not save (the disk is full)" in text and "lost" in text


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def full_disk(monkeypatch) -> None:
    """Every write fails: a whole save's, and a line appended to an autosave's journal."""
    monkeypatch.setattr(atomic, "write_atomic", disk_full)
    monkeypatch.setattr("kuzbass_game.engine.storage.save_store.append_line", disk_full)


async def test_continue_resumes_the_most_recently_saved_game_not_the_newest_file(make_app, ferry, saves_dir):
    store = SaveStore(saves_dir, ferry)
    older = store.autosave(played(ferry, "Older"), 10)
    newer = store.autosave(played(ferry, "Newer"), 20)
    os.utime(older.path, (2_000_000_000, 2_000_000_000))  # the older save's file looks newest
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.latest.name == newer.name
        await pilot.press("c")
        await pilot.pause()
        assert app.screen.game.state.variables["name"] == "Newer"


async def test_a_failing_autosave_is_told_once_not_after_every_choice(make_app, monkeypatch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await start(pilot)
        full_disk(monkeypatch)
        for key in ("1", "3", "b"):  # three choices, three failed autosaves
            await pilot.press(key)
            await pilot.pause()
        told = [n.message for n in app._notifications if n.message.startswith("Autosave failed")]
        assert len(told) == 1 and "the disk is full" in told[0] and "said once" in told[0]
        assert app.saves.autosave_problem is not None and screen.scene.node_id == "waiting"  # the game went on
        monkeypatch.undo()
        await pilot.press("3")  # works again: the problem is cleared...
        await pilot.pause()
        assert app.saves.autosave_problem is None
        full_disk(monkeypatch)
        await pilot.press("b")  # ...so a new failure is told again, once
        await pilot.pause()
        told = [n.message for n in app._notifications if n.message.startswith("Autosave failed")]
        assert len(told) == 2


CRAFTED_CHAPTER = "[@click=app.quit]Quit[/] [b]bold[/b] [red]x"
CRAFTED_DATE = '[link="https://example.org"]May[/link]'


def crafted_save(ferry, saves_dir) -> None:
    """A save whose state (used because its choices no longer replay on a 'changed' story) holds
    markup in its chapter and date: they must read as written, never act or style."""
    path = SaveStore(saves_dir, ferry).save(played(ferry), "crafted", 75).path
    data = json.loads(path.read_text(encoding="utf-8"))
    data["story"]["fingerprint"] = "changed"
    data["game"]["actions"][1]["node"] = "nowhere"
    data["game"]["state"]["chapter"] = CRAFTED_CHAPTER
    data["game"]["state"]["date"] = CRAFTED_DATE
    path.write_text(json.dumps(data), encoding="utf-8")


def no_markup(content) -> None:
    for span in content.spans:
        style = str(span.style)
        assert "@click" not in style and "link" not in style and "red" not in style, style


async def test_a_crafted_save_s_chapter_and_date_are_plain_text(make_app, ferry, saves_dir):
    crafted_save(ferry, saves_dir)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        entry = app.screen.query_one("#title-menu", OptionList).get_option("continue_game").prompt
        assert f"{CRAFTED_CHAPTER}, {CRAFTED_DATE}" in entry.plain  # shown as written, the escapes removed
        assert "\\[" not in entry.plain
        no_markup(entry)
        await pilot.press("l")
        await pilot.pause()
        menu = app.screen.query_one("#saves-list", OptionList)
        prompt = menu.get_option_at_index(0).prompt
        assert f"{CRAFTED_CHAPTER} · {CRAFTED_DATE} · played 1 min 15 s" in prompt.plain
        no_markup(prompt)
        await pilot.press("n")  # nothing in it acted on the app
        await pilot.pause()
        assert app.is_running
