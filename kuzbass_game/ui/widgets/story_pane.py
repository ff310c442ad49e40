"""The scrollable story text: what the last choice did, then the scene's paragraphs at a
readable measure, blank lines between."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Static(classes="paragraph", id="story-text")
        self._shown: tuple | None = None
        self.visual: SceneVisual | None = None
        self.show_changes = True  # the change line ("Food −2 · Soap +1"); the player may turn it off

    def compose(self) -> ComposeResult:
        yield self._text

    def show(self, scene: SceneView, again: bool = False) -> None:
        """Show `scene` from its top; `again`: the same scene redrawn (a setting changed), kept where it is."""
        shown = (
            scene.turn,
            scene.paragraphs,
            scene.chosen,
            scene.reply,
            scene.tally,
            tuple(change.text for change in scene.changes),
            scene.unlocked,
            self.show_changes,
        )
        if shown == self._shown:
            return
        self._shown = shown
        body = PARAGRAPH_BREAK.join(markup.story(paragraph) for paragraph in scene.paragraphs)
        self.visual = SceneVisual(scene, body, self.tally_budget, self.show_changes)
        self._text.update(self.visual)
        if not again:
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
