"""Problems found in a story, reported the way a compiler does: `path:line:col: severity: message`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place. Lines and columns are 1-based, as editors count them."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True)
class Mark:
    """A place in a source file (1-based), kept on every loaded element so later checks can point at it."""

    path: str
    line: int
    col: int

    def shifted(self, line_offset: int = 0, col: int | None = None) -> "Mark":
        return Mark(self.path, self.line + line_offset, self.col if col is None else col)


class DiagnosticSink:
    """Collects every problem instead of stopping at the first, so an author sees them all at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, mark: Mark, message: str) -> None:
        self.items.append(Diagnostic(mark.path, mark.line, mark.col, Severity.ERROR, message))

    def warning(self, mark: Mark, message: str) -> None:
        self.items.append(Diagnostic(mark.path, mark.line, mark.col, Severity.WARNING, message))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=lambda d: (d.path, d.line, d.col, d.message))
