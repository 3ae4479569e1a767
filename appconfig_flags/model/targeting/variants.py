"""Checks of one flag's variant list: each rule parsed and checked, and variants no context can reach.

``unreachable-variant`` (a warning: AppConfig takes such a flag) is found by a small, sound but
incomplete analysis: a variant is unreachable when its rule can never hold (``pct::0``), when an
earlier rule always holds (``(not (split pct::0 …))``, ``(or X (not X))``), or when an earlier
rule holds whenever its own does: the same rule, a ``split`` of the same salt and ``by`` with a
``pct`` as large ("A 20 % then B 20 % gives B 0 %"), through ``and``/``or``. The default variant
is unreachable after an always-true rule, or after two rules ``X`` and ``(not X)``.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..problems import Problem
from .context import ContextDeclaration
from .rule import And, Compare, Exists, In, Matches, Not, Or, Rule, Split, check_rule


def always(rule: Rule) -> bool | None:
    """``True`` when ``rule`` holds for every context, ``False`` for none, ``None`` when it depends (or we cannot tell)."""
    if isinstance(rule, Split):
        return False if rule.pct == 0 else None
    if isinstance(rule, Not):
        inner = always(rule.operand)
        return None if inner is None else not inner
    if isinstance(rule, (And, Or)):
        outcomes = [always(operand) for operand in rule.operands]
        if isinstance(rule, And):
            return False if False in outcomes else True if all(o is True for o in outcomes) else None
        if True in outcomes or _has_complement(rule.operands):
            return True
        return False if all(o is False for o in outcomes) else None
    return None


def _has_complement(rules: Sequence[Rule]) -> bool:
    present = set(rules)
    return any(isinstance(rule, Not) and rule.operand in present for rule in rules)


def implies(a: Rule, b: Rule) -> bool:
    """Whether every context for which ``a`` holds makes ``b`` hold too (``False``: no, or cannot tell)."""
    if a == b or always(b) is True or always(a) is False:
        return True
    if isinstance(a, Split) and isinstance(b, Split):
        return a.by == b.by and a.seed == b.seed and a.pct <= b.pct
    if isinstance(b, Exists) and isinstance(a, (Compare, In, Matches)):
        return a.key == b.key  # Every test of a key is false when it is missing.
    if isinstance(b, Exists) and isinstance(a, Split):
        return a.by == b.key
    if isinstance(b, Or) and any(implies(a, x) for x in b.operands):
        return True
    if isinstance(b, And) and all(implies(a, x) for x in b.operands):
        return True
    if isinstance(a, And) and any(implies(x, b) for x in a.operands):
        return True
    return isinstance(a, Or) and all(implies(x, b) for x in a.operands)


def check_variant_rules(variants: Sequence[Any], *, path: str,
                        context: ContextDeclaration | None = None) -> tuple[list[Problem], list[Problem]]:
    """Problems and warnings of the rules of ``variants`` (objects with ``name`` and ``rule``).

    ``path`` is the flag's (``Profile@Env/flag``); each finding's path adds ``/_variants/<name>``.
    A rule given as text is checked as written; a rule object as its canonical text.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    earlier: list[tuple[str, Rule]] = []
    last = len(variants) - 1
    for index, variant in enumerate(variants):
        name = getattr(variant, "name", index)
        where = f"{path}/_variants/{name}"
        rule = getattr(variant, "rule", None)
        if isinstance(rule, Rule):
            rule = str(rule)
        if not isinstance(rule, str) or rule == "":
            if index == last:
                warnings.extend(_unreachable_default(earlier, where, name))
            continue  # No rule (the default), or not a string: the document's rules report it.
        checked = check_rule(rule, path=where, context=context)
        problems += checked.problems
        warnings += checked.warnings
        if checked.rule is None:
            continue
        warnings.extend(_unreachable(checked.rule, earlier, where, name))
        earlier.append((str(name), checked.rule))
    return problems, warnings


def _unreachable(rule: Rule, earlier: list[tuple[str, Rule]], where: str, name: object) -> list[Problem]:
    if always(rule) is False:
        return [Problem(where, "unreachable-variant", "no context satisfies this rule (a split of pct::0)", name)]
    for before, other in earlier:
        if always(other) is True:
            return [Problem(where, "unreachable-variant", f"variant {before!r} before it matches every context", name)]
        if implies(rule, other):
            return [Problem(where, "unreachable-variant",
                            f"variant {before!r} before it matches every context this one does (first match wins;"
                            " for a split, use a larger cumulative pct or another seed)", name)]
    return []


def _unreachable_default(earlier: list[tuple[str, Rule]], where: str, name: object) -> list[Problem]:
    rules = [rule for _, rule in earlier]
    for before, rule in earlier:
        if always(rule) is True or (isinstance(rule, Not) and rule.operand in rules):
            return [Problem(where, "unreachable-variant", f"the default is never served: variant {before!r} "
                            "(with those before it) matches every context", name)]
    return []
