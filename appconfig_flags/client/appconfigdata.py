"""AppConfig's data plane (``appconfigdata``) through boto3: one session, single-use rotating tokens."""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

from .errors import ErrorKind, SourceError
from .snapshot import UNCHANGED, Snapshot, Unchanged
from .targeting import parse_content

log = logging.getLogger(__name__)

#: ``RequiredMinimumPollIntervalInSeconds`` bounds in the service model: 15 to 86400.
MIN_POLL_INTERVAL = 15
MAX_POLL_INTERVAL = 86400
#: Tokens live at most 24 h; restart the session well before (AppConfig Data API Reference, GetLatestConfiguration: a token expires after 24 hours).
DEFAULT_MAX_SESSION_AGE = 23 * 3600.0

#: Error codes that mean "fix the configuration", not "try again soon" (AppConfig Data API Reference: BadRequestException, ResourceNotFoundException).
CONFIGURATION_CODES = frozenset({
    "ResourceNotFoundException", "AccessDeniedException", "AccessDenied", "UnrecognizedClientException",
    "InvalidSignatureException", "InvalidClientTokenId", "ExpiredTokenException", "NoCredentialsError",
    "PartialCredentialsError", "NoRegionError", "ParamValidationError",
})


#: Where a region comes from when none is given, in order: the CDK and Lambda set ``AWS_REGION``;
#: boto3 itself reads only ``AWS_DEFAULT_REGION`` (then the ``region`` of ``~/.aws/config``).
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")

#: One line for the errors a newcomer meets first; botocore's own text does not say what to do.
_FRIENDLY_MESSAGES = {
    "NoRegionError": "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION) or pass a region (demo: --region)",
    "NoCredentialsError": "no AWS credentials found: configure them (aws configure, AWS_PROFILE, "
                          "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an instance role)",
}


def region_from_environment(region: str | None = None) -> str | None:
    """``region`` if given, else ``$AWS_REGION``, else ``$AWS_DEFAULT_REGION``, else ``None`` (botocore's config)."""
    if region:
        return region
    return next((os.environ[name] for name in REGION_VARIABLES if os.environ.get(name)), None)


def default_client_factory(*, region: str | None = None, endpoint_url: str | None = None,
                           connect_timeout: float = 2.0, read_timeout: float = 5.0,
                           session_factory: Callable[[], Any] | None = None) -> Callable[[], Any]:
    """Builds an ``appconfigdata`` client: short timeouts and one attempt per call.

    botocore's own retries are off (``total_max_attempts=1``): the poller owns every retry, with
    backoff starting at the poll interval, so one poll is exactly one HTTP request.
    ``region`` Default: :func:`region_from_environment` (``AWS_REGION``, then ``AWS_DEFAULT_REGION``,
    then the AWS config file), read when the client is built.
    ``session_factory`` makes the boto3 Session (Default: ``boto3.session.Session()``, your usual AWS settings).
    """

    def make() -> Any:
        import boto3
        from botocore.config import Config

        config = Config(connect_timeout=connect_timeout, read_timeout=read_timeout,
                        retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=1)
        # A session per client: boto3's default session is not thread-safe (boto/boto3#1592).
        session = session_factory() if session_factory is not None else boto3.session.Session()
        return session.client("appconfigdata", region_name=region_from_environment(region),
                              endpoint_url=endpoint_url, config=config)

    return make


class AppConfigDataSource:
    """Polls ``GetLatestConfiguration`` for one (application, environment, profile).

    ``application``/``environment``/``profile`` are names or IDs. ``poll_interval`` is sent as
    ``RequiredMinimumPollIntervalInSeconds`` (Default: 45, like the agent; 15 to 86400). The service's
    ``NextPollIntervalInSeconds`` then sets the pace. ``max_session_age`` restarts the session before
    its tokens expire (Default: 23 h). ``client_factory`` builds the boto3 client on first use, in the
    polling thread (Default: :func:`default_client_factory` with 2 s connect and 5 s read timeouts).
    """

    def __init__(
        self,
        *,
        application: str,
        environment: str,
        profile: str,
        poll_interval: int = 45,
        region: str | None = None,
        endpoint_url: str | None = None,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        max_session_age: float = DEFAULT_MAX_SESSION_AGE,
        client_factory: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        problems = []
        for what, value in (("application", application), ("environment", environment), ("profile", profile)):
            if not isinstance(value, str) or not 1 <= len(value) <= 128:
                problems.append(f"{what} must be a name or ID of 1 to 128 characters (got {value!r})")
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, int) \
                or not MIN_POLL_INTERVAL <= poll_interval <= MAX_POLL_INTERVAL:
            problems.append(f"poll_interval must be a whole number of seconds from {MIN_POLL_INTERVAL} to "
                            f"{MAX_POLL_INTERVAL} (got {poll_interval!r})")
        if problems:
            raise ValueError("AppConfigDataSource: " + "; ".join(problems))
        self.name = f"appconfig:{application}/{environment}/{profile}"
        self._identifiers = {"ApplicationIdentifier": application, "EnvironmentIdentifier": environment,
                             "ConfigurationProfileIdentifier": profile}
        self._requested_interval = poll_interval
        self._poll_interval = float(poll_interval)
        self._max_session_age = max_session_age
        self._clock = clock
        self._client_factory = client_factory or default_client_factory(
            region=region, endpoint_url=endpoint_url, connect_timeout=connect_timeout, read_timeout=read_timeout)
        self._client: Any = None
        self._token: str | None = None
        self._session_started = 0.0
        #: How many sessions this source started (status counter).
        self.sessions_started = 0

    @property
    def poll_interval(self) -> float:
        """The service's latest ``NextPollIntervalInSeconds`` (before any: the requested interval)."""
        return self._poll_interval

    def fetch(self) -> Snapshot | Unchanged:
        if self._client is None:
            try:
                self._client = self._client_factory()
            except Exception as exc:  # e.g. NoRegionError: a configuration error, not a crash of the poller
                raise _source_error(exc) from exc
        if self._token is not None and self._clock() - self._session_started >= self._max_session_age:
            log.info("%s: session is %.0f h old, starting a new one before its token expires",
                     self.name, (self._clock() - self._session_started) / 3600)
            self._token = None
        if self._token is None:
            self._start_session()
        token, self._token = self._token, None
        try:
            response = self._client.get_latest_configuration(ConfigurationToken=token)
        except Exception as exc:
            error = _source_error(exc)
            if error.kind is ErrorKind.TRANSIENT and error.code != "BadRequestException":
                # Throttled, 5xx, timed out: the token was not spent, keep it (AppConfig Data API Reference, GetLatestConfiguration).
                self._token = token
            raise error from exc
        # Store the next token before anything can fail (each token is used once: AppConfig Data API Reference, GetLatestConfiguration); none → new session.
        self._token = response.get("NextPollConfigurationToken") or None
        interval = response.get("NextPollIntervalInSeconds")
        if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
            self._poll_interval = float(interval)
        try:
            body = response["Configuration"].read()
        except Exception as exc:
            # The service thinks this version was delivered; a new session delivers it again.
            self._token = None
            raise _source_error(exc) from exc
        if not body:
            return UNCHANGED
        return parse_content(body, content_type=response.get("ContentType"),
                              version_label=response.get("VersionLabel") or None)

    def reset(self) -> None:
        """Drop the boto3 client and the session: a forked child starts its own."""
        self._client = None
        self._token = None
        self._poll_interval = float(self._requested_interval)

    def close(self) -> None:
        client, self._client, self._token = self._client, None, None
        if client is not None and hasattr(client, "close"):
            client.close()

    def _start_session(self) -> None:
        try:
            response = self._client.start_configuration_session(
                **self._identifiers, RequiredMinimumPollIntervalInSeconds=self._requested_interval)
        except Exception as exc:
            raise _source_error(exc) from exc
        token = response.get("InitialConfigurationToken")
        if not token:
            raise SourceError("NoInitialToken", "StartConfigurationSession returned no token", kind=ErrorKind.TRANSIENT)
        self._token = token
        self._session_started = self._clock()
        self._poll_interval = float(self._requested_interval)
        self.sessions_started += 1
        if self.sessions_started > 1:
            log.info("%s: started session #%d", self.name, self.sessions_started)


def _source_error(exc: Exception) -> SourceError:
    """Classify anything boto3 raised (botocore raises more than ClientError: connection, timeout and credential errors too)."""
    from botocore.exceptions import ClientError

    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or "ClientError")
        message = str(error.get("Message") or exc)
    else:
        code, message = type(exc).__name__, str(exc)
    if code in _FRIENDLY_MESSAGES:
        log.debug("%s from botocore: %s", code, message, exc_info=exc)
        message = _FRIENDLY_MESSAGES[code]
    kind = ErrorKind.CONFIGURATION if code in CONFIGURATION_CODES else ErrorKind.TRANSIENT
    return SourceError(code, message, kind=kind)
