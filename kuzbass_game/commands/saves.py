"""`kuzbass saves`: every slot in the saves folder, its state, and any problem."""

from __future__ import annotations

import sys
from pathlib import Path

from kuzbass_game.authoring import load_and_check
from kuzbass_game.engine.savefile import SaveError
from kuzbass_game.engine.saves import SaveStore, format_play_time
from kuzbass_game.text import markup_to_plain


def run_saves(story_dir: Path, saves_dir: Path) -> int:
    result = load_and_check(story_dir, cache=True)
    if result.story is None:
        print(f"The story in {story_dir} has errors; run 'kuzbass check {story_dir}'.", file=sys.stderr)
        return 1
    try:
        slots = SaveStore(saves_dir, result.story).list()
    except SaveError as err:
        print(err, file=sys.stderr)
        return 1
    if not slots:
        print(f"No saves in {saves_dir}.")
        return 0
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Saves in {escape(str(saves_dir))}", title_justify="left")
    for column in ("slot", "kind", "chapter", "date", "turn", "played", "saved", "state"):
        table.add_column(column, no_wrap=column in ("slot", "kind", "turn", "saved"))
    for slot in slots:
        saved = slot.saved_at.astimezone().strftime("%d %b %H:%M") if slot.saved_at else "?"
        if slot.problem:
            state = f"[red]cannot load: {escape(slot.problem)}[/red]"
        elif slot.ending:
            state = f"finished: {escape(markup_to_plain(slot.ending))}"
        else:
            state = "ok" + (f" [yellow]({escape(slot.notice)})[/yellow]" if slot.notice else "")
        table.add_row(escape(slot.name), slot.kind, escape(markup_to_plain(slot.chapter or "")), escape(markup_to_plain(slot.date or "")),
                      str(slot.turn), format_play_time(slot.play_seconds), saved, state)
    Console(highlight=False).print(table)
    return 0
