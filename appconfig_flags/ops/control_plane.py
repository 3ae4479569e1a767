"""AppConfig's control plane, reached by names: the application, its environments, profiles and deployments.

A thin typed layer over boto3's ``appconfig`` client (AppConfig API reference, 2019-10-09): every
lookup goes by name (ListApplications, ListEnvironments, ListConfigurationProfiles), so nobody copies
IDs from stack outputs, and every failure becomes an :class:`OpsError`, one line a person can act on.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Deployment states (the model's DeploymentState) in which a deployment is still running.
IN_PROGRESS = frozenset({"VALIDATING", "DEPLOYING", "BAKING", "ROLLING_BACK"})
#: AppConfig reverts a completed deployment (StopDeployment with AllowRevert) only this long after
#: it completed (AppConfig user guide, "Reverting a configuration"; API reference, StopDeployment).
REVERT_WINDOW = dt.timedelta(hours=72)


class OpsError(Exception):
    """A failure to report as one line, without a traceback."""



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
class Monitor:
    """One of an environment's monitors (GetEnvironment's ``Monitors``): a CloudWatch alarm and the role that reads it."""

    alarm_arn: str
    role_arn: str | None = None

    @classmethod
    def from_api(cls, item: dict[str, Any]) -> Monitor:
        return cls(item["AlarmArn"], item.get("AlarmRoleArn") or None)

    def to_api(self) -> dict[str, str]:
        return {"AlarmArn": self.alarm_arn, **({"AlarmRoleArn": self.role_arn} if self.role_arn else {})}

    @property
    def alarm_name(self) -> str:
        """The name in ``arn:aws:cloudwatch:<region>:<account>:alarm:<name>``."""
        return self.alarm_arn.split(":alarm:", 1)[-1]

    @property
    def region(self) -> str | None:
        parts = self.alarm_arn.split(":")
        return parts[3] if len(parts) > 5 and parts[3] else None


@dataclass(frozen=True)
class AlarmState:
    """A monitor's alarm as DescribeAlarms reports it; ``state`` is ALARM, OK, INSUFFICIENT_DATA or MISSING."""

    monitor: Monitor
    state: str
    reason: str = ""

    @property
    def firing(self) -> bool:
        return self.state == "ALARM"

    def __str__(self) -> str:
        return f"{self.monitor.alarm_name} ({self.state})"


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
            raise OpsError("no AWS region: pass --region or set AWS_DEFAULT_REGION")
        # Checked first, so a missing login is one plain sentence, not a stack trace from the first call.
        if session.get_credentials() is None:
            raise OpsError("no AWS credentials: botocore found none (environment, ~/.aws, SSO, instance role); "
                           "log in (aws sso login, AWS_PROFILE=...) and try again")
        self.region: str = session.region_name
        self._session = session
        self._config = Config(connect_timeout=5, read_timeout=30, retries={"mode": "standard", "max_attempts": 3})
        self.client = session.client("appconfig", endpoint_url=endpoint_url, config=self._config)
        self._clients: dict[tuple[str, str], Any] = {}
        self._strategy_names: dict[str, str] | None = None

    def other(self, service: str, region: str | None = None) -> Any:
        """A boto3 client of another service (cloudwatch, cloudformation), made once per region.

        Its endpoint is the AWS configuration's (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``).
        """
        key = (service, region or self.region)
        if key not in self._clients:
            self._clients[key] = self._session.client(service, region_name=key[1], config=self._config)
        return self._clients[key]

    # -- calls ---------------------------------------------------------------------------------
    def call(self, operation: str, *, client: Any = None, **params: Any) -> dict[str, Any]:
        """``client.<operation>(**params)`` (Default: AppConfig's); botocore's failures become an :class:`OpsError`."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        method = getattr(client or self.client, _snake(operation))
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

    # -- monitors and their alarms ---------------------------------------------------------------
    def monitors(self, app: Named, env: Named) -> tuple[Monitor, ...]:
        """The environment's monitors now (GetEnvironment)."""
        found = self.call("GetEnvironment", ApplicationId=app.id, EnvironmentId=env.id)
        return tuple(Monitor.from_api(m) for m in found.get("Monitors") or [])

    def set_monitors(self, app: Named, env: Named, monitors: tuple[Monitor, ...]) -> None:
        """Replace the environment's monitors (UpdateEnvironment; an empty tuple detaches them all)."""
        self.call("UpdateEnvironment", ApplicationId=app.id, EnvironmentId=env.id,
                  Monitors=[m.to_api() for m in monitors])

    def alarm_states(self, monitors: tuple[Monitor, ...]) -> list[AlarmState]:
        """Each monitor's alarm state: DescribeAlarms on exactly those alarms, per region; MISSING if not found."""
        by_region: dict[str, list[Monitor]] = {}
        for monitor in monitors:
            by_region.setdefault(monitor.region or self.region, []).append(monitor)
        found: dict[str, tuple[str, str]] = {}
        for region, members in by_region.items():
            names = sorted({m.alarm_name for m in members})
            for start in range(0, len(names), 100):  # DescribeAlarms takes at most 100 names
                page = self.call("DescribeAlarms", client=self.other("cloudwatch", region),
                                 AlarmNames=names[start:start + 100], AlarmTypes=["MetricAlarm", "CompositeAlarm"])
                for alarm in [*page.get("MetricAlarms", []), *page.get("CompositeAlarms", [])]:
                    found[alarm.get("AlarmArn") or alarm["AlarmName"]] = (alarm.get("StateValue", "UNKNOWN"),
                                                                          alarm.get("StateReason", ""))
        out = []
        for monitor in monitors:
            state, reason = found.get(monitor.alarm_arn) or found.get(monitor.alarm_name) or ("MISSING", "")
            out.append(AlarmState(monitor, state, reason))
        return out

    def declared_monitors(self, app: Named, env: Named) -> tuple[str, tuple[Monitor, ...]]:
        """(stack name, monitors) as the CloudFormation stack that made ``env`` declares them.

        CloudFormation tags the resources it creates with ``aws:cloudformation:stack-name`` and
        ``aws:cloudformation:logical-id`` (CloudFormation user guide, "Resource tag"); the stack's
        template then gives the environment's ``Monitors``, and each ``Fn::GetAtt [X, Arn]`` of an
        alarm or a role is resolved from the stack's resources.
        """
        identity = self.call("GetCallerIdentity", client=self.other("sts"))
        account, partition = identity["Account"], identity["Arn"].split(":")[1]
        arn = f"arn:{partition}:appconfig:{self.region}:{account}:application/{app.id}/environment/{env.id}"
        tags = self.call("ListTagsForResource", ResourceArn=arn).get("Tags") or {}
        stack, logical = tags.get("aws:cloudformation:stack-name"), tags.get("aws:cloudformation:logical-id")
        if not stack or not logical:
            raise OpsError(f"environment {env.name} carries no aws:cloudformation tags, so no stack declares it; "
                           "restore its monitors by hand (aws appconfig update-environment --monitors ...)")
        cloudformation = self.other("cloudformation")
        body = self.call("GetTemplate", client=cloudformation, StackName=stack).get("TemplateBody")
        template = json.loads(body) if isinstance(body, str) else body
        resources = (template or {}).get("Resources", {})
        declared = resources.get(logical, {}).get("Properties", {}).get("Monitors") or []
        where = f"stack {stack}, resource {logical}"

        def resolve(value: Any, kind: str) -> str:
            if isinstance(value, str):
                return value
            target = value.get("Fn::GetAtt") if isinstance(value, dict) else None
            if not (isinstance(target, list) and len(target) == 2 and target[1] == "Arn"):
                raise OpsError(f"{where}: cannot resolve the monitor's {kind} {value!r}; restore it by hand")
            physical = self.call("DescribeStackResource", client=cloudformation, StackName=stack,
                                 LogicalResourceId=target[0])["StackResourceDetail"]["PhysicalResourceId"]
            kind_of = resources.get(target[0], {}).get("Type", "")
            if kind_of in ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"):
                return f"arn:{partition}:cloudwatch:{self.region}:{account}:alarm:{physical}"
            if kind_of == "AWS::IAM::Role":
                path = resources[target[0]].get("Properties", {}).get("Path", "/")
                return f"arn:{partition}:iam::{account}:role{path}{physical}"
            raise OpsError(f"{where}: the monitor's {kind} is a {kind_of or 'missing resource'}; restore it by hand")

        return stack, tuple(Monitor(resolve(m["AlarmArn"], "alarm"),
                                    resolve(m["AlarmRoleArn"], "role") if m.get("AlarmRoleArn") else None)
                            for m in declared)

    def strategy_id(self, name: str, *, duration_minutes: int, bake_minutes: int, description: str) -> str:
        """The ID of the deployment strategy named ``name``, created (LINEAR, 100%) if there is none."""
        for strategy in self.pages("ListDeploymentStrategies"):
            if strategy.get("Name") == name:
                return str(strategy["Id"])
        created = self.call("CreateDeploymentStrategy", Name=name, Description=description,
                            DeploymentDurationInMinutes=duration_minutes, FinalBakeTimeInMinutes=bake_minutes,
                            GrowthFactor=100.0, GrowthType="LINEAR", ReplicateTo="NONE")
        self._strategy_names = None
        return str(created["Id"])

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
