"""KuzbassApp: the screens, the save store and the app-wide keys and commands.

The app owns navigation (title, story, ending), the too-small guard and the theme; each screen
renders one thing and asks the app when it needs another screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme

from kuzbass_game.ui.saving import Saves
from kuzbass_game.ui.screens.title import TitleScreen
from kuzbass_game.ui.screens.too_small import TooSmallScreen
from kuzbass_game.ui.themes import COAL, THEMES, other_theme

if TYPE_CHECKING:
    from kuzbass_game.engine.model import Story
    from kuzbass_game.engine.runtime import Game
    from kuzbass_game.ui.saving import Loaded
    from kuzbass_game.ui.screens.story import StoryScreen

# Only the title screen is imported at start-up; the other screens (and what they need) are
# imported the first time they are shown, so launching does not pay for them.

MIN_SIZE = (60, 20)  # below this the story and its choices no longer fit side by side with the footer


class KuzbassApp(App[int]):
    """The full-screen game for one story; saves go to `saves_dir`."""

    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("f1,question_mark", "help", "Help"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
    ]

    def __init__(self, story: Story, saves_dir: Path, seed: int | None = None, load: str | None = None) -> None:
        super().__init__()
        self.story = story
        self.seed = seed
        self.load_at_start = load
        self.saves = Saves(Path(saves_dir), story)
        self.title = story.title
        for theme in THEMES:
            self.register_theme(theme)
        self.start_in_theme(COAL)

    def start_in_theme(self, theme: Theme) -> None:
        """Start in `theme` without what setting `App.theme` does once the app runs: re-parse
        every stylesheet and restyle every widget. Nothing is parsed or styled yet, so the theme's
        variables can simply replace the default theme's (as `App._watch_theme` would, later)."""
        self.set_reactive(App.theme, theme.name)
        self.stylesheet.set_variables(self.get_css_variables())
        self.set_class(True, f"-theme-{theme.name}", update=False)
        self.set_class(theme.dark, "-dark-mode", update=False)
        self.set_class(not theme.dark, "-light-mode", update=False)

    def get_default_screen(self) -> Screen:
        return TitleScreen()

    def on_mount(self) -> None:
        if self.load_at_start:
            self.use_loaded(self.saves.load(self.load_at_start))

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
            self.screen.describe(width, height)
        elif not too_small and shown:
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if isinstance(self.screen, TooSmallScreen):
            return action == "quit"
        return True

    # ------------------------------------------------------------ navigation
    @property
    def story_screen(self) -> StoryScreen | None:
        from kuzbass_game.ui.screens.story import StoryScreen

        return next((s for s in reversed(self.screen_stack) if isinstance(s, StoryScreen)), None)

    def show_title(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.call_after_refresh(self.recheck_size)

    def open_game(self, game: Game, play_seconds: float = 0.0, notice: str | None = None) -> None:
        from kuzbass_game.ui.screens.story import StoryScreen

        self.show_title()
        self.push_screen(StoryScreen(game, play_seconds, notice))

    def new_game(self) -> None:
        from kuzbass_game.engine.runtime import Game

        self.open_game(Game(self.story, seed=self.seed))

    def continue_game(self) -> None:
        latest = self.saves.latest()
        if latest is None:
            self.notify("There is no saved game to continue yet.", markup=False)
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
        from kuzbass_game.ui.screens.saves import SavesScreen

        current = self.story_screen
        game = current.game if current is not None else None
        seconds = (lambda: current.clock.seconds) if current is not None else None
        self.push_screen(SavesScreen(self.saves, game, seconds, ask_name=ask_name), self.use_loaded)

    def action_open_saves(self) -> None:
        self.open_saves()

    def action_quickload(self) -> None:
        self.use_loaded(self.saves.quickload())

    # ------------------------------------------------------------ app-wide actions
    def action_help(self) -> None:
        from kuzbass_game.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = other_theme(self.theme)

    def action_quit(self) -> None:  # type: ignore[override]  # sync, so screens can call it
        current = self.story_screen
        if current is not None:
            current.autosave()
        self.exit(0)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from kuzbass_game.ui.screens.story import StoryScreen

        yield from super().get_system_commands(screen)
        yield SystemCommand("New game", "Start the story from the beginning", self.new_game)
        if isinstance(screen, StoryScreen):
            yield SystemCommand("Save", "Save the game in play into a named slot", lambda: self.open_saves(True))
            yield SystemCommand("Codex", "What you have learned: terms, people, disputed facts (x)", screen.action_codex)
            if screen.scene is not None and screen.scene.tally is not None:
                yield SystemCommand("Vote count", "The whole count of the last vote, and what moved each group (v)",
                                    screen.action_tally)
        if self.saves.has_slots():
            yield SystemCommand("Load", "Load a saved game", self.open_saves)
        yield SystemCommand("Help", "Keys, and what the status panel means", self.action_help)
        yield SystemCommand("Toggle theme", "Switch between the dark and the light theme", self.action_toggle_theme)
