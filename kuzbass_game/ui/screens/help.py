"""The help screen: every key, and what the status panel means."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from kuzbass_game.ui.widgets.footer import KeyFooter

KEYS = (
    ("1 – 9", "take the choice with that number"),
    ("↑ ↓, Enter", "move between choices and take one (or click it)"),
    ("b, Backspace", "step back one choice (Ctrl+Z while typing)"),
    ("PgUp PgDn", "scroll the story text"),
    ("j", "journal: the choices so far; go back to any of them"),
    ("s", "saved games: save, load, rename, delete"),
    ("F5 / F9", "quicksave / quickload"),
    ("Ctrl+P", "command palette: new game, save, load, theme…"),
    ("Ctrl+T", "switch between dark and light theme"),
    ("? or F1", "this help"),
    ("q, Ctrl+Q", "quit (the game is saved automatically)"),
)

STATUS = (
    "The status panel shows the chapter, the date in the story and what the story keeps track "
    "of for you (money, health, your name…); it changes as you choose. A greyed choice is locked, "
    "with the reason beside it. The game saves itself after every choice: Continue on the title "
    "screen picks up where you left off."
)


class HelpScreen(ModalScreen[None]):
    """Keys and status, over whatever screen asked for help; any closing key returns."""

    BINDINGS = [
        Binding("escape,q,f1,question_mark,enter", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog") as box:
            box.border_title = "Help"
            with VerticalScroll(id="help-body"):
                for keys, meaning in KEYS:
                    yield Static(Content.assemble((f"{keys:<14}", "bold"), meaning), classes="help-key")
                yield Static(STATUS, id="help-status", markup=False)
        yield KeyFooter()

    def action_close(self) -> None:
        self.dismiss(None)
