"""Playing a compiled story: the state, the stepper (the rules, once), `Game`, history, and each construct's run half (votes, codex, the run summary).

May import: core. Never format (a cached launch compiles nothing), never PyYAML. The faces import the names below (`__all__`), never a module inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kuzbass_game.engine.core.lazy import exports

_HOMES = {
    "Action": "state",
    "Change": "game",
    "ChoiceView": "game",
    "FactionTally": "votes",
    "Game": "game",
    "InputView": "game",
    "InvalidAction": "stepper",
    "JournalEntry": "game",
    "Kept": "summary",
    "RunSummary": "summary",
    "SceneView": "game",
    "StatusItem": "game",
    "StoryRuntimeError": "stepper",
    "Tally": "votes",
    "TimelineStep": "summary",
    "ValueChange": "summary",
    "VoteTaken": "summary",
    "changes_text": "game",
    "describe_moves": "votes",
    "grouped_changes": "game",
    "search_codex": "codex",
    "run_sections": "summary",
    "summarize": "summary",
    "timeline": "summary",
}
__all__ = [
    "Action",
    "Change",
    "ChoiceView",
    "FactionTally",
    "Game",
    "InputView",
    "InvalidAction",
    "JournalEntry",
    "Kept",
    "RunSummary",
    "SceneView",
    "StatusItem",
    "StoryRuntimeError",
    "Tally",
    "TimelineStep",
    "ValueChange",
    "VoteTaken",
    "changes_text",
    "describe_moves",
    "grouped_changes",
    "run_sections",
    "search_codex",
    "summarize",
    "timeline",
]
__getattr__, __dir__ = exports(__name__, _HOMES)

if TYPE_CHECKING:  # pragma: no cover
    from kuzbass_game.engine.play.codex import search_codex
    from kuzbass_game.engine.play.game import Change, ChoiceView, Game, InputView, JournalEntry, SceneView, StatusItem, changes_text, grouped_changes
    from kuzbass_game.engine.play.stepper import InvalidAction, StoryRuntimeError
    from kuzbass_game.engine.play.state import Action
    from kuzbass_game.engine.play.summary import Kept, RunSummary, TimelineStep, ValueChange, VoteTaken, run_sections, summarize, timeline
    from kuzbass_game.engine.play.votes import FactionTally, Tally, describe_moves
