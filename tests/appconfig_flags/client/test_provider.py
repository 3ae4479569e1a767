"""The OpenFeature provider: values from the client's snapshot; errors are defaults with a code, never raised."""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import pytest
from openfeature import api
from openfeature.event import ProviderEvent
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason
from openfeature.provider import ProviderStatus

from appconfig_flags.client import Backoff, ErrorKind, FlagsClient, LocalSource, Snapshot, SourceError
from appconfig_flags.client.provider import AppConfigProvider
from flags import CHECKOUT_FLAGS

from .conftest import FakeClock
from .test_client import ScriptedSource

KEY = "allow-bitcoin-at-checkout"
CONTENT = {KEY: {"enabled": True, "default-currency": "BTC", "bitcoin-discount-percentage": 5,
                 "bitcoin-discount-end-date": "12/31/2026"},
           "checkout-regions": {"enabled": True, "codes": ["US", "CA"], "limits": [1, 2.5], "strict": True},
           "old-flag": {"enabled": False}}


@pytest.fixture
def provider(clock: FakeClock) -> AppConfigProvider:
    client = FlagsClient(ScriptedSource(Snapshot.from_retrieval_form(CONTENT, version_label="4")),
                         catalogue=CHECKOUT_FLAGS, background=False, clock=clock)
    client.poll()
    return AppConfigProvider(client)


@pytest.fixture
def heard() -> Iterator[list[ProviderEvent]]:
    """Provider events, in order, as the SDK's (asynchronous) handlers receive them."""
    events: list[ProviderEvent] = []
    handlers = {event: (lambda details, event=event: events.append(event)) for event in ProviderEvent}
    for event, handler in handlers.items():
        api.add_handler(event, handler)
    yield events
    for event, handler in handlers.items():
        with contextlib.suppress(ValueError):  # api.shutdown() already dropped them
            api.remove_handler(event, handler)
    api.clear_providers()


def wait_until(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 2
    while not check() and time.monotonic() < deadline:
        time.sleep(0.005)
    return check()


def test_a_flag_key_resolves_to_enabled(provider: AppConfigProvider) -> None:
    details = provider.resolve_boolean_details(KEY, False)
    assert (details.value, details.reason, details.error_code) == (True, Reason.STATIC, None)
    assert details.flag_metadata == {"version": "4"}


@pytest.mark.parametrize(("method", "key", "default", "expected"), [
    ("resolve_string_details", f"{KEY}.default-currency", "USD", "BTC"),
    ("resolve_integer_details", f"{KEY}.bitcoin-discount-percentage", 0, 5),
    ("resolve_float_details", f"{KEY}.bitcoin-discount-percentage", 0.0, 5.0),
    ("resolve_boolean_details", "checkout-regions.strict", False, True),
    ("resolve_object_details", "checkout-regions.codes", [], ["US", "CA"]),
    ("resolve_object_details", "checkout-regions.limits", [], [1, 2.5]),
    ("resolve_object_details", KEY, {}, {k: v for k, v in CONTENT[KEY].items() if k != "enabled"}),
])
def test_flag_dot_attribute_resolves_the_attribute(
        provider: AppConfigProvider, method: str, key: str, default: object, expected: object) -> None:
    details = getattr(provider, method)(key, default)
    assert (details.value, details.error_code) == (expected, None)
    assert type(details.value) is type(expected)


@pytest.mark.parametrize(("method", "key", "default", "code"), [
    ("resolve_boolean_details", "no-such-flag", True, ErrorCode.FLAG_NOT_FOUND),
    ("resolve_string_details", f"{KEY}.no-such-attribute", "x", ErrorCode.FLAG_NOT_FOUND),
    ("resolve_integer_details", f"{KEY}.default-currency", 7, ErrorCode.TYPE_MISMATCH),
    ("resolve_boolean_details", f"{KEY}.default-currency", True, ErrorCode.TYPE_MISMATCH),
    ("resolve_float_details", "checkout-regions.strict", 1.5, ErrorCode.TYPE_MISMATCH),
    ("resolve_string_details", KEY, "x", ErrorCode.TYPE_MISMATCH),
    ("resolve_object_details", f"{KEY}.default-currency", {"a": 1}, ErrorCode.TYPE_MISMATCH),
])
def test_unknown_or_mistyped_flags_return_the_default_with_an_error_code(
        provider: AppConfigProvider, method: str, key: str, default: object, code: ErrorCode) -> None:
    details = getattr(provider, method)(key, default)
    assert (details.value, details.error_code, details.reason) == (default, code, Reason.ERROR)
    assert details.error_message


def test_an_attribute_of_a_disabled_flag_is_the_default_with_reason_disabled(provider: AppConfigProvider) -> None:
    details = provider.resolve_string_details("old-flag.colour", "blue")
    assert (details.value, details.reason, details.error_code) == ("blue", Reason.DISABLED, None)


def test_an_object_read_is_the_attributes_without_enabled_or_variant(provider: AppConfigProvider) -> None:
    details = provider.resolve_object_details("checkout-regions", {})
    assert (details.value, details.reason) == ({"codes": ["US", "CA"], "limits": [1, 2.5], "strict": True}, Reason.STATIC)


def test_a_disabled_flag_read_as_an_object_is_the_default_with_reason_disabled(provider: AppConfigProvider) -> None:
    details = provider.resolve_object_details("old-flag", {"a": 1})
    assert (details.value, details.reason, details.error_code) == ({"a": 1}, Reason.DISABLED, None)


def test_a_flag_without_attributes_read_as_an_object_is_a_type_mismatch(clock: FakeClock) -> None:
    client = FlagsClient(ScriptedSource(Snapshot.from_retrieval_form({"kill-switch": {"enabled": True}})),
                         background=False, clock=clock)
    client.poll()
    details = AppConfigProvider(client).resolve_object_details("kill-switch", {"a": 1})
    assert (details.value, details.reason, details.error_code) == ({"a": 1}, Reason.ERROR, ErrorCode.TYPE_MISMATCH)


def test_nothing_loaded_is_provider_not_ready(clock: FakeClock) -> None:
    client = FlagsClient(ScriptedSource(), catalogue=CHECKOUT_FLAGS, background=False, clock=clock)
    details = AppConfigProvider(client).resolve_boolean_details(KEY, True)
    assert (details.value, details.error_code) == (True, ErrorCode.PROVIDER_NOT_READY)


def test_stale_values_say_so(clock: FakeClock) -> None:
    failing = SourceError("ThrottlingException", "slow down", kind=ErrorKind.TRANSIENT)
    source = ScriptedSource(Snapshot.from_retrieval_form(CONTENT), failing, failing, poll_interval=10)
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS, background=False, clock=clock,
                         backoff=Backoff(random=lambda: 0.0))
    for _ in range(3):
        clock.advance(client.poll())
    details = AppConfigProvider(client).resolve_boolean_details(KEY, False)
    assert (details.value, details.reason) == (True, Reason.STALE)


def test_through_the_sdk_with_a_local_source(heard: list[ProviderEvent]) -> None:
    client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS)
    api.set_provider_and_wait(AppConfigProvider(client, owns_client=True))
    of = api.get_client()
    assert of.get_provider_status() is ProviderStatus.READY
    assert of.get_boolean_value(KEY, False) is True
    assert of.get_integer_value(f"{KEY}.bitcoin-discount-percentage", 0) == 5
    assert of.get_string_value(f"{KEY}.bitcoin-discount-end-date", "") == "12/31/2026"
    assert of.get_string_details("nope.x", "fallback").error_code == ErrorCode.FLAG_NOT_FOUND
    api.shutdown()
    assert client.status().next_poll_in is None  # owns_client: shutdown closed it


def test_not_ready_at_start_then_ready_when_the_first_load_arrives(
        heard: list[ProviderEvent], clock: FakeClock) -> None:
    failing = SourceError("EndpointConnectionError", "refused", kind=ErrorKind.TRANSIENT)
    changed = {**CONTENT, KEY: {"enabled": False}}
    source = ScriptedSource(failing, Snapshot.from_retrieval_form(CONTENT, version_label="5"),
                            Snapshot.from_retrieval_form(changed, version_label="6"))
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS, background=False, clock=clock,
                         backoff=Backoff(random=lambda: 0.0))
    assert wait_until(lambda: heard == [ProviderEvent.PROVIDER_READY])  # the default no-op provider is ready
    with pytest.raises(Exception, match="no flags loaded from scripted within 0.01 s: EndpointConnectionError"):
        api.set_provider_and_wait(AppConfigProvider(client, ready_timeout=0.01))
    of = api.get_client()
    assert of.get_provider_status() is ProviderStatus.ERROR
    assert of.get_boolean_details(KEY, False).error_code == ErrorCode.PROVIDER_NOT_READY
    clock.advance(client.status().next_poll_in or 0)  # the backoff
    clock.advance(client.poll())
    assert of.get_provider_status() is ProviderStatus.READY
    assert of.get_boolean_value(KEY, False) is True
    clock.advance(client.poll())
    assert of.get_boolean_value(KEY, True) is False
    assert wait_until(lambda: heard[1:] == [ProviderEvent.PROVIDER_ERROR, ProviderEvent.PROVIDER_READY,
                                            ProviderEvent.PROVIDER_CONFIGURATION_CHANGED]), heard
