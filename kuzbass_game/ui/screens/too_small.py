"""Shown instead of a broken layout while the terminal is smaller than the game needs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static


class TooSmallScreen(Screen):
    """A plain request to enlarge the terminal; the app removes it once the size is enough."""

    def __init__(self, minimum: tuple[int, int]) -> None:
        super().__init__()
        self.minimum = minimum

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(id="too-small-message", markup=False)

    def on_mount(self) -> None:
        self.describe(self.app.size.width, self.app.size.height)

    def describe(self, width: int, height: int) -> None:
        min_width, min_height = self.minimum
        self.query_one("#too-small-message", Static).update(
            f"Please enlarge the terminal to at least {min_width}×{min_height}.\nIt is {width}×{height} now.\n\nCtrl+Q quits."
        )
