"""A feature-flags client for AWS AppConfig: typed reads from memory, one background poller per process.

Usage::

    from appconfig_flags.client import FlagsClient, make_source
    from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

    client = FlagsClient(make_source("appconfig", profile=CHECKOUT_FLAGS, environment="Beta"),
                         catalogue=CHECKOUT_FLAGS)
    if client.enabled(ALLOW_BITCOIN_AT_CHECKOUT): ...

The OpenFeature provider lives in :mod:`appconfig_flags.client.provider` (it needs openfeature-sdk).
"""
from .agent import AgentSource
from .appconfigdata import AppConfigDataSource
from .backoff import Backoff
from .catalogue import Catalogue, FlagState, Resolution
from .client import ClientEvent, EventDetails, FlagsClient
from .errors import ErrorKind, SourceError
from .factory import DEFAULT_APPLICATION, SOURCE_KINDS, make_source
from .local import LocalSource
from .snapshot import UNCHANGED, FlagData, Snapshot, Unchanged
from .source import FlagSource
from .status import Health, Status

__all__ = [
    "DEFAULT_APPLICATION",
    "SOURCE_KINDS",
    "UNCHANGED",
    "AgentSource",
    "AppConfigDataSource",
    "Backoff",
    "Catalogue",
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
    "make_source",
]
