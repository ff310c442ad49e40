"""The status panel: where and when the story is, and the variables the author chose to show.

Its text has two renderings of the same scene; the screen's width class (`-narrow` or `-wide`,
see app.tcss) picks a bar of wrapped "label: value" pairs on top of narrow terminals or a side
panel on wide ones. A new scene updates it in place, and only when the status changed.

A value the last choice changed is drawn bold in the accent colour for that scene. Resting the
mouse on a value shows its description (the author's `description:`) as a tooltip: both
renderings know which value is drawn where.
"""

from __future__ import annotations


from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import var
from textual.visual import Visual
from textual.widget import Widget

from kuzbass_game.ui.widgets.laid_out import LaidOutText
from kuzbass_game.engine.play import SceneView, StatusItem
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.bars import bar, has_scale, scaled


SEPARATOR = Content.styled(" │ ", "dim")
NEWLINE = Content("\n")
WHERE_HEADING = Content.styled("Where and when", "bold $accent")
STATUS_HEADING = Content.styled("Status", "bold $accent")


def where(scene: SceneView) -> Content:
    """Chapter and date, joined (either may be missing)."""
    parts = [markup.story(part) for part in (scene.chapter, scene.date) if part]
    return Content(" · ").join(parts)


def pair_value(value: str, changed: bool = False) -> Content:
    shown = markup.story(value)
    return shown.stylize("bold $accent") if changed else shown


def pair(label: str, value: str, changed: bool = False) -> Content:
    return Content.assemble((f"{label}: ", "dim"), pair_value(value, changed))


def more_values(count: int) -> Content:
    """The bar's last piece when the values do not all fit in it: where to see them."""
    return Content.styled(f"+{count} more: t", "dim italic")


def tip(item: StatusItem) -> Content | None:
    """The tooltip of a shown value: its label and the author's description of it."""
    if not item.description:
        return None
    return Content.styled(item.label, "bold") + Content("\n") + markup.story(item.description)


class StatusLine(LaidOutText):
    """Pieces separated by bars, wrapped between pieces and never inside one ("Trade: miner")."""

    MIN_HEIGHT = 1
    MAX_LINES = 2  # the bar never takes more of the story's lines; what does not fit is in the stats (t)

    def __init__(self, pieces: list[Content]) -> None:
        self.pieces = pieces
        self._lines: tuple[int, Content, list[tuple[int, int, int, int]]] | None = None

    def text(self, width: int) -> Content:
        return self._layout(width)[1]

    def _layout(self, width: int) -> tuple[int, Content, list[tuple[int, int, int, int]]]:
        """The text for `width`, and where each piece is: (line, first cell, end cell, piece)."""
        if self._lines is not None and self._lines[0] == width:
            return self._lines
        shown = len(self.pieces)
        lines, places = self._wrap(self.pieces, width)
        while len(lines) > self.MAX_LINES and shown > 1:
            shown -= 1  # fewer pieces, and a last one that says where the rest are
            lines, places = self._wrap([*self.pieces[:shown], more_values(len(self.pieces) - shown)], width)
            places = places[:shown]  # the "+N more" piece has no tooltip of its own
        text = NEWLINE.join(lines)
        self._lines = (width, text, places)
        return self._lines

    @staticmethod
    def _wrap(pieces: list[Content], width: int) -> tuple[list[Content], list[tuple[int, int, int, int]]]:
        lines: list[Content] = []
        places: list[tuple[int, int, int, int]] = []
        line = Content("")
        for index, piece in enumerate(pieces):
            joined = line + SEPARATOR + piece if line else piece
            if line and joined.cell_length > width:
                lines.append(line)
                line = piece
            else:
                line = joined
            places.append((len(lines), line.cell_length - piece.cell_length, line.cell_length, index))
        return (lines + [line] if line else lines), places

    def locate(self, x: int, y: int, width: int) -> int | None:
        """The piece drawn at (x, y), if any."""
        return next((index for line, start, end, index in self._layout(width)[2] if line == y and start <= x < end), None)

    @property
    def plain(self) -> str:
        return " │ ".join(piece.plain for piece in self.pieces)


class SideList(LaidOutText):
    """The side panel's rows, one under another, each wrapped on its own; knows which is where.

    `rows` are fixed rows (headings, the place); `items` are the shown values, laid out for the
    width they get: the label, the value and, for a value on a scale, a bar filling the rest.
    """

    MIN_HEIGHT = 1

    def __init__(self, rows: list[Content], items: tuple[StatusItem, ...] = (), changed: frozenset[str] = frozenset()) -> None:
        self.head = rows
        self.items = items
        self.changed = changed
        self._laid: tuple[int, list[Content], Content] | None = None
        self._owners: tuple[int, list[int]] | None = None

    @property
    def rows(self) -> list[Content]:
        return self._layout(self._laid[0] if self._laid else 28)[0]

    def _layout(self, width: int) -> tuple[list[Content], Content]:
        if self._laid is not None and self._laid[0] == width:
            return self._laid[1], self._laid[2]
        rows = self.head + [value_row(item, width, self.label_width(width), self.value_width(), item.label in self.changed) for item in self.items]
        joined = NEWLINE.join(rows)  # drawn as one text; wrapped row by row only to locate
        self._laid = (width, rows, joined)
        return rows, joined

    def label_width(self, width: int) -> int:
        return min(max((len(item.label) for item in self.items), default=0) + 2, max(6, width // 2))

    def value_width(self) -> int:
        return max((len(scaled(item)) for item in self.items if has_scale(item)), default=0)

    def text(self, width: int) -> Content:
        return self._layout(width)[1]

    def locate(self, x: int, y: int, width: int) -> int | None:
        """The row drawn at line y (the mouse asks, seldom: the layout is worked out then)."""
        if self._owners is None or self._owners[0] != width:
            owners: list[int] = []  # the row each line belongs to
            for index, row in enumerate(self._layout(width)[0]):
                owners += [index] * (len(row.wrap(max(1, width))) if row else 1)
            self._owners = (width, owners)
        owners = self._owners[1]
        return owners[y] if 0 <= y < len(owners) else None

    @property
    def plain(self) -> str:
        return "\n".join(row.plain for row in self.rows)


def value_row(item: StatusItem, width: int, label_width: int, value_width: int, changed: bool) -> Content:
    """ "Faith:       6/10 ██████░░░░" (a value on a scale), or "Name:        Anna"."""
    label = Content.styled(f"{item.label}:", "dim")
    label = label.pad_right(max(1, label_width - label.cell_length))
    if not has_scale(item):
        value = pair_value(item.value, changed)
        if label.cell_length + value.cell_length > width:  # a long value ("Finnish-American") keeps to the label's line
            label = Content.styled(f"{item.label}: ", "dim")
        return label + value
    shown = pair_value(scaled(item), changed)
    shown = shown.pad_left(max(0, value_width - shown.cell_length))
    room = width - label.cell_length - shown.cell_length - 1
    return label + shown + (Content(" ") + bar(item, room) if room >= 4 else Content(""))


class StatusText(Widget):
    """The panel's text: the wrapped line on a narrow screen, the side panel's lines on a wide one.

    `line_tips` and `side_tips` hold the tooltip of each piece (or row), in order.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.line = StatusLine([])
        self.side = SideList([])
        self.line_tips: list[Content | None] = []
        self.side_tips: list[Content | None] = []

    def render(self) -> Visual:
        return self.side if self.screen.has_class("-wide") else self.line

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """Point the tooltip at the value under the mouse (Textual shows it after a rest)."""
        offset = event.get_content_offset(self)
        tooltip = None
        if offset is not None:
            wide = self.screen.has_class("-wide")
            visual, tips = (self.side, self.side_tips) if wide else (self.line, self.line_tips)
            index = visual.locate(offset.x, offset.y, self.content_size.width)
            tooltip = tips[index] if index is not None and index < len(tips) else None
        if tooltip is not self.tooltip:
            self.tooltip = tooltip

    def on_leave(self) -> None:
        self.tooltip = None


class StatusPanel(Vertical):
    """Chapter, date and labelled variables: a wrapped line when narrow, a side panel when wide.

    The panel (background, the border of the side panel) never changes; only its text does.
    """

    scene: var[SceneView | None] = var(None)  # the scene whose status is shown (set by the story screen)
    shown: var[tuple | None] = var(None)  # what of it this panel draws: it redraws only when that changes

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = StatusText(id="status-text")

    def compose(self) -> ComposeResult:
        yield self.text

    @property
    def plain(self) -> str:
        """The status as one line of text (what the narrow bar shows, unwrapped)."""
        return self.text.line.plain

    def compute_shown(self) -> tuple | None:
        scene = self.scene
        if scene is None:
            return None
        items = scene.items or tuple(StatusItem(label, label, value) for label, value in scene.status)
        return (scene.chapter, scene.date, items, frozenset(change.label for change in scene.changes))

    def watch_shown(self, shown: tuple | None) -> None:
        scene = self.scene
        if scene is None or shown is None:
            return
        items, changed = shown[2], shown[3]
        place = where(scene)
        pairs = [pair(item.label, item.value, item.label in changed) for item in items]
        tips = [tip(item) for item in items]
        has_place = bool(scene.chapter or scene.date)
        text = self.text
        text.line = StatusLine(([place] if has_place else []) + pairs)
        no_tip: list[Content | None] = [None]
        text.line_tips = (no_tip if has_place else []) + tips
        side = [WHERE_HEADING, place if place else Content("—")]
        text.side_tips = no_tip * 2
        if pairs:
            side += [Content(""), STATUS_HEADING]
            text.side_tips += [*no_tip * 2, *tips]
        text.side = SideList(side, items if pairs else (), frozenset(changed))
        text.refresh(layout=True)
