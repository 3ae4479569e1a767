"""The client over AppConfigDataSource against a local server speaking the appconfigdata REST protocol."""
from __future__ import annotations

import json

import pytest

from appconfig_flags.client import FlagsClient, Health, Resolution
from appconfig_flags.model import retrieval_form
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN
from flags import CHECKOUT_FLAGS
from flags import NEW_CHECKOUT_LAYOUT as LAYOUT
from tests.fakes.appconfigdata import GET, START, FakeAppConfigData

from .conftest import FakeClock, appconfig_source, closed_port, no_jitter_client

PRODUCTION = retrieval_form(CHECKOUT_FLAGS, "Production")


def poll_due(client: FlagsClient, clock: FakeClock) -> float:
    """Run the poll that is due now; returns the wait the client asked for afterwards."""
    delay = client.poll()
    clock.advance(delay)
    return delay


def test_tokens_rotate_and_none_is_used_twice(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    for _ in range(5):
        poll_due(client, clock)
    gets = fake.operations(GET)
    assert len(fake.operations(START)) == 1
    assert [g.token for g in gets[1:]] == [g.next_token for g in gets[:-1]]  # each reply's token is the next one sent
    assert len({g.token for g in gets}) == len(gets) == 5


def test_tokens_survive_percent_encoding_and_each_request_is_one_attempt(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    poll_due(client, clock)
    assert all("/" in g.token and "+" in g.token for g in fake.operations(GET))  # type: ignore[operator]
    assert all(g.status == 200 for g in fake.operations(GET))
    assert {c.headers["amz-sdk-request"] for c in fake.calls} == {"attempt=1; max=1"}
    assert all(c.headers["authorization"].startswith("AWS4-HMAC-SHA256") for c in fake.calls)


def test_next_poll_is_never_earlier_than_the_services_interval(fake: FakeAppConfigData, clock: FakeClock) -> None:
    fake.next_poll_interval = 70
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    assert client.poll() == 70
    clock.advance(69)
    assert client.poll() == pytest.approx(1)
    assert len(fake.operations(GET)) == 1


def test_empty_body_is_unchanged_and_keeps_the_snapshot(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    first = client.snapshot
    poll_due(client, clock)
    assert [g.delivered for g in fake.operations(GET)] == [True, False]
    assert client.snapshot is first
    assert client.status().changes == 0 and client.status().version_label == "1"


def test_a_new_version_swaps_in(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    assert client.enabled(BITCOIN)
    fake.deploy(PRODUCTION, label="2")
    poll_due(client, clock)
    assert not client.enabled(BITCOIN)
    assert client.get(BITCOIN).version_label == "2"
    assert client.status().changes == 1


def test_expired_token_starts_a_new_session_after_one_interval(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    fake.expire_tokens()
    assert poll_due(client, clock) == 45  # BadRequestException: wait one interval, then a new session
    assert client.status().last_error_code == "BadRequestException"
    fake.deploy(PRODUCTION, label="2")
    poll_due(client, clock)
    assert len(fake.operations(START)) == 2
    assert client.status().session_starts == 2
    assert client.get(BITCOIN).version_label == "2"


def test_throttling_backs_off_exponentially_and_keeps_the_last_good(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    fake.fail(429, "ThrottlingException", times=4)
    assert [poll_due(client, clock) for _ in range(4)] == [45, 90, 180, 300]
    assert client.enabled(BITCOIN) and client.get(BITCOIN).resolution is Resolution.SERVED
    status = client.status()
    assert (status.consecutive_errors, status.last_error_code, status.errors_by_code["ThrottlingException"]) == (
        4, "ThrottlingException", 4)
    assert poll_due(client, clock) == 45  # recovered: back to the service's interval
    assert client.status().consecutive_errors == 0
    assert len(fake.operations(START)) == 1  # throttling never restarts the session


def test_server_errors_back_off_too(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    fake.fail(500, "InternalServerException")
    fake.fail(503)
    assert [poll_due(client, clock) for _ in range(2)] == [45, 90]
    assert client.status().errors_by_code == {"InternalServerException": 1, "503": 1}
    assert client.enabled(BITCOIN)


def test_connection_refused_serves_the_last_good(fake: FakeAppConfigData, clock: FakeClock) -> None:
    source = appconfig_source(fake.endpoint_url, clock)
    client = no_jitter_client(source, clock)
    poll_due(client, clock)
    source._client = None  # the endpoint goes away
    source._client_factory = appconfig_source(f"http://127.0.0.1:{closed_port()}", clock)._client_factory
    poll_due(client, clock)
    assert client.status().last_error_code == "EndpointConnectionError"
    assert client.enabled(BITCOIN) and client.status().health is Health.READY


def test_a_hanging_endpoint_times_out_and_serves_the_last_good(fake: FakeAppConfigData, clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock, read_timeout=0.3), clock)
    poll_due(client, clock)
    fake.fail(200, hang=5)
    poll_due(client, clock)
    assert client.status().last_error_code == "ReadTimeoutError"
    assert client.enabled(BITCOIN)


def test_no_data_at_all_serves_declared_defaults(clock: FakeClock) -> None:
    client = no_jitter_client(appconfig_source(f"http://127.0.0.1:{closed_port()}", clock), clock)
    poll_due(client, clock)
    state = client.get(BITCOIN)
    assert (state.enabled, state.resolution, state.value("default-currency")) == (False, Resolution.NOT_LOADED, "USD")
    assert client.status().health is Health.ERROR


@pytest.mark.parametrize(("content", "content_type", "code"), [
    (b'{"allow-bitcoin-at-checkout": {"enabled": tru', "application/json", "MalformedJSON"),
    (b'[{"allow-bitcoin-at-checkout": {"enabled": true}}]', "application/json", "InvalidContent"),
    (b"\xe0\x01\x00\xea", "application/ion; type=AWS.AppConfig.FeatureFlags", "UnsupportedContentType"),
])
def test_unusable_content_keeps_the_last_good_and_names_the_version(
        fake: FakeAppConfigData, clock: FakeClock, content: bytes, content_type: str, code: str,
        caplog: pytest.LogCaptureFixture) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    fake.deploy(content, content_type=content_type, label="bad-3")
    assert poll_due(client, clock) == 45  # the source works: no backoff
    assert client.get(BITCOIN).version_label == "1" and client.enabled(BITCOIN)
    status = client.status()
    assert (status.last_error_code, status.rejected_version) == (code, "bad-3")
    assert "rejected configuration version bad-3" in caplog.text
    poll_due(client, clock)  # the service considers it delivered: unchanged from now on
    assert client.status().consecutive_errors == 0 and client.status().rejected_version == "bad-3"


@pytest.mark.parametrize(("entry", "reason"), [
    ({"enabled": "yes"}, "allow-bitcoin-at-checkout/enabled: must be true or false (got 'yes')"),
    ({"enabled": True, "default-currency": "EUR"}, "[value-enum] the value is not one of ['USD', 'BTC'] (got 'EUR')"),
    ({"_variants": [{"name": "v", "enabled": True, "rule": "(eq $tier"}, {"name": "d", "enabled": False}]},
     "allow-bitcoin-at-checkout/_variants"),
])
def test_one_unreadable_flag_keeps_its_last_good_value_and_the_others_are_served(
        fake: FakeAppConfigData, clock: FakeClock, entry: dict[str, object], reason: str) -> None:
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    layout_on = {"enabled": True, "layout": "compact"}
    fake.deploy(json.dumps({BITCOIN.key: entry, LAYOUT.key: layout_on}).encode(), label="3")
    poll_due(client, clock)
    assert client.get(LAYOUT).values["layout"] == "compact"  # the readable flag of version 3 is served
    assert client.enabled(BITCOIN) and client.value(BITCOIN, "bitcoin-discount-percentage") == 5  # last good (1)
    status = client.status()
    assert status.version_label == "3" and status.last_error_code is None
    assert list(status.unreadable) == [BITCOIN.key] and reason in status.unreadable[BITCOIN.key]


def test_an_unreadable_flag_on_the_first_load_serves_its_declared_default(fake: FakeAppConfigData,
                                                                         clock: FakeClock) -> None:
    fake.deploy(json.dumps({BITCOIN.key: {"enabled": "yes"}, LAYOUT.key: {"enabled": True, "layout": "compact"}})
                .encode(), label="1")
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    assert client.get(BITCOIN).enabled is False and client.get(BITCOIN).resolution is Resolution.NOT_FOUND
    assert client.get(LAYOUT).enabled and client.status().health is Health.READY
    assert set(client.status().unreadable) == {BITCOIN.key}


def test_variants_served_as_json_are_evaluated_with_the_reads_context(fake: FakeAppConfigData,
                                                                      clock: FakeClock) -> None:
    # What an implementation may serve for a multi-variant profile: the stored _variants, in JSON.
    document = json.loads(CHECKOUT_FLAGS.render("Production"))
    fake.deploy(json.dumps(document["values"]).encode(), label="Production-1")
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    gold = client.get(BITCOIN, {"tier": "gold"})
    assert (gold.enabled, gold.variant, gold.values["bitcoin-discount-percentage"]) == (True, "gold-tier-discount", 10)
    assert (client.get(BITCOIN, {"tier": "silver"}).variant, client.enabled(BITCOIN)) == ("everyone-else", False)
    assert client.status().unreadable == {}
    answer = CHECKOUT_FLAGS.evaluate("Production", BITCOIN, {"tier": "gold"}).answer  # the model's own evaluator
    assert {k: gold.values[k] for k in answer if not k.startswith("_") and k != "enabled"} == \
        {k: v for k, v in answer.items() if not k.startswith("_") and k != "enabled"}


def test_json_with_charset_parameter_is_accepted(fake: FakeAppConfigData, clock: FakeClock) -> None:
    fake.deploy(PRODUCTION, content_type="application/json; charset=utf-8", label="2")
    client = no_jitter_client(appconfig_source(fake.endpoint_url, clock), clock)
    poll_due(client, clock)
    assert client.status().version_label == "2"


def test_unknown_profile_is_a_configuration_error_logged_once(
        fake: FakeAppConfigData, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    source = appconfig_source(fake.endpoint_url, clock)
    source._identifiers["ConfigurationProfileIdentifier"] = "Nope"
    client = no_jitter_client(source, clock)
    for _ in range(3):
        poll_due(client, clock)
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "ResourceNotFoundException" in errors[0].getMessage()
