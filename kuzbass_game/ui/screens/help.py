"""The help screen: every key, what the status panel and the vote count mean, and (while
playing) what each value in the status means, in the author's words."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.footer import KeyFooter

KEYS = (
    ("1 – 9", "take the choice with that number"),
    ("↑ ↓, Enter", "move between choices and take one (or click it)"),
    ("b, Backspace", "step back one choice (Ctrl+Z while typing)"),
    ("PgUp PgDn", "scroll the story text"),
    ("j", "journal: the choices so far; go back to any of them"),
    ("x", "codex: what you have learned; type to search it"),
    ("t", "stats: each value, what it means, which choices changed it"),
    ("v", "the whole count of the last vote and what swayed it"),
    ("c", "turn the change line above each scene off or on"),
    ("s", "saved games: save, load, rename, delete"),
    ("F5 / F9", "quicksave / quickload"),
    ("Ctrl+P", "command palette: new game, save, load, endings, theme…"),
    ("Ctrl+T", "switch between dark and light theme (remembered)"),
    ("? or F1", "this help (F1 while you type an answer)"),
    ("q, Ctrl+Q", "quit (the game is saved automatically)"),
)

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

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog") as box:
            box.border_title = "Help"
            with VerticalScroll(id="help-body"):
                for keys, meaning in KEYS + ELSEWHERE:
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
        story_screen = getattr(self.app, "story_screen", None)
        scene = story_screen.scene if story_screen is not None else None
        described = [item for item in (scene.items if scene else ()) if item.description]
        if not described:
            return None
        lines = [Content.styled("What the values mean", "bold")]
        lines += [Content.assemble((f"{item.label}: ", "bold")) + markup.story(item.description) for item in described]
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)
