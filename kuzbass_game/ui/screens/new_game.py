"""New game never leaves a game behind without a word: it asks first, and says what becomes of it.

Each game keeps its own autosaves, so the game being left stays loadable (Continue or Load); the
question says so, names where that game was, and defaults to "No". If the game in play could
not be autosaved, the question says that instead: it would be lost unless saved first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core import play_time
from kuzbass_game.ui.saving import shown
from kuzbass_game.ui.screens.dialogs import ConfirmDialog

if TYPE_CHECKING:
    from kuzbass_game.engine.storage import SlotInfo
    from kuzbass_game.ui.app import KuzbassApp


class NewGameDialog(ConfirmDialog):
    """ "Start a new game?" with what happens to the game in progress; y starts it, n/Esc keeps it."""

    def __init__(self, question: str) -> None:
        super().__init__(question, yes="New game", no="No, keep it")


def where(slot: SlotInfo) -> str:
    """Where a saved game was left, as plain text: "I. Arrival, 3 May 1922, played 1 h 37 min"."""
    parts = [shown(part) for part in (slot.chapter, slot.date) if part]
    return ", ".join([*parts, f"played {play_time(slot.play_seconds)}"])


def leaving_question(app: KuzbassApp, latest: SlotInfo | None = None) -> str | None:
    """What to ask before a new game, or None when no game in progress would be left.

    In a game: the game in play, if a choice was made in it and it has not ended. On the title
    screen: the game Continue would resume (`latest`, else the store is asked).
    """
    story_screen = app.story_screen
    if story_screen is not None:
        game, scene = story_screen.game, story_screen.scene
        if not game.actions or (scene is not None and scene.ending is not None):
            return None
        problem = app.saves.problem if not app.saves.available else app.saves.autosave_problem
        if problem:
            return f"Start a new game? The game in play could not be autosaved ({problem}), so it would be lost. Press n, then s to save it first."
        return "Start a new game? The game in play stays saved: Continue or Load brings it back."
    latest = latest or app.saves.latest()
    if latest is None:
        return None
    return f"Start a new game? Your game in progress ({where(latest)}) stays saved: Continue or Load brings it back at any time."


def start_new_game(app: KuzbassApp, latest: SlotInfo | None = None) -> None:
    """Start a new game, asking first when it would leave a game in progress."""
    question = leaving_question(app, latest)
    if question is None:
        app.new_game()
        return

    def answered(yes: bool | None) -> None:
        if yes:
            app.new_game()

    app.push_screen(NewGameDialog(question), answered)
