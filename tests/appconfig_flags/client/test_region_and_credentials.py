"""The region comes from the argument, then AWS_REGION, then AWS_DEFAULT_REGION; a missing region or
missing credentials is one line, without botocore's traceback (details at DEBUG).

Nothing here reaches AWS: requests go to a local fake or a closed loopback port, and without
credentials botocore fails before it sends anything.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from appconfig_flags.client import FlagsClient, make_source
from appconfig_flags.client.appconfigdata import region_from_environment
from flags import CHECKOUT_FLAGS
from tests.conftest import ROOT
from tests.fakes.appconfigdata import FakeAppConfigData

from .conftest import FakeClock, appconfig_source, closed_port, no_jitter_client

REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")
CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")


@pytest.mark.parametrize(("explicit", "environment", "expected"), [
    ("ap-south-1", {"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "us-west-2"}, "ap-south-1"),
    (None, {"AWS_REGION": "eu-west-3", "AWS_DEFAULT_REGION": "us-west-2"}, "eu-west-3"),
    (None, {"AWS_DEFAULT_REGION": "us-west-2"}, "us-west-2"),
    (None, {"AWS_REGION": "", "AWS_DEFAULT_REGION": "us-west-2"}, "us-west-2"),
    (None, {}, None),
])
def test_the_region_is_the_argument_then_aws_region_then_aws_default_region(
        monkeypatch: pytest.MonkeyPatch, explicit: str | None, environment: dict[str, str], expected: str | None) -> None:
    for name in REGION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert region_from_environment(explicit) == expected


def test_make_source_signs_for_the_region_in_aws_region(
        monkeypatch: pytest.MonkeyPatch, fake: FakeAppConfigData, clock: FakeClock) -> None:
    # boto3 alone reads only AWS_DEFAULT_REGION; the CDK and Lambda set AWS_REGION.
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    source = make_source("appconfig", profile=CHECKOUT_FLAGS, environment="Beta", endpoint_url=fake.endpoint_url)
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS, background=False, clock=clock)
    client.poll()
    assert client.snapshot is not None
    assert {"/eu-west-3/appconfig/aws4_request" in c.headers["authorization"] for c in fake.calls} == {True}


def test_no_region_is_one_configuration_error_line_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    for name in REGION_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    client = no_jitter_client(appconfig_source(f"http://127.0.0.1:{closed_port()}", clock), clock)
    with caplog.at_level(logging.DEBUG, logger="appconfig_flags.client"):
        client.poll()
    status = client.status()
    assert (status.last_error_code, status.last_error) == (
        "NoRegionError", "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION) or pass a region (demo: --region)")
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().count("\n") for r in errors] == [0] and not errors[0].exc_info
    assert "NoRegionError: no AWS region" in errors[0].getMessage()
    # botocore's own words and stack stay available at DEBUG.
    assert any(r.levelno == logging.DEBUG and r.exc_info for r in caplog.records)


def test_no_credentials_is_one_configuration_error_line(
        monkeypatch: pytest.MonkeyPatch, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    client = no_jitter_client(appconfig_source(f"http://127.0.0.1:{closed_port()}", clock), clock)
    with caplog.at_level(logging.INFO, logger="appconfig_flags.client"):
        client.poll()
    assert client.status().last_error_code == "NoCredentialsError"
    (error,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert error.levelno == logging.ERROR and not error.exc_info
    assert "NoCredentialsError: no AWS credentials found: configure them" in error.getMessage()


# -- through the real command ---------------------------------------------------------------------
def _demo_stderr(environment: dict[str, str], *args: str) -> str:
    """Start ``python -m checkout.demo``, wait until it serves, stop it; its stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "checkout.demo", "--source", "appconfig", "--port", "0", *args], cwd=ROOT,
        env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, process.kill)  # a demo that never starts must not hang the suite
    watchdog.start()
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
    assert first_line.startswith("Checkout demo on http://127.0.0.1:"), first_line + stderr
    return stderr


def _clean_environment(tmp_path: Path) -> dict[str, str]:
    """No credentials, no region, no AWS config files, no instance metadata: botocore fails before any request."""
    drop = {*REGION_VARIABLES, *CREDENTIAL_VARIABLES}
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    missing = str(tmp_path / "no-such-file")
    environment.update(AWS_CONFIG_FILE=missing, AWS_SHARED_CREDENTIALS_FILE=missing, AWS_EC2_METADATA_DISABLED="true",
                       PYTHONPATH=str(ROOT))
    return environment


def test_the_demo_without_a_region_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    stderr = _demo_stderr(_clean_environment(tmp_path))
    assert "Traceback" not in stderr and "botocore" not in stderr, stderr
    assert "NoRegionError: no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION)" in stderr
    assert "warning: no flags loaded from appconfig:FlagsDemo/Beta/CheckoutFlags yet (NoRegionError" in stderr


def test_the_demo_takes_aws_region_and_says_in_one_line_that_credentials_are_missing(tmp_path: Path) -> None:
    environment = {**_clean_environment(tmp_path), "AWS_REGION": "eu-west-3"}
    stderr = _demo_stderr(environment, "--endpoint-url", f"http://127.0.0.1:{closed_port()}")
    assert "Traceback" not in stderr and "NoRegionError" not in stderr, stderr  # AWS_REGION was used
    assert "NoCredentialsError: no AWS credentials found" in stderr
