"""AppConfig's limits and grammars for ``AWS.AppConfig.FeatureFlags`` content, with their sources.

Source tags are listed in ``docs/flag-model.md``: S1 = the ``AWS.AppConfig.FeatureFlags``
JSON Schema AppConfig applies; S2 = "Creating a feature flag configuration profile" (reserved
attribute name, unique keys); S3/S4 = the command-line and multi-variant procedures (constraint
check); S5 = multi-variant concepts (default variant); S10/S11 = quotas; S14 = botocore's model;
R1/R2 = "Defining rules for multi-variant feature flags" / "Understanding multi-variant feature flag
rules" (variant rules, ``docs/targeting.md``).
``[I]`` marks a rule inferred from a source; where AppConfig's behaviour is unknown (``[?]``) the
model accepts and, at most, warns.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, TypeGuard

if TYPE_CHECKING:
    from .rule_table import RULES, Rule  # noqa: F401 - what __getattr__ below returns, for type checkers

#: S1 flag and attribute key ``^[a-z][a-zA-Z\d_-]{0,63}$``, written ASCII-only: Python's ``\d``
#: would also accept non-ASCII digits that the service's (ECMA) ``\d`` refuses.
KEY_PATTERN = re.compile(r"[a-z][a-zA-Z0-9_-]{0,63}")
#: S1 ``customerDefinedName``: ``^[^\n]{1,64}$`` (used for flag and variant names).
NAME_MAX = 64
#: S1 ``customerDefinedDescription`` and string values/constraints: ``maxLength: 1024``.
TEXT_MAX = 1024
#: S1 ``attributes`` ``maxProperties: 25`` (definitions per flag; also values per flag and variant).
ATTRIBUTES_MAX = 25
#: S1 ``_variants`` (written ``maxLength: 32``, meant as at most 32 variants) [I].
VARIANTS_MAX = 32
#: S1 ``enum`` (written ``maxLength: 100``, meant as at most 100 entries) [I].
ENUM_MAX = 100
#: S1 variant ``rule`` ``maxLength: 16384``.
RULE_MAX = 16384
#: S2: "the word 'enabled' is reserved"; no attribute may be called that.
RESERVED_ATTRIBUTE = "enabled"
#: Application ``Name``: 1 to 64 characters (AppConfig API reference, CreateApplication).
APPLICATION_NAME_MAX = 64
#: Environment ``Name``: 1 to 64 characters (AppConfig API reference, CreateEnvironment).
ENVIRONMENT_NAME_MAX = 64
#: S10/S11 hosted configuration size quota: 2,048 KB by default (adjustable up to 4 MB).
DEFAULT_MAX_CONTENT_BYTES = 2048 * 1024
#: S1 the only document version.
DOCUMENT_VERSION = "1"
#: S1 ``_deprecation.status`` enum.
DEPRECATION_STATUS = "planned"
#: S1 ``_deprecation.date`` is ``format: date``: RFC 3339 ``full-date``.
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")




def key_problem(key: object) -> str | None:
    """Why ``key`` is not a valid flag or attribute key (S1 pattern), or ``None``."""
    if not isinstance(key, str):
        return "a key must be a string"
    if KEY_PATTERN.fullmatch(key):
        return None
    if not key:
        return "a key must not be empty"
    if len(key) > 64:
        return f"a key has at most 64 characters, this one has {len(key)}"
    if not ("a" <= key[0] <= "z"):
        return "a key must start with a lower-case ASCII letter"
    return "a key may hold only ASCII letters, digits, '_' and '-'"


def name_problem(name: object) -> str | None:
    """Why ``name`` is not a valid flag or variant name (S1 ``customerDefinedName``), or ``None``.

    Length counts code points, as JSON Schema does; whether AppConfig counts UTF-16 units is [?].
    """
    if not isinstance(name, str):
        return "a name must be a string"
    if not 1 <= len(name) <= NAME_MAX:
        return f"a name has 1 to {NAME_MAX} characters, this one has {len(name)}"
    if "\n" in name:
        return "a name must not contain a line feed"
    return None


def text_problem(text: object, what: str = "a description") -> str | None:
    """Why ``text`` is not a valid description-like string (S1 ``maxLength: 1024``), or ``None``."""
    if not isinstance(text, str):
        return f"{what} must be a string"
    if len(text) > TEXT_MAX:
        return f"{what} has at most {TEXT_MAX} characters, this one has {len(text)}"
    return None


def is_number(value: object) -> TypeGuard[int | float]:
    """JSON number: a finite int or float, but not bool (a Python bool is an int)."""
    if type(value) is int:
        return True
    return type(value) is float and math.isfinite(value)


def is_integer(value: object) -> TypeGuard[int | float]:
    """JSON Schema (draft-07) ``integer``: an int, or a float with no fraction such as ``2.0``."""
    if type(value) is int:
        return True
    return type(value) is float and value.is_integer()


# The table of rule ids (RULES) serves docs, tests and tools, not the checks: it loads on first use,
# so that a service validating its catalogue at start-up does not build it (about 1 ms).
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """``Rule`` and ``RULES``, from :mod:`.rule_table` on first use (PEP 562)."""
        if name in ("Rule", "RULES"):
            from . import rule_table

            return getattr(rule_table, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
