"""The numbered choices: arrows and Enter, number keys (bound on the screen) or a mouse click.

Each choice is a row of number and text, so long choices wrap under their text, not under the
number. Locked choices stay in the list, greyed, with the author's reason, and cannot be picked.

All rows are drawn by one widget (an `OptionList` of `ChoiceRow`s), updated in place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.visual import Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kuzbass_game.engine.play import ChoiceView, SceneView
from kuzbass_game.ui import markup

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.style import Style
    from textual.visual import RenderOptions

MOVE = "move between choices and take one (or click it)"  # the keys' line in the help screen
NUMBER_WIDTH = 4  # "1." and room to breathe; the text wraps to the right of it


def choice_text(choice: ChoiceView) -> Content:
    """The choice as the player reads it; a locked one carries its reason in parentheses."""
    text = markup.story(choice.text)
    if choice.enabled:
        return text
    reason = markup.story(choice.reason) if choice.reason else Content("not open to you yet")
    return text + Content.styled("  (locked: ", "italic") + reason + Content.styled(")", "italic")


class ChoiceRow(Visual):
    """Number and text side by side: the number in its own column, the text wrapped beside it."""

    def __init__(self, choice: ChoiceView) -> None:
        number = f"{choice.number}."
        self.number = Content.styled(number, "bold")
        self.text = choice_text(choice)
        # Most choices fit on one line: then the row is one piece of content, drawn in one go.
        self.line = self.number + Content(" " * (NUMBER_WIDTH - len(number))) + self.text
        self.one_line = "\n" not in self.text.plain

    @property
    def plain(self) -> str:
        return self.text.plain

    def fits(self, width: int) -> bool:
        return self.one_line and self.line.cell_length <= width

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        if self.fits(width):
            return self.line.render_strips(width, height, style, options)
        text_width = max(1, width - NUMBER_WIDTH)
        rich_style = style.rich_style
        lines = self.text.render_strips(text_width, None, style, options) or [Strip.blank(text_width, rich_style)]
        number = self.number.render_strips(NUMBER_WIDTH, 1, style, options)[0]
        gutters = [number.extend_cell_length(NUMBER_WIDTH, rich_style)]
        gutters += [Strip.blank(NUMBER_WIDTH, rich_style)] * (len(lines) - 1)
        strips = [Strip.join((gutter, line)) for gutter, line in zip(gutters, lines)]
        return strips if height is None else strips[:height]

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return NUMBER_WIDTH + self.text.get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        if self.fits(width):
            return 1
        return self.text.get_height(rules, max(1, width - NUMBER_WIDTH))


class ChoiceList(OptionList, inherit_bindings=False):
    """The current scene's choices, one option each; a pick (Enter or a click) posts `Picked`.

    One widget draws every row, so a new scene replaces the options in place (and not even that
    when the choices read the same). `Picked` carries `turn`, the scene the list showed when the
    pick was made, and `armed`, whether that scene had been drawn by then, so the screen can ignore
    a pick that arrives after the scene changed or before it was seen.
    """

    class Picked(Message):
        """A choice was picked from the list: its `index` in the scene's choices, on `turn`."""

        def __init__(self, choice_list: ChoiceList, index: int, turn: int | None, armed: bool) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.index = index
            self.turn = turn
            self.armed = armed

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    # The list's own keys; PgUp/PgDn are left to the screen, which scrolls the story with them.
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False, tooltip=MOVE),
        Binding("down", "cursor_down", "Down", show=False, tooltip=MOVE),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False, tooltip=MOVE),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices: tuple[ChoiceView, ...] = ()
        self.rows: list[ChoiceRow] = []
        self.turn: int | None = None
        self.armed = True  # False from a new scene until it is drawn: a pick made then is stale

    def show(self, scene: SceneView) -> None:
        self.turn = scene.turn
        if scene.choices != self.choices:
            self.choices = scene.choices
            self.rows = [ChoiceRow(choice) for choice in scene.choices]
            self.set_options(Option(row, disabled=not choice.enabled) for row, choice in zip(self.rows, scene.choices))
        first_open = next((i for i, c in enumerate(scene.choices) if c.enabled), None)
        if first_open != self.highlighted:
            with self.prevent(OptionList.OptionHighlighted):  # it would bubble up the screen for nobody
                self.highlighted = first_open
        self.scroll_to_highlight()

    def hidden_below(self) -> int:
        """How many choices end below the list's visible lines (the list says so on its edge)."""
        width = self.scrollable_content_region.width
        seen = self.scroll_offset.y + self.scrollable_content_region.height
        if width <= 0 or seen <= 0:
            return 0
        bottom, hidden = 0, 0
        for row in self.rows:
            bottom += row.get_height(self.styles, width)  # type: ignore[arg-type]  # styles serve as the rules map
            hidden += bottom > seen
        return hidden

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.post_message(self.Scrolled())

    def on_resize(self) -> None:
        self.call_after_refresh(self.post_message, self.Scrolled())

    class Scrolled(Message):
        """The visible choices changed (a scroll, a resize): the screen retells how many are below."""

    def rows_height(self, width: int) -> int:
        """The lines the choices take at `width` (known before the layout: the screen fits the text)."""
        return sum(row.get_height(self.styles, width) for row in self.rows)  # type: ignore[arg-type, misc]  # styles serve as the rules map

    def action_select(self) -> None:
        """Enter, or a click (which highlights first): `Picked`, with the scene as it is now."""
        index = self.highlighted
        if index is not None and not self.get_option_at_index(index).disabled:
            self.post_message(self.Picked(self, index, self.turn, self.armed))
