"""A problem in a rule's text: a :class:`~appconfig_flags.model.problems.Problem` that also says where and how to fix it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any  # noqa: F401 - Problem.value's annotation: tools (pdoc) resolve the inherited __init__ here

from ..problems import Problem

#: The rule-language categories ("Defining rules for multi-variant feature flags" operators and
#: operands, checked by the model): each is a ``Problem.rule`` id in :data:`..rules.RULES`.
CATEGORIES = ("syntax", "unknown-operator", "arity", "type", "annotation", "range", "regex")


@dataclass(frozen=True, slots=True)
class RuleProblem(Problem):
    """A broken rule: ``position`` is the character offset in the rule text (0-based), ``hint`` the fix.

    ``value`` is the whole rule text; ``message`` repeats the offset and the hint, for people.
    """

    position: int = 0
    hint: str = ""


def rule_problem(path: str, category: str, reason: str, text: str, position: int, hint: str = "") -> RuleProblem:
    """A :class:`RuleProblem` whose message reads ``REASON (at offset N: EXCERPT); HINT``."""
    excerpt = text[position:position + 24]
    message = f"{reason} (at offset {position}: {excerpt!r})" if excerpt else f"{reason} (at offset {position})"
    if hint:
        message += f"; {hint}"
    return RuleProblem(path, category, message, text, position, hint)
