"""Rule text to checked rule objects: every problem with its category, offset and a fix.

Categories (``Problem.rule``): ``syntax`` (:mod:`.reader`), ``unknown-operator``, ``arity``,
``type``, ``annotation``, ``range``, ``regex``, and ``context-key`` when the profile declares its
context. The operators and operand forms are those of "Defining rules for multi-variant feature
flags" (https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-rules-operators.html).
Where AWS is silent the Policy is: the context value comes first and a constant second; ``ne`` is
refused (write ``(not (eq …))``); ``and``/``or`` take one or more operands; ``pct`` is an int or a
decimal from 0 to 100; patterns compile with Python's ``re`` (a ``regex-dialect`` warning for
lookaround and backreferences, which RE2 lacks).

Use :func:`~.rule.check_rule` for problems as values, :func:`~.rule.parse_rule` (``Rule.parse``) to raise
them: they pass the rule classes of :mod:`.rule` to this module, which does not import it (the
rule objects call the checker, so the checker builds them through what it is given).
"""
from __future__ import annotations

import itertools
import math
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from ..problems import FlagValidationError
from . import syntax as r
from .context import ContextDeclaration, kind_of_constant, kind_of_type
from .reader import Node, RuleSyntaxError, read_rule_text

if TYPE_CHECKING:
    from .problem import RuleProblem

_NAMED = {"split": ("pct", "by", "seed"), "matches": ("in", "pattern"), "exists": ("key",)}
_REQUIRED = {"split": ("pct", "by"), "matches": ("in", "pattern"), "exists": ("key",)}
_OPERATORS = frozenset(r.OPERATORS)
_CONSTANT_KINDS = frozenset({"string", "int", "decimal", "float", "timestamp", "bool"})
_LOOKS_LIKE = {"ne": "(not (eq $key value))", "neq": "(not (eq $key value))", "ge": "gte", "le": "lte",
               "starts_with": "begins_with", "begins": "begins_with", "ends": "ends_with", "regex": "matches",
               "has": "exists", "includes": "contains"}


class _Finding(NamedTuple):  # a NamedTuple: a private record need not cost a dataclass's 0.4 ms at import
    category: str
    reason: str
    position: int
    hint: str = ""


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """The outcome of checking one rule text: the rule (``None`` when there are problems), problems, warnings."""

    #: A :class:`~.rule.Rule` (typed ``Any`` here: this module does not import :mod:`.rule`).
    rule: Any
    problems: tuple[RuleProblem, ...]
    warnings: tuple[RuleProblem, ...]


class _Checker:
    __slots__ = ("build", "context", "problems", "warnings")

    def __init__(self, context: Mapping[str, str] | None, build: Any) -> None:
        self.problems: list[_Finding] = []
        self.warnings: list[_Finding] = []
        self.context = context
        #: The rule classes (``build.Compare``, ``build.And``...): :mod:`.rule` passes them, as it calls this module.
        self.build = build

    def bad(self, category: str, reason: str, where: Node | int, hint: str = "") -> None:
        position = where if isinstance(where, int) else where.start
        self.problems.append(_Finding(category, reason, position, hint))

    # -- expressions ----------------------------------------------------------------------------
    def expression(self, node: Node) -> Any:
        if node.kind != "sexp":
            self.bad("type", f"an operand of a logical operator is an expression, not {_what(node)}", node,
                     'wrap a test in parentheses, e.g. (eq $tier "gold")')
            return None
        if not node.value:
            self.bad("syntax", "an empty expression ()", node, 'write (op operands…)')
            return None
        head, *operands = node.value
        if head.kind != "symbol" or (head.value not in _OPERATORS and _operator_chars().fullmatch(head.value)):
            self.bad("syntax", f"an expression starts with an operator name, not {_what(head)}", head,
                     f"operators are {', '.join(r.OPERATORS)}")
            return None
        if head.annotations:
            self.bad("annotation", "an operator takes no annotation", head)
        op = head.value
        if op not in _OPERATORS:
            self.bad("unknown-operator", f"unknown operator {op!r}", head, _operator_hint(op))
            for operand in operands:  # Still report what is wrong inside.
                if operand.kind == "sexp":
                    self.expression(operand)
            return None
        if op in _NAMED:
            return self.named(op, node, operands)
        for operand in operands:
            if operand.annotations:
                name, position = operand.annotations[0]
                self.bad("annotation", f"{op} takes no named operands ({name}::)", position,
                         f"names are for {', '.join(_NAMED)} only")
        if op in ("and", "or", "not"):
            return self.logical(op, node, operands)
        return self.comparison(op, node, operands)

    def logical(self, op: str, node: Node, operands: list[Node]) -> Any:
        if op == "not" and len(operands) != 1:
            self.bad("arity", f"not takes exactly 1 operand, got {len(operands)}", node,
                     "negate one expression: (not (eq $k v)); combine several with and/or first")
            return None
        if not operands:
            self.bad("arity", f"{op} takes one or more operands, got 0", node, f"({op} (eq $a 1) (eq $b 2))")
            return None
        rules = [self.expression(operand) for operand in operands]
        if any(rule is None for rule in rules):
            return None
        if op == "not":
            return self.build.Not(rules[0])
        return (self.build.And if op == "and" else self.build.Or)(tuple(rules))

    def comparison(self, op: str, node: Node, operands: list[Node]) -> Any:
        if len(operands) != 2:
            for before, after in itertools.pairwise(operands):  # $user-id reads as $user, -, id
                if _is_context(before) and after.start == before.end and after.kind in ("symbol", "int", "decimal"):
                    self.bad("type", f"{before.value}{_source(after)}… is not one context name", before,
                             f"a context name holds letters, digits and '_': {before.value} ends where a "
                             f"{_source(after)[:1]!r} begins; rename the key, e.g. {before.value}_…")
                    return None
            self.bad("arity", f"{op} takes exactly 2 operands (a context value, then a constant), got {len(operands)}",
                     node, f"({op} $key {_example(op)})")
            for operand in operands:
                if operand.kind == "sexp":
                    self.bad("type", f"{op} compares a context value with a constant, not an expression", operand)
            return None
        first, second = operands
        key = self.context_name(first, op, second)
        if key is None and _is_context(second):
            return None  # Reported: the operands are swapped.
        if op == "in":
            constants = self.constant_list(second)
            if key is None or constants is None:
                return None
            for value, element in zip(constants, second.value):
                self.declared_kind(key, value, element, op)
            return self.build.In(key, tuple(constants))
        if second.kind == "list":
            self.bad("type", f"{op} compares with one constant, not a list", second,
                     f"to test several values write (in ${key or 'key'} [...])")
            return None
        constant = self.constant(second, op)
        if key is None or constant is None:
            return None
        if op in r.ORDERINGS and not (r.is_number(constant) or type(constant) is datetime):
            self.bad("type", f"{op} compares with a number or a timestamp, not {_what(second)}", second,
                     "ordering applies to numbers and timestamps only")
            return None
        if op in r.TEXT_TESTS and type(constant) is not str:
            self.bad("type", f"{op} compares with a string, not {_what(second)}", second,
                     f'write ({op} ${key} "{constant}")' if type(constant) in (int, Decimal) else "")
            return None
        self.declared_kind(key, constant, second, op)
        return self.build.Compare(op, key, constant)

    def named(self, op: str, node: Node, operands: list[Node]) -> Any:
        allowed = _NAMED[op]
        given: dict[str, Node] = {}
        ok = True
        for operand in operands:
            if not operand.annotations:
                self.bad("annotation", f"{op} takes named operands only ({'::, '.join(allowed)}::)", operand,
                         _named_example(op))
                ok = False
                continue
            if len(operand.annotations) > 1:
                self.bad("annotation", "an operand has one name", operand.annotations[1][1])
                ok = False
                continue
            name, position = operand.annotations[0]
            if name not in allowed:
                close = _close_matches(name, allowed, n=1)
                self.bad("annotation", f"{op} takes no {name}:: (it takes {'::, '.join(allowed)}::)", position,
                         f"did you mean {close[0]}::?" if close else _named_example(op))
                ok = False
            elif name in given:
                self.bad("annotation", f"{name}:: is given twice", position)
                ok = False
            else:
                given[name] = operand
        for name in _REQUIRED[op] if ok else ():  # After a misnamed operand, a missing name says nothing new.
            if name not in given:
                self.bad("annotation", f"{op} needs {name}::", node, _named_example(op))
                ok = False
        if not ok:
            return None
        if op == "exists":
            key_node = given["key"]
            if key_node.kind != "string":
                hint = f'write key::"{key_node.value[1:]}"' if _is_context(key_node) else 'write key::"name"'
                self.bad("type", f"key:: is a string naming the context key, not {_what(key_node)}", key_node, hint)
                return None
            if not key_node.value:
                self.bad("type", "key:: names a context key: it cannot be empty", key_node)
                return None
            self.declared(key_node.value, key_node)
            return self.build.Exists(key_node.value)
        if op == "matches":
            key = self.context_name(given["in"], op, None)
            pattern_node = given["pattern"]
            if pattern_node.kind != "string":
                self.bad("type", f"pattern:: is a string, not {_what(pattern_node)}", pattern_node,
                         'write pattern::"^[a-z]+$"')
                return None
            pattern = pattern_node.value
            try:
                with warnings.catch_warnings():
                    # "Possible nested set" and the like: about Python's future syntax, not the rule's; no output.
                    warnings.simplefilter("ignore", FutureWarning)
                    re.compile(pattern)
            except re.error as exc:
                self.bad("regex", f"the pattern does not compile: {exc}", pattern_node,
                         "check the brackets and escapes (a backslash is \\\\ inside a rule string)")
                return None
            risk = r.pattern_risk(pattern)
            if risk is not None:
                self.bad("regex", risk, pattern_node, "anchor the pattern with ^…$ and drop the nested quantifier: "
                         "a served rule with this pattern is not evaluated")
                return None
            if _not_re2().search(pattern):
                self.warnings.append(_Finding(
                    "regex-dialect", "the pattern uses lookaround or a backreference, which RE2-style engines lack",
                    pattern_node.start, "the matches dialect is not documented: prefer plain alternatives, anchor with ^…$"))
            if key is None:
                return None
            if self.context is not None and key in self.context and self.context[key] != "string":
                self.bad("type", f"matches reads text, but ${key} is declared {self.context[key]}", given["in"])
            return self.build.Matches(key, pattern)
        return self.split(given)

    def split(self, given: dict[str, Node]) -> Any:
        pct_node, by_node, seed_node = given["pct"], given["by"], given.get("seed")
        pct: Any = None
        if pct_node.kind in ("int", "decimal"):
            pct = pct_node.value
            if not (pct.is_finite() if isinstance(pct, Decimal) else True) or not 0 <= pct <= r.PCT_MAX:
                self.bad("range", f"pct:: is a percentage from 0 to {r.PCT_MAX}, got {pct}", pct_node)
                pct = None
        else:
            hint = "write pct::12.5 (a decimal)" if pct_node.kind == "float" else "write pct::10"
            self.bad("type", f"pct:: is an int or a decimal, not {_what(pct_node)}", pct_node, hint)
        by = self.context_name(by_node, "split", None, what="by::")
        seed = None
        if seed_node is not None:
            if seed_node.kind != "string":
                self.bad("type", f"seed:: is a string, not {_what(seed_node)}", seed_node,
                         f'write seed::"{seed_node.value}"' if seed_node.kind in ("int", "symbol") else "")
                return None
            seed = seed_node.value
        if pct is None or by is None:
            return None
        return self.build.Split(pct, by, seed)

    # -- operands -------------------------------------------------------------------------------
    def context_name(self, node: Node, op: str, other: Node | None, what: str = "the first operand") -> str | None:
        """The name of a ``$name`` operand (checked against the declaration), or ``None`` after a problem."""
        if _is_context(node):
            name = node.value[1:]
            if not r.is_name(name):
                self.bad("type", f"${name} is not a context name", node,
                         "a context name holds letters, digits and '_' and starts with a letter or '_'")
                return None
            self.declared(name, node)
            return str(name)
        if other is not None and _is_context(other):
            self.bad("type", f"{op} takes the context value first and the constant second", node,
                     f"write ({op} {other.value} {_source(node)})" if node.kind in _CONSTANT_KINDS else "")
        elif node.kind == "sexp":
            self.bad("type", f"{what} of {op} is a context value ($name), not an expression", node)
        else:
            self.bad("type", f"{what} of {op} is a context value ($name), not {_what(node)}", node,
                     f"write ${node.value}" if node.kind == "symbol" and r.is_name(node.value) else "")
        return None

    def declared(self, name: str, node: Node) -> None:
        if self.context is None or name in self.context:
            return
        close = _close_matches(name, list(self.context), n=1)
        hint = f"did you mean {close[0]}?" if close else f"declared keys: {', '.join(sorted(self.context)) or 'none'}"
        self.bad("context-key", f"{name!r} is not a declared context key", node, hint)

    def declared_kind(self, key: str, constant: object, node: Node, op: str) -> None:
        if self.context is None or key not in self.context:
            return
        declared, given = self.context[key], kind_of_constant(constant)
        if declared != given:
            self.bad("type", f"${key} is declared {declared}, but {op} compares it with a {given}", node,
                     f"compare ${key} with a {declared} constant")

    def constant(self, node: Node, op: str) -> Any:
        """A constant operand's value, or ``None`` after a problem."""
        if node.kind in _CONSTANT_KINDS:
            if node.kind == "int" and not r.INT64_MIN <= node.value <= r.INT64_MAX:
                self.bad("range", "an integer constant is 64-bit (-2**63 to 2**63-1)", node)
                return None
            if node.kind in ("float", "decimal") and not math.isfinite(node.value):
                self.bad("range", "a number constant is finite (no nan or inf)", node)
                return None
            return node.value
        if node.kind == "null":
            self.bad("type", "null is not a constant of the rule language", node,
                     "test for absence with (not (exists key::\"name\"))")
        elif node.kind == "sexp":
            self.bad("type", f"{op} compares with a constant, not an expression", node)
        elif _is_context(node):
            self.bad("type", f"{op} compares a context value with a constant, not with another context value", node)
        elif node.kind == "symbol":
            self.bad("type", f"a bare symbol {node.value!r} is not a constant", node, _symbol_hint(node))
        else:
            self.bad("type", f"{op} compares with a constant, not {_what(node)}", node)
        return None

    def constant_list(self, node: Node) -> list[Any] | None:
        if node.kind != "list":
            self.bad("type", f"in takes a list of constants [a, b], not {_what(node)}", node,
                     "write (in $key [\"a\", \"b\"])")
            return None
        if not node.value:
            self.bad("type", "in needs at least one constant in its list", node)
            return None
        values = []
        for element in node.value:
            if element.annotations:
                self.bad("annotation", "list elements take no annotation", element.annotations[0][1])
                return None
            if element.kind == "list":
                self.bad("type", "in takes a flat list of constants", element)
                return None
            value = self.constant(element, "in")
            if value is None:
                return None
            values.append(value)
        return values


# Patterns for matches and for unknown operators compile on first use, not at a service's start-up.
@cache
def _not_re2() -> re.Pattern[str]:
    """Syntax Python's re has and RE2 (and maybe AppConfig) lacks: lookaround, backreferences."""
    return re.compile(r"\(\?<?[=!]|\(\?P=|\\[1-9]")


@cache
def _operator_chars() -> re.Pattern[str]:
    return re.compile(r"[!#%&*+\-./;<=>?@^`|~]+")


def _is_context(node: Node) -> bool:
    return node.kind == "symbol" and node.value.startswith("$")


def _what(node: Node) -> str:
    """What ``node`` is, with its article: ``an integer``, ``a context value``."""
    if node.kind == "symbol":
        return "a context value" if _is_context(node) else f"the symbol {node.value!r}"
    return {"sexp": "an expression", "bool": "a boolean", "int": "an integer", "list": "a list", "null": "null",
            "string": "a string", "decimal": "a decimal", "float": "a float", "timestamp": "a timestamp"}[node.kind]


def _source(node: Node) -> str:
    return r.render_constant(node.value) if node.kind in _CONSTANT_KINDS else str(node.value)


def _symbol_hint(node: Node) -> str:
    if node.value in ("-", ".", "+"):
        return f"a context name cannot hold {node.value!r}: $user-id reads as $user, -, id; use $user_id"
    return f'strings take double quotes: "{node.value}"'


def _operator_hint(op: str) -> str:
    if op.lower() in r.OPERATORS:
        return f"operators are lower case: {op.lower()}"
    if op in _LOOKS_LIKE:
        return f"write {_LOOKS_LIKE[op]}"
    close = _close_matches(op, r.OPERATORS, n=1)
    return f"did you mean {close[0]}?" if close else f"operators are {', '.join(r.OPERATORS)}"


def _example(op: str) -> str:
    return {"in": '["a", "b"]', "begins_with": '"A"', "ends_with": '"x"', "contains": '"x"', "eq": '"gold"'}.get(op, "65")


def _named_example(op: str) -> str:
    return {"split": 'e.g. (split pct::10 by::$userId seed::"s")', "matches": 'e.g. (matches in::$k pattern::"^a.*z$")',
            "exists": 'e.g. (exists key::"country")'}[op]


@lru_cache(maxsize=4096)
def _check_text(text: str, context: tuple[tuple[str, str], ...] | None, build: Any) -> tuple[Any, tuple[_Finding, ...],
                                                                                 tuple[_Finding, ...]]:
    checker = _Checker(dict(context) if context is not None else None, build)
    try:
        node = read_rule_text(text)
    except RuleSyntaxError as exc:
        return None, (_Finding("syntax", exc.reason, exc.position, exc.hint),), ()
    try:
        rule = checker.expression(node)
    except FlagValidationError as exc:  # A value the checker let through but a rule object refuses.
        checker.problems += [_Finding(p.rule, p.message, 0) for p in exc.problems]
    if checker.problems:
        return None, tuple(checker.problems), tuple(checker.warnings)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[text] = rule  # A declaration only adds problems: the rule is the same without one.
    return rule, (), tuple(checker.warnings)


#: Rules parsed without problems, by text, whatever declaration they were checked against: a client's first poll
#: reuses what the catalogue's checks parsed moments before (``_check_text`` keys its cache by the declaration too).
_PARSED: dict[str, Any] = {}
_PARSED_MAX = 16384


def _declaration_key(context: ContextDeclaration | None) -> tuple[tuple[str, str], ...] | None:
    if context is None:
        return None
    return tuple(sorted((key, kind_of_type(kind) or "unknown") for key, kind in context.items()))


def check_rule_text(text: str, *, build: Any, path: str = "rule", context: ContextDeclaration | None = None
                    ) -> RuleCheck:
    """Parse and check one rule's text, building rules with ``build``'s classes (:func:`.rule.check_rule` passes them).

    ``context`` maps declared keys to their types (``None``: no key checks).
    """
    rule, problems, warnings = _check_text(text, _declaration_key(context), build)
    if not problems and not warnings:
        return RuleCheck(rule, (), ())
    from .problem import rule_problem  # only for findings: a clean catalogue's start-up skips the class

    def problem(finding: _Finding) -> RuleProblem:
        return rule_problem(path, finding.category, finding.reason, text, finding.position, finding.hint)

    return RuleCheck(rule, tuple(map(problem, problems)), tuple(map(problem, warnings)))


def parse_rule_text(text: str, *, build: Any, context: ContextDeclaration | None = None) -> Any:
    """The rule objects of ``text`` (built with ``build``); :class:`FlagValidationError` listing every problem otherwise."""
    if not isinstance(text, str):
        raise TypeError(f"rule text is a str, got {type(text).__name__}")
    if context is None and (parsed := _PARSED.get(text)) is not None:
        return parsed
    result = check_rule_text(text, build=build, context=context)
    if result.rule is None:
        raise FlagValidationError(result.problems, subject=f"rule {text[:60]!r}")
    return result.rule


def _close_matches(word: str, possibilities: list[str] | tuple[str, ...], n: int = 1) -> list[str]:
    """``difflib.get_close_matches``, imported only when a rule is wrong (difflib is slow to import)."""
    from difflib import get_close_matches

    return get_close_matches(word, possibilities, n=n)
