"""Shared fixtures: fake AWS credentials (never a real account), a controllable clock, the fake endpoint."""
from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from appconfig_flags.client import AppConfigDataSource, Backoff, FlagsClient
from appconfig_flags.model import retrieval_form
from flags import CHECKOUT_FLAGS
from tests.fakes.appconfigdata import FakeAppConfigData


class FakeClock:
    """A monotonic clock that only moves when told to."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fake credentials and no shared config, so nothing here can reach or use a real account."""
    empty = tmp_path_factory.mktemp("aws") / "none"
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": str(empty),
        "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_APPCONFIG_EXTENSION_HTTP_PORT", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake() -> Iterator[FakeAppConfigData]:
    with FakeAppConfigData(next_poll_interval=45) as server:
        server.deploy(retrieval_form(CHECKOUT_FLAGS, "Beta"), label="1")
        yield server


def appconfig_source(endpoint_url: str, clock: FakeClock, **options: object) -> AppConfigDataSource:
    return AppConfigDataSource(application="FlagsDemo", environment="Beta", profile="CheckoutFlags",
                               endpoint_url=endpoint_url, clock=clock, **options)  # type: ignore[arg-type]


def no_jitter_client(source: object, clock: FakeClock, **options: object) -> FlagsClient:
    """A client on ``clock`` with deterministic backoff and no background thread: tests call ``poll()``."""
    return FlagsClient(source, catalogue=CHECKOUT_FLAGS, background=False, clock=clock,  # type: ignore[arg-type]
                       backoff=Backoff(random=lambda: 0.0), **options)  # type: ignore[arg-type]


def closed_port() -> int:
    """A local port with nothing listening: connections are refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
