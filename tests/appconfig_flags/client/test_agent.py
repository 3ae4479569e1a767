"""AgentSource against a local HTTP server standing in for the AppConfig Agent / Lambda extension."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from appconfig_flags.client import UNCHANGED, AgentSource, ErrorKind, Snapshot, SourceError
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN

from .conftest import FakeClock, closed_port, no_jitter_client

BETA = {BITCOIN.key: {"enabled": True, "default-currency": "BTC", "bitcoin-discount-percentage": 5}}


class FakeAgent:
    """Answers every GET with ``status``/``body``/``headers``; records the requests."""

    def __init__(self) -> None:
        self.status = 200
        self.body = json.dumps(BETA).encode()
        self.headers = {"Content-Type": "application/json", "Configuration-Version": "3"}
        self.requests: list[tuple[str, dict[str, str]]] = []
        agent = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body are separate writes: with Nagle's algorithm on, each response waits out the
            # client's delayed ACK (about 40 ms).
            disable_nagle_algorithm = True
            def do_GET(self) -> None:
                agent.requests.append((self.path, dict(self.headers.items())))
                self.send_response(agent.status)
                for name, value in agent.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(agent.body)))
                self.end_headers()
                self.wfile.write(agent.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def agent() -> Iterator[FakeAgent]:
    fake = FakeAgent()
    yield fake
    fake.close()


def source(agent: FakeAgent, **options: Any) -> AgentSource:
    return AgentSource(application="FlagsDemo", environment="Beta", profile="CheckoutFlags", host="127.0.0.1",
                       port=agent.port, **options)


def test_reads_the_profile_path_and_sends_the_bearer_token(agent: FakeAgent) -> None:
    snapshot = source(agent, access_token="s3cret").fetch()
    assert isinstance(snapshot, Snapshot) and snapshot.version_label == "3"
    assert snapshot.flags[BITCOIN.key].values["default-currency"] == "BTC"
    path, headers = agent.requests[0]
    assert path == "/applications/FlagsDemo/environments/Beta/configurations/CheckoutFlags"
    assert headers["Authorization"] == "Bearer s3cret"


def test_path_segments_are_quoted_whole(agent: FakeAgent) -> None:
    AgentSource(application="Flags/Demo", environment="Beta 1", profile="a?b", host="127.0.0.1",
                port=agent.port).fetch()
    assert agent.requests[0][0] == "/applications/Flags%2FDemo/environments/Beta%201/configurations/a%3Fb"


def test_the_port_comes_from_the_extension_variable(agent: FakeAgent) -> None:
    src = AgentSource(application="FlagsDemo", environment="Beta", profile="CheckoutFlags", host="127.0.0.1",
                      environ={"AWS_APPCONFIG_EXTENSION_HTTP_PORT": str(agent.port)})
    assert isinstance(src.fetch(), Snapshot)
    assert AgentSource(application="a", environment="e", profile="p", environ={}).port == 2772


def test_one_flag_is_asked_for_with_the_flag_parameter(agent: FakeAgent) -> None:
    agent.body = json.dumps(BETA[BITCOIN.key]).encode()  # the agent answers with the bare flag
    snapshot = source(agent, flags=[BITCOIN.key]).fetch()
    assert agent.requests[0][0].endswith("/configurations/CheckoutFlags?flag=allow-bitcoin-at-checkout")
    assert isinstance(snapshot, Snapshot) and snapshot.flags[BITCOIN.key].enabled


def test_several_flags_repeat_the_parameter(agent: FakeAgent) -> None:
    source(agent, flags=["a", "b"]).fetch()
    assert agent.requests[0][0].endswith("?flag=a&flag=b")


def test_the_same_body_again_is_unchanged(agent: FakeAgent) -> None:
    src = source(agent)
    assert isinstance(src.fetch(), Snapshot)
    assert src.fetch() is UNCHANGED
    agent.body = json.dumps({BITCOIN.key: {"enabled": False}}).encode()
    assert isinstance(src.fetch(), Snapshot)


@pytest.mark.parametrize(("status", "kind"), [(500, ErrorKind.TRANSIENT), (404, ErrorKind.CONFIGURATION)])
def test_non_200_is_a_failure(agent: FakeAgent, status: int, kind: ErrorKind) -> None:
    agent.status, agent.body = status, b"oops"
    with pytest.raises(SourceError) as caught:
        source(agent).fetch()
    assert (caught.value.code, caught.value.kind) == (f"HTTP{status}", kind)


def test_an_outage_keeps_the_last_good(agent: FakeAgent, clock: FakeClock) -> None:
    src = source(agent)
    client = no_jitter_client(src, clock)
    clock.advance(client.poll())
    src.port = closed_port()
    clock.advance(client.poll())
    assert client.status().last_error_code == "ConnectionRefusedError"
    assert client.enabled(BITCOIN) and client.value(BITCOIN, "default-currency") == "BTC"


def test_malformed_json_keeps_the_last_good(agent: FakeAgent, clock: FakeClock) -> None:
    client = no_jitter_client(source(agent), clock)
    clock.advance(client.poll())
    agent.body = b"{not json"
    clock.advance(client.poll())
    assert client.status().last_error_code == "MalformedJSON"
    assert client.enabled(BITCOIN)


@pytest.mark.parametrize("timeout", [0.5, 3.5])
def test_timeout_must_be_1_to_3_seconds(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout must be 1 to 3 seconds"):
        AgentSource(application="a", environment="e", profile="p", timeout=timeout)
