"""FlagsClient: typed reads from memory, one poller, backoff, health, events and logs."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace

import pytest

from appconfig_flags.client import (
    UNCHANGED,
    Backoff,
    ClientEvent,
    ErrorKind,
    EventDetails,
    FlagsClient,
    Health,
    LocalSource,
    Resolution,
    Snapshot,
    SourceError,
    Unchanged,
)
from appconfig_flags.model import Attribute, Flag
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN
from flags import CHECKOUT_FLAGS

from .conftest import FakeClock, no_jitter_client


class ScriptedSource:
    """Returns (or raises) the scripted results in turn, then UNCHANGED; counts fetches."""

    name = "scripted"

    def __init__(self, *results: object, poll_interval: float = 30.0) -> None:
        self.results = list(results)
        self.poll_interval = poll_interval
        self.fetches = 0
        self.resets = 0
        self.closed = False

    def fetch(self) -> Snapshot | Unchanged:
        self.fetches += 1
        result = self.results.pop(0) if self.results else UNCHANGED
        if isinstance(result, Exception):
            raise result
        return result  # type: ignore[return-value]

    def reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        self.closed = True


def snapshot(label: str = "1", **entry: object) -> Snapshot:
    return Snapshot.from_retrieval_form({BITCOIN.key: {"enabled": True, **entry}}, version_label=label)


def throttled() -> SourceError:
    return SourceError("ThrottlingException", "slow down", kind=ErrorKind.TRANSIENT)


# -- reads ---------------------------------------------------------------------------------------
def test_before_any_load_reads_return_the_declared_default(clock: FakeClock) -> None:
    client = no_jitter_client(ScriptedSource(), clock)
    state = client.get(BITCOIN)
    assert (state.enabled, state.resolution) == (False, Resolution.NOT_LOADED)
    assert client.value(BITCOIN, "default-currency") == "USD"
    assert client.value(BITCOIN, "bitcoin-discount-percentage") == 0
    assert client.value(BITCOIN, "bitcoin-discount-end-date") is None
    assert client.status().health is Health.NOT_READY


def test_served_values_override_declared_defaults(clock: FakeClock) -> None:
    client = no_jitter_client(ScriptedSource(snapshot(**{"default-currency": "BTC"})), clock)
    client.poll()
    assert client.enabled(BITCOIN)
    assert client.value(BITCOIN, "default-currency") == "BTC"
    assert client.value(BITCOIN, "bitcoin-discount-percentage") == 0  # not served: declared default
    assert client.get(BITCOIN).resolution is Resolution.SERVED


def test_a_flag_missing_from_the_configuration_reads_as_its_default(clock: FakeClock) -> None:
    client = no_jitter_client(ScriptedSource(Snapshot.from_retrieval_form({}, version_label="1")), clock)
    client.poll()
    state = client.get(BITCOIN)
    assert (state.enabled, state.resolution, state.version_label) == (False, Resolution.NOT_FOUND, "1")


def test_a_flag_outside_the_catalogue_is_type_checked_at_read(clock: FakeClock) -> None:
    other = Flag(key="dark-mode", attributes=(Attribute.number("level"),), values={"level": 1})
    content = {"dark-mode": {"enabled": True, "level": "high"}}
    client = no_jitter_client(ScriptedSource(Snapshot.from_retrieval_form(content)), clock)
    client.poll()
    state = client.get(other)
    assert (state.enabled, state.value("level"), state.resolution) == (False, 1, Resolution.TYPE_MISMATCH)


def test_a_different_flag_object_with_a_catalogue_key_is_resolved_with_its_own_defaults(clock: FakeClock) -> None:
    client = no_jitter_client(ScriptedSource(Snapshot.from_retrieval_form({})), clock)
    client.poll()
    variant = replace(BITCOIN, values={"default-currency": "BTC"})
    assert client.value(variant, "default-currency") == "BTC"
    assert client.value(BITCOIN, "default-currency") == "USD"


def test_catalogue_reads_are_precomputed_once_per_version(clock: FakeClock) -> None:
    client = no_jitter_client(ScriptedSource(snapshot()), clock)
    client.poll()
    assert client.get(BITCOIN) is client.get(BITCOIN)


# -- polling -------------------------------------------------------------------------------------
def test_poll_does_nothing_before_it_is_due(clock: FakeClock) -> None:
    source = ScriptedSource(snapshot(), poll_interval=30)
    client = no_jitter_client(source, clock)
    assert client.poll() == 30
    clock.advance(10)
    assert client.poll() == 20
    assert source.fetches == 1


def test_backoff_grows_from_the_interval_and_is_capped() -> None:
    backoff = Backoff(cap=300, random=lambda: 0.0)
    assert [backoff.delay(45, n) for n in range(7)] == [45, 45, 90, 180, 300, 300, 300]
    assert Backoff(cap=300, random=lambda: 1.0).delay(45, 2) == 112.5  # jitter only lengthens
    assert Backoff(cap=300, random=lambda: 1.0).delay(45, 9) == 300
    assert Backoff(cap=10, random=lambda: 0.0).delay(45, 3) == 45  # never below the interval


def test_an_unexpected_exception_from_a_source_is_a_transient_failure(
        clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    client = no_jitter_client(ScriptedSource(snapshot(), ValueError("invalid literal for int()")), clock)
    clock.advance(client.poll())
    assert client.poll() == 30
    assert client.status().last_error_code == "ValueError"
    assert client.enabled(BITCOIN)
    assert any(r.exc_info for r in caplog.records if r.levelname == "WARNING")


def test_transient_failures_warn_once_then_are_rate_limited(clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    source = ScriptedSource(snapshot(), *[throttled() for _ in range(5)], poll_interval=30)
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS, background=False, clock=clock,
                         backoff=Backoff(random=lambda: 0.0), warn_every=300)
    with caplog.at_level(logging.DEBUG, logger="appconfig_flags.client"):
        for _ in range(7):
            clock.advance(client.poll())
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "fetch failed" in r.getMessage()]
    # failures at t=30, 60, 120, 240 (< 300 s after the first: quiet), 480 (warned again)
    assert [w.getMessage().split("(")[1].split(" ")[0] for w in warnings] == ["1", "5"]
    assert "recovered after 5 failure(s)" in caplog.text


def test_version_change_is_logged_at_info(clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    client = no_jitter_client(ScriptedSource(snapshot("1"), snapshot("2", **{"default-currency": "BTC"})), clock)
    with caplog.at_level(logging.INFO, logger="appconfig_flags.client"):
        clock.advance(client.poll())
        clock.advance(client.poll())
    infos = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert infos[-1] == "scripted: loaded configuration version 2 (flags changed: allow-bitcoin-at-checkout)"


# -- health and events ---------------------------------------------------------------------------
def test_events_ready_changed_stale_and_recovery(clock: FakeClock) -> None:
    source = ScriptedSource(throttled(), snapshot("1"), snapshot("2", **{"default-currency": "BTC"}),
                            *[throttled() for _ in range(3)], poll_interval=30)
    client = no_jitter_client(source, clock, stale_after=3)
    heard: list[tuple[ClientEvent, EventDetails]] = []
    client.subscribe(lambda event, details: heard.append((event, details)))
    for _ in range(7):
        clock.advance(client.poll())
    events = [e for e, _ in heard]
    # failures 30, 60 and 120 s after the last success: stale once more than 3 x 30 s have passed
    assert events == [ClientEvent.ERROR, ClientEvent.READY, ClientEvent.CHANGED, ClientEvent.STALE, ClientEvent.READY]
    assert heard[2][1].flags_changed == (BITCOIN.key,)
    assert heard[3][1].error_code == "ThrottlingException"


def test_status_reports_source_version_and_counters(clock: FakeClock) -> None:
    client = no_jitter_client(ScriptedSource(snapshot("7"), throttled()), clock)
    clock.advance(client.poll())
    clock.advance(5)
    status = client.status()
    assert (status.source, status.version_label, status.health, status.polls) == ("scripted", "7", Health.READY, 1)
    assert status.staleness == 35 and status.last_success is not None and status.next_poll_in == 0
    clock.advance(client.poll())
    status = client.status()
    assert (status.consecutive_errors, status.last_error_code, status.last_error) == (
        1, "ThrottlingException", "slow down")
    assert status.to_json()["health"] == "ready"


def test_a_failing_listener_does_not_stop_polling(clock: FakeClock) -> None:
    client = no_jitter_client(ScriptedSource(snapshot()), clock)

    def broken(event: ClientEvent, details: EventDetails) -> None:
        raise RuntimeError("listener bug")

    client.subscribe(broken)
    client.poll()
    assert client.enabled(BITCOIN)


# -- the poller thread ---------------------------------------------------------------------------
def test_reads_start_exactly_one_poller_thread_under_concurrency() -> None:
    # Only threads this test starts count: another test's client on this worker may still be polling.
    before = set(threading.enumerate())
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS)
    barrier = threading.Barrier(16)

    def read() -> None:
        barrier.wait()
        client.enabled(BITCOIN)

    readers = [threading.Thread(target=read) for _ in range(16)]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    pollers = [t for t in threading.enumerate()
               if t not in before and t.name.startswith("flags-poller local:CheckoutFlags@Beta")]
    assert len(pollers) == 1 and pollers[0].daemon
    assert client.start(wait=2)
    assert client.enabled(BITCOIN)
    client.close()
    assert not pollers[0].is_alive()


def test_close_stops_polling_and_closes_the_source() -> None:
    source = ScriptedSource(snapshot())
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS)
    assert client.start(wait=2)
    client.close()
    assert source.closed
    assert client.poll() >= 0 and source.fetches == 1
    assert client.enabled(BITCOIN)  # the last snapshot is still served


def test_without_background_start_polls_once_in_the_caller() -> None:
    source = ScriptedSource(snapshot())
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS, background=False)
    assert client.start()
    client.enabled(BITCOIN)
    assert source.fetches == 1
    assert not [t for t in threading.enumerate() if t.name == "flags-poller scripted"]


def test_start_returns_once_the_first_poll_fails_instead_of_waiting_it_out() -> None:
    client = FlagsClient(ScriptedSource(throttled()), catalogue=CHECKOUT_FLAGS)
    began = time.monotonic()
    assert client.start(wait=5) is False
    assert time.monotonic() - began < 1
    assert client.status().health is Health.ERROR
    client.close()
