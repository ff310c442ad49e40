"""`kuzbass saves`: every slot in the saves folder, grouped by game, its state, and any problem.

Every string shown comes from `SaveStore` as plain text (nothing from a file reaches the terminal
as a control code), and goes into the table escaped, so it is never read as markup either.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kuzbass_game.commands._story import add_saves_option, add_story_options, load, saves_dir, shown_dirs, story_dirs
from kuzbass_game.engine.core import plain_text
from kuzbass_game.engine.storage import SaveError
from kuzbass_game.engine.core import play_time
from kuzbass_game.engine.storage import SaveStore, SlotInfo
from kuzbass_game.text import markup_to_plain


VERB = "saves"
HELP = "list the saved games and any problem with them"
DESCRIPTION = "List the save slots: chapter, date, turn, play time, and why any cannot load."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_saves_option(parser)
    add_story_options(parser, "the story the saves belong to")


def run(args: argparse.Namespace) -> int:
    return run_saves(story_dirs(args), saves_dir(args))


def run_saves(story_dir: Path | list[Path], saves_dir: Path) -> int:
    dirs = story_dirs(story_dir)
    result = load(dirs)
    story_dir = shown_dirs(dirs)  # type: ignore[assignment]
    if result.story is None:
        print(f"The story in {plain_text(str(story_dir))} has errors; run 'kuzbass check {plain_text(str(story_dir))}'.", file=sys.stderr)
        return 1
    try:
        groups = SaveStore(saves_dir, result.story).games()
    except SaveError as err:
        print(plain_text(str(err)), file=sys.stderr)
        return 1
    if not groups:
        print(f"No saves in {plain_text(str(saves_dir))}.")
        return 0
    from rich.console import Console  # Rich only for the table
    from rich.markup import escape  # (as above)
    from rich.table import Table  # (as above)

    table = Table(title=f"Saves in {escape(plain_text(str(saves_dir)))}", title_justify="left")
    for column in ("game", "slot", "kind", "chapter", "date", "turn", "played", "saved", "state"):
        table.add_column(column, no_wrap=column in ("game", "slot", "kind", "turn", "saved"))
    for number, group in enumerate(groups, 1):
        game = f"{number}" if group.game_id is not None else "?"
        for slot in group.slots:
            table.add_row(game, *_row(slot, escape))
            game = ""
    Console(highlight=False).print(table)
    return 0


def _row(slot: SlotInfo, escape) -> list[str]:
    def shown(text: str | None) -> str:
        return escape(plain_text(markup_to_plain(text or "")))

    try:
        saved = slot.saved_at.astimezone().strftime("%d %b %H:%M") if slot.saved_at else "?"
    except (ValueError, OverflowError, OSError):
        saved = "?"
    if slot.problem:
        state = f"[red]cannot load: {escape(plain_text(slot.problem))}[/red]"
    elif slot.ending:
        state = f"finished: {shown(slot.ending)}"
    else:
        state = "ok" + (f" [yellow]({escape(plain_text(slot.notice))})[/yellow]" if slot.notice else "")
    return [
        escape(plain_text(slot.name)),
        escape(slot.kind),
        shown(slot.chapter),
        shown(slot.date),
        str(slot.turn),
        play_time(slot.play_seconds),
        saved,
        state,
    ]
