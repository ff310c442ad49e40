"""The journal: every choice made so far, and a way back to any of them.

Each entry is rendered from the story (the choice's text as it read then) and the state the
player was in when making it. Picking one dismisses with how many steps to rewind.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kuzbass_game.engine.play import Game, JournalEntry
from kuzbass_game.ui import markup
from kuzbass_game.ui.screens.dialogs import ConfirmDialog
from kuzbass_game.ui.widgets.footer import KeyFooter


def entry(item: JournalEntry) -> Content:
    """One line of the journal: where and when, then what the player did."""
    place = [markup.story(part) for part in (item.chapter, item.date) if part]
    head = Content.styled(f"{item.step:>3}. ", "bold")
    if place:
        head += Content(", ").join(place).stylize("dim") + Content(" — ")
    if item.typed:
        head += Content("You answered: ")
    return head + markup.story(item.text)


class JournalScreen(ModalScreen[int | None]):
    """Lists `game.actions`; Enter on one asks, then dismisses with the steps to go back."""

    BINDINGS = [Binding("escape,j,q", "close", "Close")]

    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game

    def compose(self) -> ComposeResult:
        entries = self.game.journal()
        with Vertical(id="journal-box", classes="dialog") as box:
            box.border_title = "Journal"
            if not entries:
                yield Static("No choices yet. They will be listed here as you play.", markup=False)
            menu = OptionList(id="journal-list")
            menu.add_options(Option(entry(item), id=f"step-{item.step - 1}") for item in entries)
            menu.display = bool(entries)
            yield menu
            yield Static("Enter goes back to just before the highlighted choice.", classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        menu = self.query_one("#journal-list", OptionList)
        if menu.option_count:
            menu.highlighted = menu.option_count - 1
            menu.focus()

    @on(OptionList.OptionSelected, "#journal-list")
    def picked(self, event: OptionList.OptionSelected) -> None:
        position = int(str(event.option_id).removeprefix("step-"))
        steps = len(self.game.actions) - position

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(steps)

        later = {1: "this choice", 2: "this choice and the one after it"}.get(steps, f"this choice and the {steps - 1} after it")
        self.app.push_screen(ConfirmDialog(f"Go back to just before choice {position + 1}? You will undo {later}.", yes="Go back"), confirmed)

    def action_close(self) -> None:
        self.dismiss(None)
