"""Problems found while loading a scenario, and the exception that carries them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, located by a JSON path (or a line and column)."""

    file: str
    path: str  # e.g. "diagnostics[3].evidence[0].cause"; "" for the file as a whole
    message: str
    line: int | None = None  # set for JSON syntax errors
    column: int | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}, column {self.column}")
        if self.path:
            where.append(self.path)
        return ": ".join([*where, self.message])


class ScenarioError(Exception):
    """Raised when a scenario (or plan) cannot be loaded; ``problems`` says why, all at once."""

    def __init__(self, file: str, problems: Iterable[Problem]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        """Return every problem, one per line."""
        return "\n".join(str(problem) for problem in self.problems)

    def __str__(self) -> str:
        return self.render()
