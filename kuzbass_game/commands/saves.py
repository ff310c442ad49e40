"""`kuzbass saves`: every slot in the saves folder, grouped by game, its state, and any problem.

Every string shown comes from `SaveStore` as plain text (nothing from a file reaches the terminal
as a control code) and is printed as plain text, never read as markup.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from pathlib import Path

from kuzbass_game.commands._story import add_saves_option, add_story_options, load, saves_dir, shown_dirs, story_dirs
from kuzbass_game.engine.core import plain_text
from kuzbass_game.engine.core import play_time
from kuzbass_game.engine import storage  # the package: its modules load when a name is first used, not at launch


VERB = "saves"
HELP = "list the saved games and any problem with them"
DESCRIPTION = "List the save slots: chapter, date, turn, play time, and why any cannot load."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_saves_option(parser)
    add_story_options(parser, "the story the saves belong to", positional=True)  # as every verb that loads a story takes it


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
        groups = storage.SaveStore(saves_dir, result.story).games()
    except storage.SaveError as err:
        print(plain_text(str(err)), file=sys.stderr)
        return 1
    if not groups:
        print(f"No saves in {plain_text(str(saves_dir))}.")
        return 0
    width = max(40, min(shutil.get_terminal_size((80, 24)).columns, 120))
    print("\n".join(listing(groups, saves_dir, width)))
    return 0


def listing(groups: list[storage.GameGroup], saves_dir: Path, width: int = 80) -> list[str]:
    """The saves, game by game, each slot on two lines folded to `width`: its name, kind and when
    it was saved; then where the game stands, its turn, play time and state. Readable at 80 columns,
    piped, and by a screen reader (no table to walk)."""
    lines = [f"Saves in {plain_text(str(saves_dir))}"]
    for number, group in enumerate(groups, 1):
        lines += ["", f"Game {number}" if group.game_id is not None else "Saves whose game cannot be told"]
        for slot in group.slots:
            lines += textwrap.wrap(_heading(slot), width, initial_indent="  ", subsequent_indent="    ")
            lines += textwrap.wrap(_facts(slot), width, initial_indent="    ", subsequent_indent="    ")
    return lines


def _heading(slot: storage.SlotInfo) -> str:
    try:
        saved = slot.saved_at.astimezone().strftime("%d %b %Y %H:%M") if slot.saved_at else None
    except (ValueError, OverflowError, OSError):
        saved = None
    return f"{plain_text(slot.name)} ({slot.kind}), saved {saved or 'at an unknown time'}"


def _facts(slot: storage.SlotInfo) -> str:
    from kuzbass_game.text import markup_to_plain  # Textual's markup parser only when there are saves to list

    def shown(text: str | None) -> str:
        return plain_text(markup_to_plain(text or "")).strip()

    where = ", ".join(part for part in (shown(slot.chapter), shown(slot.date)) if part)
    facts = [where] if where else []
    facts += [f"turn {slot.turn}", f"played {play_time(slot.play_seconds)}"]
    if slot.problem:
        state = f"cannot load: {plain_text(slot.problem)}"
    elif slot.ending:
        state = f"finished: {shown(slot.ending)}"
    else:
        state = "in progress" + (f" ({plain_text(slot.notice)})" if slot.notice else "")
    return "; ".join(facts) + f". {state[0].upper()}{state[1:]}"
