"""Construct property errors: every problem of one construct, raised together with its path.

A prop of the wrong type is found from the declared type hints, as aws-cdk-lib's own Python
bindings find theirs (jsii checks each argument with typeguard): :meth:`Problems.check_types`.
The constructs' own code checks values only (ranges, names, rules between props).
"""
from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from constructs import IConstruct

from appconfig_flags.model.problems import problem_list


class PropsError(ValueError):
    """Invalid construct properties; ``problems`` lists each one as ``path: message (got value)``."""

    def __init__(self, path: str, problems: Iterable[str]) -> None:
        self.path = path
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(problem_list(path, self.problems))


class Problems:
    """Collects the property problems of ``scope``, then raises them at once."""

    def __init__(self, scope: IConstruct) -> None:
        self.scope = scope
        self.items: list[str] = []

    @property
    def path(self) -> str:
        # Read only when there is a problem: each read is a round trip to the jsii runtime.
        return str(self.scope.node.path)

    def add(self, prop: str, message: str, value: Any) -> None:
        self.items.append(f"{self.path}/{prop}: {message} (got {shown(value)})")

    def check_types(self, function: Callable[..., Any], values: Mapping[str, Any], *, prefix: str = "") -> set[str]:
        """Check each of ``function``'s parameters in ``values`` against its type hint; the props that failed.

        ``values`` is typically ``locals()`` at the top of ``__init__``. A problem reads
        ``<path>/<prefix><prop>: must be <type> (got <value>)``.
        """
        wrong: set[str] = set()
        for name, hint in _hints(function).items():
            if name not in values:
                continue
            if not accepts(hint, values[name]):
                self.add(f"{prefix}{name}", f"must be {describe(hint)}", values[name])
                wrong.add(name)
        return wrong

    def raise_if_any(self) -> None:
        if self.items:
            raise PropsError(self.path, self.items)


def shown(value: Any) -> str:
    """``value`` as a problem shows it: its repr, a construct as its type and path."""
    # A construct, or an import (a jsii proxy): their repr shows an address.
    path = getattr(getattr(value, "node", None), "path", None)
    if isinstance(path, str):
        kind = "import" if type(value).__name__ == "InterfaceDynamicProxy" else type(value).__name__
        return f"<{kind} {path}>"
    return repr(value)


@functools.cache
def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The hints of ``function``'s props: its keyword parameters (not ``scope``, ``id`` or ``**options``)."""
    # Once per function: the modules use postponed annotations, resolved here from their globals.
    hints = typing.get_type_hints(function)
    parameters = inspect.signature(function).parameters.values()
    return {p.name: hints[p.name] for p in parameters
            if p.name in hints and p.name not in ("self", "scope", "id") and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}


def accepts(hint: Any, value: Any) -> bool:
    """Whether ``value`` is of type ``hint``: typeguard's answer, with aws-cdk-lib's interfaces checked too.

    jsii declares an interface (``IEnvironment``, ``IGrantable``) as a ``typing.Protocol`` that cannot be
    checked at run time, so typeguard passes any value for it; here a value must implement it (as jsii
    knows). A sequence's items are each checked, and a bare string is not a sequence of strings' items.
    """
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(accepts(member, value) for member in typing.get_args(hint))
    if _is_homogeneous_sequence(hint):
        (item, *_) = typing.get_args(hint) or (Any,)
        return (isinstance(value, origin) and not isinstance(value, (str, bytes))
                and all(accepts(item, v) for v in value))
    if _is_jsii_interface(hint):
        return _implements(value, hint)
    return _typeguard_accepts(hint, value)


def describe(hint: Any) -> str:
    """``hint`` as an error message names it: ``a list or tuple of (GuardedEnvironment | aws_appconfig.IEnvironment)``."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(hint) if m is not type(None)]
        named = " | ".join(describe(member) for member in members)
        return f"{named}, or None" if len(members) < len(typing.get_args(hint)) else named
    if _is_homogeneous_sequence(hint):
        (item, *_) = typing.get_args(hint) or (Any,)
        named = describe(item)
        return f"a list or tuple of ({named})" if " | " in named else f"a list or tuple of {named}"
    if isinstance(hint, type):
        if (name := vars(hint).get("described_as")) is not None:
            return str(name)
        module = hint.__module__
        if module.startswith("aws_cdk."):  # as aws-cdk-lib's Python users import them: aws_appconfig.IEnvironment
            return f"{module.removeprefix('aws_cdk.')}.{hint.__qualname__}"
        return hint.__qualname__
    return str(hint).replace("typing.", "")


def _is_homogeneous_sequence(hint: Any) -> bool:
    """``Sequence[X]``, ``list[X]`` or ``tuple[X, ...]``."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        return typing.get_args(hint)[1:] == (...,)
    return origin in (Sequence, list)


def _is_jsii_interface(hint: Any) -> bool:
    return isinstance(hint, type) and getattr(hint, "_is_protocol", False) and hasattr(hint, "__jsii_type__")


def _implements(value: Any, interface: type) -> bool:
    """Whether the jsii object ``value`` implements ``interface`` (an imported one is a proxy of interfaces)."""
    delegates = vars(value).get("_delegates") if hasattr(value, "__dict__") else None
    classes: list[type] = [type(d) for d in delegates] if isinstance(delegates, list) else [type(value)]
    # A jsii class lists the interfaces it implements; an import is an instance of the interface's proxy class.
    proxy = getattr(interface, "__jsii_proxy_class__", lambda: None)()
    return any(interface in _interfaces_of(cls) or proxy in _interfaces_of(cls) for cls in classes)


@functools.cache
def _interfaces_of(cls: type) -> frozenset[type]:
    """Every class and jsii interface ``cls`` is or implements (``@jsii.implements`` lists them apart)."""
    found: set[type] = set()
    pending = [cls]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.add(current)
        pending.extend(current.__mro__[1:])
        pending.extend(vars(current).get("__jsii_ifaces__", ()))
    return frozenset(found)


@functools.cache
def _typeguard_check() -> Callable[[Any, Any], None]:
    """typeguard's ``check_type``, whose signature changed in typeguard 3 (jsii accepts 2.13 to 4)."""
    from importlib.metadata import version

    import typeguard

    check: Callable[..., Any] = typeguard.check_type
    if int(version("typeguard").split(".")[0]) <= 2:
        return lambda value, hint: check("value", value, hint)
    return lambda value, hint: check(value, hint)


def _typeguard_accepts(hint: Any, value: Any) -> bool:
    import typeguard

    failures = tuple({TypeError, getattr(typeguard, "TypeCheckError", TypeError)})
    try:
        _typeguard_check()(value, hint)
    except failures:
        return False
    return True


def deletion_protection_check(protect: bool | None) -> str:
    """AppConfig ``DeletionProtectionCheck``: True applies it, False bypasses it, None follows the account."""
    if protect is None:
        return "ACCOUNT_DEFAULT"
    return "APPLY" if protect else "BYPASS"
