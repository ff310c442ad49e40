"""The stats screen (`t`): every value the story shows, on its scale, what it means, and where it
came from: each choice that changed it, when, and by how much, with its course as a sparkline.

"Why is my food so low?" is answered from the game's own history (`engine.summary.timeline`),
worked out once when the screen opens; the story screen pays nothing for it.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from kuzbass_game.engine.play import Game, SceneView, StatusItem
from kuzbass_game.engine.play import TimelineStep, ValueChange, timeline
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.bars import bar, has_scale, scaled
from kuzbass_game.ui.widgets.footer import KeyFooter

NEWLINE = Content("\n")
BAR_WIDTH = 10
NOTHING = "Nothing to show yet: the story has not shown you any values."


def delta_text(change: ValueChange) -> Content:
    """ "+1", "−2", or "worker → miner" for a value that is not a number."""
    if change.delta is not None:
        return Content.styled(f"{change.delta:+d}".replace("-", "−"), "bold $accent")
    before = "—" if change.before in (None, "") else str(change.before)
    return Content(f"{before} → {change.after}").stylize("bold $accent")


def list_row(item: StatusItem, label_width: int) -> Content:
    label = Content(item.label).pad_right(max(1, label_width - len(item.label)))
    if has_scale(item):
        return label + bar(item, BAR_WIDTH) + Content(f" {scaled(item)}")
    return label + markup.story(item.value)


def about(item: StatusItem) -> Content:
    """ "Faith 6/10: your faith that the colony will work" """
    head = Content.styled(item.label, "bold $accent") + Content(" ") + markup.story(scaled(item)).stylize("bold")
    if item.description:
        return head + Content(": ") + markup.story(item.description)
    return head


def course(item: StatusItem, history: list[tuple[TimelineStep, ValueChange]], turns: int) -> list[float]:
    """The value after every choice of the game (the first point: before any), for the chart."""
    if item.number is None:
        return []
    changed = {step.step: change for step, change in history}
    first = history[0][1].before if history else item.number
    value = first if isinstance(first, int) else item.number
    points = [float(value)]
    for step in range(1, turns + 1):
        change = changed.get(step)
        if change is not None and isinstance(change.after, int):
            value = change.after
        points.append(float(value))
    return points


def history_text(history: list[tuple[TimelineStep, ValueChange]], typed: frozenset[int] = frozenset()) -> Content:
    """Each change, newest first: by how much, when and where, and the choice (or the answer typed)
    that made it."""
    if not history:
        return Content.styled("No choice has changed it yet.", "dim")
    lines = [Content.styled("What changed it, newest first", "bold")]
    for step, change in reversed(history):
        where = [markup.story(part) for part in (step.date, step.chapter) if part]
        head = delta_text(change) + Content("  ") + Content(", ").join(where).stylize("dim") if where else delta_text(change)
        lines.append(head)
        said = Content("You answered: ") if step.step in typed else Content("")
        if change.cause:  # not the choice itself: the new scene, the vote, or a routine ("the monthly issue")
            lines.append(
                Content("   ")
                + Content.styled(change.cause, "italic")
                + Content.styled(" (after › ", "dim")
                + markup.story(step.text).stylize("dim")
                + Content.styled(")", "dim")
            )
        else:
            lines.append(Content("   › ") + said + markup.story(step.text))
    return NEWLINE.join(lines)


class StatsScreen(ModalScreen[None]):
    """The shown values on the left; the highlighted one's meaning, chart and history on the right."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]
    BINDINGS = [
        Binding("escape,t,q", "close", "Close"),
        Binding("pageup", "scroll_detail('page_up')", "Scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_detail('page_down')", "Scroll down", show=False, priority=True),
    ]

    def __init__(self, game: Game, scene: SceneView) -> None:
        super().__init__()
        self.items = scene.items
        self.steps = timeline(game)
        self.turns = len(self.steps)
        self.typed = frozenset(number for number, action in enumerate(game.actions, 1) if action.text is not None)

    def history(self, item: StatusItem) -> list[tuple[TimelineStep, ValueChange]]:
        return [(step, change) for step in self.steps for change in step.changes if change.name == item.name]

    def compose(self) -> ComposeResult:
        with Vertical(id="stats-box", classes="dialog") as box:
            box.border_title = "Stats: where your values came from"
            if not self.items:
                yield Static(NOTHING, markup=False)
            with Horizontal(id="stats-body"):
                width = max((len(item.label) for item in self.items), default=0) + 2
                yield OptionList(*(Option(list_row(item, width)) for item in self.items), id="stats-list")
                with VerticalScroll(id="stats-detail"):
                    yield Static(id="stats-about")
                    yield Sparkline([], id="stats-chart")
                    yield Static(id="stats-chart-note", markup=False)
                    yield Static(id="stats-history")
            yield Static("↑ ↓ pick a value · PgUp PgDn scroll its history · Esc closes", classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        menu = self.query_one("#stats-list", OptionList)
        menu.display = bool(self.items)
        if self.items:
            menu.highlighted = 0
            menu.focus()
            self.show_item(0)

    @on(OptionList.OptionHighlighted, "#stats-list")
    def moved(self, event: OptionList.OptionHighlighted) -> None:
        self.show_item(event.option_index)

    def show_item(self, index: int) -> None:
        item = self.items[index]
        history = self.history(item)
        self.query_one("#stats-about", Static).update(about(item))
        points = course(item, history, self.turns)
        chart = self.query_one("#stats-chart", Sparkline)
        note = self.query_one("#stats-chart-note", Static)
        charted = len(points) > 1 and len(set(points)) > 1
        chart.display = note.display = charted
        if charted:
            chart.styles.width = min(60, 4 * len(points))  # a few cells a choice: a step reads as a step
            chart.data = points
            note.update(f"over your {self.turns} choices: lowest {min(points):g}, highest {max(points):g}, now {points[-1]:g}")
        self.query_one("#stats-history", Static).update(history_text(history, self.typed))
        self.query_one("#stats-detail", VerticalScroll).scroll_home(animate=False)

    def action_scroll_detail(self, where: str) -> None:
        getattr(self.query_one("#stats-detail", VerticalScroll), f"scroll_{where}")(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
