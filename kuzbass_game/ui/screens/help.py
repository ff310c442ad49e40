"""The help screen: every key, what the status panel and the vote count mean, and (while
playing) what each value in the status means, in the author's words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from kuzbass_game.ui import markup

if TYPE_CHECKING:
    from kuzbass_game.engine.play import SceneView
from kuzbass_game.ui.widgets.footer import KeyFooter


def key_rows(app: App, *sources: Iterable[BindingType]) -> list[tuple[str, str]]:
    """Every key with a tooltip in `sources`, named as the footer names it, one row per meaning
    (the tooltip), in the order bound: the help's table is the bindings themselves."""
    rows: dict[str, list[str]] = {}
    for source in sources:
        for binding in Binding.make_bindings(source):
            if binding.tooltip:
                keys = rows.setdefault(binding.tooltip, [])
                shown = app.get_key_display(binding)
                if shown not in keys:
                    keys.append(shown)
    return [(", ".join(keys), meaning) for meaning, keys in rows.items()]


def game_keys(app: App) -> list[tuple[str, str]]:
    """The keys of a game in play (the story screen's, its list's, the app's), then the palette's."""
    from kuzbass_game.ui.screens.story import StoryScreen  # launch: a screen is imported the first time it is shown
    from kuzbass_game.ui.widgets.choices import ChoiceList  # (as above)

    rows = key_rows(app, StoryScreen.BINDINGS[:1], ChoiceList.BINDINGS, StoryScreen.BINDINGS[1:], app.BINDINGS)
    palette = Binding(app.COMMAND_PALETTE_BINDING, "command_palette", "palette")
    return [*rows, (app.get_key_display(palette), "command palette: new game, save, load, endings, theme…")]


ELSEWHERE = (
    ("i, g", "on the title screen: the introduction; the endings found"),
    ("a, g", "after an ending: the afterword; the endings found"),
    ("PgUp PgDn", "on the ending, the stats or the introduction: scroll"),
)

STATUS = (
    "The status panel shows the chapter, the date in the story and what the story keeps track "
    "of for you (money, health, your name…); it changes as you choose. On a wide screen it stands "
    "beside the story, with a bar for each value on a scale. A value your last choice changed is "
    "highlighted, and the change is written above the scene (Food −2; c turns that line off). Rest "
    "the mouse on a value to see what it means, or press t for the stats: what each value means "
    "and which choices changed it. A choice in italics is locked, with the reason beside it."
)

SCENE = (
    "Each new scene starts with the choice you took (› dimmed) and the story's answer to it. "
    "When that choice was your vote in a meeting, the count follows: how each group voted and "
    "what moved it, then the total with your vote and the result (PASSED, FAILED or TIED). "
    "When you meet something the codex explains, the scene says so: press x to read it."
)

SAVING = (
    "The game saves itself after every choice: Continue on the title screen picks up where you "
    "left off. Every ending you reach is kept, across games: g on the title screen or after an "
    "ending shows those found and, for the rest, the chapter they lie in."
)


class HelpScreen(ModalScreen[None]):
    """Keys and status, over whatever screen asked for help; any closing key returns."""

    BINDINGS = [
        Binding("escape,q,f1,question_mark,enter", "close", "Close"),
    ]

    def __init__(self, scene: SceneView | None = None) -> None:
        """`scene`: the scene in play, whose values the help explains."""
        super().__init__()
        self.scene = scene

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog") as box:
            box.border_title = "Help"
            with VerticalScroll(id="help-body"):
                for keys, meaning in [*game_keys(self.app), *ELSEWHERE]:
                    with Horizontal(classes="help-key"):  # two columns: a long meaning wraps under itself
                        yield Static(Content.styled(keys, "bold"), classes="help-keys")
                        yield Static(meaning, classes="help-meaning", markup=False)
                yield Static(SCENE, classes="help-text", markup=False)
                yield Static(STATUS, id="help-status", classes="help-text", markup=False)
                meanings = self.meanings()
                if meanings is not None:
                    yield Static(meanings, id="help-values", classes="help-text")
                yield Static(SAVING, classes="help-text", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()  # so the arrows and PgUp/PgDn scroll a long help

    def meanings(self) -> Content | None:
        """While playing: each shown value the author described, and what it means."""
        scene = self.scene
        described = [item for item in (scene.items if scene else ()) if item.description]
        if not described:
            return None
        lines = [Content.styled("What the values mean", "bold")]
        lines += [Content.assemble((f"{item.label}: ", "bold")) + markup.story(item.description) for item in described]
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
