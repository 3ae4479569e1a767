"""Problems found in flags and documents, carried as values so they can be tested and listed."""
from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final


class _NoValue:
    """The value of a problem about something absent (a missing key): nothing to show."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


#: ``Problem.value`` when the problem is that something is missing.
NO_VALUE: Final = _NoValue()


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: where (``profile/flag/attribute``), which rule (``rules.RULES``), why, and the bad value.

    ``value`` is :data:`NO_VALUE` (Default) when something is missing; ``None`` is JSON ``null``.
    """

    path: str
    rule: str
    message: str
    value: Any = NO_VALUE

    def __str__(self) -> str:
        if self.value is NO_VALUE:
            return f"{self.path}: [{self.rule}] {self.message}"
        return f"{self.path}: [{self.rule}] {self.message} (got {_shorten(safe_repr(self.value))})"


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


_BRIEF = reprlib.Repr()
_BRIEF.maxlevel = 4


def safe_repr(value: object) -> str:
    """``repr(value)``; abbreviated when it is nested too deep to write, a placeholder when it fails.

    A problem's value may be anything a caller passed, so writing it must never raise.
    """
    try:
        return repr(value)
    except RecursionError:
        return _BRIEF.repr(value)
    except Exception:  # noqa: BLE001 - a value's own __repr__ may raise anything
        return f"<{type(value).__name__} object>"


class FlagValidationError(ValueError):
    """Every problem found in one check, raised together so that one run shows them all."""

    def __init__(self, problems: Iterable[Problem], *, subject: str = "feature flags") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.subject = subject
        super().__init__(problem_list(subject, self.problems))


def problem_list(subject: str, problems: Iterable[object]) -> str:
    """``N problem(s) in SUBJECT:`` and one indented line per problem: every error of this package reads so."""
    lines = [f"  - {p}" for p in problems]
    return "\n".join([f"{len(lines)} problem(s) in {subject}:", *lines])


def raise_if_any(problems: list[Problem], *, subject: str) -> None:
    """Raise one :class:`FlagValidationError` listing ``problems`` when there are any."""
    if problems:
        raise FlagValidationError(problems, subject=subject)
