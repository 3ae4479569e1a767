"""Variant rule text as Python that builds the same :class:`~appconfig_flags.model.Rule` (``ctx("tier") == "gold"``)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from appconfig_flags.model import FlagValidationError, Rule, ctx
from appconfig_flags.model.targeting.rule import And, Compare, Exists, In, Matches, Not, Or, Split

from . import codegen
from .codegen import Atom, Call, Node, Tuple

_SYMBOLS = {"eq": "==", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class _Unsupported(Exception):
    """A rule (or a constant) this writer has no Python form for: the text is kept as written."""


def rule_node(text: str) -> tuple[Node, set[str], dict[str, set[str]]] | None:
    """Python for the rule ``text`` (its node, the model names and other imports it uses), or ``None``.

    ``None`` when ``text`` is not the canonical text of its rule (spacing, a non-canonical number),
    so the Rule would render differently: the caller then keeps the text itself.
    """
    try:
        rule = Rule.parse(text)
    except FlagValidationError:
        return None
    if str(rule) != text:
        return None
    names: set[str] = set()
    imports: dict[str, set[str]] = {}
    try:
        node = _node(rule, names, imports)
    except _Unsupported:
        return None
    # The node is built from the parsed rule, not from the document's text: evaluating it runs no input.
    built = eval(codegen.flat(node), {"Rule": Rule, "ctx": ctx, "Decimal": Decimal})
    return (node, names, imports) if str(built) == text else None


def _constant(value: Any, imports: dict[str, set[str]]) -> Node:
    kind = type(value)
    if kind is str:
        return Atom(codegen.string(value))
    if kind is bool:
        return Atom("True" if value else "False")
    if kind is int or kind is float:
        return Atom(codegen.number(value))
    if kind is Decimal:
        imports.setdefault("decimal", set()).add("Decimal")
        return Call("Decimal", (Atom(codegen.string(str(value))),))
    raise _Unsupported(value)  # timestamps: kept as rule text


def _node(rule: Rule, names: set[str], imports: dict[str, set[str]]) -> Node:
    if isinstance(rule, Compare) and rule.op in _SYMBOLS:
        names.add("ctx")
        constant = codegen.flat(_constant(rule.constant, imports))
        return Atom(f"ctx({codegen.string(rule.key)}) {_SYMBOLS[rule.op]} {constant}")
    if isinstance(rule, Not) and isinstance(rule.operand, Compare) and rule.operand.op == "eq":
        names.add("ctx")
        constant = codegen.flat(_constant(rule.operand.constant, imports))
        return Atom(f"ctx({codegen.string(rule.operand.key)}) != {constant}")
    names.add("Rule")
    if isinstance(rule, Compare):
        return Call(f"Rule.{rule.op}", (Atom(codegen.string(rule.key)), _constant(rule.constant, imports)))
    if isinstance(rule, In):
        return Call("Rule.in_", (Atom(codegen.string(rule.key)), Tuple([_constant(c, imports) for c in rule.constants])))
    if isinstance(rule, Matches):
        return Call("Rule.matches", (Atom(codegen.string(rule.key)), Atom(codegen.string(rule.pattern))))
    if isinstance(rule, Exists):
        return Call("Rule.exists", (Atom(codegen.string(rule.key)),))
    if isinstance(rule, Split):
        kwargs = [("seed", Atom(codegen.string(rule.seed)))] if rule.seed is not None else []
        return Call("Rule.split", (_constant(rule.pct, imports), Atom(codegen.string(rule.by))), kwargs)
    if isinstance(rule, (And, Or)):
        return Call("Rule.all" if isinstance(rule, And) else "Rule.any",
                    [_node(r, names, imports) for r in rule.operands])
    if isinstance(rule, Not):
        return Call("Rule.not_", (_node(rule.operand, names, imports),))
    raise _Unsupported(rule)
