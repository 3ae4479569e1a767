"""What a client reports about itself."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .health import Health

__all__ = ["Health", "Status"]


@dataclass(frozen=True, slots=True)
class Status:
    """A point-in-time report. Times are epoch seconds; ages are seconds."""

    source: str
    health: Health
    version_label: str | None
    last_success: float | None
    staleness: float | None
    consecutive_errors: int
    last_error_code: str | None
    last_error: str | None
    rejected_version: str | None
    next_poll_in: float | None
    polls: int
    changes: int
    session_starts: int
    errors_by_code: Mapping[str, int] = field(default_factory=dict)
    #: Flags of the served version that could not be read, with the reason (their reads get the last
    #: good value or the declared default; every other flag is served).
    unreadable: Mapping[str, str] = field(default_factory=dict)

    @property
    def loaded(self) -> bool:
        """Whether any configuration has been loaded."""
        return self.health in (Health.READY, Health.STALE)

    def to_json(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["health"] = self.health.value
        out["errors_by_code"] = dict(self.errors_by_code)
        out["unreadable"] = dict(self.unreadable)
        return out
