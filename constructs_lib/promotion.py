"""Promotion order: each environment after the one it is promoted after. Plain Python, no CDK."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


class PromotionCycleError(ValueError):
    """Environments promoted after each other in a circle: no order can honour them."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        super().__init__(f"environments promoted after each other in a cycle: {' -> '.join(self.names)}")


def promotion_order(items: Sequence[T], *, name: Callable[[T], str], after: Callable[[T], str | None]) -> list[T]:
    """``items`` with each one after the item it is promoted after; otherwise in the given order.

    An ``after`` naming no item is ignored (that environment lives elsewhere, e.g. another stage).
    Raises :class:`PromotionCycleError` when the items are promoted after each other in a circle.
    """
    names = {name(item) for item in items}
    ordered: list[T] = []
    placed: set[str] = set()
    pending = list(items)
    while pending:
        ready = next((i for i in pending if after(i) is None or after(i) not in names or after(i) in placed), None)
        if ready is None:
            raise PromotionCycleError(_cycle(pending, name=name, after=after))
        ordered.append(ready)
        placed.add(name(ready))
        pending.remove(ready)
    return ordered


def _cycle(pending: list[T], *, name: Callable[[T], str], after: Callable[[T], str | None]) -> list[str]:
    by_name = {name(i): i for i in pending}
    path = [name(pending[0])]
    while True:
        nxt = after(by_name[path[-1]])
        assert nxt is not None  # every pending item waits for another pending one
        if nxt in path:
            return [*path[path.index(nxt):], nxt]
        path.append(nxt)
