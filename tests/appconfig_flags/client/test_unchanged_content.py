"""The same content delivered again (a new session, a re-fetch) is not a change: no event, no counter."""
from __future__ import annotations

from openfeature import api
from openfeature.event import ProviderEvent

from appconfig_flags.client import ClientEvent, EventDetails, FlagsClient, Snapshot
from appconfig_flags.client.provider import AppConfigProvider
from appconfig_flags.model import retrieval_form
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN
from flags import CHECKOUT_FLAGS
from tests.fakes.appconfigdata import START, FakeAppConfigData

from .conftest import FakeClock, appconfig_source, no_jitter_client
from .test_client import ScriptedSource
from .test_provider import CONTENT, KEY, heard, wait_until  # noqa: F401 - heard is a fixture

Heard = list[tuple[ClientEvent, EventDetails]]


def _listen(client: FlagsClient) -> Heard:
    events: Heard = []
    client.subscribe(lambda event, details: events.append((event, details)))
    return events


def _poll(client: FlagsClient, clock: FakeClock) -> None:
    clock.advance(client.poll())


def test_a_new_session_delivering_the_same_version_is_not_a_change(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    events = _listen(client)
    _poll(client, clock)
    first = client.snapshot
    fake.expire_tokens()
    _poll(client, clock)  # BadRequestException: the session is dropped
    _poll(client, clock)  # a new session: AppConfig sends the whole current version again
    assert len(fake.operations(START)) == 2
    status = client.status()
    assert (status.changes, status.version_label, status.consecutive_errors) == (0, "1", 0)
    assert client.snapshot is first
    assert ClientEvent.CHANGED not in [event for event, _ in events]


def test_the_same_flags_under_a_new_label_update_the_label_without_an_event(clock: FakeClock) -> None:
    content = retrieval_form(CHECKOUT_FLAGS, "Beta")
    source = ScriptedSource(Snapshot.from_retrieval_form(content, version_label="1"),
                            Snapshot.from_retrieval_form(content, version_label="2"))
    client = no_jitter_client(source, clock)
    events = _listen(client)
    _poll(client, clock)
    _poll(client, clock)
    assert client.status().version_label == "2" and client.get(BITCOIN).version_label == "2"
    assert client.status().changes == 0
    assert ClientEvent.CHANGED not in [event for event, _ in events]


def test_different_flags_are_still_a_change(clock: FakeClock) -> None:
    source = ScriptedSource(Snapshot.from_retrieval_form(CONTENT, version_label="1"),
                            Snapshot.from_retrieval_form(CONTENT, version_label="1"),
                            Snapshot.from_retrieval_form({**CONTENT, KEY: {"enabled": False}}, version_label="2"))
    client = no_jitter_client(source, clock)
    events = _listen(client)
    for _ in range(3):
        _poll(client, clock)
    assert [(event, details.flags_changed) for event, details in events if event is ClientEvent.CHANGED] == [
        (ClientEvent.CHANGED, (KEY,))]
    assert client.status().changes == 1


def test_the_provider_emits_no_configuration_changed_for_the_same_content(
        heard: list[ProviderEvent], clock: FakeClock) -> None:  # noqa: F811 - the fixture
    same = Snapshot.from_retrieval_form(CONTENT, version_label="4")
    changed = Snapshot.from_retrieval_form({**CONTENT, KEY: {"enabled": False}}, version_label="5")
    client = no_jitter_client(ScriptedSource(same, same, same, changed), clock)
    api.set_provider_and_wait(AppConfigProvider(client))  # the first load
    clock.advance(client.status().next_poll_in or 0)
    _poll(client, clock)
    _poll(client, clock)  # the same content twice more: no event
    _poll(client, clock)  # then a real change: one event
    # Events reach SDK handlers asynchronously: wait for the real change, then count.
    assert wait_until(lambda: ProviderEvent.PROVIDER_CONFIGURATION_CHANGED in heard), heard
    assert heard.count(ProviderEvent.PROVIDER_CONFIGURATION_CHANGED) == 1, heard
    api.shutdown()
