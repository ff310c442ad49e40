"""The whole count of the last vote, never folded: every faction and what moved it.

The story screen shows the count above the scene; on a short screen a big meeting is folded to
one line a faction there, and `v` opens this screen for the rest.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kuzbass_game.engine.play import Tally
from kuzbass_game.ui.widgets.footer import KeyFooter
from kuzbass_game.ui.widgets.tally import TallyVisual


class TallyScreen(ModalScreen[None]):
    """One `Tally` in full; any closing key returns to the story."""

    BINDINGS = [Binding("escape,v,q,enter", "close", "Close")]

    def __init__(self, tally: Tally) -> None:
        super().__init__()
        self.tally = tally

    def compose(self) -> ComposeResult:
        with Vertical(id="tally-box", classes="dialog") as box:
            box.border_title = "The count"
            with VerticalScroll(id="tally-body"):
                yield Static(TallyVisual(self.tally), id="tally-full")
                yield Static(
                    "Each group's share for starts from how it leaned; what you did and the "
                    "mood of the hall move it. Your own vote is counted in the total.",
                    classes="dialog-hint",
                    markup=False,
                )
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)
