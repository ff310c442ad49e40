"""The answer box for scenes that ask the player to type (a name, a word).

Empty answers get a gentle word instead of an error; what the player types is never parsed
as markup. The box is made once and reset in place for each new question.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from kuzbass_game.engine.play import InputView
from kuzbass_game.ui import markup

PLACEHOLDER = "type here, then press Enter"


def hint_for(request: InputView) -> str:
    return f"Up to {request.max_length} characters."


class AnswerBox(Vertical):
    """Prompt, input line and a hint; posts `AnswerBox.Answered` with non-empty text."""

    class Answered(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.request: InputView | None = None
        self._prompt = Static(id="answer-prompt")
        self._input = Input(placeholder=PLACEHOLDER, id="answer-input", compact=True)
        self._hint = Static(id="answer-hint", markup=False)

    def compose(self) -> ComposeResult:
        yield self._prompt
        yield self._input
        yield self._hint

    def ask(self, request: InputView | None) -> None:
        """Show `request` (None: nothing to ask); a new question starts with an empty line."""
        if request == self.request:
            return
        self.request = request
        if request is None:
            return
        self._prompt.update(markup.story(request.prompt))
        self._input.max_length = request.max_length
        self._input.value = ""
        self._hint.update(hint_for(request))
        self._hint.remove_class("-gentle")

    def height_for(self, width: int) -> int:
        """The lines the box takes at `width`: its rule, the prompt, the input line and the hint."""
        if self.request is None:
            return 0
        prompt = len(markup.story(self.request.prompt).wrap(max(1, width)))
        return 1 + prompt + 1 + 1

    def focus_input(self) -> None:
        if self.request is not None:
            self._input.focus()

    @on(Input.Changed)
    def typed(self, event: Input.Changed) -> None:
        """Once something is typed, the gentle word ("Please type something first") has done its job."""
        if event.value.strip() and self._hint.has_class("-gentle") and self.request is not None:
            self._hint.update(hint_for(self.request))
            self._hint.remove_class("-gentle")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self._hint.update("Please type something first, then press Enter.")
            self._hint.add_class("-gentle")
            return
        self.post_message(self.Answered(text))
