"""Small modal questions used by the title, saves and journal screens: yes/no, and a save's name.

The name dialog checks the name as the player types (a Textual `Input` validator with the
engine's rule for slot names), says what is wrong under the field, and never closes on a bad
name: what was typed stays in the field until it is accepted or the player presses Esc.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Static

from kuzbass_game.ui.widgets.footer import KeyFooter

NAME_HINT = "Enter to accept, Esc to cancel."
NAME_MAX = 40  # the engine's longest slot name


class ConfirmDialog(ModalScreen[bool]):
    """Ask a yes/no question; `y`/Enter on Yes confirms, `n`/Esc declines (No has the focus)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button(f"{self.no} (n)", id="no")
        yield KeyFooter()  # the keys of this question, not those of the screen under it

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class SlotName(Validator):
    """A save's name as typed: `rule` (the engine's, via `Saves.name_problem`) says what is wrong
    with it, and a name in `taken` is refused (a rename never replaces another save)."""

    def __init__(self, rule: Callable[[str], str | None], taken: Collection[str] = ()) -> None:
        super().__init__()
        self.rule = rule
        self.taken = frozenset(taken)

    def validate(self, value: str) -> ValidationResult:
        name = value.strip()
        if not name:
            return self.failure("Please type a name first (Esc cancels).")
        problem = self.rule(name)
        if problem:
            return self.failure(problem)
        if name in self.taken:
            return self.failure(f"There is already a save called “{name}”: choose another name.")
        return self.success()


class NameDialog(ModalScreen[str | None]):
    """Ask for a save's name; Enter accepts a valid name, Esc cancels.

    `validators` check the name as it is typed; `note(name)` may add a word that is not an error
    (that Enter will ask before replacing a save); `problem` is shown at first (why the last
    attempt with this name failed, when the dialog is opened again with it).
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        question: str,
        initial: str = "",
        *,
        validators: Collection[Validator] = (),
        note: Callable[[str], str | None] | None = None,
        problem: str | None = None,
    ) -> None:
        super().__init__()
        self.question = question
        self.initial = initial
        self.validators = list(validators)
        self.note = note
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text", markup=False)
            yield Input(
                self.initial,
                max_length=NAME_MAX,
                placeholder="a name for this save",
                id="name-input",
                validators=self.validators,
                validate_on=["changed", "submitted"],
            )
            yield Static(id="name-hint", classes="dialog-hint", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.problem:
            self.say(self.problem, "$error")
        else:
            self.say(NAME_HINT)

    @property
    def hint(self) -> str:
        """What the line under the field says now (plain text)."""
        visual = self.query_one("#name-hint", Static).visual
        return visual.plain if isinstance(visual, Content) else str(visual)

    def say(self, text: str, style: str = "") -> None:
        self.query_one("#name-hint", Static).update(Content.styled(text, style) if style else Content(text))

    @on(Input.Changed, "#name-input")
    def typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.problem and event.value == self.initial:
            return  # the dialog opened again with the failed name: keep saying why, until it changes
        self.problem = None
        result = event.validation_result
        if result is not None and not result.is_valid:
            if not event.value.strip() and not self.initial:
                self.say(NAME_HINT)  # nothing typed yet: no error before the player starts
                return
            self.say(" ".join(result.failure_descriptions), "$error")
            return
        note = self.note(event.value.strip()) if self.note is not None else None
        self.say(note, "$warning") if note else self.say(NAME_HINT)

    @on(Input.Submitted, "#name-input")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        result = event.validation_result
        if not name or (result is not None and not result.is_valid):
            problem = " ".join(result.failure_descriptions) if result is not None else ""
            self.say(problem or "Please type a name first (Esc cancels).", "$error")
            return  # the dialog stays, and so does what was typed
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
