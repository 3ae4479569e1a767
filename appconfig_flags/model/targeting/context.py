"""The request context: declared key types, the text AppConfig Agent receives, and that text read back.

AppConfig Agent takes the context as text ``key=value`` pairs in the ``Context`` header
("Retrieving basic and multi-variant feature flags",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-retrieving-feature-flags.html;
"Using AWS AppConfig Agent to retrieve a feature flag with variants",
https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-code-samples-agent-read-feature-flag-with-variants.html).
No escaping is documented, so :func:`encode_context` sends only what reads one way (Policy):

* keys match ``[A-Za-z_][A-Za-z0-9_]*`` (all a rule can name);
* ``bool`` → ``true``/``false``, ``int`` → decimal, ``float`` → ``repr()``, ``Decimal`` → ``str()``,
  timezone-aware ``datetime`` → ISO 8601 with its offset, ``str`` as is;
* text is non-empty visible ASCII with inner spaces, without ``,`` (the pair separator);
* anything else raises ``ValueError`` naming the key, the value and the reason: a value is never
  dropped silently.

The rule's constant decides how the text is read (:func:`read_number`, ``"true"``/``"false"``,
:func:`~.timestamps.read_context_timestamp`); text that does not read so makes the test false.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

#: A profile's context declaration: key → ``str``, ``int``, ``float``, ``Decimal``, ``bool`` or ``datetime``.
ContextDeclaration = Mapping[str, Any]
ContextValue = str | int | float | Decimal | bool | datetime

#: How each declarable type is compared: numbers are one kind (``"100" > 65``, ``"1.10" < 1.8``).
_KINDS: dict[type, str] = {str: "string", int: "number", float: "number", Decimal: "number", bool: "boolean",
                           datetime: "timestamp"}
DECLARABLE_TYPES = tuple(_KINDS)
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: The longest context text a rule reads (Policy: AppConfig documents no limit for context values; this is its
#: limit for a flag's string values, "AWS.AppConfig.FeatureFlags" type reference). It bounds what a ``matches``
#: pattern costs per read (docs/targeting.md).
VALUE_MAX = 1024
#: Keys already checked, so that a read checks each key's spelling once (bounded: keys are few).
_GOOD_KEYS: set[str] = set()
_GOOD_KEYS_MAX = 10_000


def kind_of_type(kind: object) -> str | None:
    """``"string"``, ``"number"``, ``"boolean"`` or ``"timestamp"`` for a declarable type, else ``None``."""
    return _KINDS.get(kind) if isinstance(kind, type) else None


def kind_of_constant(value: object) -> str:
    """The kind of a rule constant (a ``bool`` is a boolean, not a number)."""
    return _KINDS.get(type(value), type(value).__name__)


def declaration_problems(context: object) -> list[tuple[str, str, object]]:
    """Why a context declaration is unusable: (key, message, bad value) triples; empty when fine."""
    if not isinstance(context, Mapping):
        return [("", "a context declaration maps key names to types, e.g. {'tier': str}", context)]
    out: list[tuple[str, str, object]] = []
    for key, kind in context.items():
        if not isinstance(key, str) or not KEY.fullmatch(key):
            out.append((str(key), "a context key matches [A-Za-z_][A-Za-z0-9_]*", key))
        elif kind_of_type(kind) is None:
            out.append((key, "a context key's type is str, int, float, Decimal, bool or datetime", kind))
    return out


def encode_value(key: str, value: object) -> str:
    """One context value as the text the Agent receives; ``ValueError`` when it cannot be sent."""
    kind = type(value)
    if kind is str:
        # isascii + isprintable: 0x20-0x7E, checked in C (a regular expression costs more per read).
        text: str = value  # type: ignore[assignment]
        if text.isascii() and text.isprintable() and text and "," not in text and text[0] != " " != text[-1] \
                and len(text) <= VALUE_MAX:
            return text
        if len(text) > VALUE_MAX:
            raise ValueError(f"context {key!r}: {len(text)} characters, more than the {VALUE_MAX} a context value may have")
        raise ValueError(f"context {key!r}: {value!r} cannot be sent in the Context header: values are "
                         "non-empty visible ASCII, spaces inside only, and no ','")
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise ValueError(f"context {key!r}: {value!r} is not a finite number")
        return repr(value)
    if kind is Decimal:
        if not value.is_finite():  # type: ignore[attr-defined]
            raise ValueError(f"context {key!r}: {value!r} is not a finite number")
        return str(value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError(f"context {key!r}: {value!r} has no time zone; pass an aware datetime")
        return value.isoformat()
    raise ValueError(f"context {key!r}: {value!r} is a {kind.__name__}; context values are str, int, float, "
                     "Decimal, bool or an aware datetime")


def encode_context(context: Mapping[str, object]) -> dict[str, str]:
    """``context`` as the Agent receives it: key → text; ``ValueError`` for a key or value it cannot send."""
    out: dict[str, str] = {}
    for key, value in context.items():
        if key not in _GOOD_KEYS:
            if not isinstance(key, str) or not (key.isascii() and key.isidentifier()):
                raise ValueError(f"context key {key!r}: keys match [A-Za-z_][A-Za-z0-9_]* (what a rule can name)")
            if len(_GOOD_KEYS) < _GOOD_KEYS_MAX:
                _GOOD_KEYS.add(key)
        if type(value) is str and value.isascii() and value.isprintable() and value and "," not in value \
                and value[0] != " " != value[-1] and len(value) <= VALUE_MAX:
            out[key] = value  # The commonest case, without a call: see encode_value.
        else:
            out[key] = encode_value(key, value)
    return out


def encode_for_header(context: Mapping[str, object], keys: Iterable[str]) -> dict[str, str]:
    """The ``keys`` of ``context`` a flag's rules read, as the Agent receives them; absent and ``None`` values left out.

    ``ValueError`` (from :func:`encode_value`) for a value of one of ``keys`` the header cannot carry;
    values of other keys are not looked at.
    """
    out: dict[str, str] = {}
    get = context.get
    for key in keys:
        value = get(key)
        if value is None:
            continue
        if type(value) is str and value.isascii() and value.isprintable() and value and "," not in value \
                and value[0] != " " != value[-1] and len(value) <= VALUE_MAX:
            out[key] = value
        else:
            out[key] = encode_value(key, value)
    return out


def local_value(key: str, value: object) -> str:
    """One context value as the text a rule evaluated in this process reads; ``ValueError`` when no rule can read it.

    Any string of at most :data:`VALUE_MAX` characters (non-ASCII, commas and edge spaces included: no
    header carries it), and the values :func:`encode_value` takes: numbers, booleans, aware datetimes.
    """
    if isinstance(value, str) and type(value) is str:
        if len(value) <= VALUE_MAX:
            return value
        raise ValueError(f"context {key!r}: {len(value)} characters, more than the {VALUE_MAX} a context "
                         "value may have")
    if isinstance(value, str):  # a str subclass (an enum member): its text
        return local_value(key, str.__str__(value))
    return encode_value(key, value)


def encode_local(context: Mapping[str, object], keys: Iterable[str]) -> dict[str, str]:
    """The ``keys`` of ``context`` a flag's rules read, as text for evaluation in this process (:func:`local_value`).

    Absent and ``None`` values are left out; values of other keys are not looked at, whatever their type.
    """
    out: dict[str, str] = {}
    get = context.get
    for key in keys:
        value = get(key)
        if value is None:
            continue
        out[key] = value if type(value) is str and len(value) <= VALUE_MAX else local_value(key, value)
    return out


def context_header(context: Mapping[str, object]) -> str:
    """The ``Context`` header value: ``key=value`` pairs joined by ``,`` (one header; ``""`` for none)."""
    return ",".join(f"{key}={text}" for key, text in encode_context(context).items())


@cache
def _number_text() -> re.Pattern[str]:
    """Compiled on the first read of a number rule, not at a service's start-up."""
    return re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def read_number(text: str) -> int | Decimal | None:
    """Context text read as a number (``int`` or exact ``Decimal``), or ``None`` when it is not one."""
    if _number_text().fullmatch(text) is None:
        return None
    if text.isdigit():
        return int(text)
    return Decimal(text)
