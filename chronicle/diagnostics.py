"""Problems found in the content, as values with a location, formatted in one place."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

ERROR = "error"
WARNING = "warning"
HANDFUL = 5  # more warnings of one kind than this are printed as the first and a count

# A warning's kind is what a count of them counts ("events without sources"): plain text, so that a
# diagnostic kept in the build cache is still only the model's own values. What turns a whole
# kind off is said once, with the count.
UNSOURCED = "events without sources"
FOLD_HINTS = {
    UNSOURCED: "`sources: optional` in content/_index.md turns this warning off for a timeline that is "
               "not a news record",
}


@dataclass(frozen=True)
class Folded:
    """The warnings of one kind left out of a printed report, as one line after the first of them."""

    count: int
    kind: str

    def __str__(self) -> str:
        hint = f"; {FOLD_HINTS[self.kind]}" if self.kind in FOLD_HINTS else ""
        return f"… and {self.count:,} more {self.kind} — `check` lists them all{hint}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: where it is, how bad it is, what to do about it."""

    path: str
    line: int | None
    severity: str
    message: str
    kind: str | None = field(default=None, compare=False)  # warnings alike, folded when many (Report.shown)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        # One problem, one line (README.md, Commands), whatever a library put in its message.
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

    def warning(self, path: Path | str, line: int | None, message: str, kind: str | None = None) -> None:
        self.items.append(Diagnostic(self._where(path), line, WARNING, message, kind))

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

    def shown(self, every: bool = False) -> list[Diagnostic | Folded]:
        """Return what to print: the sorted diagnostics, the warnings of a kind past a handful as the
        first of them and a count (issue "What authors and readers tripped on", 7); every one when asked.

        Errors are never folded: each is a thing to fix where it is.
        """
        items = self.sorted()
        counts = Counter(d.kind for d in items if d.severity == WARNING and d.kind is not None)
        if every or all(count <= HANDFUL for count in counts.values()):
            return list(items)
        shown: list[Diagnostic | Folded] = []
        told: set[str] = set()
        for diagnostic in items:
            kind = diagnostic.kind
            if diagnostic.severity == WARNING and kind is not None and counts[kind] > HANDFUL:
                if kind in told:
                    continue
                told.add(kind)
                shown += [diagnostic, Folded(counts[kind] - 1, kind)]
            else:
                shown.append(diagnostic)
        return shown


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate that `name` is probably a misspelling of, if any."""
    matches = difflib.get_close_matches(name.lower(), sorted(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None
