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

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..problems import FlagValidationError, Problem
from .timestamps import format_timestamp

#: A constant a rule compares with: an Ion string, int (64-bit), float or decimal, timestamp, or boolean.
Constant = str | int | float | Decimal | bool | datetime
#: A context name a rule can read (``$name``): anything else does not read as one Ion symbol (Policy).
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def is_name(text: str) -> bool:
    """``text`` matches :data:`NAME` (for ASCII text that is ``str.isidentifier``, checked in C)."""
    return text.isascii() and text.isidentifier()
#: "Integer (64-bit)" in the operand table; Ion ints are unbounded (Policy: beyond is ``range``).
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
ORDERINGS = ("gt", "gte", "lt", "lte")
TEXT_TESTS = ("begins_with", "ends_with", "contains")
#: The operators of :class:`Compare`: ``(op $key constant)``.
COMPARISONS = ("eq", *ORDERINGS, *TEXT_TESTS)
#: Every operator of the rule language, as AppConfig documents it.
OPERATORS = (*COMPARISONS, "in", "matches", "exists", "split", "and", "or", "not")
PCT_MAX = 100


def _refuse(category: str, message: str, value: Any) -> FlagValidationError:
    return FlagValidationError([Problem("rule", category, message, value)], subject="a rule")


def constant_problem(value: object) -> tuple[str, str] | None:
    """Why ``value`` cannot be a rule constant, as (category, message), or ``None``."""
    kind = type(value)
    if kind is str:
        try:
            value.encode()  # type: ignore[attr-defined]
        except UnicodeEncodeError:
            return "type", "a string constant must be valid Unicode (no lone surrogates)"
        return None
    if kind is bool:
        return None
    if kind is int:
        if not INT64_MIN <= value <= INT64_MAX:  # type: ignore[operator]
            return "range", "an integer constant is 64-bit (-2**63 to 2**63-1)"
        return None
    if kind is float or kind is Decimal:
        if not math.isfinite(value):  # type: ignore[arg-type]
            return "range", "a number constant is finite (no nan or inf)"
        return None
    if kind is datetime:
        offset = value.utcoffset()  # type: ignore[attr-defined]
        if offset is None:
            return "type", "a timestamp constant must be timezone-aware (Ion timestamps with a time carry an offset)"
        if offset.seconds % 60 or offset.microseconds:
            return "range", "a timestamp's offset is whole minutes"
        return None
    return "type", "a constant is a str, int, float, Decimal, bool or timezone-aware datetime"


def _check_constant(value: object) -> None:
    if (why := constant_problem(value)) is not None:
        raise _refuse(why[0], why[1], value)


def _check_name(key: object, what: str = "a context name") -> None:
    if not isinstance(key, str) or not is_name(key):
        raise _refuse("type", f"{what} matches [A-Za-z_][A-Za-z0-9_]* (write it without '$')", key)


def is_number(value: object) -> bool:
    """A number constant: int, float or Decimal, not bool."""
    kind = type(value)
    return kind is int or kind is float or kind is Decimal


def render_constant(value: Constant) -> str:
    """A constant as Ion text: ``"text"``, ``42``, ``3.5e0`` (float), ``3.5`` (decimal), ``true``, a timestamp."""
    kind = type(value)
    if kind is str:
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are all Ion escapes.
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        text = repr(value)
        return text if "e" in text else text + "e0"
    if kind is Decimal:
        text = str(value)
        if "E" not in text and "." in text:
            return text
        sign, digits, exponent = value.as_tuple()  # type: ignore[union-attr]
        return f"{'-' if sign else ''}{''.join(map(str, digits))}d{exponent}"
    if kind is datetime:
        return format_timestamp(value)  # type: ignore[arg-type]
    return repr(value)  # Not a constant: rendered so that the checker can say why.


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
        from .checker import parse_rule

        return parse_rule(text)

    def evaluate(self, context: Mapping[str, object] | None = None, *, flag_key: str | None = None) -> bool:
        """Whether this rule holds for ``context`` (encoded first, as AppConfig Agent would receive it).

        ``flag_key`` salts a ``split`` without a seed; ``ValueError`` when such a split needs it, or
        when a context value cannot be encoded (:func:`~.context.encode_context`).
        """
        from .context import encode_context
        from .evaluate import compile_rule

        return compile_rule(self, flag_key)(encode_context(context or {}))

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
