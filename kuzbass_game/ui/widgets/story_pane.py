"""The scrollable story text: what the last choice did, then the scene's paragraphs at a
readable measure, blank lines between."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive, var
from textual.widgets import Static

from kuzbass_game.engine.play import SceneView
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.aftermath import SceneVisual
from kuzbass_game.ui.widgets.tally import budget_for

PARAGRAPH_BREAK = Content("\n\n")  # a blank line between paragraphs


class StoryPane(VerticalScroll):
    """Shows one scene; scrolls back to the top whenever the scene changes.

    The paragraphs share one `Static`, separated by blank lines, which is updated in place;
    above them it shows the choice that led here, its reply, a vote's count, the changed values
    and the new codex entries (a `SceneVisual`, see aftermath.py).
    `more` is True while text is hidden below, so the screen can say so on a small terminal.
    """

    can_focus = False
    more: reactive[bool] = reactive(False)
    scene: var[SceneView | None] = var(None)  # the scene shown (set by the story screen)
    show_changes: var[bool] = var(True)  # the change line ("Food −2 · Soap +1"); the player may turn it off
    shown: var[tuple | None] = var(None)  # what of the scene this pane draws: it redraws only when that changes

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Static(classes="paragraph", id="story-text")
        self.visual: SceneVisual | None = None

    def compose(self) -> ComposeResult:
        yield self._text

    def compute_shown(self) -> tuple | None:
        scene = self.scene
        if scene is None:
            return None
        changes = tuple(change.text for change in scene.changes)
        return (scene.turn, scene.paragraphs, scene.chosen, scene.reply, scene.tally, changes, scene.unlocked, self.show_changes)

    def watch_shown(self, old: tuple | None, shown: tuple | None) -> None:
        """Draw the scene: from its top for a new one; a setting changed, kept where it is."""
        scene = self.scene
        if scene is None or shown is None:
            return
        body = PARAGRAPH_BREAK.join(markup.story(paragraph) for paragraph in scene.paragraphs)
        self.visual = SceneVisual(scene, body, self.tally_budget, self.show_changes)
        self._text.update(self.visual)
        if old is None or old[:-1] != shown[:-1]:
            # At the top in the same frame as the new text; `more` follows from the scroll, the
            # new height or a resize.
            self.scroll_home(animate=False, immediate=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.check_more()

    def watch_virtual_size(self, size: Size) -> None:
        self.check_more()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.check_more)

    def tally_budget(self) -> int:
        return budget_for(self.screen.size.height)

    def refit(self) -> None:
        """After the screen changed height: a vote's count may fold or unfold."""
        if self.visual is not None and self.visual.tally is not None:
            self._text.refresh(layout=True)

    def check_more(self) -> None:
        self.more = self.scroll_y < self.max_scroll_y
