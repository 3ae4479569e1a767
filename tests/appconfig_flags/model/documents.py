"""Small builders of feature-flag documents (plain JSON data) for the rule tests."""
from __future__ import annotations

from typing import Any

#: A value argument meaning "leave the attribute out of the flag's value".
ABSENT: Any = object()


def doc(flags: dict[str, Any] | None = None, values: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A document with ``version`` "1" and the given members."""
    out: dict[str, Any] = {"version": "1"}
    if flags is not None:
        out["flags"] = flags
    if values is not None:
        out["values"] = values
    out.update(extra)
    return out


def one_flag(definition: dict[str, Any] | None = None, value: dict[str, Any] | None = None, *, key: str = "f") -> dict[str, Any]:
    """A document with one flag ``key``: ``definition`` under flags, ``value`` under values."""
    return doc({key: {"name": "F"} if definition is None else definition},
               {key: {"enabled": False} if value is None else value})


def attribute(constraints: dict[str, Any] | None, value: Any = ABSENT, *, enabled: bool = True, key: str = "a",
              **definition: Any) -> dict[str, Any]:
    """One flag with one attribute ``key`` (``constraints``) and, unless ABSENT, a value for it."""
    attr: dict[str, Any] = dict(definition)
    if constraints is not None:
        attr["constraints"] = constraints
    flag_value: dict[str, Any] = {"enabled": enabled}
    if value is not ABSENT:
        flag_value[key] = value
    return one_flag({"attributes": {key: attr}}, flag_value)


def attributes(count: int) -> dict[str, Any]:
    """``count`` unconstrained attribute definitions."""
    return {f"a{i}": {} for i in range(count)}


def variants(*entries: dict[str, Any], constraints: dict[str, Any] | None = None) -> dict[str, Any]:
    """One multi-variant flag whose attribute ``a`` has ``constraints``, with the variants given."""
    attr = {"constraints": constraints} if constraints is not None else {}
    return one_flag({"attributes": {"a": attr}}, {"_variants": list(entries)})


def variant(name: str, *, rule: str | None = None, enabled: bool = True, **values: Any) -> dict[str, Any]:
    """A variant; ``values`` become its ``attributeValues``."""
    out: dict[str, Any] = {"name": name, "enabled": enabled}
    if rule is not None:
        out["rule"] = rule
    if values:
        out["attributeValues"] = values
    return out


def numbered_variants(count: int) -> list[dict[str, Any]]:
    """``count`` valid variants: rules on all but the last (the default)."""
    return [variant(f"v{i}", rule=f'(eq $tier "{i}")') for i in range(count - 1)] + [variant("Default", enabled=False)]
