"""Problems found in a story, reported the way a compiler does: `path:line:col: severity: message`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kuzbass_game.engine.core.text import plain_text


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. Lines and columns are 1-based, as editors count them.

    Its path and message are made plain here, where every diagnostic is made: they repeat what a
    story wrote (a key, a name, a file's name), and a key written with escape codes or
    bidirectional overrides must reach no terminal, whichever tool or pop-up shows it.
    """

    path: str
    line: int
    col: int
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        if not (self.path.isprintable() and self.message.isprintable()):
            object.__setattr__(self, "path", plain_text(self.path))
            object.__setattr__(self, "message", plain_text(self.message))

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True, slots=True)
class Mark:
    """A place in a source file (1-based), kept on every loaded element so later checks can point at it.

    Slotted: a story of 50,000 nodes keeps about 200,000 of them (each without slots carried a dict)."""

    path: str
    line: int
    col: int


MAX_PER_FILE = 200


class DiagnosticSink:
    """Collects every problem instead of stopping at the first, so an author sees them all at once.

    A hostile or badly broken file could produce millions; past `MAX_PER_FILE` problems in one
    file, one last note says how many more there were, with the severity of the worst it hides
    (so 300 warnings stay warnings, and the story still plays).
    """

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self._per_file: dict[str, int] = {}
        self._hidden_errors: set[str] = set()

    def _add(self, mark: Mark, severity: Severity, message: str) -> None:
        count = self._per_file[mark.path] = self._per_file.get(mark.path, 0) + 1
        if count <= MAX_PER_FILE:
            self.items.append(Diagnostic(mark.path, mark.line, mark.col, severity, message))
        elif severity is Severity.ERROR:
            self._hidden_errors.add(mark.path)

    def error(self, mark: Mark, message: str) -> None:
        self._add(mark, Severity.ERROR, message)

    def warning(self, mark: Mark, message: str) -> None:
        self._add(mark, Severity.WARNING, message)

    @property
    def has_errors(self) -> bool:
        return bool(self._hidden_errors) or any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        found = sorted(set(self.items), key=lambda d: (d.path, d.line, d.col, d.message))
        for path, count in sorted(self._per_file.items()):
            if count > MAX_PER_FILE:
                severity = Severity.ERROR if path in self._hidden_errors else Severity.WARNING
                found.append(Diagnostic(path, 1, 1, severity, f"{count - MAX_PER_FILE} more problems in this file were not shown; fix these first"))
        return found
