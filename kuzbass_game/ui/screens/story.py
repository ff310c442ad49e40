"""The story screen: one scene at a time, the player's choices, and the status beside it.

It only renders `Game.view()` and sends intents (`choose`, `submit`, `rewind`); after each
change it autosaves through the app and shows the ending screen when the story ends. `x` opens
the codex (`Game.codex()`), `v` the whole count of the vote the last choice was a ballot in, `t`
the stats (every value, what it means and where it came from), `c` turns the change line off/on.

A number key (or Enter) pressed before a new scene has been drawn never picks a choice in it:
picks wait for the scene they would land in to be on screen (`drawn`), whatever the timing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from collections.abc import Callable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Header, Static

from kuzbass_game.engine.play import Game, InvalidAction, SceneView, StoryRuntimeError
from kuzbass_game.text import markup_to_plain
from kuzbass_game.ui.clock import PlayClock
from kuzbass_game.ui.screens.codex import CodexMarks, CodexScreen
from kuzbass_game.ui.widgets.answer import AnswerBox
from kuzbass_game.ui.widgets.choices import ChoiceList
from kuzbass_game.ui.widgets.footer import KeyFooter
from kuzbass_game.ui.widgets.status import StatusPanel
from kuzbass_game.ui.widgets.story_pane import StoryPane

if TYPE_CHECKING:
    from kuzbass_game.ui.app import KuzbassApp
    from kuzbass_game.ui.saving import Loaded

MORE = "▼ more text: PgDn"
MIN_TEXT = 5  # the story's lines kept above a long list of choices (the choices come first)


def more_choices(hidden: int) -> str:
    """The list's note of the choices below its last line: "▼ 2 more choices: ↓ or End"."""
    if not hidden:
        return ""
    return f"▼ {hidden} more choice{'s' if hidden > 1 else ''}: ↓ or End"


STUCK = "The story has nowhere to go from here. This is a fault in the story, not something you did.\n"
STUCK_BACK = "Press b to step back and choose differently."
STUCK_QUIT = "Press q to quit; please tell the story's authors."
# What check_action decides per scene. While the player types an answer, the printable keys type
# and the footer offers only what still works: Ctrl+Z, F1, Ctrl+Q.
DYNAMIC_ACTIONS = (
    "choose",
    "rewind",
    "rewind_typing",
    "quicksave",
    "codex",
    "tally",
    "journal",
    "saves",
    "stats",
    "help",
    "help_typing",
    "quit",
    "quit_typing",
    "toggle_changes",
)
TYPING_ONLY = {"rewind_typing", "help_typing", "quit_typing"}
NOT_WHILE_TYPING = {"rewind", "codex", "journal", "saves", "stats", "help", "quit", "toggle_changes"}
REWIND = "step back one choice (^z while you type an answer)"
SCROLL = "scroll the story text"
HELP = "this help (f1 while you type an answer)"
QUIT = "quit (the game is saved automatically)"
WARNING_SECONDS = 4.0  # how long a warning toast stays up; the same warning is not stacked meanwhile


class SceneColumn(Vertical):
    """The column of text and choices; tells the screen its new height, to fit the text to it."""

    class Resized(Message):
        def __init__(self, height: int) -> None:
            super().__init__()
            self.height = height

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(event.size.height))


class StoryScreen(Screen):
    """Plays one `Game`; the app swaps in a new one on load or new game."""

    if TYPE_CHECKING:  # the game's own app, for the checker (no run-time cost)
        app: KuzbassApp

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    # Each tooltip is also the key's line in the help screen (screens/help.py), in this order.
    BINDINGS = [
        Binding("1", "choose(1)", "Choose", key_display="1-9", tooltip="take the choice with that number"),
        *(Binding(str(n), f"choose({n})", show=False) for n in range(2, 10)),
        Binding("b,backspace", "rewind", "Back", tooltip=REWIND),
        Binding("ctrl+z", "rewind_typing", "Back", tooltip=REWIND),  # b and Backspace type into the answer box
        Binding("pageup", "scroll_story(-1)", "Scroll up", show=False, tooltip=SCROLL),
        Binding("pagedown", "scroll_story(1)", "Scroll down", show=False, tooltip=SCROLL),
        Binding("j", "journal", "Journal", tooltip="journal: the choices so far; go back to any of them"),
        Binding("x", "codex", "Codex", tooltip="codex: what you have learned; type to search it"),
        Binding("t", "stats", "Stats", tooltip="stats: each value, what it means, which choices changed it"),
        # v: the folded count says so; 80 columns hold no more keys
        Binding("v", "tally", "Count", show=False, tooltip="the whole count of the last vote and what swayed it"),
        Binding("c", "toggle_changes", "Changes", show=False, tooltip="turn the change line above each scene off or on"),
        Binding("s", "saves", "Save", tooltip="saved games: save, load, rename, delete"),
        Binding("f5", "quicksave", "Quicksave", show=False, tooltip="quicksave (F9 loads it)"),
        Binding("f9", "app.quickload", "Quickload", show=False, tooltip="quickload: back to the quicksave"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip=HELP),
        Binding("f1", "help", "Help", show=False, tooltip=HELP),
        Binding("f1", "help_typing", "Help", tooltip=HELP),
        Binding("q", "quit", "Quit", tooltip=QUIT),
        Binding("ctrl+q", "quit_typing", "Quit", priority=True, tooltip=QUIT),
    ]

    def __init__(self, game: Game, play_seconds: float = 0.0, notice: str | None = None) -> None:
        super().__init__()
        self.game = game
        self.scene: SceneView | None = None  # the scene on screen
        self.clock = PlayClock(play_seconds)
        self.notice = notice
        self.codex_marks = CodexMarks()  # the entries announced in this session, and those read
        # Made once; every scene updates them in place (no recompose, no remount). The answer box
        # and the stuck message are mounted the first time a scene needs them, then kept (a hidden
        # widget still costs a little at every scene). A game that opens on a question has its
        # answer box from the start, so what is typed the moment the question is drawn goes in.
        self.main = SceneColumn(id="main")
        self.status = StatusPanel(id="status")
        self.pane = StoryPane(id="story")
        self.choices = ChoiceList(id="choices")
        self.answer: AnswerBox | None = AnswerBox(id="answer") if game.state.awaiting_input else None
        self.stuck: Static | None = None
        self._warned: tuple[str, float] | None = None  # the last warning toast and when it went up
        self.bindings_state: tuple | None = None
        self.shown = 0  # how many scenes have been put on screen
        self.drawn = 0  # ... and how many of them have been drawn (picks wait for it to catch up)

    def compose(self) -> ComposeResult:
        yield Header(icon="❄")
        with Vertical(id="body"):
            yield self.status
            with self.main:
                yield self.pane
                yield self.choices
                if self.answer is not None:
                    yield self.answer
        yield KeyFooter()

    def on_mount(self) -> None:
        self.watch(self.pane, "more", self.mark_more)
        self.pane.show_changes = self.app.settings["changes"]
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

    def show(self, scene: SceneView, reached: bool = False) -> None:
        """Put `scene` on screen; `reached`: the player's own step led here (an ending is recorded)."""
        self.scene = scene
        if scene.unlocked:
            self.codex_marks.announce(e.id for e in self.game.codex() if e.title in scene.unlocked)
        self.render_scene(scene)
        if scene.fault is not None:
            self.notify(
                f"A fault in the story: {markup_to_plain(scene.fault)}. Your game is kept; press b to step back, or choose again.",
                title="Story fault",
                severity="error",
                markup=False,
            )
        if scene.ending is not None:
            self.show_ending(scene, reached)

    def show_ending(self, scene: SceneView, reached: bool) -> None:
        """The ending screen, with the run summed up; an ending reached by play goes in the profile."""
        from kuzbass_game.engine.play import summarize  # only at an ending
        from kuzbass_game.ui.screens.ending import EndingScreen  # launch: a screen is imported the first time it is shown

        found = self.app.record_ending(self.game) if reached else None
        story = self.game.story
        shown = frozenset(value.name for value in story.shown)
        self.app.push_screen(EndingScreen(scene, summarize(self.game), found, story.afterword, shown), self.after_ending)

    def render_scene(self, scene: SceneView) -> None:
        """Update the widgets in place: one layout and one partial repaint per scene."""
        self.shown += 1
        self.choices.armed = False
        self.call_after_refresh(self.mark_drawn, self.shown)
        self.status.scene = scene  # each widget draws what of the scene it shows, when that changed
        self.pane.scene = scene
        self.choices.show(scene)
        self.choices.display = scene.input is None and bool(scene.choices)
        if scene.input is not None or self.answer is not None:
            answer = self.answer or self.add_below_text(AnswerBox(id="answer"), after=self.choices)
            assert isinstance(answer, AnswerBox)
            self.answer = answer
            answer.ask(scene.input)
            answer.display = scene.input is not None
        if scene.stuck or self.stuck is not None:
            stuck = self.stuck or self.add_below_text(Static(id="stuck", markup=False), before=self.choices)
            assert isinstance(stuck, Static)
            self.stuck = stuck
            stuck.display = scene.stuck
            if scene.stuck:
                stuck.update(self.stuck_text())
        if scene.input is not None and self.answer is not None:
            if self.answer.is_mounted:
                self.answer.focus_input()  # at once: what is typed once the scene is drawn goes in
            else:
                self.call_after_refresh(self.answer.focus_input)
        elif scene.choices:
            if self.focused is not self.choices:
                self.choices.focus()
        elif self.focused is not None:
            self.set_focus(None)
        self.fit_text()
        self.call_after_refresh(self.mark_more)  # the new list may hide choices below its edge
        self.refresh_bindings_if_changed()

    def stuck_text(self) -> str:
        return STUCK + (STUCK_BACK if self.game.can_rewind else STUCK_QUIT)

    def mark_drawn(self, serial: int) -> None:
        self.drawn = max(self.drawn, serial)
        self.choices.armed = self.ready

    @property
    def ready(self) -> bool:
        """Whether the scene on screen has been drawn: a key pressed before that picks nothing in it."""
        return self.drawn >= self.shown

    def fit_text(self, height: int | None = None) -> None:
        """Let the text take the lines it needs and no more, so the choices follow it instead of
        sitting at the bottom of an empty screen; a long text scrolls above them (PgUp/PgDn).

        Worked out before the layout from what is below the text, so a scene costs one layout."""
        height = height if height is not None else self.main.content_size.height
        if height <= 0:
            return  # not laid out yet: app.tcss caps the text until the first resize
        width = self.choices.content_size.width or max(1, self.main.content_size.width - 4)
        below = 0
        if self.choices.display:
            # The choices first: all of them when the text keeps MIN_TEXT lines, else as many as
            # leave it that, the list's edge saying how many more there are.
            shown = min(1 + self.choices.rows_height(width), max(height // 2, height - MIN_TEXT))
            below += shown
            if self.choices.styles.max_height is None or self.choices.styles.max_height.value != shown:
                self.choices.styles.max_height = shown
        if self.answer is not None and self.answer.display:
            below += self.answer.height_for(width)
        if self.stuck is not None and self.stuck.display:
            below += 2 + len(Content(self.stuck_text()).wrap(max(1, width - 2)))
        limit = max(3, height - below)
        if self.pane.styles.max_height is None or self.pane.styles.max_height.value != limit:
            self.pane.styles.max_height = limit

    def on_scene_column_resized(self, message: SceneColumn.Resized) -> None:
        self.fit_text(message.height)

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

    def mark_more(self, more: bool | None = None) -> None:
        """Say on the edge below the text that it goes on (PgDn), and how many choices are below
        the list's last line (arrows or End reach them), when either is so."""
        more = self.pane.more if more is None else more
        hidden = self.choices.hidden_below() if self.choices.display else 0
        choices = more_choices(hidden)
        for widget in (self.choices, self.answer, self.stuck):
            if widget is not None:
                notes = [MORE] if more else []
                if widget is self.choices and choices:
                    notes.append(choices)
                widget.border_title = " · ".join(notes) or None

    def on_choice_list_scrolled(self) -> None:
        self.mark_more()

    # ------------------------------------------------------------ intents
    def act(self, step: Callable[[], SceneView], reach: bool = True) -> None:
        try:
            scene = step()
        except InvalidAction as err:
            self.warn(markup_to_plain(str(err)))
            return
        except StoryRuntimeError as err:
            self.notify(f"The story hit a fault and could not go on: {err}", title="Story fault", severity="error", markup=False)
            return
        self.autosave()
        self.show(scene, reached=reach)

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
        if not self.ready:
            return  # pressed before this scene was drawn: meant for the one before, never for this one
        scene = self.scene
        choice = next((c for c in scene.choices if c.number == number), None) if scene else None
        if choice is None:
            self.app.bell()
            return
        if not choice.enabled:
            self.warn(markup_to_plain(choice.reason or "That choice is not open to you yet."), title="Locked")
            return
        self.act(lambda: self.game.choose(choice.index))

    @on(ChoiceList.Picked)
    def picked(self, event: ChoiceList.Picked) -> None:
        scene = self.scene
        if scene is None or event.turn != scene.turn or event.index >= len(scene.choices):
            return
        if not event.armed:
            return  # Enter pressed before this scene was drawn
        choice = scene.choices[event.index]
        if choice.enabled:
            self.act(lambda: self.game.choose(choice.index))

    @on(AnswerBox.Answered)
    def answered(self, event: AnswerBox.Answered) -> None:
        self.act(lambda: self.game.submit(event.text))

    def action_rewind(self, steps: int = 1) -> None:
        if not self.game.can_rewind:
            self.notify("There is nothing to step back to yet.", markup=False)
            return
        self.act(lambda: self.game.rewind(steps), reach=False)

    def action_rewind_typing(self) -> None:
        self.action_rewind()

    def action_scroll_story(self, direction: int) -> None:
        pane = self.pane
        pane.scroll_page_down() if direction > 0 else pane.scroll_page_up()

    def action_codex(self) -> None:
        self.app.push_screen(CodexScreen(self.game.codex(), self.codex_marks))

    def action_stats(self) -> None:
        from kuzbass_game.ui.screens.stats import StatsScreen  # launch: a screen is imported the first time it is shown

        if self.scene is not None:
            self.app.push_screen(StatsScreen(self.game, self.scene))

    def action_saves(self) -> None:
        self.app.open_saves()

    def action_help(self) -> None:
        self.app.action_help()

    def action_help_typing(self) -> None:
        self.app.action_help()

    async def action_quit(self) -> None:
        await self.app.run_action("app.quit")

    async def action_quit_typing(self) -> None:
        await self.app.run_action("app.quit")

    def action_toggle_changes(self) -> None:
        self.app.toggle_changes()

    def show_changes(self, shown: bool) -> None:
        """The change line on or off (the app keeps the setting); the pane draws the scene again, where it was."""
        self.pane.show_changes = shown

    def action_tally(self) -> None:
        from kuzbass_game.ui.screens.tally import TallyScreen  # launch: a screen is imported the first time it is shown

        tally = self.scene.tally if self.scene is not None and self.scene.tally is not None else self.game.last_vote()
        if tally is None:
            self.notify("There has been no vote yet: v shows the whole count of the last vote you took part in.", markup=False)
            return
        self.app.push_screen(TallyScreen(tally))

    def on_resize(self) -> None:
        self.pane.refit()  # a taller or shorter screen may fold or unfold a vote's count

    def action_journal(self) -> None:
        from kuzbass_game.ui.screens.journal import JournalScreen  # launch: a screen is imported the first time it is shown

        def chosen(steps: int | None) -> None:
            if steps:
                self.action_rewind(steps)

        self.app.push_screen(JournalScreen(self.game), chosen)

    async def after_ending(self, result: str | None) -> None:
        if result == "back":
            self.action_rewind()
        elif result == "title":
            self.app.show_title()
        elif result == "new":
            self.app.new_game()
        elif result == "quit":
            await self.app.run_action("app.quit")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        scene = self.scene
        if action == "choose":
            return bool(scene and scene.choices)
        typing = bool(scene and scene.input)
        if action in TYPING_ONLY and not typing:
            return False
        if action in NOT_WHILE_TYPING and typing:
            return False  # the key types into the answer box; the command palette still does it
        if action in ("rewind", "rewind_typing"):
            return True if self.game.can_rewind else None
        if action == "quicksave":
            return self.app.saves.available or None
        return True  # (v with no vote yet says so: a key that does nothing silently is a key that seems broken)

    # ------------------------------------------------------------ saves
    def autosave(self) -> None:
        """Autosave the game in play (the app writes it in a worker)."""
        self.app.autosave(self.game, self.clock.seconds)

    def action_quicksave(self) -> None:
        problem = self.app.saves.quicksave(self.game, self.clock.seconds)
        self.notify(problem or "Quicksaved (F9 loads it).", severity="warning" if problem else "information", markup=False)

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
