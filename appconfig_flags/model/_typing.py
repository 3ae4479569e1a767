"""``TypeVar`` with PEP 696 defaults for type checkers, and the standard library's at run time (no dependency).

Type checkers read typing_extensions' stubs, which they bundle; at run time a default changes nothing,
so the standard ``TypeVar`` (without ``default``, before Python 3.13) is enough.
"""
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import TypeVar
else:
    from typing import TypeVar as _TypeVar

    def TypeVar(name: str, *constraints: Any, default: Any = None, **options: Any) -> Any:  # typing's own name
        return _TypeVar(name, *constraints, **options)

__all__ = ["TypeVar"]
