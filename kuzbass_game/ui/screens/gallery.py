"""The endings gallery: every ending of the story, those found across games (when, and in whose
run) and the rest locked, with the chapter they lie in as a hint. Read from the player's profile.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from kuzbass_game.engine.core import Story
from kuzbass_game.engine.storage import EndingRecord, Profile
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.footer import KeyFooter

FOUND_MARK = Content.styled("◆ ", "bold $accent")
LOCKED_MARK = Content.styled("◇ ", "$text-muted")


def found_row(title: str, record: EndingRecord) -> Content:
    """ "◆ The Long Way Round / found 2026-12-01, in Anna's run (twice)" """
    times = {1: "", 2: " (twice)"}.get(record.times, f" ({record.times} times)")
    detail = Content(f"found {record.first_found}, in the run of ") + markup.plain(record.run) + Content(times)
    return FOUND_MARK + markup.story(title).stylize_before("bold") + Content("\n  ") + detail.stylize_before("dim")


def locked_row(hint: str | None, count: int) -> Content:
    """ "◇ Locked: 2 endings / somewhere in II. The Contract Year" """
    what = "1 ending" if count == 1 else f"{count} endings"
    where = Content("somewhere in ") + markup.plain(hint) if hint else Content("not found yet")
    return LOCKED_MARK + Content.styled(f"Locked: {what}", "italic") + Content("\n  ") + where.stylize_before("dim")


def locked_by_chapter(story: Story, rows: list[tuple[str, str, EndingRecord | None, str | None]]) -> list[Content]:
    """The endings not found yet, one row per chapter they lie in (in the story's order)."""
    from kuzbass_game.engine.tools import chapters_of  # the graph walk only when a hint is asked for

    chapters = chapters_of(story)  # each node's chapter, as the story's own tools count it
    counts: dict[str | None, int] = {}
    for node_id, _title, record, hint in rows:
        if record is None:
            chapter = chapters.get(node_id) or (markup.plain(hint).plain if hint else None)
            counts[chapter] = counts.get(chapter, 0) + 1
    return [locked_row(chapter, count) for chapter, count in counts.items()]


def heading(found: int, total: int) -> str:
    if not found:
        return f"No ending found yet, of {total}. Each one you reach is kept here, across games."
    return f"{found} of {total} endings found."


class GalleryScreen(ModalScreen[None]):
    """The story's endings from `profile.gallery(story)`, found ones first in the story's order."""

    BINDINGS = [Binding("escape,g,q", "close", "Close")]

    def __init__(self, story: Story, profile: Profile) -> None:
        super().__init__()
        self.story = story
        self.profile = profile

    def compose(self) -> ComposeResult:
        rows = self.profile.gallery(self.story)
        found = [row for row in rows if row[2] is not None]
        with Vertical(id="gallery-box", classes="dialog") as box:
            box.border_title = "Endings"
            yield Static(heading(len(found), len(rows)), id="gallery-count", markup=False)
            shown = [found_row(title, record) for _id, title, record, _hint in found if record]
            shown += locked_by_chapter(self.story, rows)
            with VerticalScroll(id="gallery-list"):
                yield Static(Content("\n\n").join(shown), id="gallery-rows")
            yield Static(
                "Locked endings are counted by the chapter they lie in. Step back (b, or the journal j) to try another way.",
                classes="dialog-hint",
                markup=False,
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#gallery-list", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
