"""KuzbassApp: the screens, the save store and the app-wide keys and commands.

The app owns navigation (title, story, ending), the too-small guard, the theme and the player's
settings and record of endings (kept in `player/` inside the saves folder, see `PLAYER_FOLDER`);
each screen renders one thing and asks the app when it needs another screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from collections.abc import Iterable

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from kuzbass_game.ui.saving import Saves
from kuzbass_game.ui.screens.title import TitleScreen
from kuzbass_game.ui.screens.too_small import TooSmallScreen
from kuzbass_game.ui.themes import COAL, THEMES, other_theme
from kuzbass_game.engine.storage import save_settings
from kuzbass_game.engine.storage import load_settings
from kuzbass_game.engine.storage import PLAYER_FOLDER, load_profile

if TYPE_CHECKING:
    from kuzbass_game.engine.core import Story
    from kuzbass_game.engine.storage import Profile
    from kuzbass_game.engine.play import Action, Game  # launch: the game's modules when a game starts, not at the title
    from kuzbass_game.engine.load import Reloaded
    from kuzbass_game.engine.storage import PendingAutosave
    from kuzbass_game.ui.saving import Loaded, Problem
    from kuzbass_game.ui.screens.story import StoryScreen  # launch: a screen is imported the first time it is shown

# Only the title screen is imported at start-up; the other screens (and what they need) are
# imported the first time they are shown, so launching does not pay for them.

MIN_SIZE = (60, 20)  # below this the story and its choices no longer fit side by side with the footer

# The settings and the record of endings found live in this folder inside the saves folder: as
# files right beside the slots they would be listed as (damaged) saves.
DEFAULT_SETTINGS: dict[str, Any] = {
    "theme": COAL.name,
    "changes": True,  # the change line ("Food −2 · Soap +1") above each scene
    "introduction_offered": False,  # a first New game opens the story's introduction first
}
NOTHING_TO_CONTINUE = {  # c with no game to go back to: whether there are saves (of finished games) or none
    False: "There is no saved game to continue yet: n starts a new game.",
    True: "There is no game in progress to continue: your saved games have ended. l loads one; n starts a new game.",
}
NO_QUICKSAVE = "There is no quicksave yet: F5 makes one during a game."


def quickload_note(before: Game, after: Game) -> str:
    """What F9 took back: the choices since the quicksave, kept in the autosaves as a run of their own."""
    since, kept = len(before.actions) - len(after.actions), "they stay in the autosaves as a game of their own (l, Load)"
    if since > 0 and tuple(before.actions[: len(after.actions)]) == tuple(after.actions):
        return f"Back at your quicksave: the {since} choice{'s' if since > 1 else ''} made since are undone here; {kept}."
    if since == 0 and tuple(before.actions) == tuple(after.actions):
        return "Back at your quicksave: nothing was undone (it was made at this very choice)."
    return f"Back at your quicksave: the game you were playing is not lost; {kept}."


class KuzbassApp(App[int]):
    """The full-screen game for one story; saves go to `saves_dir`."""

    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, tooltip="switch between dark and light theme (remembered)"),
        Binding("f9", "quickload", "Quickload", show=False),
        # Title-screen keys kept here (the title screen asks the app for everything it does);
        # check_action shows them on the title screen only.
        Binding("i", "introduction", "Introduction"),
        Binding("g", "gallery", "Endings"),
    ]

    def __init__(self, story: Story, saves_dir: Path, seed: int | None = None, load: str | None = None, watch: list[Path] | None = None) -> None:
        super().__init__()
        self.story = story
        self.seed = seed
        self.load_at_start = load
        self.saves_dir = Path(saves_dir)
        self.saves = Saves(Path(saves_dir), story)
        # `play --watch`: the story's folders, polled for edits while the author plays (engine/load/watch.py).
        self.watcher = None
        if watch:
            from kuzbass_game.authoring import load_and_check  # only an author's --watch reloads the story from here
            from kuzbass_game.engine.load import StoryWatcher  # (as above)

            self.watcher = StoryWatcher(watch, lambda dirs: load_and_check(dirs, cache=True))
        self.player_folder = Path(saves_dir) / PLAYER_FOLDER
        self.title = story.title
        self._profile: Profile | None = None
        self.settings, self.settings_notice = self.read_settings()
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = self.available_themes.get(str(self.settings["theme"]), COAL).name

    def get_default_screen(self) -> Screen:
        return TitleScreen()

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self.remember_theme)
        if self.watcher is not None:
            self.set_interval(1.0, self.check_story_edits)
        if self.settings_notice:
            self.notify(self.settings_notice, title="Settings", severity="warning", markup=False)
        if self.load_at_start:
            self.use_loaded(self.saves.load(self.load_at_start))

    # ------------------------------------------------------------ play --watch
    def check_story_edits(self) -> None:
        """An edited story is checked, in a thread worker (reading and compiling it takes the time of a
        load); when clean, it replaces the story in play, with the game replayed onto it. Errors are
        shown and play goes on with the story as it was."""
        if self.watcher is not None:
            self.reload_story_edits(*self.game_in_play())

    def game_in_play(self) -> tuple[int, tuple[Action, ...]]:
        """The seed and choices of the game in play (a new game's, at the title screen)."""
        playing = self.story_in_play()
        return (playing.game.seed, playing.game.actions) if playing is not None else (0, ())

    def story_in_play(self) -> StoryScreen | None:
        from kuzbass_game.ui.screens.story import StoryScreen  # launch: a screen is imported the first time it is shown

        return next((screen for screen in reversed(self.screen_stack) if isinstance(screen, StoryScreen)), None)

    @work(thread=True, exclusive=True, group="watch")
    def reload_story_edits(self, seed: int, actions: tuple[Action, ...]) -> None:
        watcher = self.watcher
        if watcher is None or not watcher.changed():
            return
        reloaded = watcher.reload_from(seed, actions)
        self.call_from_thread(self.use_reloaded, reloaded, actions)

    def use_reloaded(self, reloaded: Reloaded, actions: tuple[Action, ...]) -> None:
        """The reloaded story put in play (on the UI thread); a choice made while it was reloading is replayed too."""
        if reloaded.game is None:
            self.notify("\n".join((reloaded.message, *reloaded.errors)), title="Story errors", severity="error", markup=False, timeout=20)
            return
        self.use_story(reloaded.game.story)
        playing = self.story_in_play()
        if playing is None:
            self.notify("The story was edited and reloaded.", title="Story", markup=False)
            return
        game, message = reloaded.game, reloaded.message
        if playing.game.actions != actions and self.watcher is not None:  # played on meanwhile
            game, message = self.watcher.replay_onto(game.story, playing.game)
        playing.game = game
        if self.screen is playing:
            playing.show_game()
        self.notify(message, title="Story", markup=False)

    def use_story(self, story: Story) -> None:
        self.story = story
        self.saves = Saves(self.saves_dir, story)

    # ------------------------------------------------------------ settings and the profile
    def read_settings(self) -> tuple[dict[str, Any], str | None]:

        stored, notice = load_settings(self.player_folder)
        settings = dict(DEFAULT_SETTINGS)
        settings.update((key, value) for key, value in stored.items() if key in DEFAULT_SETTINGS and type(value) is type(DEFAULT_SETTINGS[key]))
        return settings, notice

    def set_setting(self, key: str, value: Any) -> None:
        """Change one setting and write the file at once (as safely as a save)."""

        if self.settings.get(key) == value:
            return
        self.settings[key] = value
        problem = save_settings(self.player_folder, self.settings)
        if problem:
            self.notify(f"Your {problem}.", severity="warning", markup=False)

    def remember_theme(self, theme: Theme) -> None:
        self.set_setting("theme", theme.name)

    @property
    def profile(self) -> Profile:
        """The endings found across games, read on first use; a damaged file is told once."""
        if self._profile is None:
            self._profile = load_profile(self.player_folder)
            self.tell_profile_notice()
        return self._profile

    def tell_profile_notice(self) -> None:
        profile = self._profile
        if profile is not None and profile.notice:
            self.notify(profile.notice, title="Endings found", severity="warning", markup=False, timeout=8)
            profile.notice = None

    def record_ending(self, game: Game) -> tuple[int, int]:
        """Note the ending `game` reached in the profile: (endings found, endings in the story)."""
        profile = self.profile
        run = next((action.text for action in game.actions if action.text), None) or "a nameless run"
        profile.record(self.story, game.state.node, run)
        self.tell_profile_notice()  # a profile that could not be written says so
        return len(profile.found(self.story)), self.story.ending_count

    # ------------------------------------------------------------ the too-small guard
    def on_resize(self, event: events.Resize) -> None:
        self.guard_size(event.size.width, event.size.height)

    def recheck_size(self) -> None:
        """After the screen stack was rebuilt (it may have dropped the guard)."""
        self.guard_size(self.size.width, self.size.height)

    def guard_size(self, width: int, height: int) -> None:
        too_small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        shown = isinstance(self.screen, TooSmallScreen)
        if too_small and not shown:
            self.push_screen(TooSmallScreen(MIN_SIZE))
        elif too_small and shown:
            self.screen.describe(width, height)  # type: ignore[attr-defined]  # the TooSmallScreen shown
        elif not too_small and shown:
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if isinstance(self.screen, TooSmallScreen):
            return action == "quit"
        if action == "introduction":
            return isinstance(self.screen, TitleScreen) and bool(self.story.introduction)
        if action == "gallery":
            return isinstance(self.screen, TitleScreen) and self.story.ending_count > 0
        return True

    # ------------------------------------------------------------ navigation
    @property
    def story_screen(self) -> StoryScreen | None:
        from kuzbass_game.ui.screens.story import StoryScreen  # launch: a screen is imported the first time it is shown

        return next((s for s in reversed(self.screen_stack) if isinstance(s, StoryScreen)), None)

    def show_title(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.call_after_refresh(self.recheck_size)

    def open_game(self, game: Game, play_seconds: float = 0.0, notice: str | None = None) -> None:
        from kuzbass_game.ui.screens.story import StoryScreen  # launch: a screen is imported the first time it is shown

        self.show_title()
        self.push_screen(StoryScreen(game, play_seconds, notice))

    def new_game(self) -> None:
        """A new game; a player's first one opens with the story's introduction (skippable)."""
        if self.story.introduction and not self.settings["introduction_offered"]:
            self.set_setting("introduction_offered", True)
            self.read_introduction(then_play=True)
            return
        self.start_new_game()

    def ask_new_game(self) -> None:
        """New game from the palette: asks first when it would leave a game in progress."""
        from kuzbass_game.ui.screens.new_game import start_new_game  # launch: a screen is imported the first time it is shown

        start_new_game(self)

    def start_new_game(self) -> None:
        from kuzbass_game.engine.play import Game  # launch: the game's modules when a game starts, not at the title

        self.open_game(Game(self.story, seed=self.seed))

    def read_introduction(self, then_play: bool = False) -> None:
        from kuzbass_game.ui.screens.reading import ReadingScreen  # launch: a screen is imported the first time it is shown

        def done(_read: bool | None) -> None:
            if then_play:  # read or skipped, the game begins
                self.start_new_game()

        self.push_screen(ReadingScreen("Introduction", self.story.introduction, "begin" if then_play else "title", skip=then_play), done)

    def action_introduction(self) -> None:
        if self.story.introduction:
            self.read_introduction()

    def action_gallery(self) -> None:
        from kuzbass_game.ui.screens.gallery import GalleryScreen  # launch: a screen is imported the first time it is shown

        if not isinstance(self.screen, GalleryScreen):
            self.push_screen(GalleryScreen(self.story, self.profile))

    def continue_game(self) -> None:
        latest = self.saves.latest()
        if latest is None:
            self.notify(NOTHING_TO_CONTINUE[self.saves.has_slots()], title="Continue", markup=False)
            return
        self.use_loaded(self.saves.load(latest.name))

    def use_loaded(self, loaded: Loaded | str | None) -> None:
        """Play a loaded game: in the story screen if one is open, else in a new one."""
        if loaded is None:
            return
        if isinstance(loaded, str):
            self.notify(f"Could not load: {loaded}", severity="error", markup=False)
            return
        current = self.story_screen
        if current is not None and self.screen is current:
            current.load(loaded)
        else:
            self.open_game(loaded.game, loaded.play_seconds, loaded.notice)

    def open_saves(self, ask_name: bool = False) -> None:
        """The saved-games screen; saving is offered when a story screen has a game."""
        from kuzbass_game.ui.screens.saves import SavesScreen  # launch: a screen is imported the first time it is shown

        current = self.story_screen
        game = current.game if current is not None else None
        seconds = (lambda: current.clock.seconds) if current is not None else None
        self.push_screen(SavesScreen(self.saves, game, seconds, ask_name=ask_name), self.use_loaded)

    def action_open_saves(self) -> None:
        self.open_saves()

    def action_quickload(self) -> None:
        """F9: the quicksave, or why there is none to load."""
        if not self.saves.available:
            self.notify(self.saves.problem or "Saving is not available.", severity="warning", markup=False)
            return
        if not self.saves.has_quicksave():
            self.notify(NO_QUICKSAVE, severity="warning", markup=False)
            return
        current = self.story_screen
        before = current.game if current is not None else None
        loaded = self.saves.quickload()
        self.use_loaded(loaded)
        if before is not None and not isinstance(loaded, str):
            self.notify(quickload_note(before, loaded.game), title="Quickloaded", markup=False, timeout=8)

    # ------------------------------------------------------------ app-wide actions
    def action_help(self) -> None:
        from kuzbass_game.ui.screens.help import HelpScreen  # launch: a screen is imported the first time it is shown

        if not isinstance(self.screen, HelpScreen):
            current = self.story_screen
            self.push_screen(HelpScreen(current.scene if current is not None else None))

    def action_toggle_theme(self) -> None:
        self.theme = other_theme(self.theme)

    def toggle_changes(self) -> None:
        """Turn the change line above each scene off or on (remembered in the settings)."""
        shown = not self.settings["changes"]
        self.set_setting("changes", shown)
        current = self.story_screen
        if current is not None:
            current.show_changes(shown)
        self.notify(
            "The change line is on: each scene starts with what your choice changed."
            if shown
            else "The change line is off (c turns it back on); changed values still light up in the status.",
            markup=False,
        )

    async def action_quit(self) -> None:
        """Quit once the game in play is autosaved: no autosave is left half written."""
        current = self.story_screen
        if current is not None:
            self.autosave(current.game, current.clock.seconds, later=False)
        await self.autosaves_written()
        self.exit(0)

    # ------------------------------------------------------------ autosaves, written in a worker
    def autosave(self, game: Game, seconds: float, later: bool = True) -> None:
        """Autosave `game`: read and encoded now, written by a thread worker (`later`: once the
        screen has been refreshed, so the next scene is drawn before any disk write)."""
        from kuzbass_game.ui.saving import Problem  # launch: the save store's modules on first use

        prepared = self.saves.prepare_autosave(game, seconds)
        if isinstance(prepared, Problem):
            self.tell_autosave_problem(prepared)
        elif later:
            self.call_after_refresh(self.write_autosave, prepared)
        else:
            self.write_autosave(prepared)

    @work(thread=True, group="autosave", description="Writing an autosave")
    def write_autosave(self, pending: PendingAutosave) -> Problem | None:
        return self.saves.write_autosave(pending)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "autosave" and event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.tell_autosave_problem(event.worker.result)

    def tell_autosave_problem(self, problem: Problem) -> None:
        if problem.first and self.saves.available:  # told once, not after every choice
            self.notify(
                f"Autosave failed: {problem}. The game goes on, unsaved; this is said once, until an autosave works again.",
                severity="warning",
                markup=False,
                timeout=10,
            )

    async def autosaves_written(self) -> None:
        """Wait for the autosave workers; then every autosave prepared so far is on disk."""
        writing = [worker for worker in self.workers if worker.group == "autosave"]
        if writing:
            await self.workers.wait_for_complete(writing)
        self.saves.flush()  # one still waiting for a refresh to start its worker

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from kuzbass_game.ui.screens.story import StoryScreen  # launch: a screen is imported the first time it is shown

        # Of Textual's own commands only Quit serves a player (the game's Help, Toggle theme and
        # saving stand for Keys, the list of every Textual theme, Screenshot and Maximize).
        yield from (command for command in super().get_system_commands(screen) if command.title == "Quit")
        yield SystemCommand("New game", "Start the story from the beginning", self.ask_new_game)
        if isinstance(screen, StoryScreen):
            yield SystemCommand("Save", "Save the game in play into a named slot", lambda: self.open_saves(True))
            yield SystemCommand("Codex", "What you have learned: terms, people, disputed facts (x)", screen.action_codex)
            yield SystemCommand("Stats", "Every value, what it means and which choices changed it (t)", screen.action_stats)
            if screen.scene is not None and screen.scene.tally is not None:
                yield SystemCommand("Vote count", "The whole count of the last vote, and what moved each group (v)", screen.action_tally)
        if self.saves.has_slots():
            yield SystemCommand("Load", "Load a saved game", self.open_saves)
        if self.story.ending_count:
            yield SystemCommand("Endings", "The endings you have found, and those still locked", self.action_gallery)
        if self.story.introduction:
            yield SystemCommand("Introduction", "How the colony came to be: read before you begin", self.read_introduction)
        changes = "off" if self.settings["changes"] else "on"
        yield SystemCommand(f"Change line {changes}", f"Turn the line of changed values above each scene {changes} (c)", self.toggle_changes)
        yield SystemCommand("Help", "Keys, and what the status panel means", self.action_help)
        yield SystemCommand("Toggle theme", "Switch between the dark and the light theme", self.action_toggle_theme)
