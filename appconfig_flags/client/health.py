"""The client's state in one word, apart from :class:`~.status.Status` so that a service's start-up does not build the report's class."""
from __future__ import annotations

from enum import Enum


class Health(str, Enum):
    """The client's state, as OpenFeature's provider status sees it."""

    NOT_READY = "not-ready"  # nothing loaded yet
    READY = "ready"  # serving a configuration that is up to date
    STALE = "stale"  # serving the last good configuration; the source has failed for a while
    ERROR = "error"  # nothing loaded and the source fails
