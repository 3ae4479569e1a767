"""Why a fetch failed, classified by what the client should do about it (runtime spec §5.7-8)."""
from __future__ import annotations

from enum import Enum


class ErrorKind(str, Enum):
    """How the client reacts to a failed fetch."""

    #: Throttling, 5xx, timeouts, connection errors, expired sessions: back off and retry.
    TRANSIENT = "transient"
    #: Missing resource, access denied, no credentials, bad parameters: log at ERROR, retry slowly.
    CONFIGURATION = "configuration"
    #: A response arrived but its content is unusable (not JSON, malformed, invalid): keep last good.
    CONTENT = "content"


class SourceError(Exception):
    """A fetch that failed. ``code`` is short and stable (``ThrottlingException``, ``MalformedJSON``)."""

    def __init__(self, code: str, message: str, *, kind: ErrorKind, version_label: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.kind = kind
        self.version_label = version_label
