"""Construct property errors: every problem of one construct, raised together with its path."""
from __future__ import annotations

from collections.abc import Iterable
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
        self.items.append(f"{self.path}/{prop}: {message} (got {value!r})")

    def raise_if_any(self) -> None:
        if self.items:
            raise PropsError(self.path, self.items)


def deletion_protection_check(protect: bool | None) -> str:
    """AppConfig ``DeletionProtectionCheck``: True applies it, False bypasses it, None follows the account."""
    if protect is None:
        return "ACCOUNT_DEFAULT"
    return "APPLY" if protect else "BYPASS"
