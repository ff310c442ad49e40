"""The key bar at the bottom of every screen: Textual's footer, rebuilt only when the keys change.

Textual's `Footer` rebuilds all its key widgets whenever the screen says its bindings *may* have
changed (every focus change, every `refresh_bindings()`), often several times in a row. This
one coalesces those requests and rebuilds only when what it would show is different, and shows
the keys of a screen opened while the app is not focused (a browser page before its first click).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A compact `Footer` that recomposes at most once per refresh, and only on a real change."""

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: tuple | None = None
        self._pending = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        # While the app is not focused Textual's footer keeps what it shows (a blur drops the
        # focused widget's keys); but an empty footer is filled: a page in a browser starts
        # unfocused, and its keys should be there before the first click.
        if (not screen.app.app_focus and self._shown is not None) or self._pending:
            return
        if self.is_attached and screen is self.screen:
            self._pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._pending = False
        if not self.is_attached:
            return
        shown = self._keys()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()

    def _keys(self) -> tuple:
        """Everything `Footer.compose` reads, so equal tuples compose equal footers."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING if self.show_command_palette and app.ENABLE_COMMAND_PALETTE else None
        return tuple(
            (key, binding.action, binding.description, app.get_key_display(binding), enabled, tooltip, binding.group, binding.show)
            for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        ) + (palette, self.combine_groups)
