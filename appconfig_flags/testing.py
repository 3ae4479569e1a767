"""Test your own code that reads flags: chosen flag values served through a real client, or a local Agent.

:class:`ServedFlags` serves your catalogue's :class:`~appconfig_flags.model.Profile` in one
environment with the values a test chooses (:meth:`ServedFlags.set`): each change builds a new
profile, so the model validates every value against the flag's attributes and rules, as it does
for the catalogue. Read them with :attr:`ServedFlags.client`, a :class:`~appconfig_flags.client.FlagsClient`
over that source (multi-variant flags are evaluated for each read's context by the model's
evaluator, as the local sources do).

:class:`LocalAgent` serves the same values over HTTP on 127.0.0.1 the way the AppConfig Agent (or
the Lambda extension) does, for code that reads through :class:`~appconfig_flags.client.AgentSource`
or its own HTTP client: ``GET /applications/{app}/environments/{env}/configurations/{profile}``,
``?flag=`` (one flag: the bare flag object), the ``Context`` and ``Entity-Id`` headers. It is a
stand-in for tests, not the Agent: it answers every application and environment name.

The pytest plugin (entry point ``appconfig_flags.testing``, loaded when the ``appconfig-flags`` wheel
is installed; otherwise ``pytest_plugins = ["appconfig_flags.testing"]`` in your top conftest.py)
gives the fixtures ``served_flags`` and ``flags_agent``; override ``flags_profile`` (your catalogue's
profile: required) and ``flags_environment`` (Default: ``None``, the flags' default values) in your
conftest.py. Nothing here imports pytest until pytest loads the plugin. docs/testing.md shows examples.
"""
from __future__ import annotations

import dataclasses
import itertools
import json
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from appconfig_flags.client import UNCHANGED, FlagData, FlagsClient, Snapshot, Unchanged
from appconfig_flags.client.agent import PORT_VARIABLE
from appconfig_flags.client.targeting import snapshot_from_profile
from appconfig_flags.model import AttributeValue, Flag, FlagValue, Profile, Variant

__all__ = ["LocalAgent", "ServedFlags", "ServedFlagsSource"]


class ServedFlagsSource:
    """The :class:`~appconfig_flags.client.FlagSource` of a :class:`ServedFlags`: its current values, once per change."""

    def __init__(self, served: ServedFlags) -> None:
        self.name = f"served:{served.profile.name}@{served.environment or 'default'}"
        self._served = served
        self._delivered: int | None = None

    #: Seconds between polls: the client of :class:`ServedFlags` is polled by each change instead.
    POLL_INTERVAL = 3600.0

    @property
    def poll_interval(self) -> float:
        """:attr:`POLL_INTERVAL`."""
        return self.POLL_INTERVAL

    def fetch(self) -> Snapshot | Unchanged:
        """The current values as a snapshot, or ``UNCHANGED`` when they have not changed since the last fetch."""
        version = self._served.version
        if self._delivered == version:
            return UNCHANGED
        self._delivered = version
        return self._served.snapshot()

    def reset(self) -> None:
        """Deliver the values again on the next fetch."""
        self._delivered = None

    def close(self) -> None:
        """Nothing to release."""


class ServedFlags:
    """``profile``'s flags in ``environment`` with the values a test chose; read them with :attr:`client`.

    ``environment``: the environment whose values are served (its overrides applied), and the one
    :meth:`set` changes. Default: ``None``, the flags' default values.
    Use it as a context manager, or call :meth:`close`: the client and any :class:`LocalAgent` stop.
    """

    def __init__(self, profile: Profile, environment: str | None = None) -> None:
        if not isinstance(profile, Profile):
            raise TypeError(f"ServedFlags: profile must be an appconfig_flags.model.Profile, not {profile!r}")
        known = profile.environments
        if environment is not None and known is not None and environment not in known:
            raise ValueError(f"profile {profile.name!r} has no environment {environment!r}; it has {list(known)}")
        self.environment = environment
        self._catalogue = profile
        self._profile = profile
        self._versions = itertools.count(1)
        self.version = next(self._versions)
        self._lock = threading.Lock()
        self._client: FlagsClient | None = None
        self._skew = 0.0  # the client's clock runs ahead by this much: a change makes its next poll due

    @property
    def profile(self) -> Profile:
        """The profile served now: the catalogue's, with every :meth:`set` applied (validated)."""
        return self._profile

    def snapshot(self) -> Snapshot:
        """What is served now, as the client receives it (multi-variant flags compiled)."""
        profile, version = self._profile, self.version
        return snapshot_from_profile(profile, self.environment, version_label=f"served-{version}")

    @property
    def client(self) -> FlagsClient:
        """A started :class:`FlagsClient` over these values (no background thread); :meth:`set` refreshes it."""
        if self._client is None:
            self._client = FlagsClient(ServedFlagsSource(self), catalogue=self._catalogue, background=False,
                                       clock=self._clock)
            self._client.start()
        return self._client

    def set(self, flag: Flag | str, *, enabled: bool | None = None,
            values: Mapping[str, AttributeValue] | None = None, variants: Sequence[Variant] | None = None) -> None:
        """Serve ``flag`` (an object of the catalogue, or its key) with these values from now on.

        ``enabled`` Default: the flag's current value. ``values``: attribute values, merged over the
        current ones. ``variants``: replace the flag's value with these variants (the last one the
        default, without a rule). The new profile is validated by the model: a value an attribute
        does not allow raises :class:`~appconfig_flags.model.FlagValidationError`, and nothing changes.
        """
        key = flag.key if isinstance(flag, Flag) else flag
        with self._lock:
            current = {f.key: f for f in self._profile.flags}
            if key not in current:
                raise KeyError(f"profile {self._profile.name!r} has no flag {key!r}; it has {sorted(current)}")
            changed = _with_value(current[key], self.environment, enabled, values, variants)
            # An experiment names its flag object: it follows the flag to its new value.
            experiments = tuple(dataclasses.replace(e, flag=changed) if e.flag is current[key] else e
                                for e in self._profile.experiments)
            self._profile = dataclasses.replace(
                self._profile, flags=tuple(changed if f.key == key else f for f in self._profile.flags),
                experiments=experiments)
            self.version = next(self._versions)
        self._refresh()

    def reset(self) -> None:
        """Serve the catalogue's values again."""
        with self._lock:
            self._profile = self._catalogue
            self.version = next(self._versions)
        self._refresh()

    def _clock(self) -> float:
        return time.monotonic() + self._skew

    def _refresh(self) -> None:
        if self._client is not None:
            self._skew += ServedFlagsSource.POLL_INTERVAL
            self._client.poll()

    def close(self) -> None:
        """Stop the client, if one was made."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> ServedFlags:  # noqa: PYI034 - typing.Self is Python 3.11+, the runtime supports 3.10
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _with_value(flag: Flag, environment: str | None, enabled: bool | None,
                values: Mapping[str, AttributeValue] | None, variants: Sequence[Variant] | None) -> Flag:
    """``flag`` with a new value in ``environment`` (``None``: its default value)."""
    value = flag.value_in(environment)
    if variants is not None:
        new = FlagValue(enabled=enabled, values=dict(values or {}), variants=tuple(variants))
    else:
        new = FlagValue(enabled=value.enabled if enabled is None else enabled,
                        values={**value.values, **(values or {})})
    if environment is None:
        return dataclasses.replace(flag, enabled=new.enabled if new.variants is None else False,
                                   values=new.values, variants=new.variants)
    return dataclasses.replace(flag, environments={**flag.environments, environment: new})


class LocalAgent:
    """An AppConfig Agent stand-in on 127.0.0.1 serving a :class:`ServedFlags`' current values.

    ``port`` Default: a free one. :attr:`port` and :attr:`environ` (``AWS_APPCONFIG_EXTENSION_HTTP_PORT``)
    tell an ``AgentSource`` where it is; :attr:`requests` records each request's path and headers.
    Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, served: ServedFlags, *, port: int = 0) -> None:
        self.served = served
        #: (path with query, {header: value}) of each request, oldest first.
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _agent_handler(self))
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        # serve_forever notices shutdown() at its next poll: 0.5 s by default, paid by every test that stops one.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="LocalAgent", daemon=True)
        self._thread.start()

    @property
    def environ(self) -> dict[str, str]:
        """The environment variable an ``AgentSource`` (and ``make_source("agent", ...)``) reads its port from."""
        return {PORT_VARIABLE: str(self.port)}

    def answer(self, path: str, headers: Mapping[str, str]) -> tuple[int, Any]:
        """The status and JSON body the Agent would send for ``path`` (with query) and ``headers``."""
        parts = urlsplit(path)
        segments = [unquote(s) for s in parts.path.split("/")]
        if len(segments) != 7 or segments[1::2] != ["applications", "environments", "configurations"]:
            return 404, {"Message": f"no such path: {parts.path}"}
        snapshot = self.served.snapshot()
        try:
            context = _read_context_header(headers.get("Context", ""))
        except ValueError as exc:
            return 400, {"Message": str(exc)}
        entity_id = headers.get("Entity-Id")
        asked = parse_qs(parts.query).get("flag", [])
        keys = asked or list(snapshot.flags)
        unknown = [key for key in keys if key not in snapshot.flags]
        if unknown:
            return 404, {"Message": f"no flag {unknown[0]!r} in this configuration"}
        answers = {key: _served(snapshot, key, context, entity_id).to_json() for key in keys}
        return 200, answers[asked[0]] if len(asked) == 1 else answers

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalAgent:  # noqa: PYI034 - typing.Self is Python 3.11+, the runtime supports 3.10
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _read_context_header(text: str) -> dict[str, str]:
    """``key=value,...`` as the Agent reads it (values cannot hold ``,``; the first ``=`` ends the key)."""
    out: dict[str, str] = {}
    for pair in filter(None, text.split(",")):
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise ValueError(f"Context: {pair!r} is not key=value")
        out[key.strip()] = value
    return out


def _served(snapshot: Snapshot, key: str, context: Mapping[str, str], entity_id: str | None) -> FlagData:
    """One flag for one request, as the client's local sources evaluate it (variants, simulated experiments)."""
    if entity_id is not None:
        experiment = snapshot.experiments.get(key)
        assigned = experiment.assign(context, entity_id) if experiment is not None else None
        if assigned is not None:
            return assigned
    targeting = snapshot.targeting.get(key)
    return targeting.serve(context) if targeting is not None else snapshot.flags[key]


def _agent_handler(agent: LocalAgent) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body are separate writes: with Nagle's algorithm on, each response waits out the
        # client's delayed ACK (about 40 ms).
        disable_nagle_algorithm = True
        def do_GET(self) -> None:
            headers = dict(self.headers.items())
            agent.requests.append((self.path, headers))
            status, body = agent.answer(self.path, headers)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 200:
                self.send_header("Version-Label", f"served-{agent.served.version}")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: a test's output is not the place for access logs."""

    return Handler


# -- the pytest plugin ------------------------------------------------------------------------------
def pytest_configure(config: Any) -> None:
    """Register the fixtures (pytest calls this hook when it loads the plugin; pytest is imported only then)."""
    config.pluginmanager.register(_fixtures(), "appconfig_flags.testing.fixtures")


def _fixtures() -> object:
    import pytest

    class Fixtures:
        @pytest.fixture
        def flags_profile(self) -> Profile:
            """Your catalogue's profile: override this fixture in your conftest.py."""
            raise pytest.UsageError("appconfig_flags.testing: define a `flags_profile` fixture in your conftest.py "
                                    "that returns the Profile whose flags the code under test reads")

        @pytest.fixture
        def flags_environment(self) -> str | None:
            """The environment served (Default: ``None``, the default values); override it in your conftest.py."""
            return None

        @pytest.fixture
        def served_flags(self, flags_profile: Profile, flags_environment: str | None) -> Iterator[ServedFlags]:
            """The catalogue's values for this test; ``served_flags.set(FLAG, enabled=..., values=...)`` changes them."""
            with ServedFlags(flags_profile, flags_environment) as served:
                yield served

        @pytest.fixture
        def flags_agent(self, served_flags: ServedFlags, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAgent]:
            """A :class:`LocalAgent` serving ``served_flags``, its port in ``AWS_APPCONFIG_EXTENSION_HTTP_PORT``."""
            with LocalAgent(served_flags) as agent:
                monkeypatch.setenv(PORT_VARIABLE, str(agent.port))
                yield agent

    return Fixtures()
