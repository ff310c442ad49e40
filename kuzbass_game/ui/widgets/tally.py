"""The count of a vote: one row per faction (for, against, and what moved it), then the result.

The tally is drawn to the width it is given, with the counts in aligned columns. When the full
count would take more than its share of a short screen (a meeting of six factions at 80x24),
it folds: the question in at most two lines that point to `v` (which shows the whole count), then
one line per faction without what moved it, then the result.
"""

from __future__ import annotations


from textual.content import Content

from kuzbass_game.ui.widgets.laid_out import LaidOutText

from kuzbass_game.engine.play import FactionTally, Tally, describe_moves
from kuzbass_game.ui import markup


INDENT = Content("  ")
WHY_INDENT = Content("      ")
GAP = Content("  ")
NEWLINE = Content("\n")
BALLOTS = {"for": "In all (you voted for)", "against": "In all (you voted against)", "abstain": "In all (you abstained)"}
FOLDED_HINT = "  v: the whole count"
MIN_NAME_WIDTH = 10
ROOMY_NAMES = 24  # the result sits beside the totals unless that leaves the names fewer cells than this


def budget_for(screen_height: int) -> int:
    """How many lines the tally may take above the scene's text before it folds: what is left of
    the screen after the header, status, choices and footer (about 8 lines), the chosen line,
    reply and news above the scene (about 6) and its first lines (3). 7 at 80x24, 23 at 120x40."""
    return max(6, screen_height - 17)


def outcome(tally: Tally) -> Content:
    return Content.styled(tally.verdict, "bold $accent")


def moved(row: FactionTally) -> Content:
    """What moved a faction, in the author's words (dim)."""
    return markup.story(describe_moves(row)).stylize_before("dim")


def folded_heading(heading: Content, width: int) -> list[Content]:
    """The question of a folded count in at most two lines, the pointer to `v` after it: a long
    question is read whole when it fits in two lines, and cut at the end of the second if not."""
    hint = Content.styled(FOLDED_HINT, "dim italic")
    room = max(10, width - hint.cell_length)
    lines = heading.wrap(room)
    if len(lines) > 2:
        rest = Content(" ").join(lines[1:])
        lines = [lines[0], rest.truncate(room, ellipsis=True)]
    return lines[:-1] + [lines[-1] + hint]


class TallyVisual(LaidOutText):
    """The tally's lines for a width: full, or folded to one line a faction past `budget` lines."""

    def __init__(self, tally: Tally, budget: int | None = None) -> None:
        self.tally = tally
        self.budget = budget
        self._text: tuple[int, Content, bool] | None = None

    def lines(self, width: int, folded: bool) -> list[Content]:
        tally = self.tally
        width = max(width, 20)
        heading = Content.styled("The vote: ", "bold") + markup.story(tally.question)
        if folded:
            lines = folded_heading(heading, width)
        else:
            lines = heading.wrap(width)
        digits_yes = len(str(max([tally.yes, *(r.yes for r in tally.rows)])))
        digits_no = len(str(max([tally.no, *(r.no for r in tally.rows)])))

        def counts(yes: int, no: int) -> Content:
            return Content(f"{yes:>{digits_yes}} for  {no:>{digits_no}} against")

        names = [markup.story(row.name) for row in tally.rows]
        total = Content(BALLOTS.get(tally.ballot, "In all"))
        counts_width = counts(0, 0).cell_length
        room = width - INDENT.cell_length - GAP.cell_length - counts_width
        longest = max([total.cell_length, *(n.cell_length for n in names)])
        beside = room - GAP.cell_length - len(tally.verdict)
        if beside >= max(ROOMY_NAMES, longest):  # the result beside the totals, unless a name would wrap for it
            room = beside
        room = max(MIN_NAME_WIDTH, room)
        name_width = min(room, longest)
        for row, name in zip(tally.rows, names):
            if folded:
                parts = [name.truncate(name_width, ellipsis=True)]
            else:
                parts = name.wrap(name_width) or [Content("")]
            first = parts[0]
            lines.append(INDENT + first.pad_right(name_width - first.cell_length) + GAP + counts(row.yes, row.no))
            lines += [INDENT + part for part in parts[1:]]
            if not folded:
                lines += [WHY_INDENT + part for part in moved(row).wrap(max(10, width - WHY_INDENT.cell_length))]
        padded = total.pad_right(max(0, name_width - total.cell_length))
        result = INDENT + padded + GAP + counts(tally.yes, tally.no) + GAP + outcome(tally)
        if result.cell_length > width:  # a narrow count: "In all (…): PASSED" above the totals
            lines.append(INDENT + total + Content(": ") + outcome(tally))
            result = INDENT + Content(" " * name_width) + GAP + counts(tally.yes, tally.no)
        lines.append(result)
        return lines

    def text(self, width: int) -> Content:
        if self._text is not None and self._text[0] == width:
            return self._text[1]
        lines = self.lines(width, folded=False)
        folded = self.budget is not None and len(lines) > self.budget
        if folded:
            lines = self.lines(width, folded=True)
        text = NEWLINE.join(lines)
        self._text = (width, text, folded)
        return text

    def folded(self, width: int) -> bool:
        self.text(width)
        return bool(self._text and self._text[2])

    @property
    def plain(self) -> str:
        return self.text(self._text[0] if self._text else 76).plain

    def __str__(self) -> str:
        return self.plain
