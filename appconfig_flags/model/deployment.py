"""Facts about deploying a profile that the constructs, the client and the commands share. Plain Python, no CDK.

One home for each: the configuration profile type, the label a stack gives the hosted versions it
creates, and promotion order.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

#: The configuration profile ``Type`` of feature flags (AppConfig API reference, CreateConfigurationProfile).
FEATURE_FLAGS_TYPE = "AWS.AppConfig.FeatureFlags"


def version_label(environment: str, content: str) -> str:
    """The ``VersionLabel`` of the hosted version a stack creates for ``environment`` holding ``content``.

    ``<environment, at most 40 characters>-<first 12 hex digits of sha256(content)>``: readable, and it
    changes with the content, so a version whose label matches its own content was made by a stack, and
    one whose label does not (console edits, ``appconfig-flags off``) was not.
    """
    from hashlib import sha256  # here: a service that never labels a version does not load OpenSSL

    return f"{environment[:40]}-{sha256(content.encode()).hexdigest()[:12]}"


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
