"""A local stand-in for AppConfig's data plane, for tests and benchmarks: no AWS account needed.

:class:`FakeAppConfigData` is an HTTP server on 127.0.0.1 that speaks the ``appconfigdata``
REST protocol as the botocore service model describes it (``botocore/data/appconfigdata/2021-11-11/service-2.json``): ``POST
/configurationsessions`` → 201 ``{"InitialConfigurationToken"}``; ``GET /configuration?
configuration_token=`` → 200 with ``Next-Poll-Configuration-Token``, ``Next-Poll-Interval-In-Seconds``,
``Content-Type``, ``Version-Label`` and the raw content, empty when the session already has it.
Tokens are single-use; faults (throttling, 5xx, hangs, expired tokens) can be injected. Point boto3
at it with ``endpoint_url=fake.endpoint_url``.
"""
from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, final
from urllib.parse import parse_qs, urlsplit

from .loopback import LoopbackServer

START = "StartConfigurationSession"
GET = "GetLatestConfiguration"


@dataclass(frozen=True)
class Call:
    """One request the fake received and how it answered."""

    operation: str
    status: int
    token: str | None = None
    next_token: str | None = None
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0
    delivered: bool = False  # a non-empty configuration was returned


@dataclass
class _Session:
    id: int
    delivered: int | None = None  # index of the version this session last received
    last_get: float | None = None


@dataclass
class _Fault:
    operation: str
    status: int
    code: str | None
    message: str
    hang: float = 0.0


@final
class FakeAppConfigData(LoopbackServer):
    """Serves one configuration profile; ``deploy`` new versions, inspect ``calls``.

    ``next_poll_interval`` is sent as ``Next-Poll-Interval-In-Seconds`` (Default: 45).
    ``enforce_interval`` answers a GET that comes sooner than that within a session with AppConfig's
    "Request too early" BadRequestException (Default: False, so fake-clock tests can poll at once).
    """

    def __init__(
        self,
        *,
        application: str = "FlagsDemo",
        environment: str = "Beta",
        profile: str = "CheckoutFlags",
        next_poll_interval: int = 45,
        enforce_interval: bool = False,
    ) -> None:
        self.identifiers = {"ApplicationIdentifier": application, "EnvironmentIdentifier": environment,
                            "ConfigurationProfileIdentifier": profile}
        self.next_poll_interval = next_poll_interval
        self.enforce_interval = enforce_interval
        self.calls: list[Call] = []
        self._versions: list[tuple[bytes, str, str | None]] = []
        self._tokens: dict[str, _Session] = {}
        self._faults: list[_Fault] = []
        self._session_ids = itertools.count(1)
        self._lock = threading.Lock()
        self._release = threading.Event()

    # -- control --------------------------------------------------------------------------------
    thread_name = "fake-appconfigdata"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)

    def stopping(self) -> None:
        self._release.set()  # let hung requests finish

    def deploy(self, content: Any, *, content_type: str = "application/json", label: str | None = None) -> int:
        """Make ``content`` (bytes, text, or data to JSON-encode) the latest version; returns its number."""
        if isinstance(content, str):
            body = content.encode()
        elif isinstance(content, bytes):
            body = content
        else:
            body = json.dumps(content).encode()
        with self._lock:
            self._versions.append((body, content_type, label))
            return len(self._versions)

    def fail(self, status: int, code: str | None = None, *, operation: str = GET, times: int = 1,
             message: str = "injected fault", hang: float = 0.0) -> None:
        """Answer the next ``times`` calls of ``operation`` with ``status`` (and ``x-amzn-ErrorType: code``).

        ``hang`` delays the answer by that many seconds first (a read timeout for a short client timeout).
        """
        with self._lock:
            self._faults.extend(_Fault(operation, status, code, message, hang) for _ in range(times))

    def expire_tokens(self) -> None:
        """Every outstanding token becomes invalid, as after 24 hours."""
        with self._lock:
            self._tokens.clear()

    def operations(self, operation: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.operation == operation]

    # -- protocol -------------------------------------------------------------------------------
    def _take_fault(self, operation: str) -> _Fault | None:
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.operation == operation:
                    return self._faults.pop(index)
        return None

    def _new_token(self, session: _Session) -> str:
        # '/', '+' and '=' check that clients percent-encode the token in the query string.
        token = f"tok/{session.id}+{secrets.token_urlsafe(12)}=="
        self._tokens[token] = session
        return token

    def start_session(self, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes, Call]:
        for key, expected in self.identifiers.items():
            if body.get(key) != expected:
                return _error(404, "ResourceNotFoundException", f"{key} {body.get(key)!r} not found", START, body=body)
        interval = body.get("RequiredMinimumPollIntervalInSeconds")
        if interval is not None and not (isinstance(interval, int) and 15 <= interval <= 86400):
            return _error(400, "BadRequestException", "RequiredMinimumPollIntervalInSeconds out of range", START, body=body)
        with self._lock:
            token = self._new_token(_Session(next(self._session_ids)))
        payload = json.dumps({"InitialConfigurationToken": token}).encode()
        call = Call(START, 201, next_token=token, body=body)
        return 201, {"Content-Type": "application/json"}, payload, call

    def get_configuration(self, token: str | None) -> tuple[int, dict[str, str], bytes, Call]:
        now = time.monotonic()
        with self._lock:
            session = self._tokens.pop(token, None) if token else None
            if token is None or session is None:
                return _error(400, "BadRequestException", "Token is expired or already used", GET, token=token,
                              details={"InvalidParameters": {"ConfigurationToken": {"Problem": "Expired"}}})
            early = self.enforce_interval and session.last_get is not None \
                and now - session.last_get < self.next_poll_interval - 0.05
            if early:
                self._tokens[token] = session  # a refused call does not spend the token
                return _error(400, "BadRequestException", "Request too early", GET, token=token,
                              details={"InvalidParameters": {"ConfigurationToken": {"Problem": "PollIntervalNotSatisfied"}}})
            session.last_get = now
            next_token = self._new_token(session)
            latest = len(self._versions) - 1
            headers = {"Next-Poll-Configuration-Token": next_token,
                       "Next-Poll-Interval-In-Seconds": str(self.next_poll_interval)}
            body = b""
            if latest >= 0 and session.delivered != latest:
                body, content_type, label = self._versions[latest]
                session.delivered = latest
                headers["Content-Type"] = content_type
                if label is not None:
                    headers["Version-Label"] = label
            else:
                headers["Content-Type"] = "application/octet-stream"
                headers["Version-Label"] = ""
        return 200, headers, body, Call(GET, 200, token=token, next_token=next_token, delivered=bool(body))


def _error(status: int, code: str, message: str, operation: str, *, token: str | None = None,
           body: dict[str, Any] | None = None, details: dict[str, Any] | None = None
           ) -> tuple[int, dict[str, str], bytes, Call]:
    payload: dict[str, Any] = {"Message": message}
    if details is not None:
        payload.update({"Reason": "InvalidParameters", "Details": details})
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return status, headers, json.dumps(payload).encode(), Call(operation, status, token=token, body=body)


def _handler(fake: FakeAppConfigData) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body are separate writes: with Nagle's algorithm on, each response waits out the
        # client's delayed ACK (about 40 ms).
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"  # keep-alive, like the real endpoint

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if urlsplit(self.path).path != "/configurationsessions":
                return self._send(404, {}, b"", Call("POST " + self.path, 404))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            self._answer(START, lambda: fake.start_session(body))

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != "/configuration":
                return self._send(404, {}, b"", Call("GET " + url.path, 404))
            token = parse_qs(url.query).get("configuration_token", [None])[0]
            self._answer(GET, lambda: fake.get_configuration(token))

        def _answer(self, operation: str, respond: Any) -> None:
            fault = fake._take_fault(operation)
            if fault is not None:
                if fault.hang:
                    fake._release.wait(fault.hang)
                headers = {"Content-Type": "application/json"}
                if fault.code:
                    headers["x-amzn-ErrorType"] = fault.code
                body = json.dumps({"Message": fault.message}).encode()
                token = parse_qs(urlsplit(self.path).query).get("configuration_token", [None])[0]
                return self._send(fault.status, headers, body, Call(operation, fault.status, token=token))
            self._send(*respond())

        def _send(self, status: int, headers: dict[str, str], body: bytes, call: Call) -> None:
            seen = {k.lower(): v for k, v in self.headers.items()}
            with fake._lock:
                fake.calls.append(Call(call.operation, call.status, call.token, call.next_token, call.body,
                                       seen, time.monotonic(), call.delivered))
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
