"""The ending screen: the last scene's text under the ending's title, and where to go next.

It returns the player's pick to the story screen ("title", "new", "back" or "quit") instead
of acting itself, so it never needs to know about games or saves.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from kuzbass_game.engine.runtime import SceneView
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.footer import KeyFooter

OPTIONS = (
    ("title", "t", "Back to the title screen"),
    ("new", "n", "New game"),
    ("back", "b", "Step back one choice"),
    ("quit", "q", "Quit"),
)


class EndingScreen(Screen[str]):
    """Shows `scene.ending` prominently; dismisses with what the player picked."""

    BINDINGS = [
        Binding("t", "pick('title')", "Title"),
        Binding("n", "pick('new')", "New game"),
        Binding("b,backspace", "pick('back')", "Back"),
        Binding("f1,question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "pick('quit')", "Quit"),
    ]

    def __init__(self, scene: SceneView) -> None:
        super().__init__()
        self.scene = scene

    def compose(self) -> ComposeResult:
        yield Header(icon="❄")
        with VerticalScroll(id="ending-scroll"):
            with Vertical(id="ending-box"):
                yield Static("T H E   E N D", id="ending-mark", markup=False)
                yield Static(markup.story(self.scene.ending), id="ending-title")
                for paragraph in self.scene.paragraphs:
                    yield Static(markup.story(paragraph), classes="paragraph")
                yield OptionList(
                    *(Option(Content.assemble((f"{key}  ", "bold"), label), id=pick) for pick, key, label in OPTIONS),
                    id="ending-menu",
                )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#ending-menu", OptionList).focus()

    @on(OptionList.OptionSelected, "#ending-menu")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(str(event.option_id))

    def action_pick(self, pick: str) -> None:
        self.dismiss(pick)
