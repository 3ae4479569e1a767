"""Dates in flags: date attributes checked against the calendar, and dates already past.

AppConfig has no date type: a date attribute is a string attribute whose pattern fixes the
format, so ``02/31/2026`` passes AppConfig and only this check refuses it. Whether a date is past
depends on the day of the synth; ``today`` is passed in (``Profile(today=...)``), never read from a
clock here, so tests choose it.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from .problems import Problem


@dataclass(frozen=True, slots=True)
class DateFormat:
    """How a date attribute writes its values: the pattern AppConfig checks and the field order."""

    name: str
    pattern: str
    #: The positions of year, month and day among the three numbers of a value.
    order: tuple[int, int, int]
    separator: str


_DAY = "(0[1-9]|[12][0-9]|3[01])"
_MONTH = "(0[1-9]|1[0-2])"
_YEAR = "[0-9]{4}"

#: The formats :meth:`Attribute.date` accepts, by name.
DATE_FORMATS: dict[str, DateFormat] = {f.name: f for f in (
    DateFormat("YYYY-MM-DD", f"^{_YEAR}-{_MONTH}-{_DAY}$", (0, 1, 2), "-"),
    DateFormat("MM/DD/YYYY", f"^{_MONTH}/{_DAY}/{_YEAR}$", (2, 0, 1), "/"),
    DateFormat("DD/MM/YYYY", f"^{_DAY}/{_MONTH}/{_YEAR}$", (2, 1, 0), "/"),
    DateFormat("DD.MM.YYYY", f"^{_DAY}\\.{_MONTH}\\.{_YEAR}$", (2, 1, 0), "."),
)}


@cache
def _matcher(format_name: str) -> re.Pattern[str]:
    """The compiled pattern of one format, on first use: a catalogue uses one or two of them."""
    return re.compile(DATE_FORMATS[format_name].pattern)


def parse_date(text: str, format_name: str) -> date | None:
    """The day ``text`` names in ``format_name``, or ``None`` when it is not a calendar date in that format."""
    fmt = DATE_FORMATS[format_name]
    parts = text.split(fmt.separator)
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    year, month, day = (int(parts[i]) for i in fmt.order)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _iso(text: object) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def date_findings(flags: tuple[Any, ...], *, profile: str, today: date | None) -> Iterator[Problem]:
    """``value-date`` problems, and ``end-date-past`` / ``short-term-overdue`` findings (when ``today`` is given).

    The caller decides whether the time-dependent findings are warnings or errors.
    """
    for flag in flags:
        if today is not None and flag.short_term is not None:
            remove_by = _iso(flag.short_term.remove_by)
            if remove_by is not None and today > remove_by:
                yield Problem(f"{profile}/{flag.key}/_deprecation/date", "short-term-overdue",
                              f"the short-term flag was to be removed by {remove_by} ({(today - remove_by).days} "
                              f"day(s) ago); remove it, or move remove_by", flag.short_term.remove_by)
        dated = {a.key: a for a in flag.attributes if a.date_format is not None}
        if not dated:
            continue
        holders: list[tuple[str, Any]] = [(f"{profile}/{flag.key}", flag)]
        holders += [(f"{profile}@{env}/{flag.key}", value) for env, value in flag.environments.items()]
        for path, holder in holders:
            yield from _values(holder.values, dated, path, today)
            for index, variant in enumerate(holder.variants or ()):
                yield from _values(variant.values, dated, f"{path}/_variants[{index}]", today)


def _values(values: Mapping[str, Any], dated: Mapping[str, Any], path: str, today: date | None) -> Iterator[Problem]:
    for key, value in values.items():
        attribute = dated.get(key)
        if attribute is None or type(value) is not str:
            continue  # Not a date attribute, or a value of the wrong type (the schema reports it).
        fmt = DATE_FORMATS.get(attribute.date_format)
        if fmt is None or _matcher(fmt.name).search(value) is None:
            continue  # An unknown format, or a value off the pattern: the schema reports value-pattern.
        when = parse_date(value, fmt.name)
        if when is None:
            yield Problem(f"{path}/{key}", "value-date", f"the value is not a calendar date written {fmt.name}", value)
        elif attribute.end_date and today is not None and when < today:
            yield Problem(f"{path}/{key}", "end-date-past",
                          f"the end date is past ({(today - when).days} day(s) before {today})", value)
