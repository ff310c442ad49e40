"""The answer box for scenes that ask the player to type (a name, a word).

Empty answers get a gentle word instead of an error; what the player types is never parsed
as markup.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from kuzbass_game.engine.runtime import InputView
from kuzbass_game.ui import markup


class AnswerBox(Vertical):
    """Prompt, input line and a hint; posts `AnswerBox.Answered` with non-empty text."""

    class Answered(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    request: reactive[InputView | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        request = self.request
        if request is None:
            return
        yield Static(markup.story(request.prompt), id="answer-prompt")
        yield Input(max_length=request.max_length, placeholder="type here, then press Enter", id="answer-input",
                    compact=True)
        yield Static(f"Up to {request.max_length} characters.", id="answer-hint", markup=False)

    def focus_input(self) -> None:
        for field in self.query(Input):
            field.focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        hint = self.query_one("#answer-hint", Static)
        if not text:
            hint.update("Please type something first, then press Enter.")
            hint.add_class("-gentle")
            return
        self.post_message(self.Answered(text))
