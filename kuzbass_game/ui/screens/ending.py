"""The ending screen: the last scene's text under the ending's title, the run summed up, and where
to go next.

It returns the player's pick to the story screen ("title", "new", "back" or "quit") instead
of acting itself, so it never needs to know about games or saves. Above the text it shows what
the last choice did (a vote's count, say), and `x` and `v` ask the story screen for the codex
and the whole count, as they do in play. Below the text: how many endings the player has found,
the run told (how long, the votes cast and which the player's ballot turned, the choices that
decided the ending, what the player came with and kept) and, when the story has one, the afterword (`a`).

It opens at the top with the text focused, so the arrows, PgUp/PgDn and Home/End scroll it at any
size; the letters pick from the menu at the bottom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from kuzbass_game.engine.play import SceneView
from kuzbass_game.engine.play import RunSummary, run_sections
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.aftermath import SceneVisual
from kuzbass_game.ui.widgets.footer import KeyFooter

OPTIONS = (
    ("title", "t", "Back to the title screen"),
    ("new", "n", "New game"),
    ("back", "b", "Step back one choice"),
    ("afterword", "a", "Afterword: what became of it all"),
    ("gallery", "g", "Endings found"),
    ("quit", "q", "Quit"),
)
NEWLINE = Content("\n")
SEMI = Content.styled("; ", "dim")


def heading(text: str) -> Content:
    return Content.styled(text, "bold $accent")


def run_summary(summary: RunSummary, shown: frozenset[str] | None = None) -> Content:
    """The run told: how long, the votes cast (and which the player's ballot turned), what decided
    the ending, and what the player came with and kept (the engine words them: `run_sections`).

    `shown`: the names of the values the story shows; a decisive choice lists only their changes
    (the story's hidden bookkeeping stays hidden)."""
    sections = run_sections(summary)
    lines: list[Content] = []
    for index, (title, told) in enumerate(sections):
        lines += ([Content("")] if lines else []) + [heading(title)] + [markup.story(line) for line in told]
        if index == 0 and summary.decisive:
            lines += [Content(""), heading("What decided this ending"), *decisive_lines(summary, shown)]
    return NEWLINE.join(lines)


def decisive_lines(summary: RunSummary, shown: frozenset[str] | None) -> list[Content]:
    """Each choice that decided the ending, when it was made, and what it changed of the shown values."""
    lines = []
    for step in summary.decisive:
        when = [markup.story(part) for part in (step.date, step.chapter) if part]
        choice = Content("› ") + markup.story(step.text)
        if when:
            choice += Content.styled("  (", "dim") + Content(", ").join(when).stylize("dim") + Content.styled(")", "dim")
        lines.append(choice)
        changed = [
            markup.story(c.label)
            + Content(f" {c.delta:+d}".replace("-", "−") if c.delta is not None else "")
            + (Content.styled(f" ({c.cause})", "dim") if c.cause else Content(""))
            for c in step.changes
            if shown is None or c.name in shown
        ]
        if changed:
            lines.append(Content("  ") + SEMI.join(changed).stylize("dim"))
    return lines


if TYPE_CHECKING:
    from kuzbass_game.ui.app import KuzbassApp


class EndingScreen(Screen[str]):
    """Shows `scene.ending` prominently; dismisses with what the player picked."""

    if TYPE_CHECKING:  # the game's own app, for the checker (no run-time cost)
        app: KuzbassApp

    BINDINGS = [
        Binding("t", "pick('title')", "Title"),
        Binding("n", "pick('new')", "New game"),
        Binding("b,backspace", "pick('back')", "Back"),
        Binding("a", "pick('afterword')", "Afterword"),
        Binding("g", "pick('gallery')", "Endings"),
        Binding("x", "story('codex')", "Codex", show=False),
        Binding("v", "story('tally')", "Count", show=False),
        Binding("f1,question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "pick('quit')", "Quit"),
    ]

    def __init__(
        self,
        scene: SceneView,
        summary: RunSummary | None = None,
        found: tuple[int, int] | None = None,
        afterword: tuple[str, ...] = (),
        shown: frozenset[str] | None = None,
    ) -> None:
        super().__init__()
        self.scene = scene
        self.summary = summary
        self.shown = shown
        self.found = found
        self.afterword = afterword

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
                if self.found is not None:
                    found, total = self.found
                    yield Static(f"Ending {found} of {total} found. g shows them all.", id="ending-found", markup=False)
                if self.summary is not None:
                    yield Static(run_summary(self.summary, self.shown), id="ending-summary", classes="paragraph")
                if self.afterword:
                    yield Static(
                        "The story is over; the history goes on. Press a to read the afterword.",
                        id="ending-afterword-hint",
                        classes="paragraph",
                        markup=False,
                    )
                yield OptionList(
                    *(Option(Content.assemble((f"{key}  ", "bold"), label), id=pick) for pick, key, label in OPTIONS if self.offers(pick)),
                    id="ending-menu",
                )
        yield KeyFooter()

    def offers(self, pick: str) -> bool:
        return pick != "afterword" or bool(self.afterword)

    def on_mount(self) -> None:
        scroll = self.query_one("#ending-scroll", VerticalScroll)
        scroll.focus(scroll_visible=False)
        scroll.scroll_home(animate=False, immediate=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "story":
            return parameters != ("tally",) or self.scene.tally is not None
        if action == "pick":
            return self.offers(str(parameters[0]))
        return True

    async def action_story(self, action: str) -> None:
        """The codex or the whole count: an action of the story screen below, which knows the game."""
        story = self.app.story_screen
        if story is not None:
            await story.run_action(action)

    @on(OptionList.OptionSelected, "#ending-menu")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(str(event.option_id))

    def action_pick(self, pick: str) -> None:
        if pick == "afterword":
            from kuzbass_game.ui.screens.reading import ReadingScreen  # launch: a screen is imported the first time it is shown

            self.app.push_screen(ReadingScreen("Afterword", self.afterword, "ending"))
        elif pick == "gallery":
            self.app.action_gallery()
        else:
            self.dismiss(pick)
