"""Ion timestamps (the rule language's timestamp constants) in and out.

Rule constants follow the Amazon Ion text specification (https://amazon-ion.github.io/ion-docs/docs/spec.html):
``2024T``, ``2024-01T``, ``2024-01-02``, ``2024-01-02T03:04Z``, ``2024-01-02T03:04:05.678-08:00``.
A time needs an offset, and ``2024-01`` (the W3C form "Defining rules for multi-variant feature
flags" shows) is not Ion. Context text is read more leniently (:func:`read_context_timestamp`).
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cache

#: An Ion timestamp: year, month or day precision ends in ``T`` (day may omit it); a time needs an offset.
ION_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})(?:T|-(?P<m>\d{2})(?:T|-(?P<d>\d{2})(?:T(?:(?P<H>\d{2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?(?P<off>Z|[+-]\d{2}:\d{2}))?)?))",
    re.ASCII,
)


@cache
def _context_timestamp() -> re.Pattern[str]:
    """Context text: Ion forms, W3C ``2024-01``, and times without offset (read as UTC); compiled on first read."""
    return re.compile(
        r"(?P<y>\d{4})(?:T?|-(?P<m>\d{2})(?:T?|-(?P<d>\d{2})(?:T?|T(?P<H>\d{2}):(?P<M>\d{2})"
        r"(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?(?P<off>Z|[+-]\d{2}:\d{2})?)))",
        re.ASCII,
    )


def timestamp_from_match(match: re.Match[str]) -> datetime:
    """The instant of a matched timestamp; ``ValueError`` for a day or time that does not exist.

    A missing offset is UTC; fractions beyond microseconds are truncated.
    """
    get = match.group
    fraction = (get("f") or "0")[:6].ljust(6, "0")
    offset = get("off")
    if offset is None or offset == "Z":
        tz = timezone.utc
    else:
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            raise ValueError(f"offset {offset} is out of range")
        delta = timedelta(hours=hours, minutes=minutes)
        tz = timezone(-delta if offset[0] == "-" else delta)
    return datetime(int(get("y")), int(get("m") or 1), int(get("d") or 1), int(get("H") or 0), int(get("M") or 0),
                    int(get("S") or 0), int(fraction), tzinfo=tz)


def read_context_timestamp(text: str) -> datetime | None:
    """Context text read as a timestamp (Ion or W3C form; no offset means UTC), or ``None``."""
    match = _context_timestamp().fullmatch(text)
    if match is None:
        return None
    try:
        return timestamp_from_match(match)
    except ValueError:
        return None


def format_timestamp(value: datetime) -> str:
    """An aware ``datetime`` as an Ion timestamp with seconds (and microseconds when not zero)."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("a timestamp must be timezone-aware")
    text = (f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
            f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    if not offset:
        return text + "Z"
    if offset.seconds % 60 or offset.microseconds:
        raise ValueError("an Ion timestamp's offset is whole minutes")
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
