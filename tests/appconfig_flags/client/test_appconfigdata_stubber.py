"""AppConfigDataSource against botocore's Stubber: request shapes are checked against the real service model."""
from __future__ import annotations

import io
import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from appconfig_flags.client import UNCHANGED, AppConfigDataSource, ErrorKind, Snapshot, SourceError

from .conftest import FakeClock

IDS = {"ApplicationIdentifier": "FlagsDemo", "EnvironmentIdentifier": "Beta",
       "ConfigurationProfileIdentifier": "CheckoutFlags"}
CONTENT = {"allow-bitcoin-at-checkout": {"enabled": True, "default-currency": "BTC",
                                         "bitcoin-discount-percentage": 5}}


@pytest.fixture
def stubbed() -> Iterator[tuple[object, Stubber]]:
    client = boto3.session.Session().client("appconfigdata", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def source(client: object, clock: FakeClock, **options: object) -> AppConfigDataSource:
    return AppConfigDataSource(application="FlagsDemo", environment="Beta", profile="CheckoutFlags",
                               client_factory=lambda: client, clock=clock, **options)  # type: ignore[arg-type]


def start(stubber: Stubber, token: str, interval: int = 45) -> None:
    stubber.add_response("start_configuration_session", {"InitialConfigurationToken": token},
                         expected_params={**IDS, "RequiredMinimumPollIntervalInSeconds": interval})


def get(stubber: Stubber, token: str, next_token: str | None, body: bytes = b"", *,
        content_type: str = "application/json", label: str | None = None, interval: int = 45) -> None:
    response: dict[str, object] = {"Configuration": StreamingBody(io.BytesIO(body), len(body)),
                                   "NextPollIntervalInSeconds": interval, "ContentType": content_type}
    if next_token is not None:
        response["NextPollConfigurationToken"] = next_token
    if label is not None:
        response["VersionLabel"] = label
    stubber.add_response("get_latest_configuration", response, expected_params={"ConfigurationToken": token})


def test_one_session_then_each_token_once(stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    start(stubber, "t0")
    get(stubber, "t0", "t1", json.dumps(CONTENT).encode(), label="v1")
    get(stubber, "t1", "t2")
    get(stubber, "t2", "t3")
    src = source(client, clock)
    first = src.fetch()
    assert isinstance(first, Snapshot) and first.version_label == "v1"
    assert first.flags["allow-bitcoin-at-checkout"].values["default-currency"] == "BTC"
    assert src.fetch() is UNCHANGED
    assert src.fetch() is UNCHANGED
    assert src.sessions_started == 1


def test_requested_poll_interval_is_sent_and_the_services_interval_is_honoured(
        stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    start(stubber, "t0", interval=60)
    get(stubber, "t0", "t1", interval=90)
    src = source(client, clock, poll_interval=60)
    assert src.poll_interval == 60
    src.fetch()
    assert src.poll_interval == 90


@pytest.mark.parametrize("interval", [14, 0, 86401, 30.5, True])
def test_poll_interval_outside_15_to_86400_seconds_is_rejected_at_construction(interval: object) -> None:
    with pytest.raises(ValueError, match=r"poll_interval must be a whole number of seconds from 15 to 86400"):
        AppConfigDataSource(application="a", environment="e", profile="p", poll_interval=interval)  # type: ignore[arg-type]


def test_empty_identifiers_are_rejected_at_construction() -> None:
    with pytest.raises(ValueError, match="application must be a name or ID.*profile must be"):
        AppConfigDataSource(application="", environment="e", profile="p" * 129)


def test_bad_request_drops_the_session_and_the_next_fetch_starts_a_new_one(
        stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    start(stubber, "t0")
    stubber.add_client_error("get_latest_configuration", "BadRequestException", "Token expired", 400,
                             expected_params={"ConfigurationToken": "t0"})
    start(stubber, "s2")
    get(stubber, "s2", "s3", json.dumps(CONTENT).encode())
    src = source(client, clock)
    with pytest.raises(SourceError) as caught:
        src.fetch()
    assert caught.value.code == "BadRequestException" and caught.value.kind is ErrorKind.TRANSIENT
    assert isinstance(src.fetch(), Snapshot)
    assert src.sessions_started == 2


def test_throttling_keeps_the_unspent_token(stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    start(stubber, "t0")
    stubber.add_client_error("get_latest_configuration", "ThrottlingException", "Slow down", 429,
                             expected_params={"ConfigurationToken": "t0"})
    get(stubber, "t0", "t1")
    src = source(client, clock)
    with pytest.raises(SourceError, match="ThrottlingException"):
        src.fetch()
    assert src.fetch() is UNCHANGED
    assert src.sessions_started == 1


def test_missing_resource_is_a_configuration_error(stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    stubber.add_client_error("start_configuration_session", "ResourceNotFoundException", "no such app", 404)
    with pytest.raises(SourceError) as caught:
        source(client, clock).fetch()
    assert caught.value.kind is ErrorKind.CONFIGURATION


def test_session_restarts_proactively_after_23_hours(stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    start(stubber, "t0")
    get(stubber, "t0", "t1")
    start(stubber, "s2")
    get(stubber, "s2", "s3")
    src = source(client, clock)
    src.fetch()
    clock.advance(23 * 3600)
    src.fetch()
    assert src.sessions_started == 2


def test_a_response_without_next_token_starts_a_new_session_next_time(
        stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    start(stubber, "t0")
    get(stubber, "t0", None)
    start(stubber, "s2")
    get(stubber, "s2", "s3")
    src = source(client, clock)
    src.fetch()
    src.fetch()
    assert src.sessions_started == 2


def test_non_json_content_is_refused_but_the_next_token_is_kept(stubbed: tuple[object, Stubber], clock: FakeClock) -> None:
    client, stubber = stubbed
    start(stubber, "t0")
    get(stubber, "t0", "t1", b"\xe0\x01\x00\xea", content_type="application/ion; type=AWS.AppConfig.FeatureFlags",
        label="v2")
    get(stubber, "t1", "t2")  # the stored token is used next, with no new session
    src = source(client, clock)
    with pytest.raises(SourceError) as caught:
        src.fetch()
    assert (caught.value.code, caught.value.kind, caught.value.version_label) == (
        "UnsupportedContentType", ErrorKind.CONTENT, "v2")
    assert src.fetch() is UNCHANGED
