"""A feature-flags client for AWS AppConfig: typed reads from memory, one background poller per process.

Usage::

    from appconfig_flags.client import FlagsClient, make_source
    from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

    client = FlagsClient(make_source("appconfig", profile=CHECKOUT_FLAGS, environment="Beta"),
                         catalogue=CHECKOUT_FLAGS)
    if client.enabled(ALLOW_BITCOIN_AT_CHECKOUT): ...

Every name is imported the first time it is read (PEP 562): a service that reads local files or
the Agent does not pay for ``http.client`` or boto3 until a source needs them (cold start:
``python -m bench cold_start``). The OpenFeature provider lives in
:mod:`appconfig_flags.client.provider` (it needs openfeature-sdk: the ``openfeature`` extra).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .agent import AgentSource
    from .appconfigdata import AppConfigDataSource
    from .backoff import Backoff
    from .catalogue import Catalogue, FlagState, Resolution
    from .client import ClientEvent, EventDetails, FlagsClient
    from .errors import ErrorKind, SourceError, UndeclaredAttributeError
    from .factory import SOURCE_KINDS, make_source
    from .health import Health
    from .local import LocalSource
    from .snapshot import UNCHANGED, FlagData, Snapshot, Unchanged
    from .source import FlagSource
    from .status import Status
    from .watch import CatalogueFileSource, WatchedFileSource

#: Each public name, and the submodule that defines it; imported by ``__getattr__`` when first read.
_LAZY = {
    "AgentSource": ".agent",
    "AppConfigDataSource": ".appconfigdata",
    "Backoff": ".backoff",
    "Catalogue": ".catalogue",
    "FlagState": ".catalogue",
    "Resolution": ".catalogue",
    "ClientEvent": ".client",
    "EventDetails": ".client",
    "FlagsClient": ".client",
    "ErrorKind": ".errors",
    "SourceError": ".errors",
    "UndeclaredAttributeError": ".errors",
    "SOURCE_KINDS": ".factory",
    "make_source": ".factory",
    "LocalSource": ".local",
    "UNCHANGED": ".snapshot",
    "FlagData": ".snapshot",
    "Snapshot": ".snapshot",
    "Unchanged": ".snapshot",
    "FlagSource": ".source",
    "Health": ".health",
    "Status": ".status",
    "CatalogueFileSource": ".watch",
    "WatchedFileSource": ".watch",
}

__all__ = [
    "SOURCE_KINDS",
    "UNCHANGED",
    "AgentSource",
    "AppConfigDataSource",
    "Backoff",
    "Catalogue",
    "CatalogueFileSource",
    "ClientEvent",
    "ErrorKind",
    "EventDetails",
    "FlagData",
    "FlagSource",
    "FlagState",
    "FlagsClient",
    "Health",
    "LocalSource",
    "Resolution",
    "Snapshot",
    "SourceError",
    "Status",
    "Unchanged",
    "UndeclaredAttributeError",
    "WatchedFileSource",
    "make_source",
]

# Hidden from type checkers: they read the imports above, and so still report misspelt names.
if not TYPE_CHECKING:
    from appconfig_flags._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
