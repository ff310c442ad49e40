"""What the last choice did, above the scene it led to: the choice as it read (dimmed), the
story's reply, the count of the vote it was a ballot in, the values it changed and the codex
entries the new scene unlocked. Each part is left out when the scene has none of it.

It is drawn by the same widget as the scene's text, as one `SceneVisual` (one update and one
layout per scene, as before these parts existed): the count is laid out for the width it gets,
and folds when the screen is short (see tally.py).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content

from kuzbass_game.ui.widgets.laid_out import LaidOutText

from kuzbass_game.engine.play import Change, SceneView, grouped_changes
from kuzbass_game.engine.play import Tally
from kuzbass_game.ui import markup
from kuzbass_game.ui.widgets.tally import TallyVisual


CHOSEN_MARK = Content.styled("› ", "dim")
DOT = Content.styled(" · ", "dim")
COMMA = Content(", ")
NEWLINE = Content("\n")
BLANK_LINE = Content("\n\n")


def lead(scene: SceneView) -> Content:
    """The choice that led here, dimmed, and the story's answer under it."""
    lines = []
    if scene.chosen:
        lines.append(CHOSEN_MARK + markup.story(scene.chosen).stylize_before("dim"))
    if scene.reply:
        lines.append(markup.story(scene.reply))
    return NEWLINE.join(lines)


def changes(items: tuple[Change, ...]) -> Content:
    """ "Food −2 · Soap +1, Makhorka +1 (the monthly issue) · Soap −1 (a month's washing)": the choice's
    own changes first, then each cause's run of changes with the cause (dimmed) after it."""
    parts = []
    for cause, run in grouped_changes(items):
        shown = [markup.story(change.text).stylize_before("$accent") for change in run]
        if cause:
            parts.append(COMMA.join(shown) + Content.styled(f" ({cause})", "dim"))
        else:
            parts += shown
    return DOT.join(parts)


def codex_news(titles: tuple[str, ...]) -> Content:
    """ "New in the codex: Payok (x to read)" """
    names = Content(", ").join(markup.story(title).stylize_before("bold") for title in titles)
    return Content("New in the codex: ") + names + Content.styled("  (x to read)", "dim")


def news(scene: SceneView, with_changes: bool = True) -> Content:
    lines = []
    if scene.changes and with_changes:
        lines.append(changes(scene.changes))
    if scene.unlocked:
        lines.append(codex_news(scene.unlocked))
    return NEWLINE.join(lines)


class SceneVisual(LaidOutText):
    """The lead, the count, the news, then the scene's text (`body`), for any width.

    Without a count the lead and the news make one block; a count stands apart from both with
    a blank line, as the text does from all of them. `budget()` says how many lines the count
    may take before it folds; it is asked at each layout, so a resized screen refolds it.
    """

    def __init__(
        self, scene: SceneView, body: Content | None = None, budget: Callable[[], int | None] = lambda: None, with_changes: bool = True
    ) -> None:
        self.top = lead(scene)
        self.news = news(scene, with_changes)
        self.tally: Tally | None = scene.tally
        self.body = body
        self.budget = budget
        self._tally: TallyVisual | None = None
        self._text: tuple[tuple[int, int | None], Content] | None = None
        self.width = 76  # the width last laid out for

    @property
    def has_aftermath(self) -> bool:
        return bool(self.top or self.news or self.tally)

    def tally_visual(self) -> TallyVisual | None:
        if self.tally is None:
            return None
        budget = self.budget()
        if self._tally is None or self._tally.budget != budget:
            self._tally = TallyVisual(self.tally, budget)
        return self._tally

    def text(self, width: int) -> Content:
        self.width = width
        count = self.tally_visual()
        key = (width, count.budget if count is not None else None)
        if self._text is not None and self._text[0] == key:
            return self._text[1]
        if count is None:
            blocks = [NEWLINE.join(part for part in (self.top, self.news) if part)]
        else:
            blocks = [self.top, count.text(width), self.news]
        if self.body:
            blocks.append(self.body)
        text = BLANK_LINE.join(block for block in blocks if block)
        self._text = (key, text)
        return text

    def tally_folded(self, width: int) -> bool:
        count = self.tally_visual()
        return count is not None and count.folded(width)

    @property
    def plain(self) -> str:
        """The text as last laid out (tests, transcripts)."""
        return self.text(self.width).plain

    def __str__(self) -> str:
        return self.plain
