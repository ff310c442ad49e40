"""The story screen: one scene at a time, the player's choices, and the status beside it.

It only renders `Game.view()` and sends intents (`choose`, `submit`, `rewind`); after each
change it autosaves through the app and shows the ending screen when the story ends. `x` opens
the codex (`Game.codex()`), `v` the whole count of the vote the last choice was a ballot in.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, OptionList, Static

from kuzbass_game.engine.runtime import Game, InvalidAction, SceneView, StoryRuntimeError
from kuzbass_game.text import markup_to_plain
from kuzbass_game.ui.clock import PlayClock
from kuzbass_game.ui.screens.codex import CodexMarks, CodexScreen
from kuzbass_game.ui.widgets.answer import AnswerBox
from kuzbass_game.ui.widgets.choices import ChoiceList
from kuzbass_game.ui.widgets.footer import KeyFooter
from kuzbass_game.ui.widgets.status import StatusPanel
from kuzbass_game.ui.widgets.story_pane import StoryPane

if TYPE_CHECKING:
    from kuzbass_game.ui.saving import Loaded

MORE = "▼ more text: PgDn"
STUCK = "The story has nowhere to go from here. This is a fault in the story, not something you did.\n"
STUCK_BACK = "Press b to step back and choose differently."
STUCK_QUIT = "Press q to quit; please tell the story's authors."
DYNAMIC_ACTIONS = ("choose", "rewind", "rewind_typing", "quicksave", "codex", "tally")  # what check_action decides per scene
WARNING_SECONDS = 4.0  # how long a warning toast stays up; the same warning is not stacked meanwhile


class StoryScreen(Screen):
    """Plays one `Game`; the app swaps in a new one on load or new game."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("1", "choose(1)", "Choose", key_display="1-9"),
        *(Binding(str(n), f"choose({n})", show=False) for n in range(2, 10)),
        Binding("b,backspace", "rewind", "Back"),
        Binding("ctrl+z", "rewind_typing", "Back"),  # b and Backspace type into the answer box
        Binding("j", "journal", "Journal"),
        Binding("x", "codex", "Codex"),
        Binding("v", "tally", "Count"),
        Binding("s", "app.open_saves", "Save"),
        Binding("f5", "quicksave", "Quicksave", show=False),
        Binding("f9", "app.quickload", "Quickload", show=False),
        Binding("pageup", "scroll_story(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_story(1)", "Scroll down", show=False),
        Binding("f1,question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, game: Game, play_seconds: float = 0.0, notice: str | None = None) -> None:
        super().__init__()
        self.game = game
        self.scene: SceneView | None = None  # the scene on screen
        self.clock = PlayClock(play_seconds)
        self.notice = notice
        self.codex_marks = CodexMarks()  # the entries announced in this session, and those read
        # Made once; every scene updates them in place (no recompose, no remount). The answer box
        # and the stuck message are mounted the first time a scene needs them, then kept.
        self.main = Vertical(id="main")
        self.status = StatusPanel(id="status")
        self.pane = StoryPane(id="story")
        self.choices = ChoiceList(id="choices")
        self.answer: AnswerBox | None = None
        self.stuck: Static | None = None
        self._warned: tuple[str, float] | None = None  # the last warning toast and when it went up
        self.bindings_state: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Header(icon="❄")
        with Vertical(id="body"):
            yield self.status
            with self.main:
                yield self.pane
                yield self.choices
        yield KeyFooter()

    def on_mount(self) -> None:
        self.watch(self.pane, "more", self.mark_more)
        self.show_game()
        if self.notice:
            self.notify(self.notice, title="Loaded", markup=False)

    def on_screen_resume(self) -> None:
        self.clock.start()

    def on_screen_suspend(self) -> None:
        self.clock.stop()

    # ------------------------------------------------------------ showing
    def show_game(self) -> None:
        """Show the game's current scene; a scene the story cannot describe goes back to the title."""
        try:
            scene = self.game.view()
        except StoryRuntimeError as err:
            self.notify(f"This game cannot be shown: {err}", title="Story fault", severity="error", markup=False)
            self.app.show_title()
            return
        self.show(scene)

    def show(self, scene: SceneView) -> None:
        self.scene = scene
        if scene.unlocked:
            self.codex_marks.announce(e.id for e in self.game.codex() if e.title in scene.unlocked)
        self.render_scene(scene)
        if scene.fault is not None:
            self.notify(f"A fault in the story: {markup_to_plain(scene.fault)}. Your game is kept; press b to "
                        "step back, or choose again.", title="Story fault", severity="error", markup=False)
        if scene.ending is not None:
            from kuzbass_game.ui.screens.ending import EndingScreen

            self.app.push_screen(EndingScreen(scene), self.after_ending)

    def render_scene(self, scene: SceneView) -> None:
        """Update the widgets in place: one layout and one partial repaint per scene."""
        self.status.show(scene)
        self.pane.show(scene)
        self.choices.show(scene)
        self.choices.display = scene.input is None and bool(scene.choices)
        if scene.input is not None or self.answer is not None:
            answer = self.answer or self.add_below_text(AnswerBox(id="answer"), after=self.choices)
            self.answer = answer
            answer.ask(scene.input)
            answer.display = scene.input is not None
        if scene.stuck or self.stuck is not None:
            stuck = self.stuck or self.add_below_text(Static(id="stuck", markup=False), before=self.choices)
            self.stuck = stuck
            stuck.display = scene.stuck
            if scene.stuck:
                stuck.update(STUCK + (STUCK_BACK if self.game.can_rewind else STUCK_QUIT))
        if scene.input is not None:
            self.call_after_refresh(self.answer.focus_input)
        elif scene.choices:
            if self.focused is not self.choices:
                self.choices.focus()
        elif self.focused is not None:
            self.set_focus(None)
        self.refresh_bindings_if_changed()

    def add_below_text(self, widget: Widget, **where: Widget) -> Widget:
        """Mount a widget that only some scenes need, in its place under the story text."""
        widget.border_title = MORE if self.pane.more else None
        self.main.mount(widget, **where)
        return widget

    def refresh_bindings_if_changed(self) -> None:
        """Tell the footer only when a key's state changed: it rebuilds itself when told."""
        state = tuple(self.check_action(action, ()) for action in DYNAMIC_ACTIONS)
        if state != self.bindings_state:
            self.bindings_state = state
            self.refresh_bindings()

    def mark_more(self, more: bool) -> None:
        """Say on the edge below the text that it goes on (PgDn), when it does."""
        for widget in (self.choices, self.answer, self.stuck):
            if widget is not None:
                widget.border_title = MORE if more else None

    # ------------------------------------------------------------ intents
    def act(self, step: Callable[[], SceneView]) -> None:
        try:
            scene = step()
        except InvalidAction as err:
            self.warn(markup_to_plain(str(err)))
            return
        except StoryRuntimeError as err:
            self.notify(f"The story hit a fault and could not go on: {err}", title="Story fault",
                        severity="error", markup=False)
            return
        self.autosave()
        self.show(scene)

    def warn(self, message: str, title: str = "") -> None:
        """A warning toast, but not the same one again while it is still up (a player pressing a
        locked choice's key five times gets one toast and a bell, not a stack of five)."""
        now = time.monotonic()
        if self._warned is not None and self._warned[0] == message and now - self._warned[1] < WARNING_SECONDS:
            self.app.bell()
            return
        self._warned = (message, now)
        self.notify(message, title=title, severity="warning", markup=False, timeout=WARNING_SECONDS)

    def action_choose(self, number: int) -> None:
        scene = self.scene
        choice = next((c for c in scene.choices if c.number == number), None) if scene else None
        if choice is None:
            self.app.bell()
            return
        if not choice.enabled:
            self.warn(markup_to_plain(choice.reason or "That choice is not open to you yet."), title="Locked")
            return
        self.act(lambda: self.game.choose(choice.index))

    @on(OptionList.OptionSelected, "#choices")
    def picked(self, event: OptionList.OptionSelected) -> None:
        scene = self.scene
        if scene is None or getattr(event, "turn", None) != scene.turn or event.option_index >= len(scene.choices):
            return
        choice = scene.choices[event.option_index]
        if choice.enabled:
            self.act(lambda: self.game.choose(choice.index))

    @on(AnswerBox.Answered)
    def answered(self, event: AnswerBox.Answered) -> None:
        self.act(lambda: self.game.submit(event.text))

    def action_rewind(self, steps: int = 1) -> None:
        if not self.game.can_rewind:
            self.notify("There is nothing to step back to yet.", markup=False)
            return
        self.act(lambda: self.game.rewind(steps))

    def action_rewind_typing(self) -> None:
        self.action_rewind()

    def action_scroll_story(self, direction: int) -> None:
        pane = self.pane
        pane.scroll_page_down() if direction > 0 else pane.scroll_page_up()

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(self.game.codex(), self.codex_marks))

    def action_tally(self) -> None:
        from kuzbass_game.ui.screens.tally import TallyScreen

        if self.scene is not None and self.scene.tally is not None:
            self.app.push_screen(TallyScreen(self.scene.tally))

    def on_resize(self) -> None:
        self.pane.refit()  # a taller or shorter screen may fold or unfold a vote's count

    def action_journal(self) -> None:
        from kuzbass_game.ui.screens.journal import JournalScreen

        def chosen(steps: int | None) -> None:
            if steps:
                self.action_rewind(steps)

        self.app.push_screen(JournalScreen(self.game), chosen)

    def after_ending(self, result: str | None) -> None:
        if result == "back":
            self.action_rewind()
        elif result == "title":
            self.app.show_title()
        elif result == "new":
            self.app.new_game()
        elif result == "quit":
            self.app.action_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        scene = self.scene
        if action == "choose":
            return bool(scene and scene.choices)
        typing = bool(scene and scene.input)
        if action in ("rewind", "rewind_typing"):
            if typing != (action == "rewind_typing"):
                return False
            return True if self.game.can_rewind else None
        if action == "quicksave":
            return self.app.saves.available or None
        if action == "codex":
            return not typing  # x types into the answer box; the command palette still opens it
        if action == "tally":
            return bool(scene and scene.tally)
        return True

    # ------------------------------------------------------------ saves
    def autosave(self) -> None:
        problem = self.app.saves.autosave(self.game, self.clock.seconds)
        if problem and self.app.saves.available:
            self.notify(f"Autosave failed: {problem}", severity="warning", markup=False)

    def action_quicksave(self) -> None:
        problem = self.app.saves.quicksave(self.game, self.clock.seconds)
        self.notify(problem or "Quicksaved (F9 loads it).", severity="warning" if problem else "information",
                    markup=False)

    def load(self, loaded: Loaded) -> None:
        """Swap in a loaded game (from the saves screen or quickload)."""
        self.game = loaded.game
        running = self.clock is not None and self.is_current
        self.clock = PlayClock(loaded.play_seconds)
        if running:
            self.clock.start()
        self.show_game()
        if loaded.notice:
            self.notify(loaded.notice, title="Loaded", markup=False)
