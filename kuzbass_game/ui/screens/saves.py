"""The saved-games screen: every slot with where and when it was saved, and what to do with it.

Enter loads; s saves into a new slot; o overwrites, r renames, d deletes the highlighted one.
Slots that cannot be loaded stay listed with the reason, so they can still be deleted.
"""

from __future__ import annotations

from typing import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kuzbass_game.engine.runtime import Game
from kuzbass_game.ui import markup
from kuzbass_game.engine.saves import SlotInfo
from kuzbass_game.ui.saving import Loaded, Saves
from kuzbass_game.ui.screens.dialogs import ConfirmDialog, NameDialog
from kuzbass_game.ui.widgets.footer import KeyFooter


KINDS = {"auto": "  (autosave)", "quick": "  (quicksave)"}


def describe(slot: SlotInfo) -> Content:
    """A few lines about one slot; only chapter, date and ending title are author markup."""
    lines = [Content.styled(slot.name, "bold") + Content.styled(KINDS.get(slot.kind, ""), "dim")]
    if slot.problem:
        lines.append(Content.styled(f"Cannot be loaded: {slot.problem}", "bold $error"))
        return Content("\n").join(lines)
    facts = [markup.story(part) for part in (slot.chapter, slot.date) if part]
    facts.append(Content(f"played {markup.play_time(slot.play_seconds)}"))
    if slot.saved_at is not None:
        facts.append(Content(f"saved {slot.saved_at.astimezone():%Y-%m-%d %H:%M}"))
    lines.append(Content(" · ").join(facts))
    if slot.ending:
        lines.append(Content.styled("The end: ", "bold") + markup.story(slot.ending))
    if slot.excerpt:
        lines.append(Content.styled(slot.excerpt.strip(), "italic $text-muted"))
    if slot.notice:
        lines.append(Content.styled(slot.notice, "$warning"))
    return Content("\n").join(lines)


class SavesScreen(ModalScreen[Loaded | None]):
    """Lists slots; saving needs a game in play, so from the title screen it only loads."""

    BINDINGS = [
        Binding("s", "save_new", "Save new"),
        Binding("o", "overwrite", "Overwrite"),
        Binding("r", "rename", "Rename"),
        Binding("d", "delete", "Delete"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, saves: Saves, game: Game | None = None, seconds: Callable[[], float] | None = None,
                 *, ask_name: bool = False) -> None:
        super().__init__()
        self.saves = saves
        self.ask_name = ask_name  # open straight onto "save as" (the palette's Save command)
        self.game = game
        self.seconds = seconds or (lambda: 0.0)
        self.slots: list[SlotInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="saves-box", classes="dialog") as box:
            box.border_title = "Saved games"
            yield Static(id="saves-empty", markup=False)
            yield OptionList(id="saves-list")
            yield Static("Enter loads the highlighted save.",
                         classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_slots()
        if self.ask_name:
            self.action_save_new()

    def refresh_slots(self, select: str | None = None) -> None:
        self.slots = self.saves.slots()
        menu = self.query_one("#saves-list", OptionList)
        menu.clear_options()
        for i, slot in enumerate(self.slots):  # a rule (None) between slots; it does not shift indices
            menu.add_options([None, Option(describe(slot), id=f"slot-{i}")] if i else [Option(describe(slot), id=f"slot-{i}")])
        names = [slot.name for slot in self.slots]
        menu.highlighted = names.index(select) if select in names else (0 if names else None)
        menu.display = bool(self.slots)
        empty = self.saves.problem or "No saved games yet." + (" Press s to save this one." if self.game else "")
        self.query_one("#saves-empty", Static).update(empty)
        self.query_one("#saves-empty").display = not self.slots
        menu.focus()
        self.refresh_bindings()

    @property
    def current(self) -> SlotInfo | None:
        index = self.query_one("#saves-list", OptionList).highlighted
        return self.slots[index] if index is not None and index < len(self.slots) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_new":
            return self.game is not None and self.saves.available
        if action == "overwrite":
            return False if self.game is None else (self.current is not None or None)
        if action in ("rename", "delete"):
            return self.current is not None or None
        return True

    def tell(self, problem: str | None, done: str) -> None:
        self.notify(problem or done, severity="error" if problem else "information", markup=False)

    @on(OptionList.OptionSelected, "#saves-list")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.action_load()

    @on(OptionList.OptionHighlighted, "#saves-list")
    def moved(self) -> None:
        self.refresh_bindings()

    def action_load(self) -> None:
        slot = self.current
        if slot is None:
            return
        if slot.problem:
            self.notify(f"This save cannot be loaded: {slot.problem}", severity="error", markup=False)
            return
        result = self.saves.load(slot.name)
        if isinstance(result, str):
            self.notify(f"Could not load “{slot.name}”: {result}", severity="error", markup=False)
            return
        self.dismiss(result)

    def action_save_new(self) -> None:
        def named(name: str | None) -> None:
            if name:
                problem = self.saves.save(self.game, name, self.seconds())
                self.tell(problem, f"Saved as “{name}”.")
                self.refresh_slots(select=name)

        if self.game is not None:
            self.app.push_screen(NameDialog("Save this game as:"), named)

    def action_overwrite(self) -> None:
        slot = self.current
        if slot is None or self.game is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.tell(self.saves.save(self.game, slot.name, self.seconds()), f"Saved over “{slot.name}”.")
                self.refresh_slots(select=slot.name)

        self.app.push_screen(ConfirmDialog(f"Replace the save “{slot.name}” with the game in play?",
                                           yes="Overwrite"), confirmed)

    def action_rename(self) -> None:
        slot = self.current
        if slot is None:
            return

        def named(name: str | None) -> None:
            if name and name != slot.name:
                self.tell(self.saves.rename(slot.name, name), f"Renamed to “{name}”.")
                self.refresh_slots(select=name)

        self.app.push_screen(NameDialog(f"New name for “{slot.name}”:", initial=slot.name), named)

    def action_delete(self) -> None:
        slot = self.current
        if slot is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.tell(self.saves.delete(slot.name), f"Deleted “{slot.name}”.")
                self.refresh_slots()

        self.app.push_screen(ConfirmDialog(f"Delete the save “{slot.name}”? This cannot be undone.",
                                           yes="Delete"), confirmed)

    def action_close(self) -> None:
        self.dismiss(None)
