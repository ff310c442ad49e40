"""The note past 200 problems (issue 17): with 300 warnings it stays a warning and the story plays;
an error hidden past 200 keeps it an error."""

from __future__ import annotations

from kuzbass_game.engine import load_story
from kuzbass_game.engine.core import DiagnosticSink, Mark, Severity


def test_past_200_warnings_the_note_stays_a_warning_and_the_story_plays(make_story):
    lines = ["nodes:", "  start:", "    text: Hello", "    choices:", "      - text: Go", "        goto: end"]
    lines += [f'  n{i}:\n    text: "Side \\u202e{i}"\n    choices:\n      - text: Back\n        goto: start' for i in range(250)]
    lines += ["  end:", "    text: Bye", "    ending:", "      title: Done"]
    root = make_story({"nodes.yaml": "\n".join(lines) + "\n"})
    result = load_story(root, check_graph=False)
    assert result.story is not None and not result.errors
    [note] = [d for d in result.diagnostics if "more problems" in d.message]
    assert note.severity is Severity.WARNING


def test_a_hidden_error_past_200_keeps_the_note_an_error():
    sink = DiagnosticSink()
    for line in range(250):
        sink.warning(Mark("f.yaml", line + 1, 1), "a warning")
    sink.error(Mark("f.yaml", 300, 1), "an error")
    assert sink.has_errors
    [note] = [d for d in sink.sorted() if "more problems" in d.message]
    assert note.severity is Severity.ERROR
