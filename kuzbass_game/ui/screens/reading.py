"""A page to read: the story's introduction (before a first game, or from the title screen) and
its afterword (after an ending). Author markup, at a reading measure, scrolled with the keys.

It dismisses with True when the player goes on (Enter) and False when they skip (Esc).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.footer import KeyFooter

PARAGRAPH_BREAK = Content("\n\n")
GO_ON = {  # where Enter goes on to, as the footer and the lines above the text name it
    "begin": "Begin the story",
    "title": "Back to the title screen",
    "ending": "Back to the ending",
}


class ReadingScreen(Screen[bool]):
    """A heading and paragraphs; Enter goes on, Esc skips (or closes), PgUp/PgDn/Home/End scroll."""

    BINDINGS = [
        *(Binding("enter", f"go_on('{where}')", label, key_display="Enter") for where, label in GO_ON.items()),
        Binding("escape", "skip", "Skip"),
        Binding("escape", "close", "Close"),
        Binding("pageup", "scroll('page_up')", "Scroll up", show=False),
        Binding("pagedown", "scroll('page_down')", "Scroll down", show=False),
        Binding("home", "scroll('home')", "Top", show=False),
        Binding("end", "scroll('end')", "Bottom", show=False),
        Binding("f1,question_mark", "app.help", "Help", key_display="?"),
    ]

    def __init__(self, heading: str, paragraphs: tuple[str, ...], go_on: str, skip: bool = False) -> None:
        """`go_on`: where Enter leads, a key of `GO_ON`; `skip`: Esc skips (else it closes)."""
        super().__init__()
        self.heading = heading
        self.paragraphs = paragraphs
        self.go_on = go_on
        self.go_on_label = GO_ON[go_on]
        self.skip_label = "Skip" if skip else None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="reading-scroll"):
            with Vertical(id="reading-box"):
                hint = f"Enter: {self.go_on_label.lower()}"
                if self.skip_label:
                    hint += f"   ·   Esc: {self.skip_label.lower()}"
                yield Static(markup.plain(self.heading), id="reading-heading")
                yield Static(hint, id="reading-lead", classes="reading-hint", markup=False)
                text = PARAGRAPH_BREAK.join(markup.story(paragraph) for paragraph in self.paragraphs)
                yield Static(text, id="reading-text", classes="paragraph")
                yield Static(hint, id="reading-hint", classes="reading-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        scroll = self.query_one("#reading-scroll", VerticalScroll)
        scroll.focus()
        scroll.scroll_home(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("skip", "close"):
            return (action == "skip") == bool(self.skip_label)
        if action == "go_on":
            return parameters == (self.go_on,)
        return True

    def action_scroll(self, where: str) -> None:
        getattr(self.query_one("#reading-scroll", VerticalScroll), f"scroll_{where}")(animate=False)

    def action_go_on(self, _where: str) -> None:
        self.dismiss(True)

    def action_skip(self) -> None:
        self.dismiss(False)

    def action_close(self) -> None:
        self.dismiss(False)
