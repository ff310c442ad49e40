"""The codex: what the player has learned (terms, people, disputed facts), searchable.

The entries this game has unlocked are listed in the order met; those a scene announced in this
session and not yet read are marked "new", and the newest of them is open when the codex opens. Typing filters the list (`codex.search`), the arrows
move through it, and the highlighted entry's text and sources are shown beside it. Escape closes.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from kuzbass_game.engine.play import search_codex
from kuzbass_game.engine.core import CodexEntry
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.footer import KeyFooter

EMPTY = "Your codex is empty: entries are added as you meet what they explain."
NEW_MARK = Content.styled("  new", "bold $accent")
PARAGRAPH_BREAK = Content("\n\n")


class CodexMarks:
    """Which entries are new in this session: announced by a scene, and not opened since."""

    def __init__(self) -> None:
        self.announced: set[str] = set()
        self.opened: set[str] = set()

    def announce(self, ids: Iterable[str]) -> None:
        self.announced.update(ids)

    def open(self, entry_id: str) -> None:
        self.opened.add(entry_id)

    def is_new(self, entry_id: str) -> bool:
        return entry_id in self.announced and entry_id not in self.opened


def title_of(entry: CodexEntry, new: bool) -> Content:
    title = markup.story(entry.title)
    return title + NEW_MARK if new else title


def page(entry: CodexEntry) -> Content:
    """An entry as it is read: its title, its paragraphs, then its sources."""
    parts = [markup.story(entry.title).stylize_before("bold $accent")]
    parts += [markup.story(paragraph) for paragraph in entry.text]
    if entry.sources:
        sources = [Content.styled("Sources", "bold")]
        sources += [Content("– ") + markup.story(source).stylize_before("italic") for source in entry.sources]
        parts.append(Content("\n").join(sources))
    return PARAGRAPH_BREAK.join(parts)


class CodexScreen(ModalScreen[None]):
    """Lists `entries`; the search line filters them as the player types."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("down", "move(1)", "Entries", key_display="↑↓", priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
        Binding("pagedown", "scroll_page(1)", "Scroll", key_display="PgUp/PgDn", priority=True),
        Binding("pageup", "scroll_page(-1)", "Scroll up", show=False, priority=True),
    ]

    def __init__(self, entries: list[CodexEntry], marks: CodexMarks | None = None) -> None:
        super().__init__()
        self.entries = entries
        self.marks = marks or CodexMarks()
        self.shown: list[CodexEntry] = []  # the entries the list holds now (after the search)
        self.current: CodexEntry | None = None  # the entry whose text is shown

    def compose(self) -> ComposeResult:
        with Vertical(id="codex-box", classes="dialog") as box:
            box.border_title = "Codex"
            yield Input(placeholder="type to search the codex", id="codex-search", compact=True)
            with Horizontal(id="codex-body"):
                yield OptionList(id="codex-list")
                with VerticalScroll(id="codex-entry"):
                    yield Static(id="codex-text")
            yield Static("Type to search; ↑ ↓ choose an entry; Esc closes.", classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        search_line = self.query_one("#codex-search", Input)
        if not self.entries:
            search_line.display = False
            self.query_one("#codex-list").display = False
            self.query_one("#codex-text", Static).update(EMPTY)
            return
        newest = next((e for e in reversed(self.entries) if self.marks.is_new(e.id)), self.entries[-1])
        self.fill(self.entries, select=newest)
        search_line.focus()

    # ------------------------------------------------------------ the list
    def fill(self, entries: list[CodexEntry], select: CodexEntry | None = None) -> None:
        """List `entries`, keeping `select` (or else the first) highlighted."""
        self.shown = entries
        menu = self.query_one("#codex-list", OptionList)
        menu.set_options(Option(title_of(e, self.marks.is_new(e.id)), id=e.id) for e in entries)
        menu.display = bool(entries)
        if not entries:
            query = self.query_one("#codex-search", Input).value.strip()
            self.show_entry(None, f"No entry you have unlocked mentions “{query}”.")
            return
        index = entries.index(select) if select in entries else 0
        menu.highlighted = index
        menu.scroll_to_highlight()
        self.show_entry(entries[index])

    def show_entry(self, entry: CodexEntry | None, message: str = "") -> None:
        """Show `entry`; the one shown before it is now read, and loses its "new"."""
        previous = self.current
        if previous is not None and previous is not entry:
            self.read(previous)
        self.current = entry
        text = self.query_one("#codex-text", Static)
        text.update(page(entry) if entry is not None else markup.plain(message))
        self.query_one("#codex-entry", VerticalScroll).scroll_home(animate=False)

    def read(self, entry: CodexEntry) -> None:
        was_new = self.marks.is_new(entry.id)
        self.marks.open(entry.id)
        if was_new and entry in self.shown:
            self.query_one("#codex-list", OptionList).replace_option_prompt(entry.id, title_of(entry, False))

    @on(OptionList.OptionHighlighted, "#codex-list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        entry = next((e for e in self.shown if e.id == event.option_id), None)
        if entry is not None and entry is not self.current:
            self.show_entry(entry)

    @on(Input.Changed, "#codex-search")
    def searched(self, event: Input.Changed) -> None:
        self.fill(search_codex(self.entries, event.value), select=self.current)

    @on(Input.Submitted, "#codex-search")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.shown:
            self.query_one("#codex-list", OptionList).focus()

    # ------------------------------------------------------------ keys
    def action_move(self, step: int) -> None:
        menu = self.query_one("#codex-list", OptionList)
        if menu.option_count:
            menu.action_cursor_down() if step > 0 else menu.action_cursor_up()

    def action_scroll_page(self, direction: int) -> None:
        entry = self.query_one("#codex-entry", VerticalScroll)
        entry.scroll_page_down() if direction > 0 else entry.scroll_page_up()

    def action_close(self) -> None:
        if self.current is not None:
            self.read(self.current)
        self.dismiss(None)
