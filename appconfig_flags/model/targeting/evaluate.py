"""The local evaluator: which variant a context gets, answered as AppConfig Agent answers.

Semantics ("Understanding multi-variant feature flag rules", "Retrieving basic and multi-variant
feature flags" in the AppConfig user guide), and the Policy where AWS is silent:

* variants are tried in order; the first whose rule holds wins; the default (last, no rule) otherwise;
* the context is encoded first (:func:`~.context.encode_context`), so rules see exactly the text
  the Agent would receive; the constant's type decides how that text is read: a number
  (``"100" > 65``, exactly, ``"1.10" < 1.8``), ``true``/``false``, a timestamp (an instant; no
  offset is UTC), or the text itself;
* a missing key makes its test false, ``split`` included; ``not`` is plain negation, so
  ``(not (eq $missing 1))`` holds (Policy); text that does not read as the constant's type makes
  the test false;
* ``matches`` is a search with Python's ``re``; string tests are case-sensitive;
* ``split`` is this project's hash, not AppConfig's (:mod:`.split`): the Agent may bucket a user
  differently;
* the answer is ``{"_variant": name, "enabled": bool}`` plus the variant's attribute values only
  when it is enabled.

Rules are compiled once into closures over the encoded context, so a read costs a few
microseconds (``python -m bench targeting``).
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from ..attributes import value_to_json
from .context import encode_context, read_number
from .rule import And, Compare, Exists, In, Matches, Not, Or, Rule, Split
from .split import split_test
from .timestamps import read_context_timestamp

#: A compiled rule: the encoded context (key → text) in, whether the rule holds out.
Test = Callable[[Mapping[str, str]], bool]
_ORDER = {"eq": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The variant a context gets: its name (``None`` for a basic flag), status, and values.

    ``values`` are the attribute values (JSON data) served, empty unless ``enabled``.
    """

    variant: str | None
    enabled: bool
    values: Mapping[str, Any]

    @property
    def answer(self) -> dict[str, Any]:
        """The flag as AppConfig Agent returns it: ``{"_variant": name, "enabled": bool, ...values}``."""
        out: dict[str, Any] = {} if self.variant is None else {"_variant": self.variant}
        out["enabled"] = self.enabled
        for key, value in self.values.items():
            out[key] = list(value) if type(value) is list else value  # The caller may change its copy.
        return out


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


class FlagEvaluator:
    """A multi-variant flag's variants, compiled once; :meth:`evaluate` picks the variant for a context.

    Build from ``Variant`` objects (``FlagEvaluator(flag_key, variants)``, rules as objects or
    text) or from a document's ``_variants`` JSON (:meth:`from_json`). Rules are parsed here:
    a bad one raises :class:`~appconfig_flags.model.FlagValidationError`.
    """

    __slots__ = ("_default", "_tests", "flag_key")

    def __init__(self, flag_key: str, variants: Sequence[Any]) -> None:
        from .checker import parse_rule

        if not variants:
            raise ValueError(f"flag {flag_key!r} has no variants")
        self.flag_key = flag_key
        outcomes = [_outcome(v.name, v.enabled, v.values) for v in variants]
        tests: list[tuple[Test, Evaluation]] = []
        for variant, outcome in zip(variants[:-1], outcomes):
            rule = variant.rule
            if rule is None or rule == "":
                continue  # A default before the last is refused by the model; here it never matches.
            parsed = parse_rule(rule) if isinstance(rule, str) else rule
            tests.append((compile_rule(parsed, flag_key), outcome))
        self._tests = tuple(tests)
        self._default = outcomes[-1]

    @classmethod
    def from_json(cls, flag_key: str, variants: Sequence[Mapping[str, Any]]) -> FlagEvaluator:
        """From a document's ``_variants`` list (``name``, ``enabled``, ``rule``, ``attributeValues``)."""
        return cls(flag_key, [_JsonVariant(v["name"], v["enabled"], v.get("rule"), v.get("attributeValues", {}))
                              for v in variants])

    @classmethod
    def for_value(cls, flag_key: str, value: Any) -> FlagEvaluator:
        """For a flag's value in one environment (a ``FlagValue``): its variants, or its basic value.

        A basic flag always answers ``{"enabled": ..., values when enabled}``, without ``_variant``.
        """
        if value.variants:
            return cls(flag_key, value.variants)
        evaluator = cls.__new__(cls)
        evaluator.flag_key = flag_key
        evaluator._tests = ()
        evaluator._default = _outcome(None, bool(value.enabled), value.values)
        return evaluator

    def evaluate(self, context: Mapping[str, object] | None = None) -> Evaluation:
        """The variant ``context`` gets; ``ValueError`` when a context value cannot be encoded."""
        return self.evaluate_encoded(encode_context(context) if context else {})

    def evaluate_encoded(self, context: Mapping[str, str]) -> Evaluation:
        """The variant for context text as the Agent receives it (key → text)."""
        for test, outcome in self._tests:
            if test(context):
                return outcome
        return self._default


class _JsonVariant(NamedTuple):  # a NamedTuple: a private record need not cost a dataclass's 0.4 ms at import
    name: str
    enabled: bool
    rule: str | None
    values: Mapping[str, Any]


def _outcome(name: str | None, enabled: bool, values: Mapping[str, Any]) -> Evaluation:
    served = {k: value_to_json(v) for k, v in values.items()} if enabled else {}
    return Evaluation(name, bool(enabled), MappingProxyType(served))


def evaluate_variants(flag_key: str, variants: Sequence[Any], context: Mapping[str, object] | None = None) -> Evaluation:
    """The variant ``context`` gets among ``variants`` (``Variant`` objects), compiled each call: prefer :class:`FlagEvaluator`."""
    return FlagEvaluator(flag_key, variants).evaluate(context)
