"""Where a game's values came from, and what decided its ending: read from its own history.

No other interactive-fiction system shows a player why their food is low; here every step of the
history is an undo record (history.py), so the states before and after each choice are known,
and each change can be put beside the choice that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kuzbass_game.engine.core.expr import EvalError
from kuzbass_game.engine.core.model import Story
from kuzbass_game.engine.core.text import escape_markup
from kuzbass_game.engine.play.game import Game
from kuzbass_game.engine.play.render import Values, render
from kuzbass_game.engine.play.state import GameState
from kuzbass_game.engine.play import stepper
from kuzbass_game.engine.play.stepper import Credit, Cursor, InvalidAction, StoryRuntimeError
from kuzbass_game.engine.play.votes import Tally


@dataclass(frozen=True)
class ValueChange:
    name: str
    label: str
    before: object
    after: object
    cause: str = ""  # "" the choice itself; "as the scene opens" the new scene; "the vote"; a routine's label

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
class VoteTaken:
    """A vote the player cast a ballot in, as the run remembers it."""

    question: str  # markup, as the story asks it
    ballot: str  # for | against | abstain
    verdict: str  # PASSED, FAILED, TIED, TIED: NOT CARRIED (Tally.verdict)
    yes: int
    no: int
    swung: bool  # cast the other way, the player's own ballot would have turned the result


@dataclass(frozen=True)
class Kept:
    """A shown value at the start of the run and at its end: what the player earned, kept or lost."""

    label: str
    start: str  # the value as shown (escaped text)
    end: str
    delta: int | None  # end − start, for numbers


@dataclass(frozen=True)
class RunSummary:
    turns: int
    first_date: str | None
    last_date: str | None
    ending: str | None
    decisive: tuple[TimelineStep, ...]  # the steps that last set what the ending's way in reads
    final: tuple[tuple[str, str], ...]  # the status at the end (label, value)
    votes: tuple[VoteTaken, ...] = ()  # every vote the player cast a ballot in, oldest first
    kept: tuple[Kept, ...] = ()  # the shown values the run changed, start to end, in the status's order
    people: tuple[str, ...] = ()  # what the story says of each person the run kept or lost (markup), in the order declared


def swung(tally: Tally) -> bool:
    """Whether the player's ballot, cast the other way, would have turned the count (an abstention turns nothing)."""
    if tally.ballot not in ("for", "against"):
        return False
    shift = -1 if tally.ballot == "for" else 1
    return (tally.yes > tally.no) != (tally.yes + shift > tally.no - shift)


def votes_taken(game: Game, states: tuple[GameState, ...]) -> tuple[VoteTaken, ...]:
    """Each vote of the run, counted again from the state before the ballot (tallies are not saved)."""
    taken = []
    for index, action in enumerate(game.actions):
        node = game.story.nodes.get(action.node)
        if action.choice is None or node is None or node.vote is None or index >= len(states):
            continue
        cursor = Cursor.thaw(states[index])
        try:
            stepper.choose(game.story, cursor, action.choice)
        except (InvalidAction, StoryRuntimeError):
            continue
        tally = cursor.tally
        if tally is not None:
            taken.append(VoteTaken(tally.question, tally.ballot, tally.verdict, tally.yes, tally.no, swung(tally)))
    return tuple(taken)


def kept(game: Game, first: GameState) -> tuple[Kept, ...]:
    """The shown values that differ between the start of the run and its end."""
    start = {item.name: item for item in game.status(first)}
    typed = {escape_markup(action.text) for action in game.actions if action.text is not None}
    changed = []
    for item in game.status():
        before = start.get(item.name)
        if before is None or before.value == item.value or item.value in typed:
            continue  # unchanged, or what the player typed (a name is not earned)
        delta = item.number - before.number if item.number is not None and before.number is not None else None
        changed.append(Kept(item.label, before.value, item.value, delta))
    return tuple(changed)


def people_told(story: Story, state: GameState) -> tuple[str, ...]:
    """For each person the story declares, the first of their lines whose condition holds in `state` (markup, values escaped)."""
    values = Values(state.variables, state.visits, story.computed)
    told = []
    for person in story.people.values():
        for line in person.lines:
            try:
                holds = line.condition is None or line.condition.run(state.variables, state.visits)
            except EvalError:  # a fault in one line's condition (a division by zero): that line is not said
                continue
            if holds:
                told.append(render(line.text, values))
                break
    return tuple(told)


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
    states = game.states
    return RunSummary(
        len(game.actions),
        dates[0] if dates else None,
        dates[-1] if dates else None,
        view.ending,
        tuple(decisive[k] for k in sorted(decisive)),
        view.status,
        votes_taken(game, states),
        kept(game, states[0]),
        people_told(story, game.state),
    )


BALLOTS = {"for": "you voted for", "against": "you voted against", "abstain": "you abstained"}


def choices_made(summary: RunSummary) -> str:
    """ "You made 40 choices, from July 1922 to May 1923." (markup: the dates are the story's)."""
    turns = "one choice" if summary.turns == 1 else f"{summary.turns} choices"
    dates = list(dict.fromkeys(d for d in (summary.first_date, summary.last_date) if d))
    if len(dates) == 2:
        return f"You made {turns}, from {dates[0]} to {dates[1]}."
    if dates:
        return f"You made {turns}; the story's date: {dates[0]}."
    return f"You made {turns}."


def vote_line(vote: VoteTaken) -> str:
    """ "Shall the artel accept piece rates? You voted for; PASSED, 41 to 39: your vote turned it." """
    question, ballot = vote.question.rstrip(), BALLOTS.get(vote.ballot, vote.ballot)
    asked = f"{question} {ballot.capitalize()}" if question.endswith(("?", ".", "!")) else f"{question}: {ballot}"
    line = f"{asked}; {vote.verdict}, {vote.yes} to {vote.no}"
    return line + (": your vote turned it." if vote.swung else ".")


def kept_line(value: Kept) -> str:
    """ "Dollars: 30 at the start, 112 at the end (+82)." """
    delta = f" ({value.delta:+d})".replace("-", "−") if value.delta is not None else ""
    return f"{value.label}: {value.start} at the start, {value.end} at the end{delta}."


def run_sections(summary: RunSummary) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The run told in sections (heading, lines of markup) that both faces show: how long it was,
    the votes the player cast and which their ballot turned, what they came with and kept, and who
    stayed with them (the story's `people:`). (What decided the ending is drawn by each face from
    `summary.decisive`.)"""
    sections: list[tuple[str, tuple[str, ...]]] = [("Your run", (choices_made(summary),))]
    if summary.votes:
        sections.append(("The votes you cast", tuple(vote_line(vote) for vote in summary.votes)))
    if summary.kept:
        sections.append(("What you came with, and what you kept", tuple(kept_line(value) for value in summary.kept)))
    if summary.people:
        sections.append(("Who stayed with you", summary.people))
    return tuple(sections)
