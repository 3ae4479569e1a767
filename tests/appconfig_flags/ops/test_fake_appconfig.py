"""The local AppConfig control plane the ops tests run against: it must answer as botocore's model says."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from flags import CHECKOUT_FLAGS
from tests.fakes.appconfig_control_plane import FakeAppConfig, service_model

from .fake_aws import fake_credentials


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeAppConfig]:
    fake_credentials(monkeypatch, tmp_path)
    with FakeAppConfig(page_size=2) as running:
        yield running


@pytest.fixture
def client(fake: FakeAppConfig) -> Any:
    return boto3.client("appconfig", endpoint_url=fake.endpoint_url, region_name="us-east-1")


def _seed(fake: FakeAppConfig) -> tuple[str, str, str]:
    app = fake.add_application("FlagsDemo")
    env = fake.add_environment(app, "Production")
    profile = fake.add_profile(app, "CheckoutFlags")
    fake.add_version(app, profile, CHECKOUT_FLAGS.render("Production"))
    fake.add_version(app, profile, CHECKOUT_FLAGS.render("Beta"))
    return app, env, profile


def _error(call: Any) -> tuple[int, str]:
    with pytest.raises(ClientError) as caught:
        call()
    response = caught.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_every_operation_of_the_model_has_a_route_and_unimplemented_ones_say_so(fake: FakeAppConfig, client: Any) -> None:
    from tests.fakes.appconfig_control_plane import _route

    for name, operation in service_model()["operations"].items():
        sample = operation["http"]["requestUri"].partition("?")[0]
        path = sample.replace("{", "").replace("}", "")
        found = _route(operation["http"]["method"], path)
        assert found is not None and found[0] == name, name
    assert _error(lambda: client.list_extensions()) == (400, "BadRequestException")


def test_missing_required_members_and_broken_constraints_are_bad_requests(fake: FakeAppConfig, client: Any) -> None:
    app, _, profile = _seed(fake)
    # botocore checks required members itself, so send the raw request: StartDeployment without a strategy.
    request = urllib.request.Request(f"{fake.endpoint_url}/applications/{app}/environments/x/deployments",
                                     data=json.dumps({"ConfigurationProfileId": profile}).encode(), method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400
    assert caught.value.headers["x-amzn-ErrorType"] == "BadRequestException"
    assert "DeploymentStrategyId is required" in caught.value.read().decode()
    # VersionLabel must contain a non-digit (the model's pattern .*[^0-9].*); botocore does not check patterns.
    assert _error(lambda: client.create_hosted_configuration_version(
        ApplicationId=app, ConfigurationProfileId=profile, Content=CHECKOUT_FLAGS.render("Beta").encode(),
        ContentType="application/json", VersionLabel="123")) == (400, "BadRequestException")


def test_hosted_versions_travel_as_payload_and_headers(fake: FakeAppConfig, client: Any) -> None:
    app, _, profile = _seed(fake)
    created = client.create_hosted_configuration_version(
        ApplicationId=app, ConfigurationProfileId=profile, Content=CHECKOUT_FLAGS.render("Beta").encode(),
        ContentType="application/json", VersionLabel="by-hand", Description="a test", LatestVersionNumber=2)
    assert (created["VersionNumber"], created["VersionLabel"], created["Description"]) == (3, "by-hand", "a test")
    got = client.get_hosted_configuration_version(ApplicationId=app, ConfigurationProfileId=profile, VersionNumber=3)
    assert got["Content"].read().decode() == CHECKOUT_FLAGS.render("Beta")
    assert got["ContentType"] == "application/json"
    # A stale LatestVersionNumber is a conflict; an invalid flag document is refused.
    assert _error(lambda: client.create_hosted_configuration_version(
        ApplicationId=app, ConfigurationProfileId=profile, Content=b"{}", ContentType="application/json",
        LatestVersionNumber=2)) == (409, "ConflictException")
    assert _error(lambda: client.create_hosted_configuration_version(
        ApplicationId=app, ConfigurationProfileId=profile, Content=b'{"version": "2"}',
        ContentType="application/json")) == (400, "BadRequestException")
    assert _error(lambda: client.get_hosted_configuration_version(
        ApplicationId=app, ConfigurationProfileId=profile, VersionNumber=99)) == (404, "ResourceNotFoundException")


def test_lists_are_paged_newest_deployment_first(fake: FakeAppConfig, client: Any) -> None:
    app, env, profile = _seed(fake)
    for version in (1, 2, 1):
        fake.add_deployment(app, env, profile, version, minutes_ago=100)
    first = client.list_deployments(ApplicationId=app, EnvironmentId=env)
    assert [d["DeploymentNumber"] for d in first["Items"]] == [3, 2]
    second = client.list_deployments(ApplicationId=app, EnvironmentId=env, NextToken=first["NextToken"])
    assert [d["DeploymentNumber"] for d in second["Items"]] == [1]
    assert "NextToken" not in second
    paginated = client.get_paginator("list_deployments").paginate(ApplicationId=app, EnvironmentId=env)
    assert [d["DeploymentNumber"] for page in paginated for d in page["Items"]] == [3, 2, 1]


def test_a_deployment_follows_its_strategy_and_the_clock(fake: FakeAppConfig, client: Any) -> None:
    app, env, profile = _seed(fake)
    started = client.start_deployment(ApplicationId=app, EnvironmentId=env, ConfigurationProfileId=profile,
                                      ConfigurationVersion="2", DeploymentStrategyId="AppConfig.Canary10Percent20Minutes")
    assert (started["State"], started["PercentageComplete"]) == ("DEPLOYING", 10.0)
    # AppConfig runs one deployment per environment at a time.
    assert _error(lambda: client.start_deployment(
        ApplicationId=app, EnvironmentId=env, ConfigurationProfileId=profile, ConfigurationVersion="1",
        DeploymentStrategyId="AppConfig.AllAtOnce")) == (409, "ConflictException")
    fake.advance(minutes=25)
    baking = client.get_deployment(ApplicationId=app, EnvironmentId=env, DeploymentNumber=1)
    assert baking["State"] == "BAKING"
    assert baking["EventLog"][0]["EventType"] == "BAKE_TIME_STARTED"
    assert (baking["EventLog"][0]["OccurredAt"] - started["StartedAt"]).total_seconds() == 20 * 60
    fake.advance(minutes=5)
    assert client.get_deployment(ApplicationId=app, EnvironmentId=env, DeploymentNumber=1)["State"] == "COMPLETE"


@pytest.mark.parametrize("minutes_after_start, allow_revert, outcome", [
    (5, False, "ROLLED_BACK"),     # 1. in progress
    (5, True, "ROLLED_BACK"),      # 2. in progress, AllowRevert
    (60, False, 400),              # 3. complete, no AllowRevert: BadRequestException
    (60, True, "REVERTED"),        # 4. complete, AllowRevert, within 72 hours
    (60 * 74, True, 400),          # 5. complete more than 72 hours ago
])
def test_stop_deployment_follows_the_user_guide(fake: FakeAppConfig, client: Any, minutes_after_start: int,
                                                allow_revert: bool, outcome: str | int) -> None:
    app, env, profile = _seed(fake)
    fake.add_deployment(app, env, profile, 2, strategy="AppConfig.Canary10Percent20Minutes")
    fake.advance(minutes=minutes_after_start)
    stop = {"ApplicationId": app, "EnvironmentId": env, "DeploymentNumber": 1}
    if allow_revert:
        stop["AllowRevert"] = True
    if isinstance(outcome, int):
        assert _error(lambda: client.stop_deployment(**stop)) == (outcome, "BadRequestException")
    else:
        assert client.stop_deployment(**stop)["State"] == outcome
        assert fake.operations("StopDeployment")[0].status == 202  # the model's responseCode
