"""The rule language's vocabulary: operators, context names, constants and their Ion text.

The bottom of the rule modules: the rule objects (:mod:`.rule`) and the checker (:mod:`.checker`)
both read it, and it imports neither.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime
from decimal import Decimal

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


def pattern_risk(pattern: str) -> str | None:
    """Why a ``matches`` pattern could make a read slow (exponential or high-polynomial time), or ``None``.

    The analysis attribute constraints get (:mod:`~appconfig_flags.model.patterns`): with context values of
    at most :data:`~.context.VALUE_MAX` characters, an accepted pattern costs a read milliseconds at most.
    """
    from ..patterns import backtracking_risk  # only for a rule with matches: the analysis stays out of start-up

    try:
        return backtracking_risk(pattern)
    except RecursionError:
        return "the pattern nests too deeply to be analysed; flatten it"
