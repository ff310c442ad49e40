"""The status panel: where and when the story is, and the variables the author chose to show.

Its text has two renderings of the same scene; the screen's width class (`-narrow` or `-wide`,
see app.tcss) picks a bar of wrapped "label: value" pairs on top of narrow terminals or a side
panel on wide ones. A new scene updates it in place, and only when the status changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.visual import Visual
from textual.widget import Widget

from kuzbass_game.engine.runtime import SceneView
from kuzbass_game.ui import markup

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.strip import Strip
    from textual.style import Style
    from textual.visual import RenderOptions

SEPARATOR = Content.styled("  │  ", "dim")
NEWLINE = Content("\n")
WHERE_HEADING = Content.styled("Where and when", "bold $accent")
STATUS_HEADING = Content.styled("Status", "bold $accent")


def where(scene: SceneView) -> Content:
    """Chapter and date, joined (either may be missing)."""
    parts = [markup.story(part) for part in (scene.chapter, scene.date) if part]
    return Content(" · ").join(parts)


def pair(label: str, value: str) -> Content:
    return Content.assemble((f"{label}: ", "dim"), markup.story(value))


class StatusLine(Visual):
    """Pieces separated by bars, wrapped between pieces and never inside one ("Trade: miner")."""

    def __init__(self, pieces: list[Content]) -> None:
        self.pieces = pieces
        self._lines: tuple[int, Content] | None = None

    def text(self, width: int) -> Content:
        if self._lines is not None and self._lines[0] == width:
            return self._lines[1]
        lines: list[Content] = []
        line = Content("")
        for piece in self.pieces:
            joined = line + SEPARATOR + piece if line else piece
            if line and joined.cell_length > width:
                lines.append(line)
                line = piece
            else:
                line = joined
        text = NEWLINE.join(lines + [line] if line else lines)
        self._lines = (width, text)
        return text

    @property
    def plain(self) -> str:
        return "  │  ".join(piece.plain for piece in self.pieces)

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.text(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.text(container_width).get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return max(1, self.text(width).get_height(rules, width))


class StatusText(Widget):
    """The panel's text: the wrapped line on a narrow screen, the side panel's lines on a wide one."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.line = StatusLine([])
        self.side = Content("")

    def render(self) -> Visual:
        return self.side if self.screen.has_class("-wide") else self.line


class StatusPanel(Vertical):
    """Chapter, date and labelled variables: a wrapped line when narrow, a side panel when wide.

    The panel (background, the border of the side panel) never changes; only its text does.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple | None = None
        self.text = StatusText(id="status-text")

    def compose(self) -> ComposeResult:
        yield self.text

    @property
    def plain(self) -> str:
        """The status as one line of text (what the narrow bar shows, unwrapped)."""
        return self.text.line.plain

    def show(self, scene: SceneView) -> None:
        shown = (scene.chapter, scene.date, scene.status)
        if shown == self._shown:
            return
        self._shown = shown
        place = where(scene)
        pairs = [pair(label, value) for label, value in scene.status]
        self.text.line = StatusLine(([place] if (scene.chapter or scene.date) else []) + pairs)
        side = [WHERE_HEADING, place if place else Content("—")]
        if pairs:
            side += [Content(""), STATUS_HEADING, *pairs]
        self.text.side = NEWLINE.join(side)
        self.text.refresh(layout=True)
