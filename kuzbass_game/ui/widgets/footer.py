"""The key bar at the bottom of every screen: Textual's compact footer, filled even before the
app is focused.

Textual's `Footer` keeps what it shows while the app is not focused (a blur drops the focused
widget's keys); but a footer that has shown nothing yet is filled: a page in a browser starts
unfocused, and its keys should be there before the first click.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A compact `Footer` that is filled when its screen opens, focused or not."""

    def __init__(self) -> None:
        super().__init__(compact=True)

    def bindings_changed(self, screen: Screen) -> None:
        super().bindings_changed(screen)
        if not screen.app.app_focus and not self.children and self.is_attached and screen is self.screen:
            self.call_after_refresh(self.recompose)
