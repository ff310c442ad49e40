"""The scrollable story text: the scene's paragraphs at a readable measure, blank lines between."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.reactive import reactive
from textual.widgets import Static

from kuzbass_game.engine.runtime import SceneView
from kuzbass_game.ui import markup


class StoryPane(VerticalScroll):
    """Shows one scene; scrolls back to the top whenever the scene changes.

    `more` is True while text is hidden below, so the screen can say so on a small terminal.
    """

    can_focus = False
    scene: reactive[SceneView | None] = reactive(None, recompose=True)
    more: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        if self.scene is None:
            return
        for paragraph in self.scene.paragraphs:
            yield Static(markup.story(paragraph), classes="paragraph")

    def watch_scene(self) -> None:
        self.scroll_home(animate=False)
        self.call_after_refresh(self.check_more)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.check_more()

    def watch_virtual_size(self, size: Size) -> None:
        self.check_more()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.check_more)

    def check_more(self) -> None:
        self.more = self.scroll_y < self.max_scroll_y
