"""The AppConfig Agent or Lambda extension on localhost: it polls AppConfig, we read its cache over HTTP."""
from __future__ import annotations

import http.client
import json
import os
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlencode

from .errors import ErrorKind, SourceError, UnsupportedContentError
from .snapshot import JSON_CONTENT_TYPES, UNCHANGED, FlagData, Snapshot, Unchanged, flag_data
from .targeting import parse_content

#: The agent's and extension's default port; the extension reads ``AWS_APPCONFIG_EXTENSION_HTTP_PORT``.
DEFAULT_PORT = 2772
PORT_VARIABLE = "AWS_APPCONFIG_EXTENSION_HTTP_PORT"


class AgentSource:
    """GET ``/applications/{app}/environments/{env}/configurations/{profile}`` from the agent.

    ``port`` Default: ``$AWS_APPCONFIG_EXTENSION_HTTP_PORT``, else 2772. ``flags`` asks for those flags
    only (``?flag=``, agent >= 2.0.45). ``access_token`` is sent as ``Authorization: Bearer`` (for an
    agent started with ``ACCESS_TOKEN``). ``timeout`` Default: 2 s. ``poll_interval`` Default: 15 s
    (the agent answers from its cache, so polling it is cheap).

    Reads with a context (:meth:`evaluate_flag`, called by ``FlagsClient.get(flag, context)`` for a
    multi-variant flag) ask the agent for that one flag, ``?flag=KEY`` with the ``Context`` header
    (and ``Entity-Id`` when given), on the reader's thread: ``context_timeout`` bounds that request
    (Default: 0.5 s, 0.05 to 3 s), as it is on a request path.

    ``experiment_flags``: keys of flags an experiment runs on in this environment (Default: none;
    ``make_source`` takes them from the profile's experiments). A read of one with an ``entity_id``
    asks the Agent even though the flag is basic: the Agent assigns the entity a treatment, answered
    with ``_variant`` ``__c__``, ``__t1__``... ("Retrieving experiment treatments", AWS AppConfig
    User Guide), which ``FlagState.treatment`` reports as ``c``, ``t1``...
    """

    def __init__(
        self,
        *,
        application: str,
        environment: str,
        profile: str,
        flags: Sequence[str] = (),
        host: str = "localhost",
        port: int | None = None,
        access_token: str | None = None,
        timeout: float = 2.0,
        context_timeout: float = 0.5,
        poll_interval: float = 15.0,
        experiment_flags: Sequence[str] = (),
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        if not 1.0 <= timeout <= 3.0:
            raise ValueError(f"AgentSource: timeout must be 1 to 3 seconds (got {timeout!r})")
        if not 0.05 <= context_timeout <= 3.0:
            raise ValueError(f"AgentSource: context_timeout must be 0.05 to 3 seconds (got {context_timeout!r})")
        if port is None:
            raw = environ.get(PORT_VARIABLE, str(DEFAULT_PORT))
            if not raw.isdigit():
                raise ValueError(f"AgentSource: {PORT_VARIABLE} must be a port number (got {raw!r})")
            port = int(raw)
        self.name = f"agent:{host}:{port}/{application}/{environment}/{profile}"
        #: The environment asked for: the client reads its variants' rules from the catalogue (keys to send, default variant).
        self.environment = environment
        self.host, self.port = host, port
        segments = (quote(s, safe="") for s in (application, environment, profile))
        self.path = "/applications/{}/environments/{}/configurations/{}".format(*segments)
        self._profile_path = self.path
        if flags:
            self.path += "?" + urlencode({"flag": list(flags)}, doseq=True)
        self._single_flag = flags[0] if len(flags) == 1 else None
        self._headers = {"Accept": "application/json"}
        if access_token:
            self._headers["Authorization"] = f"Bearer {access_token}"
        self._timeout = timeout
        self._context_timeout = context_timeout
        self._poll_interval = poll_interval
        self._last: tuple[bytes, str | None] | None = None
        #: Flags whose reads with an entity id go to the Agent, which assigns experiment treatments.
        self.experiment_flags: frozenset[str] = frozenset(experiment_flags)

    @property
    def poll_interval(self) -> float:
        return self._poll_interval

    def _get(self, path: str, headers: Mapping[str, str], timeout: float) -> tuple[http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers=dict(headers))
            response = connection.getresponse()
            body = response.read()
        except OSError as exc:  # refused, reset, timed out
            raise SourceError(type(exc).__name__, f"{self.name}: {exc}", kind=ErrorKind.TRANSIENT) from exc
        except http.client.HTTPException as exc:
            raise SourceError(type(exc).__name__, f"{self.name}: {exc}", kind=ErrorKind.TRANSIENT) from exc
        finally:
            connection.close()
        if response.status != 200:
            kind = ErrorKind.CONFIGURATION if response.status in (400, 401, 403, 404) else ErrorKind.TRANSIENT
            raise SourceError(f"HTTP{response.status}", body[:200].decode("utf-8", "replace"), kind=kind)
        return response, body

    def evaluate_flag(self, flag_key: str, context_header: str, entity_id: str | None) -> FlagData:
        """``flag_key`` as the agent evaluates it for one request: ``?flag=KEY``, ``Context``, ``Entity-Id``.

        ``context_header`` is the encoded ``key=value,...`` text (``""``: none); the caller has checked
        both headers. Raises :class:`SourceError` on any failure, like :meth:`fetch`.
        """
        headers = dict(self._headers)
        if context_header:
            headers["Context"] = context_header
        if entity_id is not None:
            headers["Entity-Id"] = entity_id
        path = f"{self._profile_path}?{urlencode({'flag': flag_key})}"
        response, body = self._get(path, headers, self._context_timeout)
        content_type = response.getheader("Content-Type")
        if (content_type or "").split(";", 1)[0].strip().lower() not in JSON_CONTENT_TYPES:
            raise UnsupportedContentError(content_type)
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise SourceError("MalformedJSON", f"{self.name}?flag={flag_key}: not JSON ({exc})",
                              kind=ErrorKind.CONTENT) from None
        # One ?flag= returns the bare flag object (agent >= 2.0.45): checked as a one-flag retrieval form.
        read = flag_data(flag_key, data)
        if isinstance(read, str):
            raise SourceError("InvalidContent", f"{self.name}?flag={flag_key}: {read}", kind=ErrorKind.CONTENT)
        return read

    def fetch(self) -> Snapshot | Unchanged:
        response, body = self._get(self.path, self._headers, self._timeout)
        content_type = response.getheader("Content-Type")
        if self._last == (body, content_type):
            return UNCHANGED  # the agent always sends everything; only a new body is news
        # Remember it before parsing, like AppConfig: a bad version is reported once, not every poll.
        self._last = (body, content_type)
        label = response.getheader("Version-Label") or response.getheader("Configuration-Version")
        if self._single_flag is not None:
            body = self._wrap_single_flag(body)
        return parse_content(body, content_type=content_type, version_label=label)

    def reset(self) -> None:
        """Nothing to forget: one connection per fetch."""

    def close(self) -> None:
        """Nothing to release: one connection per fetch."""

    def _wrap_single_flag(self, body: bytes) -> bytes:
        # With one ?flag= the agent answers with the bare flag object {"enabled": ...}.
        try:
            data = json.loads(body)
        except ValueError:
            return body  # parse_content reports it
        if isinstance(data, dict) and isinstance(data.get("enabled"), bool):
            return json.dumps({self._single_flag: data}).encode()
        return body
