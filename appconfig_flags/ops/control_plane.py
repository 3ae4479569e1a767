"""AppConfig's control plane, reached by names: the application, its environments, profiles and deployments.

A thin typed layer over boto3's ``appconfig`` client (AppConfig API reference, 2019-10-09): every
lookup goes by name (ListApplications, ListEnvironments, ListConfigurationProfiles), so nobody copies
IDs from stack outputs, and every failure becomes an :class:`OpsError`, one line a person can act on.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

FEATURE_FLAGS_TYPE = "AWS.AppConfig.FeatureFlags"
#: Deployment states (the model's DeploymentState) in which a deployment is still running.
IN_PROGRESS = frozenset({"VALIDATING", "DEPLOYING", "BAKING", "ROLLING_BACK"})
#: AppConfig reverts a completed deployment (StopDeployment with AllowRevert) only this long after
#: it completed (AppConfig user guide, "Reverting a configuration"; API reference, StopDeployment).
REVERT_WINDOW = dt.timedelta(hours=72)


class OpsError(Exception):
    """A failure to report as one line, without a traceback."""


def stack_version_label(environment: str, content: str) -> str:
    """The VersionLabel ``constructs_lib.FeatureFlagProfile`` gives the hosted version it creates.

    ``<environment, at most 40 characters>-<first 12 hex digits of sha256(content)>``: it changes with
    the content, so a version whose label matches its own content was made by the stack, and one
    whose label does not (console edits, ``make flags-off``) was not. Kept equal to the construct's
    rule by a test (this package must not import the CDK).
    """
    digest = hashlib.sha256(content.encode()).hexdigest()[:12]
    return f"{environment[:40]}-{digest}"


@dataclass(frozen=True)
class Named:
    """An AppConfig resource found by name."""

    id: str
    name: str


@dataclass(frozen=True)
class Event:
    type: str
    triggered_by: str
    occurred_at: dt.datetime | None


@dataclass(frozen=True)
class Deployment:
    """A deployment of one profile to one environment (ListDeployments / GetDeployment)."""

    number: int
    profile_id: str
    version: str
    state: str
    percentage: float
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    duration_minutes: int
    bake_minutes: int
    strategy_id: str | None = None
    events: tuple[Event, ...] = ()

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Deployment:
        return cls(
            number=int(item["DeploymentNumber"]), profile_id=item.get("ConfigurationProfileId", ""),
            version=str(item.get("ConfigurationVersion", "")), state=item.get("State", "UNKNOWN"),
            percentage=float(item.get("PercentageComplete") or 0), started_at=item.get("StartedAt"),
            completed_at=item.get("CompletedAt"), duration_minutes=int(item.get("DeploymentDurationInMinutes") or 0),
            bake_minutes=int(item.get("FinalBakeTimeInMinutes") or 0), strategy_id=item.get("DeploymentStrategyId"),
            events=tuple(Event(e.get("EventType", ""), e.get("TriggeredBy", ""), e.get("OccurredAt"))
                         for e in item.get("EventLog", [])),
        )

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS

    def event(self, type: str) -> Event | None:
        """The most recent event of ``type`` (EventLog lists the most recent first)."""
        return next((e for e in self.events if e.type == type), None)


@dataclass(frozen=True)
class HostedVersion:
    number: int
    content: bytes
    label: str | None
    description: str | None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def served_before(deployments: list[Deployment], index: int) -> Deployment | None:
    """The completed deployment whose version is served once ``deployments[index]`` is rolled back or reverted.

    ``deployments`` is one profile's, newest first: the first COMPLETE one older than ``index``.
    """
    return next((d for d in deployments[index + 1:] if d.state == "COMPLETE"), None)


def served(deployments: list[Deployment]) -> Deployment | None:
    """The deployment whose version targets are served now, fully: the newest COMPLETE one."""
    return next((d for d in deployments if d.state == "COMPLETE"), None)


class ControlPlane:
    """One region's AppConfig control plane through boto3.

    ``region``: Default: the AWS configuration's (AWS_DEFAULT_REGION, the profile). ``endpoint_url``: Default:
    AppConfig's (or ``AWS_ENDPOINT_URL_APPCONFIG``); tests point it at a local fake.
    """

    def __init__(self, *, region: str | None = None, endpoint_url: str | None = None) -> None:
        import boto3
        from botocore.config import Config

        session = boto3.Session(region_name=region)
        if session.region_name is None:
            raise OpsError("no AWS region: pass --region (make ... REGION=eu-west-1) or set AWS_DEFAULT_REGION")
        # Checked first, so a missing login is one plain sentence, not a stack trace from the first call.
        if session.get_credentials() is None:
            raise OpsError("no AWS credentials: botocore found none (environment, ~/.aws, SSO, instance role); "
                           "log in (aws sso login, AWS_PROFILE=...) and try again")
        self.region: str = session.region_name
        self.client = session.client("appconfig", endpoint_url=endpoint_url, config=Config(
            connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 3}))
        self._strategy_names: dict[str, str] | None = None

    # -- calls ---------------------------------------------------------------------------------
    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """``client.<operation>(**params)``; botocore's failures become an :class:`OpsError` naming the call."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        method = getattr(self.client, _snake(operation))
        try:
            result: dict[str, Any] = method(**params)
            return result
        except NoCredentialsError:
            raise OpsError("no AWS credentials: botocore found none; log in (aws sso login, AWS_PROFILE=...) "
                           "and try again") from None
        except ClientError as error:
            raise ClientOpsError(operation, error) from None
        except BotoCoreError as error:
            raise OpsError(f"AppConfig {operation} failed: {error}") from None

    def pages(self, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a List* call, following NextToken."""
        token: str | None = None
        while True:
            page = self.call(operation, **params, **({"NextToken": token} if token else {}))
            yield from page.get("Items", [])
            token = page.get("NextToken")
            if not token:
                return

    # -- lookups by name -----------------------------------------------------------------------
    def application(self, name: str) -> Named:
        apps = [Named(a["Id"], a["Name"]) for a in self.pages("ListApplications")]
        found = [a for a in apps if a.name == name]
        if not found:
            known = ", ".join(sorted(a.name for a in apps)) or "none"
            raise OpsError(f"application {name!r} not found in AppConfig in {self.region} (applications there: "
                           f"{known}); is it deployed in this region? (--region, AWS_DEFAULT_REGION)")
        if len(found) > 1:
            raise OpsError(f"{len(found)} applications are named {name!r} in {self.region} "
                           f"(ids {', '.join(a.id for a in found)}); rename one, names must identify it")
        return found[0]

    def environments(self, app: Named) -> dict[str, Named]:
        return {e["Name"]: Named(e["Id"], e["Name"]) for e in self.pages("ListEnvironments", ApplicationId=app.id)}

    def environment(self, app: Named, name: str) -> Named:
        environments = self.environments(app)
        if name not in environments:
            raise OpsError(f"environment {name!r} not found in application {app.name} in {self.region} "
                           f"(it has: {', '.join(environments) or 'none'})")
        return environments[name]

    def profiles(self, app: Named) -> dict[str, Named]:
        return {p["Name"]: Named(p["Id"], p["Name"])
                for p in self.pages("ListConfigurationProfiles", ApplicationId=app.id)}

    def profile(self, app: Named, name: str) -> Named:
        profiles = self.profiles(app)
        if name not in profiles:
            raise OpsError(f"configuration profile {name!r} not found in application {app.name} "
                           f"(it has: {', '.join(profiles) or 'none'})")
        return profiles[name]

    # -- deployments and versions --------------------------------------------------------------
    def deployments(self, app: Named, env: Named, profile: Named) -> list[Deployment]:
        """This profile's deployments to ``env``, newest first.

        The API reference documents ListDeployments "in descending deployment number order" and
        each summary's ``ConfigurationProfileId``; neither is relied on, as implementations differ
        (an emulator lists the oldest first and leaves the field out). Summaries are sorted by
        number, and one without the field is identified by GetDeployment, which names its profile.
        """
        summaries = sorted(self.pages("ListDeployments", ApplicationId=app.id, EnvironmentId=env.id),
                           key=lambda d: int(d["DeploymentNumber"]), reverse=True)
        out = []
        for summary in summaries:
            if "ConfigurationProfileId" not in summary:
                if summary.get("ConfigurationName") not in (None, profile.name):
                    continue  # named after another profile: no need to ask
                summary = self.call("GetDeployment", ApplicationId=app.id, EnvironmentId=env.id,
                                    DeploymentNumber=int(summary["DeploymentNumber"]))
            if summary.get("ConfigurationProfileId") == profile.id:
                out.append(Deployment.from_api(summary))
        return out

    def latest_deployment_number(self, app: Named, env: Named) -> int | None:
        """The environment's newest deployment number, of any profile (StartDeployment's locking token)."""
        numbers = [int(d["DeploymentNumber"]) for d in self.pages("ListDeployments", ApplicationId=app.id,
                                                                   EnvironmentId=env.id)]
        return max(numbers, default=None)

    def deployment(self, app: Named, env: Named, number: int) -> Deployment:
        """One deployment with its event log (GetDeployment)."""
        return Deployment.from_api(self.call("GetDeployment", ApplicationId=app.id, EnvironmentId=env.id,
                                             DeploymentNumber=number))

    def hosted_version(self, app: Named, profile: Named, number: str | int) -> HostedVersion | None:
        """A hosted version's content; None when it no longer exists (deleted, or not a hosted version)."""
        if not str(number).isdigit():
            return None
        try:
            out = self.call("GetHostedConfigurationVersion", ApplicationId=app.id, ConfigurationProfileId=profile.id,
                            VersionNumber=int(number))
        except ClientOpsError as error:
            if error.code == "ResourceNotFoundException":
                return None
            raise
        return HostedVersion(int(out["VersionNumber"]), out["Content"].read(), out.get("VersionLabel"),
                             out.get("Description"))

    def latest_version_number(self, app: Named, profile: Named) -> int | None:
        numbers = [int(v["VersionNumber"]) for v in self.pages(
            "ListHostedConfigurationVersions", ApplicationId=app.id, ConfigurationProfileId=profile.id)]
        return max(numbers, default=None)

    def strategy_name(self, strategy_id: str | None) -> str:
        """A strategy's name (predefined IDs are their names), from ListDeploymentStrategies."""
        if strategy_id is None:
            return "(unknown strategy)"
        if self._strategy_names is None:
            self._strategy_names = {s["Id"]: s.get("Name", s["Id"]) for s in self.pages("ListDeploymentStrategies")}
        return self._strategy_names.get(strategy_id, strategy_id)

    def console_url(self, app: Named, env: Named) -> str:
        """The environment's page in the AppConfig console (deployments, with their state)."""
        return (f"https://{self.region}.console.aws.amazon.com/systems-manager/appconfig/applications/"
                f"{app.id}/environments/{env.id}?region={self.region}")


class ClientOpsError(OpsError):
    """AppConfig answered an error: its code and message."""

    def __init__(self, operation: str, error: Any) -> None:
        info = error.response.get("Error", {})
        self.operation = operation
        self.code: str = info.get("Code", "Unknown")
        self.message: str = info.get("Message", str(error))
        super().__init__(f"AppConfig {operation} failed: {self.code}: {self.message}")


def _snake(operation: str) -> str:
    out = []
    for index, char in enumerate(operation):
        if char.isupper() and index:
            out.append("_")
        out.append(char.lower())
    return "".join(out)
