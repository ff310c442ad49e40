"""Where a game's values came from, and what decided its ending: read from its own history.

No other interactive-fiction system shows a player why their food is low; here every step of the
history is an undo record (history.py), so the states before and after each choice are known,
and each change can be put beside the choice that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kuzbass_game.engine.core.expr import EvalError
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.play.state import GameState
from kuzbass_game.engine.play.stepper import Credit


@dataclass(frozen=True)
class ValueChange:
    name: str
    label: str
    before: object
    after: object
    cause: str = ""  # "" the choice itself; "on arrival" the new scene; "the vote"; a routine's label

    @property
    def delta(self) -> int | None:
        if type(self.before) is int and type(self.after) is int:
            return self.after - self.before
        return None


@dataclass(frozen=True)
class TimelineStep:
    """One action and what it changed: "Dec 1922, 'Trade makhorka for felt boots': Makhorka −2"."""

    step: int  # 1-based, as in the journal
    chapter: str | None
    date: str | None
    text: str  # the choice as it read (markup), or the typed answer (escaped)
    changes: tuple[ValueChange, ...]  # every variable and shown computed value it changed


@dataclass(frozen=True)
class RunSummary:
    turns: int
    first_date: str | None
    last_date: str | None
    ending: str | None
    decisive: tuple[TimelineStep, ...]  # the steps that last set what the ending's way in reads
    final: tuple[tuple[str, str], ...]  # the status at the end (label, value)


def _values(story: Story, state: GameState) -> dict[str, object]:
    """Every variable, and every labelled computed value, in a state."""
    values: dict[str, object] = dict(state.variables)
    for name, computed in story.computed.items():
        if computed.label:
            try:
                values[name] = computed.run(state.variables, state.visits)
            except EvalError:
                values[name] = "?"
    return values


def _label(story: Story, name: str) -> str:
    item = story.variables.get(name) or story.computed.get(name)
    return (item.label if item is not None and item.label else None) or name.replace("_", " ")


def timeline(game: Game) -> tuple[TimelineStep, ...]:
    """Each step of the game with the values it changed, oldest first, each change with its cause."""
    story = game.story
    states = game.states
    journal = game.journal()
    steps = []
    before = _values(story, states[0])
    for index, (entry, state) in enumerate(zip(journal, states[1:])):
        after = _values(story, state)
        credited = _credited(story, game.credits_at(index, states))
        names = {change.name for change in credited}
        changes = tuple(
            ValueChange(name, _label(story, name), before[name], value)
            for name, value in after.items()
            if name in before and before[name] != value and name not in names
        )
        steps.append(TimelineStep(entry.step, entry.chapter, entry.date, entry.text, changes + credited))
        before = after
    return tuple(steps)


def _credited(story: Story, credits: tuple[Credit, ...]) -> tuple[ValueChange, ...]:
    """A step's credited changes, one per value and cause, in the order they happened (never netted across causes)."""
    spans: dict[tuple[str, str], list[object]] = {}
    for credit in credits:
        spans.setdefault((credit.cause, credit.name), [credit.before, credit.after])[1] = credit.after
    return tuple(ValueChange(name, _label(story, name), before, after, cause) for (cause, name), (before, after) in spans.items() if before != after)


def history_of(game: Game, name: str) -> tuple[tuple[TimelineStep, ValueChange], ...]:
    """Every step that changed one value: the answer to "why is my food so low?"."""
    return tuple((step, change) for step in timeline(game) for change in step.changes if change.name == name)


def ending_reads(story: Story, node_id: str) -> set[str]:
    """The names read by the conditions on every way into a node (choices, random branches, votes)."""
    names: set[str] = set()
    for node in story.nodes.values():
        for choice in node.choices:
            leads_here = choice.target == node_id or any(b.target == node_id for b in choice.branches)
            if choice.ballot is not None and node.vote is not None and node_id in node.vote.outcomes.values():
                leads_here = True
                if node.vote.record:
                    names.add(node.vote.record)
                for faction in node.vote.factions:
                    for move in faction.moves:
                        if move.condition is not None:
                            names |= move.condition.reads
            if not leads_here:
                continue
            if choice.condition is not None:
                names |= choice.condition.reads
            for branch in choice.branches:
                if branch.target == node_id and branch.condition is not None:
                    names |= branch.condition.reads
    # A computed value stands for what it is computed from; routines run, they are not read.
    return {name for name in names if name in story.variables or name in story.computed}


def summarize(game: Game) -> RunSummary:
    """The run in a few lines: turns, the story's first and last dates, and the decisive choices."""
    story = game.story
    steps = timeline(game)
    dates = [step.date for step in steps if step.date] + ([game.state.date] if game.state.date else [])
    reads = ending_reads(story, game.state.node)
    decisive: dict[int, TimelineStep] = {}
    last_change: dict[str, TimelineStep] = {}
    for step in steps:
        for change in step.changes:
            last_change[change.name] = step
    for name in reads:
        if name in last_change:
            step = last_change[name]
            decisive[step.step] = step
    view = game.view()
    return RunSummary(
        len(game.actions),
        dates[0] if dates else None,
        dates[-1] if dates else None,
        view.ending,
        tuple(decisive[k] for k in sorted(decisive)),
        view.status,
    )
