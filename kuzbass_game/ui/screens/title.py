"""The title screen: the story's name and New game / Continue / Load / Quit, keyboard first.

New game asks before it leaves a game in progress (screens/new_game.py); Continue resumes the
most recently saved game. The keys of a game in play (j, s, F5) say what they need here rather
than doing nothing; F9 is the app's (it loads the quicksave, or says there is none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kuzbass_game.ui import markup
from kuzbass_game.ui.saving import shown
from kuzbass_game.ui.widgets.footer import KeyFooter

SUBTITLE = "Interactive fiction for the terminal"
NOT_HERE = {  # what a key of a game in play needs, said when it is pressed here
    "journal": "The journal (j) lists the choices of a game in play: {start}",
    "save": "Saving (s) needs a game in play: {start}{load}",
    "quicksave": "Quicksave (F5) saves a game in play: {start}",
}


def menu_entry(key: str, label: str, detail: Content | None = None) -> Content:
    entry = Content.assemble((f"{key}  ", "bold"), label)
    return entry + Content.styled("  ·  ", "dim") + detail if detail else entry


if TYPE_CHECKING:
    from kuzbass_game.engine.storage import SlotInfo
    from kuzbass_game.ui.app import KuzbassApp


class TitleScreen(Screen):
    """The first screen and the one every game returns to; it asks the app to do the work."""

    if TYPE_CHECKING:  # the game's own app, for the checker (no run-time cost)
        app: KuzbassApp

    BINDINGS = [
        Binding("n", "new_game", "New game"),
        Binding("c", "continue_game", "Continue"),
        Binding("l", "load_game", "Load"),
        Binding("j", "not_here('journal')", "Journal", show=False),
        Binding("s", "not_here('save')", "Save", show=False),
        Binding("f5", "not_here('quicksave')", "Quicksave", show=False),
        Binding("f1,question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.has_latest = False
        self.has_slots = False
        self.latest: SlotInfo | None = None  # the SlotInfo Continue resumes

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):  # centred on the screen by app.tcss
            yield Static(markup.plain(self.app.title), id="title-name")
            subtitle = self.app.story.description  # type: ignore[attr-defined]
            yield Static(markup.story(subtitle) if subtitle else SUBTITLE, id="title-subtitle")
            yield OptionList(id="title-menu")
            yield Static(id="title-note", markup=False)
        yield KeyFooter()

    def on_screen_resume(self) -> None:
        self.refresh_menu()

    def refresh_menu(self) -> None:
        saves = self.app.saves
        self.has_slots = saves.has_slots()
        latest = saves.latest() if self.has_slots else None
        self.latest = latest
        self.has_latest = latest is not None
        detail = None
        if latest is not None:  # a saved chapter and date: plain text, as they read
            place = [shown(part) for part in (latest.chapter, latest.date) if part]
            detail = Content(", ".join(place)) if place else None
        menu = self.query_one("#title-menu", OptionList)
        menu.clear_options()
        menu.add_options(
            [
                Option(menu_entry("n", "New game"), id="new_game"),
                Option(menu_entry("c", "Continue", detail), id="continue_game", disabled=latest is None),
                Option(menu_entry("l", "Load"), id="load_game", disabled=not self.has_slots),
                Option(menu_entry("q", "Quit"), id="quit"),
            ]
        )
        menu.highlighted = 1 if latest is not None else 0
        menu.focus()
        note = saves.problem or ("" if self.has_slots else "No saved games yet.")
        self.query_one("#title-note", Static).update(note)
        self.query_one("#title-note").display = bool(note)
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#title-menu")
    async def picked(self, event: OptionList.OptionSelected) -> None:
        await self.run_action("app.quit" if event.option_id == "quit" else str(event.option_id))

    def action_new_game(self) -> None:
        from kuzbass_game.ui.screens.new_game import start_new_game  # launch: only when a new game is asked for

        start_new_game(self.app, self.latest)

    def action_continue_game(self) -> None:
        self.app.continue_game()

    def action_load_game(self) -> None:
        self.app.open_saves()

    def action_not_here(self, what: str) -> None:
        start = "start a new game (n) or continue one (c) first." if self.has_latest else "start a new game (n) first."
        load = " To load a saved game, press l." if self.has_slots else ""
        self.notify(NOT_HERE[what].format(start=start, load=load), title="Not on the title screen", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "continue_game":
            return True  # with nothing to continue, c says so (a key that does nothing seems broken)
        if action == "load_game":
            return self.has_slots or None
        return True
