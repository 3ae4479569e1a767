"""Problems found in flags and documents, carried as values so they can be tested and listed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: where (``profile/flag/attribute``), which rule, why, and the bad value."""

    path: str
    rule: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        shown = _shorten(repr(self.value)) if self.value is not None else "none"
        return f"{self.path}: [{self.rule}] {self.message} (got {shown})"


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class FlagValidationError(ValueError):
    """Every problem found in one check, raised together so that one run shows them all."""

    def __init__(self, problems: Iterable[Problem], *, subject: str = "feature flags") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {subject}:\n{lines}")


def raise_if_any(problems: list[Problem], *, subject: str) -> None:
    """Raise one :class:`FlagValidationError` listing ``problems`` when there are any."""
    if problems:
        raise FlagValidationError(problems, subject=subject)
