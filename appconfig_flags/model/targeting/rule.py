"""Variant rules as objects: one frozen dataclass per operator, builders, and the canonical rule text.

AppConfig's rule language ("Defining rules for multi-variant feature flags",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-rules-operators.html)
is one Amazon Ion s-expression. ``str(rule)`` renders its canonical text, and
``Rule.parse(str(rule)) == rule`` for every rule object. Objects can only hold forms that pass the
checker (:mod:`.checker`): a bad operand raises :class:`~appconfig_flags.model.FlagValidationError`
naming the category (``type``, ``range``, ``regex``) when the object is built.

Build rules with the static methods of :class:`Rule` or with :func:`ctx`::

    Rule.eq("tier", "gold") & Rule.split(pct=10, by="userId", seed="s")
    (ctx("tier") == "gold") | (ctx("age") > 65)      # (or (eq $tier "gold") (gt $age 65))
    ~ctx("country").is_in(["US", "CA"])               # (not (in $country ["US", "CA"]))

``a & b`` and ``a | b`` build two-operand ``and``/``or`` (the documented shape); ``Rule.all`` and
``Rule.any`` take any number of operands.
"""
from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..problems import FlagValidationError, Problem
from .context import encode_for_header, read_number
from .syntax import (
    COMPARISONS,
    INT64_MAX,
    INT64_MIN,
    NAME,
    OPERATORS,
    ORDERINGS,
    PCT_MAX,
    TEXT_TESTS,
    Constant,
    constant_problem,
    is_name,
    is_number,
    pattern_risk,
    render_constant,
)
from .timestamps import read_context_timestamp

if TYPE_CHECKING:
    from .checker import RuleCheck
    from .context import ContextDeclaration

# The vocabulary (from .syntax) is exported here too: it was defined in this module before syntax.py.
__all__ = ["COMPARISONS", "INT64_MAX", "INT64_MIN", "NAME", "OPERATORS", "ORDERINGS", "PCT_MAX", "TEXT_TESTS", "And",
           "Compare", "Constant", "ContextKey", "Exists", "In", "Matches", "Not", "Or", "Rule", "Split", "Test",
           "check_rule", "compile_rule", "constant_problem", "context_keys", "ctx", "is_name", "is_number", "parse_rule",
           "pattern_risk", "render_constant"]


def context_keys(rule: Rule) -> frozenset[str]:
    """The context keys ``rule`` reads (``$key``, ``key::"…"``, ``by::$key``)."""
    return _keys(rule)


@lru_cache(maxsize=4096)
def _keys(rule: Rule) -> frozenset[str]:
    if isinstance(rule, (Compare, In, Matches, Exists)):
        return frozenset((rule.key,))
    if isinstance(rule, Split):
        return frozenset((rule.by,))
    if isinstance(rule, Not):
        return _keys(rule.operand)
    if isinstance(rule, (And, Or)):
        return frozenset().union(*map(_keys, rule.operands))
    raise TypeError(f"not a rule: {rule!r}")


def _refuse(category: str, message: str, value: Any) -> FlagValidationError:
    return FlagValidationError([Problem("rule", category, message, value)], subject="a rule")


def _check_constant(value: object) -> None:
    if (why := constant_problem(value)) is not None:
        raise _refuse(why[0], why[1], value)


def _check_name(key: object, what: str = "a context name") -> None:
    if not isinstance(key, str) or not is_name(key):
        raise _refuse("type", f"{what} matches [A-Za-z_][A-Za-z0-9_]* (write it without '$')", key)


def _typed(value: object) -> tuple[object, ...]:
    """``value`` with its type (and offset), so that ``True`` differs from ``1`` and ``1.5`` from ``Decimal('1.5')``."""
    if isinstance(value, datetime):
        return (datetime, value, value.utcoffset())
    return (type(value), value)


class Rule:
    """A variant rule: build with the static methods below (or :func:`ctx`), combine with ``&``, ``|``, ``~``.

    ``str(rule)`` is the canonical rule text; :meth:`parse` reads rule text back into objects.
    """

    __slots__ = ()

    def _identity(self) -> tuple[object, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and type(other) is type(self) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash((type(self), self._identity()))

    def __and__(self, other: Rule) -> Rule:
        return And((self, other))

    def __or__(self, other: Rule) -> Rule:
        return Or((self, other))

    def __invert__(self) -> Rule:
        return Not(self)

    # -- reading and evaluating -----------------------------------------------------------------
    @staticmethod
    def parse(text: str) -> Rule:
        """The rule objects of a rule's text; :class:`FlagValidationError` with every problem otherwise."""
        return parse_rule(text)

    def evaluate(self, context: Mapping[str, object] | None = None, *, flag_key: str | None = None) -> bool:
        """Whether this rule holds for ``context`` (encoded first, as AppConfig Agent would receive it).

        ``flag_key`` salts a ``split`` without a seed; ``ValueError`` when such a split needs it, or
        when a value the rule reads cannot be encoded (:func:`~.context.encode_for_header`); other keys are not read.
        """
        return compile_rule(self, flag_key)(encode_for_header(context or {}, context_keys(self)))

    # -- builders -------------------------------------------------------------------------------
    @staticmethod
    def eq(key: str, value: Constant) -> Rule:
        """``(eq $key value)``: the context value equals ``value`` (read as ``value``'s type)."""
        return Compare("eq", key, value)

    @staticmethod
    def gt(key: str, value: float | Decimal | datetime) -> Rule:
        """``(gt $key value)``: a number or a timestamp."""
        return Compare("gt", key, value)

    @staticmethod
    def gte(key: str, value: float | Decimal | datetime) -> Rule:
        """``(gte $key value)``."""
        return Compare("gte", key, value)

    @staticmethod
    def lt(key: str, value: float | Decimal | datetime) -> Rule:
        """``(lt $key value)``."""
        return Compare("lt", key, value)

    @staticmethod
    def lte(key: str, value: float | Decimal | datetime) -> Rule:
        """``(lte $key value)``."""
        return Compare("lte", key, value)

    @staticmethod
    def begins_with(key: str, text: str) -> Rule:
        """``(begins_with $key "text")``: case-sensitive prefix."""
        return Compare("begins_with", key, text)

    @staticmethod
    def ends_with(key: str, text: str) -> Rule:
        """``(ends_with $key "text")``: case-sensitive suffix."""
        return Compare("ends_with", key, text)

    @staticmethod
    def contains(key: str, text: str) -> Rule:
        """``(contains $key "text")``: case-sensitive substring."""
        return Compare("contains", key, text)

    @staticmethod
    def in_(key: str, values: Iterable[Constant]) -> Rule:
        """``(in $key [a, b])``: the context value equals one of ``values`` (as :meth:`eq`)."""
        return In(key, tuple(values))

    @staticmethod
    def matches(key: str, pattern: str) -> Rule:
        """``(matches in::$key pattern::"re")``: a regular-expression search (anchor with ``^…$``)."""
        return Matches(key, pattern)

    @staticmethod
    def exists(key: str) -> Rule:
        """``(exists key::"key")``: the context holds ``key``, whatever its value."""
        return Exists(key)

    @staticmethod
    def split(pct: float | Decimal, by: str, seed: str | None = None) -> Rule:
        """``(split pct::N by::$by seed::"s")``: true for ``pct`` percent of ``by`` values (see :mod:`.split`)."""
        return Split(pct, by, seed)  # type: ignore[arg-type]  # A float becomes a Decimal in Split.

    @staticmethod
    def all(*rules: Rule) -> Rule:
        """``(and r1 r2 …)``: every rule holds."""
        return And(rules)

    @staticmethod
    def any(*rules: Rule) -> Rule:
        """``(or r1 r2 …)``: one or more rules hold."""
        return Or(rules)

    @staticmethod
    def not_(rule: Rule) -> Rule:
        """``(not rule)``; also ``~rule``."""
        return Not(rule)


@dataclass(frozen=True, slots=True, eq=False)
class Compare(Rule):
    """``(op $key constant)`` for ``eq``, ``gt``, ``gte``, ``lt``, ``lte``, ``begins_with``, ``ends_with``, ``contains``."""

    op: str
    key: str
    constant: Constant

    def __post_init__(self) -> None:
        if self.op not in COMPARISONS:
            raise _refuse("unknown-operator", f"a comparison is one of {list(COMPARISONS)}", self.op)
        _check_name(self.key)
        _check_constant(self.constant)
        if self.op in ORDERINGS and not (is_number(self.constant) or type(self.constant) is datetime):
            raise _refuse("type", f"{self.op} compares with a number or a timestamp", self.constant)
        if self.op in TEXT_TESTS and type(self.constant) is not str:
            raise _refuse("type", f"{self.op} compares with a string", self.constant)

    def _identity(self) -> tuple[object, ...]:
        return (self.op, self.key, _typed(self.constant))

    def __str__(self) -> str:
        return f"({self.op} ${self.key} {render_constant(self.constant)})"


@dataclass(frozen=True, slots=True, eq=False)
class In(Rule):
    """``(in $key [c1, c2, …])``: the context value equals one of the constants."""

    key: str
    constants: tuple[Constant, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "constants", tuple(self.constants))
        _check_name(self.key)
        if not self.constants:
            raise _refuse("type", "in needs a list of at least one constant", [])
        for constant in self.constants:
            _check_constant(constant)

    def _identity(self) -> tuple[object, ...]:
        return (self.key, tuple(_typed(c) for c in self.constants))

    def __str__(self) -> str:
        return f"(in ${self.key} [{', '.join(render_constant(c) for c in self.constants)}])"


@dataclass(frozen=True, slots=True, eq=False)
class Matches(Rule):
    """``(matches in::$key pattern::"re")``: ``re.search`` of the pattern in the context text."""

    key: str
    pattern: str

    def __post_init__(self) -> None:
        _check_name(self.key)
        if type(self.pattern) is not str:
            raise _refuse("type", "a pattern is a string", self.pattern)
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise _refuse("regex", f"the pattern does not compile: {exc}", self.pattern) from None
        if (risk := pattern_risk(self.pattern)) is not None:
            raise _refuse("regex", risk, self.pattern)

    def _identity(self) -> tuple[object, ...]:
        return (self.key, self.pattern)

    def __str__(self) -> str:
        return f"(matches in::${self.key} pattern::{render_constant(self.pattern)})"


@dataclass(frozen=True, slots=True, eq=False)
class Exists(Rule):
    """``(exists key::"key")``: the context holds ``key`` (even with the value ``false``)."""

    key: str

    def __post_init__(self) -> None:
        if type(self.key) is not str or not self.key:
            raise _refuse("type", "exists names a context key: a non-empty string", self.key)
        _check_constant(self.key)

    def _identity(self) -> tuple[object, ...]:
        return (self.key,)

    def __str__(self) -> str:
        return f"(exists key::{render_constant(self.key)})"


@dataclass(frozen=True, slots=True, eq=False)
class Split(Rule):
    """``(split pct::N by::$by [seed::"s"])``: true for ``pct`` percent of the ``by`` values.

    ``pct`` is an int or Decimal from 0 to 100 (a float is taken as its shortest decimal text).
    Without ``seed``, the split is salted with the flag key (see :mod:`.split`).
    """

    pct: int | Decimal
    by: str
    seed: str | None = None

    def __post_init__(self) -> None:
        pct: object = self.pct
        if type(pct) is float and math.isfinite(pct):
            object.__setattr__(self, "pct", pct := Decimal(repr(pct)))
        if type(pct) is not int and type(pct) is not Decimal:
            raise _refuse("type", "pct is an int or a decimal", pct)
        if not (pct.is_finite() if isinstance(pct, Decimal) else True) or not 0 <= pct <= PCT_MAX:
            raise _refuse("range", f"pct is a percentage from 0 to {PCT_MAX}", pct)
        _check_name(self.by, "by")
        if self.seed is not None:
            if type(self.seed) is not str:
                raise _refuse("type", "a seed is a string", self.seed)
            _check_constant(self.seed)

    def _identity(self) -> tuple[object, ...]:
        return (_typed(self.pct), self.by, self.seed)

    def __str__(self) -> str:
        seed = "" if self.seed is None else f" seed::{render_constant(self.seed)}"
        return f"(split pct::{render_constant(self.pct)} by::${self.by}{seed})"


def _check_operands(op: str, operands: tuple[Rule, ...]) -> None:
    if not operands:
        raise _refuse("arity", f"{op} needs at least one operand", operands)
    for operand in operands:
        if not isinstance(operand, Rule):
            raise _refuse("type", f"the operands of {op} are rules", operand)


@dataclass(frozen=True, slots=True, eq=False)
class And(Rule):
    """``(and r1 r2 …)``: every operand holds."""

    operands: tuple[Rule, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "operands", tuple(self.operands))
        _check_operands("and", self.operands)

    def _identity(self) -> tuple[object, ...]:
        return self.operands

    def __str__(self) -> str:
        return f"(and {' '.join(map(str, self.operands))})"


@dataclass(frozen=True, slots=True, eq=False)
class Or(Rule):
    """``(or r1 r2 …)``: one or more operands hold."""

    operands: tuple[Rule, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "operands", tuple(self.operands))
        _check_operands("or", self.operands)

    def _identity(self) -> tuple[object, ...]:
        return self.operands

    def __str__(self) -> str:
        return f"(or {' '.join(map(str, self.operands))})"


@dataclass(frozen=True, slots=True, eq=False)
class Not(Rule):
    """``(not r)``: ``r`` does not hold (over a missing key too: Policy)."""

    operand: Rule

    def __post_init__(self) -> None:
        _check_operands("not", (self.operand,))

    def _identity(self) -> tuple[object, ...]:
        return (self.operand,)

    def __str__(self) -> str:
        return f"(not {self.operand})"


class ContextKey:
    """A context value in Python comparisons: ``ctx("age") > 65`` is ``(gt $age 65)``.

    ``==``, ``!=`` (as ``(not (eq …))``), ``>``, ``>=``, ``<``, ``<=`` build rules, so a
    ``ContextKey`` is not hashable and never equal to anything.
    """

    __slots__ = ("key",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, key: str) -> None:
        _check_name(key)
        self.key = key

    def __repr__(self) -> str:
        return f"ctx({self.key!r})"

    def __eq__(self, value: Constant) -> Rule:  # type: ignore[override]
        return Compare("eq", self.key, value)

    def __ne__(self, value: Constant) -> Rule:  # type: ignore[override]
        return Not(Compare("eq", self.key, value))

    def __gt__(self, value: float | Decimal | datetime) -> Rule:
        return Compare("gt", self.key, value)

    def __ge__(self, value: float | Decimal | datetime) -> Rule:
        return Compare("gte", self.key, value)

    def __lt__(self, value: float | Decimal | datetime) -> Rule:
        return Compare("lt", self.key, value)

    def __le__(self, value: float | Decimal | datetime) -> Rule:
        return Compare("lte", self.key, value)

    def is_in(self, values: Iterable[Constant]) -> Rule:
        """``(in $key [...])``."""
        return In(self.key, tuple(values))

    def begins_with(self, text: str) -> Rule:
        """``(begins_with $key "text")``."""
        return Compare("begins_with", self.key, text)

    def ends_with(self, text: str) -> Rule:
        """``(ends_with $key "text")``."""
        return Compare("ends_with", self.key, text)

    def contains(self, text: str) -> Rule:
        """``(contains $key "text")``."""
        return Compare("contains", self.key, text)

    def matches(self, pattern: str) -> Rule:
        """``(matches in::$key pattern::"re")``."""
        return Matches(self.key, pattern)

    def exists(self) -> Rule:
        """``(exists key::"key")``."""
        return Exists(self.key)

    def split(self, pct: float | Decimal, seed: str | None = None) -> Rule:
        """``(split pct::N by::$key seed::"s")``."""
        return Split(pct, self.key, seed)  # type: ignore[arg-type]  # A float becomes a Decimal in Split.


def ctx(key: str) -> ContextKey:
    """The context value ``$key``, for rules written as Python comparisons."""
    return ContextKey(key)


# -- rule text: the checker builds these classes --------------------------------------------------
class _RuleClasses:
    """What the checker (:mod:`.checker`) builds rules with: it does not import this module, which calls it."""

    Compare, In, Matches, Exists, Split, And, Or, Not = Compare, In, Matches, Exists, Split, And, Or, Not


def check_rule(text: str, *, path: str = "rule", context: ContextDeclaration | None = None) -> RuleCheck:
    """Parse and check one rule's text; ``context`` maps declared keys to their types (``None``: no key checks)."""
    from .checker import check_rule_text  # the parser loads with the first rule text, not with the model

    return check_rule_text(text, build=_RuleClasses, path=path, context=context)


def parse_rule(text: str, *, context: ContextDeclaration | None = None) -> Rule:
    """The rule objects of ``text``; :class:`FlagValidationError` listing every problem otherwise."""
    from .checker import parse_rule_text

    parsed: Rule = parse_rule_text(text, build=_RuleClasses, context=context)
    return parsed


# -- compiled rules: what Rule.evaluate and the evaluator (:mod:`.evaluate`) run ------------------
#: A compiled rule: the encoded context (key → text) in, whether the rule holds out.
Test = Callable[[Mapping[str, str]], bool]
_ORDER = {"eq": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def _read(constant: object) -> Callable[[str], object]:
    """How context text is read to be compared with ``constant``."""
    if type(constant) is str:
        return lambda text: text
    if type(constant) is bool:
        return lambda text: True if text == "true" else False if text == "false" else None
    if type(constant) is datetime:
        return read_context_timestamp
    return read_number


def _exact(constant: object) -> object:
    # A float constant is compared as its shortest decimal text, so "1.8" equals 1.8e0.
    return Decimal(repr(constant)) if type(constant) is float else constant


def _compare(rule: Compare) -> Test:
    key, op = rule.key, rule.op
    constant: Any = _exact(rule.constant)
    if op == "begins_with":
        return lambda c: (t := c.get(key)) is not None and t.startswith(constant)
    if op == "ends_with":
        return lambda c: (t := c.get(key)) is not None and t.endswith(constant)
    if op == "contains":
        return lambda c: (t := c.get(key)) is not None and constant in t
    if type(constant) is str and op == "eq":
        return lambda c: c.get(key) == constant
    read, compare = _read(constant), _ORDER[op]

    def test(c: Mapping[str, str]) -> bool:
        text = c.get(key)
        if text is None:
            return False
        value: Any = read(text)
        return value is not None and bool(compare(value, constant))

    return test


def _in(rule: In) -> Test:
    key = rule.key
    texts = frozenset(c for c in rule.constants if type(c) is str)
    others = [_compare(Compare("eq", key, c)) for c in rule.constants if type(c) is not str]
    if not others:
        return lambda c: c.get(key) in texts
    return lambda c: c.get(key) in texts or any(test(c) for test in others)


def _split(rule: Split, flag_key: str | None) -> Test:
    salt = rule.seed if rule.seed is not None else flag_key
    if salt is None:
        raise ValueError(f"{rule} has no seed: its hash is salted with the flag key; pass flag_key")
    from .bucket import split_test  # only for a split: hashing stays out of a start-up without one

    by, holds = rule.by, split_test(salt, rule.pct)

    def test(c: Mapping[str, str]) -> bool:
        value = c.get(by)
        return value is not None and holds(value)

    return test


@lru_cache(maxsize=4096)
def compile_rule(rule: Rule, flag_key: str | None = None) -> Test:
    """``rule`` as a function of the encoded context; ``flag_key`` salts unseeded splits."""
    if isinstance(rule, Compare):
        return _compare(rule)
    if isinstance(rule, In):
        return _in(rule)
    if isinstance(rule, Matches):
        search, key = re.compile(rule.pattern).search, rule.key
        return lambda c: (t := c.get(key)) is not None and search(t) is not None
    if isinstance(rule, Exists):
        key = rule.key
        return lambda c: key in c
    if isinstance(rule, Split):
        return _split(rule, flag_key)
    if isinstance(rule, Not):
        inner = compile_rule(rule.operand, flag_key)
        return lambda c: not inner(c)
    if isinstance(rule, (And, Or)):
        tests = tuple(compile_rule(operand, flag_key) for operand in rule.operands)
        return _fold(tests, isinstance(rule, And))
    raise TypeError(f"not a rule: {rule!r}")


def _fold(tests: tuple[Test, ...], conjunction: bool) -> Test:
    """``and``/``or`` of ``tests`` as nested two-operand closures (cheaper per read than ``all()`` over a generator)."""
    first = tests[0]
    if len(tests) == 1:
        return first
    rest = _fold(tests[1:], conjunction)
    if conjunction:
        return lambda c: first(c) and rest(c)
    return lambda c: first(c) or rest(c)
