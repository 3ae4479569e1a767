"""Names a package imports on first use (PEP 562), so that importing it stays cheap.

Each package lists ``{name: module}`` (relative to the package, or absolute) and keeps the same
names in an ``if TYPE_CHECKING:`` import block, so type checkers still see and check them.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str], public: Iterable[str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: a name in ``homes`` is imported when first read.

    The value is then kept as a module attribute, so later reads cost nothing.
    """
    listed = frozenset(public) | frozenset(homes)

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home, package), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | listed)

    return __getattr__, __dir__
