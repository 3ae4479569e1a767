"""The one interface every flag source implements."""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from .snapshot import FlagData, Snapshot, Unchanged


@runtime_checkable
class FlagSource(Protocol):
    """Where flag values come from. Only the client's poller calls ``fetch``, one call at a time.

    ``fetch`` returns a :class:`Snapshot`, or :data:`UNCHANGED` when nothing is new, and raises
    :class:`SourceError` (any other exception is treated as a transient failure).
    """

    #: A short description for status and logs, e.g. ``appconfig:Orchard/Live/OrchardFlags``.
    name: str

    @property
    def poll_interval(self) -> float:
        """Seconds to wait after a fetch before the next one; may change after each fetch."""
        ...

    def fetch(self) -> Snapshot | Unchanged:
        ...

    def reset(self) -> None:
        """Forget connections and session state (called in a child process after ``fork``)."""
        ...

    def close(self) -> None:
        """Release connections; the source is not used again."""
        ...


@runtime_checkable
class ContextEvaluatingSource(Protocol):
    """A source that evaluates a flag for one request's context itself (the AppConfig Agent).

    ``evaluate_flag`` is called on the reader's thread, once per read with a context, and raises
    :class:`SourceError` on failure (the client then serves the flag without context).
    """

    def evaluate_flag(self, flag_key: str, context_header: str, entity_id: str | None) -> FlagData:
        ...
