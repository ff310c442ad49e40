"""The numbered choices: arrows and Enter, number keys (bound on the screen) or a mouse click.

Each choice is a row of number and text, so long choices wrap under their text, not under the
number. Locked choices stay in the list, greyed, with the author's reason, and cannot be picked.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import ListItem, ListView, Static

from kuzbass_game.engine.runtime import ChoiceView, SceneView
from kuzbass_game.ui import markup


def choice_text(choice: ChoiceView) -> Content:
    """The choice as the player reads it; a locked one carries its reason in parentheses."""
    text = markup.story(choice.text)
    if choice.enabled:
        return text
    reason = markup.story(choice.reason) if choice.reason else Content("not open to you yet")
    return text + Content.styled("  (locked: ", "italic") + reason + Content.styled(")", "italic")


class ChoiceItem(ListItem):
    """One choice of one scene; `turn` tells a stale row (from the scene before) from a fresh one."""

    def __init__(self, choice: ChoiceView, turn: int) -> None:
        super().__init__(disabled=not choice.enabled, classes="" if choice.enabled else "-locked")
        self.choice = choice
        self.turn = turn

    def compose(self) -> ComposeResult:
        yield Static(f"{self.choice.number}.", classes="choice-number", markup=False)
        yield Static(choice_text(self.choice), classes="choice-text")


class ChoiceList(ListView):
    """The current scene's choices; the screen handles `ListView.Selected` from it."""

    scene: reactive[SceneView | None] = reactive(None)

    async def watch_scene(self, scene: SceneView | None) -> None:
        await self.clear()
        if scene is None or not scene.choices:
            return
        await self.extend(ChoiceItem(choice, scene.turn) for choice in scene.choices)
        self.index = next((i for i, c in enumerate(scene.choices) if c.enabled), None)
