"""The saved-games screen: every slot with where and when it was saved, and what to do with it.

Enter loads; s saves into a new slot; o overwrites, r renames, d deletes the highlighted one.
The list is grouped: the saves the player named first, then each game's autosaves and quicksave
(the game in play first, then the others, the most recently saved first), so a second game never
buries the first one's. Slots that cannot be loaded stay listed with the reason, so they can
still be deleted. Everything shown about a slot is plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from kuzbass_game.engine.play import Game
from kuzbass_game.engine.storage import GameGroup, SlotInfo, game_id_of
from kuzbass_game.engine.core import play_time
from kuzbass_game.ui.saving import Loaded, Problem, Saves, shown
from kuzbass_game.ui.screens.dialogs import ConfirmDialog, NameDialog, SlotName
from kuzbass_game.ui.widgets.footer import KeyFooter

HEADING_STYLE = "bold $accent"


def describe(slot: SlotInfo) -> Content:
    """A few lines about one slot, all plain text (a saved chapter, date or ending reads as written)."""
    lines = [Content.styled(slot.label, "bold")]
    if slot.problem:
        lines.append(Content.styled(f"Cannot be loaded: {slot.problem}", "bold $error"))
        return Content("\n").join(lines)
    facts = [Content(shown(part)) for part in (slot.chapter, slot.date) if part]
    facts.append(Content(f"played {play_time(slot.play_seconds)}"))
    if slot.saved_at is not None:
        facts.append(Content(f"saved {slot.saved_at.astimezone():%Y-%m-%d %H:%M}"))
    lines.append(Content(" · ").join(facts))
    if slot.ending:
        lines.append(Content.styled("The end: ", "bold") + Content(shown(slot.ending)))
    if slot.excerpt:
        lines.append(Content.styled(slot.excerpt.strip(), "italic $text-muted"))
    if slot.notice:
        lines.append(Content.styled(slot.notice, "$warning"))
    return Content("\n").join(lines)


def game_numbers(games: list[GameGroup]) -> dict[str | None, int]:
    """Each game's number, in the order the games were begun (their oldest slot first), so a game
    keeps its number as others are played after it: the first game stays "Game 1"."""

    def begun(group: GameGroup) -> float:
        return min((slot.saved_at.timestamp() for slot in group.slots if slot.saved_at is not None), default=float("inf"))

    known = sorted((group for group in games if group.game_id is not None), key=begun)
    return {group.game_id: number for number, group in enumerate(known, 1)}


def group_slots(games: list[GameGroup], playing: str | None = None) -> list[tuple[str, list[SlotInfo]]]:
    """The slots in the groups the list shows, each with its heading: the named saves (newest
    first), then each game's autosaves and quicksave (the game `playing` first, then the most
    recently saved game first), then automatic saves whose game cannot be told (damaged)."""
    named = [slot for group in games for slot in group.slots if slot.kind == "manual"]
    named.sort(key=lambda slot: slot.saved_at.timestamp() if slot.saved_at else float("-inf"), reverse=True)
    groups: list[tuple[str, list[SlotInfo]]] = [("Your saves", named)] if named else []
    ordered = sorted(games, key=lambda group: group.game_id is None or group.game_id != playing)  # stable
    numbers = game_numbers(games)
    for group in ordered:
        automatic = [slot for slot in group.slots if slot.kind != "manual"]
        if not automatic:
            continue
        auto, quick = (any(slot.kind == kind for slot in automatic) for kind in ("auto", "quick"))
        kinds = "autosaves and quicksave" if auto and quick else "autosaves" if auto else "quicksave"
        if group.game_id is None:
            heading = "Automatic saves too damaged to tell their game"
        elif group.game_id == playing:
            heading = f"This game: {kinds}"
        else:
            when = group.saved_at
            last = f", last saved {when.astimezone():%Y-%m-%d %H:%M}" if when else ""
            heading = f"Game {numbers[group.game_id]}{last}: {kinds}"
        groups.append((heading, automatic))
    return groups


class SavesScreen(ModalScreen[Loaded | None]):
    """Lists slots; saving needs a game in play, so from the title screen it only loads."""

    BINDINGS = [
        Binding("s", "save_new", "Save new"),
        Binding("o", "overwrite", "Overwrite"),
        Binding("r", "rename", "Rename"),
        Binding("d", "delete", "Delete"),
        Binding("escape", "close", "Close"),
    ]

    def __init__(self, saves: Saves, game: Game | None = None, seconds: Callable[[], float] | None = None, *, ask_name: bool = False) -> None:
        super().__init__()
        self.saves = saves
        self.ask_name = ask_name  # open straight onto "save as" (the palette's Save command)
        self.game = game
        self.seconds = seconds or (lambda: 0.0)
        self.slots: list[SlotInfo] = []  # in the order shown
        self.headings: list[str] = []  # the group headings shown (none when there is one group)

    def compose(self) -> ComposeResult:
        with Vertical(id="saves-box", classes="dialog") as box:
            box.border_title = "Saved games"
            yield Static(id="saves-empty", markup=False)
            yield OptionList(id="saves-list")
            yield Static("Enter loads the highlighted save.", classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#saves-box").loading = True  # until the first scan is in
        self.refresh_slots()
        if self.ask_name:
            self.action_save_new()

    def refresh_slots(self, select: str | None = None) -> None:
        """List the slots again, read in a thread worker (every slot is read); `select`: the slot
        to highlight once they are shown."""
        self.scan(select)

    @work(thread=True, exclusive=True, group="scan", description="Reading the saved games")
    def scan(self, select: str | None) -> tuple[list[GameGroup], str | None]:
        return self.saves.games(), select

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        result = event.worker.result
        if event.worker.group == "scan" and event.state == WorkerState.SUCCESS and result is not None:
            games, select = result
            self.show_slots(games, select)

    def show_slots(self, games: list[GameGroup], select: str | None = None) -> None:
        playing = game_id_of(self.game) if self.game is not None else None
        groups = group_slots(games, playing)
        titled = len(groups) > 1
        self.slots, self.headings = [], []
        options: list[Option | None] = []
        for heading, slots in groups:
            if titled:
                self.headings.append(heading)
                if options:
                    options.append(None)
                options.append(Option(Content.styled(heading, HEADING_STYLE), id=f"group-{len(self.headings)}", disabled=True))
            for i, slot in enumerate(slots):
                if i:
                    options.append(None)  # a rule between two slots
                options.append(Option(describe(slot), id=f"slot-{len(self.slots)}"))
                self.slots.append(slot)
        menu = self.query_one("#saves-list", OptionList)
        menu.clear_options()
        menu.add_options(options)
        menu.display = bool(self.slots)
        if not self.highlight(select):
            self.highlight(self.slots[0].name if self.slots else None)
        empty = self.saves.problem or "No saved games yet." + (" Press s to save this one." if self.game else "")
        self.query_one("#saves-empty", Static).update(empty)
        self.query_one("#saves-empty").display = not self.slots
        self.query_one("#saves-box").loading = False
        menu.focus()
        self.refresh_bindings()

    def highlight(self, name: str | None) -> bool:
        """Put the highlight on the slot called `name`; False if there is none."""
        index = next((i for i, slot in enumerate(self.slots) if slot.name == name), None)
        if index is None:
            return False
        menu = self.query_one("#saves-list", OptionList)
        menu.highlighted = menu.get_option_index(f"slot-{index}")
        return True

    @property
    def current(self) -> SlotInfo | None:
        menu = self.query_one("#saves-list", OptionList)
        if menu.highlighted is None or menu.highlighted >= menu.option_count:
            return None
        option_id = menu.get_option_at_index(menu.highlighted).id or ""
        if not option_id.startswith("slot-"):
            return None
        return self.slots[int(option_id.removeprefix("slot-"))]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        slot = self.current
        if action == "save_new":
            return self.game is not None and self.saves.available
        if action == "overwrite":  # only a save the player named: autosaves and the quicksave take care of themselves
            return False if self.game is None else (slot is not None and slot.kind == "manual" or None)
        if action == "rename":
            return slot is not None and slot.loadable or None
        if action == "delete":
            return slot is not None or None
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
            self.notify(f"Could not load “{slot.label}”: {result}", severity="error", markup=False)
            return
        self.dismiss(result)

    # ------------------------------------------------------------ saving
    def action_save_new(self, initial: str = "", problem: str | None = None) -> None:
        """Ask for a name; a name that is taken asks before replacing that save, and a save that
        fails opens the dialog again with the name typed and the reason."""
        game = self.game
        if game is None:
            return
        taken = {slot.name for slot in self.slots}

        def note(name: str) -> str | None:
            return f"There is already a save called “{name}”: Enter asks before replacing it." if name in taken else None

        def named(name: str | None) -> None:
            if not name:
                return
            problem = self.saves.save(game, name, self.seconds(), overwrite=False)
            if problem is None:
                self.tell(None, f"Saved as “{name}”.")
                self.refresh_slots(select=name)
            elif problem.kind == "exists":
                self.ask_to_replace(name)
            else:
                self.action_save_new(name, problem)

        self.app.push_screen(
            NameDialog("Save this game as:", initial, problem=problem, note=note, validators=[SlotName(self.saves.name_problem)]), named
        )

    def ask_to_replace(self, name: str) -> None:
        """The name the player typed is taken: replace that save (as it is listed now), or type another."""
        self.show_slots(self.saves.games(), select=name)  # now, not in a worker: the question needs the slot as listed
        listed = next((slot for slot in self.slots if slot.name == name), None)
        if listed is None:  # a folder that ignores case holds it under another spelling
            listed = next((slot for slot in self.slots if slot.name.casefold() == name.casefold()), None)

        def answered(yes: bool | None) -> None:
            if not yes:
                self.action_save_new(name)
            elif listed is not None:
                self.replace(listed)
            else:
                self.action_save_new(name, "That save cannot be replaced from here (it is not in the list): choose another name.")

        self.app.push_screen(
            ConfirmDialog(f"There is already a save called “{name}”. Replace it with the game in play?", yes="Replace", no="Choose another name"),
            answered,
        )

    def replace(self, slot: SlotInfo) -> None:
        """Save over `slot`, but only if it is still the save listed (another copy of the game may have written it)."""
        if self.game is None:
            return
        problem = self.saves.save(self.game, slot.name, self.seconds(), expect=slot)
        if problem is not None and problem.kind == "changed":
            problem = Problem(
                f"Not saved: “{slot.label}” was changed by another copy of the game since it was listed. Look at it again before you replace it.",
                "changed",
            )
        self.tell(problem, f"Saved over “{slot.label}”.")
        self.refresh_slots(select=slot.name)

    def action_overwrite(self) -> None:
        slot = self.current
        if slot is None or self.game is None or slot.kind != "manual":
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.replace(slot)

        self.app.push_screen(ConfirmDialog(f"Replace the save “{slot.label}” with the game in play?", yes="Overwrite"), confirmed)

    def action_rename(self, initial: str | None = None, problem: str | None = None) -> None:
        slot = self.current
        if slot is None or not slot.loadable:
            return
        taken = {other.name for other in self.slots if other.name != slot.name}

        def named(name: str | None) -> None:
            if not name or name == slot.name:
                return
            failed = self.saves.rename(slot.name, name)
            if failed is None:
                self.tell(None, f"Renamed to “{name}”.")
                self.refresh_slots(select=name)
            else:
                self.action_rename(name, failed)  # the typed name stays, with the reason

        start = initial if initial is not None else (slot.name if slot.kind == "manual" else "")
        self.app.push_screen(
            NameDialog(f"New name for “{slot.label}”:", start, problem=problem, validators=[SlotName(self.saves.name_problem, taken)]), named
        )

    def action_delete(self) -> None:
        slot = self.current
        if slot is None:
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                problem = self.saves.delete(slot)
                if problem is not None and problem.kind == "changed":
                    problem = Problem(
                        f"Not deleted: “{slot.label}” was changed by another copy of the game since it was listed. Look at it again first.", "changed"
                    )
                self.tell(problem, f"Deleted “{slot.label}”.")
                self.refresh_slots()

        self.app.push_screen(ConfirmDialog(f"Delete the save “{slot.label}”? This cannot be undone.", yes="Delete"), confirmed)

    def action_close(self) -> None:
        self.dismiss(None)
