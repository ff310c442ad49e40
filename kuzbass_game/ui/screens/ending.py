"""The ending screen: the last scene's text under the ending's title, and where to go next.

It returns the player's pick to the story screen ("title", "new", "back" or "quit") instead
of acting itself, so it never needs to know about games or saves. Above the text it shows what
the last choice did (a vote's count, say), and `x` and `v` ask the story screen for the codex
and the whole count, as they do in play.
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
from kuzbass_game.ui.widgets.aftermath import SceneVisual
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
        Binding("x", "story('codex')", "Codex"),
        Binding("v", "story('tally')", "Count"),
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
                aftermath = SceneVisual(self.scene)
                if aftermath.has_aftermath:
                    yield Static(aftermath, id="ending-aftermath", classes="paragraph")
                for paragraph in self.scene.paragraphs:
                    yield Static(markup.story(paragraph), classes="paragraph")
                yield OptionList(
                    *(Option(Content.assemble((f"{key}  ", "bold"), label), id=pick) for pick, key, label in OPTIONS),
                    id="ending-menu",
                )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#ending-menu", OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "story":
            return parameters != ("tally",) or self.scene.tally is not None
        return True

    def action_story(self, action: str) -> None:
        """The codex or the whole count: the story screen below knows the game."""
        story = self.app.story_screen
        if story is not None:
            getattr(story, f"action_{action}")()

    @on(OptionList.OptionSelected, "#ending-menu")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(str(event.option_id))

    def action_pick(self, pick: str) -> None:
        self.dismiss(pick)
