"""Why a fetch failed, classified by what the client should do about it (AppConfig Data API Reference, Errors)."""
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


#: AppConfig's media type for a feature-flag profile holding a multi-variant flag.
ION_MEDIA_TYPE = "application/ion"


class UnsupportedContentError(SourceError):
    """Content this client cannot use: anything but JSON (code ``UnsupportedContentType``, kind ``content``).

    AppConfig serves a profile that holds a multi-variant flag as Amazon Ion
    (``application/ion;type=AWS.AppConfig.FeatureFlags``, "Feature flag samples for AWS AppConfig
    Agent local development mode"); rules in it are for AppConfig Agent to evaluate. The client keeps
    serving the last good version: read such profiles through the Agent (``AgentSource``).
    """

    def __init__(self, content_type: str | None, *, version_label: str | None = None) -> None:
        media_type = (content_type or "").split(";", 1)[0].strip().lower()
        reason = f"content type {content_type!r} is not JSON"
        if media_type == ION_MEDIA_TYPE:
            reason += ("; AppConfig serves profiles with multi-variant flags in Amazon Ion, for AppConfig Agent to "
                       "evaluate: read this profile through the Agent (AgentSource), which sends the request's context")
        super().__init__("UnsupportedContentType", reason, kind=ErrorKind.CONTENT, version_label=version_label)
        self.content_type = content_type


class UndeclaredAttributeError(LookupError):
    """A read of an attribute object the flag does not declare: a slip in the code, found on the first read.

    Type checkers report it before (``Flag[Literal[...]]``, docs/runtime.md); reads by string key never raise.
    """

    def __init__(self, flag: str, attribute: str, declared: list[str]) -> None:
        super().__init__(f"flag {flag!r} does not declare the attribute {attribute!r}; it declares {declared}")
        self.flag = flag
        self.attribute = attribute
