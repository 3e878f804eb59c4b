"""Problems found in the content, as values with a location, formatted in one place."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: where it is, how bad it is, what to do about it."""

    path: str
    line: int | None
    severity: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        # One problem, one line (DESIGN.md), whatever a library put in its message.
        return f"{where}: {self.severity}: {' '.join(self.message.split())}"


@dataclass
class Report:
    """Every diagnostic of one build, gathered so all are shown together."""

    root: Path | None = None
    items: list[Diagnostic] = field(default_factory=list)

    def _where(self, path: Path | str) -> str:
        # Paths are shown as the author typed them: relative to where the
        # command runs when possible, so `PATH:LINE` can be clicked in a terminal.
        path = Path(path)
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def error(self, path: Path | str, line: int | None, message: str) -> None:
        self.items.append(Diagnostic(self._where(path), line, ERROR, message))

    def warning(self, path: Path | str, line: int | None, message: str) -> None:
        self.items.append(Diagnostic(self._where(path), line, WARNING, message))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    def sorted(self) -> list[Diagnostic]:
        """Return the diagnostics in file and line order, without repeats."""
        return sorted(set(self.items), key=lambda d: (d.path, d.line or 0, d.severity, d.message))


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate that `name` is probably a misspelling of, if any."""
    matches = difflib.get_close_matches(name.lower(), sorted(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None
