"""The status panel: where and when the story is, and the variables the author chose to show.

It holds two renderings of the same scene; the screen's width class (`-narrow` or `-wide`) in
app.tcss shows a bar of wrapped "label: value" pairs on top of narrow terminals and a side
panel on wide ones.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label, Static

from kuzbass_game.engine.runtime import SceneView
from kuzbass_game.ui import markup

SEPARATOR = Content.styled("  │  ", "dim")


def where(scene: SceneView) -> Content:
    """Chapter and date, joined (either may be missing)."""
    parts = [markup.story(part) for part in (scene.chapter, scene.date) if part]
    return Content(" · ").join(parts)


def pair(label: str, value: str) -> Content:
    return Content.assemble((f"{label}: ", "dim"), markup.story(value))


class StatusLine(Widget):
    """Pieces separated by bars, wrapped between pieces and never inside one ("Trade: miner")."""

    def __init__(self, pieces: list[Content], id: str | None = None) -> None:
        super().__init__(id=id)
        self.pieces = pieces

    def lines(self, width: int) -> list[Content]:
        lines: list[Content] = []
        line = Content("")
        for piece in self.pieces:
            joined = line + SEPARATOR + piece if line else piece
            if line and joined.cell_length > width:
                lines.append(line)
                line = piece
            else:
                line = joined
        return lines + [line] if line else lines

    @property
    def plain(self) -> str:
        return "  │  ".join(piece.plain for piece in self.pieces)

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lines(width)))


class StatusPanel(Vertical):
    """Chapter, date and labelled variables; recomposed after every choice."""

    scene: reactive[SceneView | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        scene = self.scene
        if scene is None:
            return
        pieces = [where(scene)] if (scene.chapter or scene.date) else []
        yield StatusLine(pieces + [pair(label, value) for label, value in scene.status], id="status-line")
        with Vertical(id="status-side"):
            yield Label("Where and when", classes="status-heading")
            place = where(scene)
            yield Static(place if place else Content("—"), classes="status-where")
            if scene.status:
                yield Label("Status", classes="status-heading")
            for label, value in scene.status:
                yield Static(pair(label, value), classes="status-item")
