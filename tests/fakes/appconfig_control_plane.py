"""A local stand-in for AppConfig's control plane, for tests and offline demos: no AWS account needed.

:class:`FakeAppConfig` is an HTTP server on 127.0.0.1 that speaks the ``appconfig`` REST-JSON
protocol as botocore's service model (``botocore/data/appconfig/2019-10-09/service-2.json``)
describes it. Routes, HTTP methods, success codes, where each input member travels (URI, query
string, header, JSON body, raw payload), output headers and error status codes are all read from
that model, not written here; the model's required members and string/number constraints are
enforced, as the service would. Point boto3 at it with ``endpoint_url=fake.endpoint_url``.

It holds applications, environments, configuration profiles, hosted versions, strategies and
deployments. A deployment's state follows a fake clock (``advance``): DEPLOYING for the
strategy's duration, BAKING for its bake time, then COMPLETE; ``StopDeployment`` follows the
public "Reverting a configuration" page of the AppConfig user guide (in progress → ROLLED_BACK;
complete, with ``Allow-Revert``, within 72 hours → REVERTED; otherwise BadRequestException).

``python -m tests.fakes.appconfig_control_plane`` serves one seeded as the FlagsDemo stack deploys it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler
from typing import Any, final
from urllib.parse import parse_qs, unquote, urlsplit

from appconfig_flags.model.deployment import FEATURE_FLAGS_TYPE
from appconfig_flags.model.deployment import version_label as stack_version_label

from .loopback import LoopbackServer

#: AppConfig's predefined strategies: (growth type, growth factor, duration min, bake min).
PREDEFINED_STRATEGIES: dict[str, tuple[str, float, int, int]] = {
    "AppConfig.AllAtOnce": ("LINEAR", 100.0, 0, 10),
    "AppConfig.Linear50PercentEvery30Seconds": ("LINEAR", 50.0, 1, 1),
    "AppConfig.Canary10Percent20Minutes": ("EXPONENTIAL", 10.0, 20, 10),
    "AppConfig.Linear20PercentEvery6Minutes": ("LINEAR", 20.0, 30, 30),
}
#: How long after completing a deployment AppConfig still reverts it (StopDeployment's AllowRevert).
REVERT_WINDOW = dt.timedelta(hours=72)
IN_PROGRESS = ("VALIDATING", "DEPLOYING", "BAKING", "ROLLING_BACK")


@lru_cache(maxsize=1)
def service_model() -> dict[str, Any]:
    """botocore's ``appconfig`` service model (the JSON the client itself is built from)."""
    from botocore.loaders import create_loader

    model: dict[str, Any] = create_loader().load_service_model("appconfig", "service-2")
    return model


class ApiError(Exception):
    """An error the fake answers with: the model's status code for ``code``, ``x-amzn-ErrorType`` and a Message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        shape = service_model()["shapes"].get(self.code, {})
        return int(shape.get("error", {}).get("httpStatusCode", 400))


@dataclass(frozen=True)
class Call:
    """One request the fake answered."""

    operation: str
    status: int
    params: dict[str, Any]


@dataclass
class _Version:
    number: int
    content: bytes
    content_type: str
    label: str | None
    description: str | None


@dataclass
class _Profile:
    id: str
    name: str
    type: str
    versions: dict[int, _Version] = field(default_factory=dict)
    next_version: int = 1


@dataclass
class _Strategy:
    id: str
    name: str
    growth_type: str
    growth_factor: float
    duration: int
    bake: int


@dataclass
class _Deployment:
    number: int
    profile_id: str
    version: str
    strategy: _Strategy
    started_at: dt.datetime
    description: str | None
    version_label: str | None
    stopped: str | None = None  # ROLLED_BACK or REVERTED
    stopped_at: dt.datetime | None = None
    stopped_by: str = "USER"

    def state(self, now: dt.datetime) -> tuple[str, float]:
        """(state, percentage complete) at ``now``."""
        if self.stopped is not None:
            return self.stopped, 100.0
        elapsed = (now - self.started_at).total_seconds()
        duration = self.strategy.duration * 60
        if elapsed < duration:
            return "DEPLOYING", max(self.strategy.growth_factor, round(100.0 * elapsed / duration, 1))
        if elapsed < duration + self.strategy.bake * 60:
            return "BAKING", 100.0
        return "COMPLETE", 100.0

    @property
    def baked_at(self) -> dt.datetime:
        return self.started_at + dt.timedelta(minutes=self.strategy.duration)

    @property
    def completes_at(self) -> dt.datetime:
        return self.started_at + dt.timedelta(minutes=self.strategy.duration + self.strategy.bake)


@dataclass
class _Environment:
    id: str
    name: str
    deployments: list[_Deployment] = field(default_factory=list)
    monitors: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _ExperimentRun:
    run: int
    exposure: float
    overrides: dict[str, str]
    description: str | None
    started_at: dt.datetime
    updated_at: dt.datetime
    status: str = "RUNNING"
    ended_at: dt.datetime | None = None
    result: dict[str, str] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _ExperimentDefinition:
    id: str
    body: dict[str, Any]  # the CreateExperimentDefinition members, treatments keyed c, t1, t2...
    created_at: dt.datetime
    runs: list[_ExperimentRun] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.body["Name"])

    def status(self) -> str:
        return "ACTIVE" if any(r.status == "RUNNING" for r in self.runs) else "IDLE"


@dataclass
class _Application:
    id: str
    name: str
    environments: dict[str, _Environment] = field(default_factory=dict)
    profiles: dict[str, _Profile] = field(default_factory=dict)
    experiments: dict[str, _ExperimentDefinition] = field(default_factory=dict)


@dataclass
class _Fault:
    operation: str
    code: str
    message: str


def _new_id() -> str:
    # AppConfig IDs match [a-z0-9]{4,7}.
    return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(7))


@final
class FakeAppConfig(LoopbackServer):
    """AppConfig's control plane in memory. Seed it directly (``add_*``, ``seed_like_stack``), call it through boto3.

    ``now``: the fake clock's start. Default: 2025-06-01 12:00 UTC. ``page_size``: items per page of
    every List* call (Default: 50, the model's maximum MaxResults), so lookups must follow NextToken.
    """

    def __init__(self, *, now: dt.datetime | None = None, page_size: int = 50) -> None:
        self.now = now or dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
        self.page_size = page_size
        self.calls: list[Call] = []
        self.applications: dict[str, _Application] = {}
        self.strategies: dict[str, _Strategy] = {
            name: _Strategy(name, name, growth, factor, duration, bake)
            for name, (growth, factor, duration, bake) in PREDEFINED_STRATEGIES.items()
        }
        #: CloudWatch alarm states by ARN (ALARM, OK, INSUFFICIENT_DATA): what a monitor sees.
        self.alarm_states: dict[str, str] = {}
        self._faults: list[_Fault] = []
        self._lock = threading.RLock()

    # -- control --------------------------------------------------------------------------------
    thread_name = "fake-appconfig"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler(self)

    def advance(self, *, minutes: float = 0, hours: float = 0) -> None:
        """Move the fake clock (deployments progress with it)."""
        with self._lock:
            self.now += dt.timedelta(minutes=minutes, hours=hours)

    def fail(self, operation: str, code: str, message: str = "injected fault", *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``operation`` with the model's error ``code``."""
        with self._lock:
            self._faults.extend(_Fault(operation, code, message) for _ in range(times))

    def operations(self, operation: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.operation == operation]

    # -- seeding --------------------------------------------------------------------------------
    def add_application(self, name: str) -> str:
        with self._lock:
            app = _Application(_new_id(), name)
            self.applications[app.id] = app
            return app.id

    def add_environment(self, application_id: str, name: str, *, monitors: Sequence[Mapping[str, str]] = ()) -> str:
        with self._lock:
            env = _Environment(_new_id(), name, monitors=[dict(m) for m in monitors])
            for monitor in env.monitors:
                self.alarm_states.setdefault(monitor["AlarmArn"], "OK")
            self.applications[application_id].environments[env.id] = env
            return env.id

    def add_profile(self, application_id: str, name: str, *, type: str = FEATURE_FLAGS_TYPE) -> str:
        with self._lock:
            profile = _Profile(_new_id(), name, type)
            self.applications[application_id].profiles[profile.id] = profile
            return profile.id

    def add_strategy(self, name: str, *, duration: int, bake: int, growth_factor: float = 100.0,
                     growth_type: str = "LINEAR") -> str:
        with self._lock:
            strategy = _Strategy(_new_id(), name, growth_type, growth_factor, duration, bake)
            self.strategies[strategy.id] = strategy
            return strategy.id

    def add_version(self, application_id: str, profile_id: str, content: str | bytes, *,
                    label: str | None = None, description: str | None = None) -> int:
        """A hosted version (as CreateHostedConfigurationVersion makes it); returns its number."""
        with self._lock:
            profile = self.applications[application_id].profiles[profile_id]
            number = profile.next_version
            profile.next_version += 1
            body = content.encode() if isinstance(content, str) else content
            profile.versions[number] = _Version(number, body, "application/json", label, description)
            return number

    def delete_version(self, application_id: str, profile_id: str, number: int) -> None:
        with self._lock:
            del self.applications[application_id].profiles[profile_id].versions[number]

    def add_deployment(self, application_id: str, environment_id: str, profile_id: str, version: int, *,
                       strategy: str = "AppConfig.AllAtOnce", minutes_ago: float = 0,
                       description: str | None = None) -> int:
        """A deployment started ``minutes_ago`` (its state follows from the strategy); returns its number."""
        with self._lock:
            app = self.applications[application_id]
            env = app.environments[environment_id]
            hosted = app.profiles[profile_id].versions.get(version)
            number = len(env.deployments) + 1
            env.deployments.append(_Deployment(
                number, profile_id, str(version), self.strategies[strategy],
                self.now - dt.timedelta(minutes=minutes_ago), description, hosted.label if hosted else None))
            return number

    def alarm(self, application_id: str, environment_id: str) -> None:
        """An environment's alarm fires: its deployment in progress is rolled back by AppConfig."""
        with self._lock:
            for deployment in self.applications[application_id].environments[environment_id].deployments:
                if deployment.state(self.now)[0] in IN_PROGRESS:
                    deployment.stopped, deployment.stopped_at = "ROLLED_BACK", self.now
                    deployment.stopped_by = "CLOUDWATCH_ALARM"

    def set_alarm_state(self, alarm_arn: str, state: str) -> None:
        """A CloudWatch alarm changes state; in ALARM, each environment it monitors rolls back its deployment in progress."""
        with self._lock:
            self.alarm_states[alarm_arn] = state
            if state != "ALARM":
                return
            for app in self.applications.values():
                for env in app.environments.values():
                    if any(m["AlarmArn"] == alarm_arn for m in env.monitors):
                        self.alarm(app.id, env.id)

    def _monitored_alarm_fires(self, env: _Environment) -> bool:
        return any(self.alarm_states.get(m["AlarmArn"]) == "ALARM" for m in env.monitors)

    def seed_like_stack(self, application: str, environments: Sequence[str],
                        documents: Callable[[str], Iterable[tuple[str, str]]], *, minutes_ago: float = 60,
                        strategies: Mapping[str, str] | None = None) -> str:
        """The state `cdk deploy` of the FlagsDemo stack leaves: each environment's content as a hosted
        version labelled and described as :class:`~constructs_lib.FeatureFlagProfile` does, deployed
        and complete. ``documents(environment)`` yields (profile name, content); ``strategies`` maps an
        environment to a strategy ID (Default: AppConfig.AllAtOnce). Returns the app's ID.
        """
        app_id = self.add_application(application)
        profile_ids: dict[str, str] = {}
        for environment in environments:
            # One alarm and monitor role per environment, as GuardedEnvironment declares them.
            env_id = self.add_environment(app_id, environment, monitors=[{
                "AlarmArn": f"arn:aws:cloudwatch:us-east-1:111111111111:alarm:{application}-{environment}-errors",
                "AlarmRoleArn": f"arn:aws:iam::111111111111:role/{application}-{environment}-monitor"}])
            for profile, content in documents(environment):
                if profile not in profile_ids:
                    profile_ids[profile] = self.add_profile(app_id, profile)
                version = self.add_version(app_id, profile_ids[profile], content,
                                           label=stack_version_label(environment, content),
                                           description=f"{profile} flags for {environment}")
                self.add_deployment(app_id, env_id, profile_ids[profile], version, minutes_ago=minutes_ago,
                                    strategy=(strategies or {}).get(environment, "AppConfig.AllAtOnce"),
                                    description=f"{profile} to {environment}")
        return app_id

    def find(self, application: str, environment: str | None = None, profile: str | None = None) -> tuple[str, ...]:
        """IDs by name: (application id, [environment id], [profile id])."""
        with self._lock:
            app = next(a for a in self.applications.values() if a.name == application)
            out = [app.id]
            if environment is not None:
                out.append(next(e.id for e in app.environments.values() if e.name == environment))
            if profile is not None:
                out.append(next(p.id for p in app.profiles.values() if p.name == profile))
            return tuple(out)

    def deployment_state(self, application_id: str, environment_id: str, number: int) -> str:
        with self._lock:
            env = self.applications[application_id].environments[environment_id]
            return env.deployments[number - 1].state(self.now)[0]

    def version_content(self, application_id: str, profile_id: str, number: int) -> bytes:
        with self._lock:
            return self.applications[application_id].profiles[profile_id].versions[number].content

    # -- operations (named as in the model) -----------------------------------------------------
    def _app(self, p: dict[str, Any]) -> _Application:
        app = self.applications.get(p["ApplicationId"])
        if app is None:
            raise ApiError("ResourceNotFoundException", f"Application {p['ApplicationId']} not found")
        return app

    def _env(self, p: dict[str, Any]) -> _Environment:
        env = self._app(p).environments.get(p["EnvironmentId"])
        if env is None:
            raise ApiError("ResourceNotFoundException", f"Environment {p['EnvironmentId']} not found")
        return env

    def _profile(self, p: dict[str, Any]) -> _Profile:
        profile = self._app(p).profiles.get(p["ConfigurationProfileId"])
        if profile is None:
            raise ApiError("ResourceNotFoundException", f"Configuration profile {p['ConfigurationProfileId']} not found")
        return profile

    def _deployment(self, p: dict[str, Any]) -> _Deployment:
        env = self._env(p)
        number = int(p["DeploymentNumber"])
        if not 1 <= number <= len(env.deployments):
            raise ApiError("ResourceNotFoundException", f"Deployment number {number} not found")
        return env.deployments[number - 1]

    def _page(self, items: list[dict[str, Any]], p: dict[str, Any]) -> dict[str, Any]:
        size = min(p.get("MaxResults") or self.page_size, self.page_size)
        start = int(p["NextToken"]) if p.get("NextToken") else 0
        out: dict[str, Any] = {"Items": items[start:start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    def ListApplications(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._page([{"Id": a.id, "Name": a.name} for a in self.applications.values()], p)

    def ListEnvironments(self, p: dict[str, Any]) -> dict[str, Any]:
        app = self._app(p)
        return self._page([{"ApplicationId": app.id, "Id": e.id, "Name": e.name, "State": _env_state(e, self.now)}
                           for e in app.environments.values()], p)

    def ListConfigurationProfiles(self, p: dict[str, Any]) -> dict[str, Any]:
        app = self._app(p)
        return self._page([{"ApplicationId": app.id, "Id": c.id, "Name": c.name, "LocationUri": "hosted",
                            "Type": c.type, "ValidatorTypes": []}
                           for c in app.profiles.values() if p.get("Type") in (None, c.type)], p)

    def GetEnvironment(self, p: dict[str, Any]) -> dict[str, Any]:
        env = self._env(p)
        return {"ApplicationId": p["ApplicationId"], "Id": env.id, "Name": env.name,
                "State": _env_state(env, self.now), "Monitors": [dict(m) for m in env.monitors]}

    def UpdateEnvironment(self, p: dict[str, Any]) -> dict[str, Any]:
        env = self._env(p)
        if "Monitors" in p:
            env.monitors = [dict(m) for m in p["Monitors"]]
        return self.GetEnvironment(p)

    def CreateDeploymentStrategy(self, p: dict[str, Any]) -> dict[str, Any]:
        strategy_id = self.add_strategy(p["Name"], duration=p["DeploymentDurationInMinutes"],
                                        bake=p.get("FinalBakeTimeInMinutes", 0), growth_factor=p["GrowthFactor"],
                                        growth_type=p.get("GrowthType", "LINEAR"))
        s = self.strategies[strategy_id]
        return {"Id": s.id, "Name": s.name, "DeploymentDurationInMinutes": s.duration, "FinalBakeTimeInMinutes": s.bake,
                "GrowthFactor": s.growth_factor, "GrowthType": s.growth_type, "ReplicateTo": "NONE"}

    def ListTagsForResource(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"Tags": {}}  # resources the fake holds were not made by CloudFormation

    def ListDeploymentStrategies(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._page([{"Id": s.id, "Name": s.name, "DeploymentDurationInMinutes": s.duration,
                            "FinalBakeTimeInMinutes": s.bake, "GrowthFactor": s.growth_factor,
                            "GrowthType": s.growth_type, "ReplicateTo": "NONE"}
                           for s in self.strategies.values()], p)

    def ListDeployments(self, p: dict[str, Any]) -> dict[str, Any]:
        env = self._env(p)  # newest first, as the API reference says
        return self._page([self._summary(d) for d in reversed(env.deployments)], p)

    def GetDeployment(self, p: dict[str, Any]) -> dict[str, Any]:
        env = self._env(p)
        return self._full(p["ApplicationId"], env.id, self._deployment(p))

    def ListHostedConfigurationVersions(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(p)
        return self._page([{"ApplicationId": p["ApplicationId"], "ConfigurationProfileId": profile.id,
                            "VersionNumber": v.number, "ContentType": v.content_type,
                            **({"VersionLabel": v.label} if v.label else {}),
                            **({"Description": v.description} if v.description else {})}
                           for v in sorted(profile.versions.values(), key=lambda v: -v.number)
                           if p.get("VersionLabel") in (None, v.label)], p)

    def GetHostedConfigurationVersion(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(p)
        version = profile.versions.get(p["VersionNumber"])
        if version is None:
            raise ApiError("ResourceNotFoundException", f"Hosted configuration version {p['VersionNumber']} not found")
        return self._hosted(p["ApplicationId"], profile, version)

    def CreateHostedConfigurationVersion(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(p)
        latest = profile.next_version - 1
        if p.get("LatestVersionNumber") is not None and p["LatestVersionNumber"] != latest:
            raise ApiError("ConflictException", f"LatestVersionNumber {p['LatestVersionNumber']} is not the latest "
                                                f"version ({latest})")
        if profile.type == FEATURE_FLAGS_TYPE:
            from appconfig_flags.model import check_document_text

            if problems := check_document_text(p["Content"], name=profile.name):
                raise ApiError("BadRequestException", "; ".join(str(x) for x in problems))
        number = self.add_version(p["ApplicationId"], profile.id, p["Content"], label=p.get("VersionLabel"),
                                  description=p.get("Description"))
        return self._hosted(p["ApplicationId"], profile, profile.versions[number])

    def DeleteHostedConfigurationVersion(self, p: dict[str, Any]) -> dict[str, Any]:
        profile = self._profile(p)
        if profile.versions.pop(p["VersionNumber"], None) is None:
            raise ApiError("ResourceNotFoundException", f"Hosted configuration version {p['VersionNumber']} not found")
        return {}

    def StartDeployment(self, p: dict[str, Any]) -> dict[str, Any]:
        env = self._env(p)
        profile = self._profile(p)
        strategy = self.strategies.get(p["DeploymentStrategyId"])
        if strategy is None:
            raise ApiError("ResourceNotFoundException", f"Deployment strategy {p['DeploymentStrategyId']} not found")
        if not p["ConfigurationVersion"].isdigit() or int(p["ConfigurationVersion"]) not in profile.versions:
            raise ApiError("ResourceNotFoundException", f"Configuration version {p['ConfigurationVersion']} not found")
        if any(d.state(self.now)[0] in IN_PROGRESS for d in env.deployments):
            raise ApiError("ConflictException", "An existing deployment is in progress for this environment")
        latest = len(env.deployments)
        if p.get("LatestDeploymentNumber") is not None and p["LatestDeploymentNumber"] != latest:
            raise ApiError("ConflictException", f"LatestDeploymentNumber {p['LatestDeploymentNumber']} is not the "
                                                f"latest deployment ({latest})")
        number = self.add_deployment(p["ApplicationId"], env.id, profile.id, int(p["ConfigurationVersion"]),
                                     strategy=strategy.id, description=p.get("Description"))
        deployment = env.deployments[number - 1]
        if self._monitored_alarm_fires(env):  # a monitor already in ALARM rolls the deployment back at once
            deployment.stopped, deployment.stopped_at, deployment.stopped_by = "ROLLED_BACK", self.now, "CLOUDWATCH_ALARM"
        return self._full(p["ApplicationId"], env.id, deployment)

    def StopDeployment(self, p: dict[str, Any]) -> dict[str, Any]:
        env = self._env(p)
        deployment = self._deployment(p)
        state, _ = deployment.state(self.now)
        # The five cases of the user guide's "Reverting a configuration" page.
        if state in ("VALIDATING", "DEPLOYING") or (state == "BAKING" and p.get("AllowRevert")):
            deployment.stopped = "ROLLED_BACK"
        elif state == "COMPLETE" and p.get("AllowRevert"):
            if running := next((d for d in env.deployments if d.state(self.now)[0] in IN_PROGRESS), None):
                # A revert is a deployment too: one at a time per environment, as StartDeployment.
                raise ApiError("ConflictException", f"Deployment {running.number} is in progress for this environment")
            if self.now - deployment.completes_at > REVERT_WINDOW:
                raise ApiError("BadRequestException", "The deployment completed more than 72 hours ago and can no "
                                                      "longer be reverted")
            deployment.stopped = "REVERTED"
        else:
            raise ApiError("BadRequestException", f"Deployment {deployment.number} is {state} and cannot be stopped")
        deployment.stopped_at, deployment.stopped_by = self.now, "USER"
        return self._full(p["ApplicationId"], env.id, deployment)

    # -- experiments (AppConfig experimentation; the API reference's Create/Start/Update/StopExperimentRun) ----
    def add_experiment_definition(self, application_id: str, name: str, *, environment_id: str, profile_id: str,
                                  flag_key: str, audience_rule: str = '(exists key::"userId")',
                                  weights: Sequence[float] = (50, 50)) -> str:
        """An experiment definition (as CreateExperimentDefinition makes it), control first in ``weights``; its ID."""
        with self._lock:
            def treatment(weight: float) -> dict[str, Any]:
                return {"Weight": weight, "FlagValue": {"Enabled": True}}

            body = {"Name": name, "EnvironmentIdentifier": environment_id, "ConfigurationProfileIdentifier": profile_id,
                    "FlagKey": flag_key, "AudienceRule": audience_rule, "Control": treatment(weights[0]),
                    "Treatments": [treatment(w) for w in weights[1:]]}
            return self._define(self.applications[application_id], body).id

    def _define(self, app: _Application, body: dict[str, Any]) -> _ExperimentDefinition:
        if any(e.name == body["Name"] for e in app.experiments.values()):
            raise ApiError("ConflictException", f"An experiment definition named {body['Name']} already exists")
        body = dict(body)
        body["Control"] = {"Key": "c", **body["Control"]}
        body["Treatments"] = [{"Key": f"t{i + 1}", **t} for i, t in enumerate(body["Treatments"])]
        definition = _ExperimentDefinition(_new_id(), body, self.now)
        app.experiments[definition.id] = definition
        return definition

    def _app_named(self, p: dict[str, Any]) -> _Application:
        """The application ``ApplicationIdentifier`` names, by ID or by name (as the experiment operations take it)."""
        identifier = p["ApplicationIdentifier"]
        for app in self.applications.values():
            if identifier in (app.id, app.name):
                return app
        raise ApiError("ResourceNotFoundException", f"Application {identifier} not found")

    def _experiment(self, p: dict[str, Any]) -> _ExperimentDefinition:
        app = self._app_named(p)
        identifier = p["ExperimentDefinitionIdentifier"]
        for definition in app.experiments.values():
            if identifier in (definition.id, definition.name):
                return definition
        raise ApiError("ResourceNotFoundException", f"Experiment definition {identifier} not found")

    def _experiment_run(self, p: dict[str, Any]) -> tuple[_ExperimentDefinition, _ExperimentRun]:
        definition = self._experiment(p)
        number = int(p["Run"])
        if not 1 <= number <= len(definition.runs):
            raise ApiError("ResourceNotFoundException", f"Experiment run {number} not found")
        return definition, definition.runs[number - 1]

    def CreateExperimentDefinition(self, p: dict[str, Any]) -> dict[str, Any]:
        app = self._app_named(p)
        if not 1 <= len(p["Treatments"]) <= 5:
            raise ApiError("BadRequestException", "Treatments: between 1 and 5 treatments")
        body = {k: v for k, v in p.items() if k not in ("ApplicationIdentifier", "Tags")}
        return self._definition_shape(app, self._define(app, body))

    def GetExperimentDefinition(self, p: dict[str, Any]) -> dict[str, Any]:
        return self._definition_shape(self._app_named(p), self._experiment(p))

    def ListExperimentDefinitions(self, p: dict[str, Any]) -> dict[str, Any]:
        apps = [self._app_named(p)] if p.get("ApplicationIdentifier") else list(self.applications.values())
        items = []
        for app in apps:
            for d in app.experiments.values():
                if p.get("Status") not in (None, d.status()):
                    continue
                items.append({"ApplicationId": app.id, "Id": d.id, "Name": d.name, "Status": d.status(),
                              "ConfigurationProfileId": d.body["ConfigurationProfileIdentifier"],
                              "EnvironmentId": d.body["EnvironmentIdentifier"], "FlagKey": d.body["FlagKey"],
                              "CreatedAt": d.created_at, "UpdatedAt": d.created_at})
        return self._page(items, p)

    def StartExperimentRun(self, p: dict[str, Any]) -> dict[str, Any]:
        definition = self._experiment(p)
        if any(r.status == "RUNNING" for r in definition.runs):
            raise ApiError("ConflictException", f"Experiment definition {definition.id} already has a running run")
        overrides = dict((p.get("TreatmentOverrides") or {}).get("Inline") or {})
        run = _ExperimentRun(len(definition.runs) + 1, float(p.get("ExposurePercentage") or 0.0), overrides,
                             p.get("Description"), self.now, self.now)
        run.events.append(self._run_event("RUN_STARTED", run))
        definition.runs.append(run)
        return self._run_shape(self._app_named(p), definition, run)

    def UpdateExperimentRun(self, p: dict[str, Any]) -> dict[str, Any]:
        definition, run = self._experiment_run(p)
        if run.status != "RUNNING":
            raise ApiError("ConflictException", f"Experiment run {run.run} is {run.status}")
        exposure = p.get("ExposurePercentage")
        if exposure is not None:
            if exposure < run.exposure:  # "This value can only be increased from the current setting."
                raise ApiError("BadRequestException", f"ExposurePercentage can only be increased (from {run.exposure:g})")
            if exposure != run.exposure:
                run.exposure = float(exposure)
                run.events.append(self._run_event("EXPOSURE_UPDATED", run))
        if p.get("TreatmentOverrides") is not None:
            run.overrides = dict(p["TreatmentOverrides"].get("Inline") or {})
            run.events.append(self._run_event("OVERRIDES_UPDATED", run))
        if p.get("Description") is not None:
            run.description = p["Description"]
        run.updated_at = self.now
        return self._run_shape(self._app_named(p), definition, run)

    def StopExperimentRun(self, p: dict[str, Any]) -> dict[str, Any]:
        definition, run = self._experiment_run(p)
        if run.status != "RUNNING":
            raise ApiError("ConflictException", f"Experiment run {run.run} is already {run.status}")
        run.status, run.ended_at, run.updated_at = "DONE", self.now, self.now
        run.result = dict(p.get("Result") or {})
        run.events.append(self._run_event("RUN_STOPPED", run))
        return self._run_shape(self._app_named(p), definition, run)

    def GetExperimentRun(self, p: dict[str, Any]) -> dict[str, Any]:
        definition, run = self._experiment_run(p)
        return self._run_shape(self._app_named(p), definition, run)

    def ListExperimentRuns(self, p: dict[str, Any]) -> dict[str, Any]:
        definition = self._experiment(p)
        items = [{"ExperimentDefinitionId": definition.id, "Run": r.run, "Status": r.status, "StartedAt": r.started_at,
                  "UpdatedAt": r.updated_at, **({"Description": r.description} if r.description else {}),
                  **({"EndedAt": r.ended_at} if r.ended_at else {})}
                 for r in reversed(definition.runs) if p.get("Status") in (None, r.status)]
        return self._page(items, p)

    def ListExperimentRunEvents(self, p: dict[str, Any]) -> dict[str, Any]:
        _, run = self._experiment_run(p)
        return self._page(list(reversed(run.events)), p)

    def _run_event(self, kind: str, run: _ExperimentRun) -> dict[str, Any]:
        return {"EventType": kind, "OccurredAt": self.now, "TriggeredBy": "USER",
                "ExposurePercentage": run.exposure, "TreatmentOverrides": {"Inline": dict(run.overrides)}}

    def _definition_shape(self, app: _Application, d: _ExperimentDefinition) -> dict[str, Any]:
        b = d.body
        out = {"ApplicationId": app.id, "Id": d.id, "Name": d.name, "Status": d.status(),
               "ConfigurationProfileId": b["ConfigurationProfileIdentifier"], "EnvironmentId": b["EnvironmentIdentifier"],
               "FlagKey": b["FlagKey"], "AudienceRule": b["AudienceRule"], "Control": b["Control"],
               "Treatments": b["Treatments"], "CreatedAt": d.created_at, "UpdatedAt": d.created_at}
        out.update({k: b[k] for k in ("Hypothesis", "AudienceDescription", "LaunchCriteria") if k in b})
        return out

    def _run_shape(self, app: _Application, d: _ExperimentDefinition, run: _ExperimentRun) -> dict[str, Any]:
        out: dict[str, Any] = {"ApplicationId": app.id, "ExperimentDefinitionId": d.id, "Run": run.run,
                               "Status": run.status, "ExposurePercentage": run.exposure,
                               "TreatmentOverrides": {"Inline": dict(run.overrides)}, "StartedAt": run.started_at,
                               "UpdatedAt": run.updated_at,
                               "ExperimentDefinitionSnapshot": {k: v for k, v in self._definition_shape(app, d).items()
                                                                if k not in ("Status", "CreatedAt", "UpdatedAt")}}
        if run.description:
            out["Description"] = run.description
        if run.ended_at is not None:
            out["EndedAt"] = run.ended_at
        if run.result is not None:
            out["Result"] = run.result
        return out

    # -- output shapes --------------------------------------------------------------------------
    def _summary(self, d: _Deployment) -> dict[str, Any]:
        state, percentage = d.state(self.now)
        out: dict[str, Any] = {
            "DeploymentNumber": d.number, "ConfigurationProfileId": d.profile_id,
            "ConfigurationName": self._profile_name(d.profile_id), "ConfigurationVersion": d.version,
            "DeploymentDurationInMinutes": d.strategy.duration, "GrowthType": d.strategy.growth_type,
            "GrowthFactor": d.strategy.growth_factor, "FinalBakeTimeInMinutes": d.strategy.bake,
            "State": state, "PercentageComplete": percentage, "StartedAt": d.started_at, "Type": "USER",
        }
        if state in ("COMPLETE", "ROLLED_BACK", "REVERTED"):
            out["CompletedAt"] = d.stopped_at if d.stopped == "ROLLED_BACK" else d.completes_at
        if d.version_label:
            out["VersionLabel"] = d.version_label
        return out

    def _full(self, application_id: str, environment_id: str, d: _Deployment) -> dict[str, Any]:
        out = self._summary(d)
        out.pop("Type")
        out.update({"ApplicationId": application_id, "EnvironmentId": environment_id,
                    "DeploymentStrategyId": d.strategy.id, "ConfigurationProfileId": d.profile_id,
                    "ConfigurationLocationUri": "hosted", "EventLog": self._events(d)})
        if d.description:
            out["Description"] = d.description
        return out

    def _events(self, d: _Deployment) -> list[dict[str, Any]]:
        events = [("DEPLOYMENT_STARTED", "USER", "Deployment started", d.started_at)]
        end = d.stopped_at if d.stopped is not None and d.stopped_at is not None else self.now
        if d.strategy.bake and d.baked_at <= end:
            events.append(("BAKE_TIME_STARTED", "APPCONFIG", "Bake time started", d.baked_at))
        if d.completes_at <= end:
            events.append(("DEPLOYMENT_COMPLETED", "APPCONFIG", "Deployment completed", d.completes_at))
        if d.stopped == "ROLLED_BACK":
            events.append(("ROLLBACK_STARTED", d.stopped_by, "Rollback started", end))
            events.append(("ROLLBACK_COMPLETED", "APPCONFIG", "Rollback completed", end))
        elif d.stopped == "REVERTED":
            events.append(("REVERT_COMPLETED", d.stopped_by, "Revert completed", end))
        # Most recent first, as the API reference describes EventLog.
        return [{"EventType": t, "TriggeredBy": by, "Description": text, "OccurredAt": at}
                for t, by, text, at in sorted(events, key=lambda e: e[3], reverse=True)]

    def _profile_name(self, profile_id: str) -> str:
        for app in self.applications.values():
            if profile_id in app.profiles:
                return app.profiles[profile_id].name
        return profile_id

    def _hosted(self, application_id: str, profile: _Profile, version: _Version) -> dict[str, Any]:
        out: dict[str, Any] = {"ApplicationId": application_id, "ConfigurationProfileId": profile.id,
                               "VersionNumber": version.number, "Content": version.content,
                               "ContentType": version.content_type}
        if version.label:
            out["VersionLabel"] = version.label
        if version.description:
            out["Description"] = version.description
        return out

    # -- dispatch -------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Answer one HTTP request as AppConfig would: (status, headers, body)."""
        url = urlsplit(raw_path)
        route = _route(method, url.path)
        if route is None:
            return _error_response(ApiError("BadRequestException", f"no AppConfig operation is {method} {url.path}"))
        name, path_params = route
        operation = service_model()["operations"][name]
        try:
            params = _parse_input(operation, path_params, parse_qs(url.query), headers, body)
        except ApiError as error:
            self._record(name, error.status, {})
            return _error_response(error)
        with self._lock:
            fault = next((f for f in self._faults if f.operation == name), None)
            try:
                if fault is not None:
                    self._faults.remove(fault)
                    raise ApiError(fault.code, fault.message)
                handler = getattr(self, name, None)
                if handler is None:
                    raise ApiError("BadRequestException", f"the fake does not implement {name}")
                result = handler(params)
            except ApiError as error:
                self._record(name, error.status, params)
                return _error_response(error)
            status = int(operation["http"].get("responseCode", 200))
            self._record(name, status, params)
            return (status, *_serialize_output(operation, result))

    def _record(self, operation: str, status: int, params: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(operation, status, params))


def _env_state(env: _Environment, now: dt.datetime) -> str:
    if not env.deployments:
        return "READY_FOR_DEPLOYMENT"
    state = env.deployments[-1].state(now)[0]
    return {"DEPLOYING": "DEPLOYING", "BAKING": "DEPLOYING", "VALIDATING": "DEPLOYING", "ROLLING_BACK": "ROLLING_BACK",
            "ROLLED_BACK": "ROLLED_BACK", "REVERTED": "REVERTED"}.get(state, "READY_FOR_DEPLOYMENT")


# -- the protocol, from the service model ----------------------------------------------------------
@lru_cache(maxsize=1)
def _routes() -> list[tuple[str, re.Pattern[str], str]]:
    routes = []
    for name, operation in service_model()["operations"].items():
        path = operation["http"]["requestUri"].partition("?")[0]
        pattern = re.sub(r"\{(\w+)\+?\}", r"(?P<\1>[^/]+)", path)
        routes.append((operation["http"]["method"], re.compile(f"^{pattern}$"), name))
    return routes


def _route(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    for route_method, pattern, name in _routes():
        if route_method == method and (match := pattern.match(path)):
            return name, {k: unquote(v) for k, v in match.groupdict().items()}
    return None


def _shape(name: str) -> dict[str, Any]:
    shape: dict[str, Any] = service_model()["shapes"][name]
    return shape


def _parse_input(operation: dict[str, Any], path: dict[str, str], query: dict[str, list[str]],
                 headers: dict[str, str], body: bytes) -> dict[str, Any]:
    if "input" not in operation:
        return {}
    shape = _shape(operation["input"]["shape"])
    payload = shape.get("payload")
    lower = {k.lower(): v for k, v in headers.items()}
    try:
        document = json.loads(body) if body and payload is None else {}
    except ValueError:
        raise ApiError("BadRequestException", "the request body is not JSON") from None
    params: dict[str, Any] = {}
    for member, ref in shape.get("members", {}).items():
        where, wire = ref.get("location"), ref.get("locationName", member)
        if where == "uri":
            raw: Any = path.get(wire)
        elif where == "querystring":
            raw = query.get(wire, [None])[0]
        elif where == "header":
            raw = lower.get(wire.lower())
        elif member == payload:
            raw = body
        else:
            raw = document.get(member)
        if raw is None:
            continue
        params[member] = _typed(member, ref["shape"], raw, from_text=where is not None)
    for member in shape.get("required", []):
        if member not in params:
            raise ApiError("BadRequestException", f"{member} is required")
    return params


def _typed(member: str, shape_name: str, raw: Any, *, from_text: bool) -> Any:
    """``raw`` as its shape's type, checked against the shape's constraints (min, max, pattern, enum)."""
    shape = _shape(shape_name)
    kind = shape["type"]
    try:
        if kind in ("integer", "long"):
            value: Any = int(raw)
        elif kind in ("float", "double"):
            value = float(raw)
        elif kind == "boolean":
            value = raw.lower() == "true" if from_text and isinstance(raw, str) else bool(raw)
        else:
            value = raw
    except (TypeError, ValueError):
        raise ApiError("BadRequestException", f"{member}: {raw!r} is not a {kind}") from None
    if kind == "string":
        if not isinstance(value, str):
            raise ApiError("BadRequestException", f"{member}: must be a string")
        if not shape.get("min", 0) <= len(value) <= shape.get("max", 1 << 30):
            raise ApiError("BadRequestException", f"{member}: length must be {shape.get('min', 0)}..{shape.get('max')}")
        if "pattern" in shape and not re.search(shape["pattern"], value):
            raise ApiError("BadRequestException", f"{member}: {value!r} does not match {shape['pattern']}")
        if "enum" in shape and value not in shape["enum"]:
            raise ApiError("BadRequestException", f"{member}: {value!r} is not one of {shape['enum']}")
    elif kind in ("integer", "long", "float", "double") and not shape.get("min", value) <= value <= shape.get("max", value):
        raise ApiError("BadRequestException", f"{member}: {value} is outside {shape.get('min')}..{shape.get('max')}")
    return value


def _serialize_output(operation: dict[str, Any], result: dict[str, Any]) -> tuple[dict[str, str], bytes]:
    if "output" not in operation:
        return {"Content-Type": "application/json"}, b""
    shape = _shape(operation["output"]["shape"])
    payload = shape.get("payload")
    headers: dict[str, str] = {}
    document: dict[str, Any] = {}
    body = b""
    for member, ref in shape.get("members", {}).items():
        if member not in result:
            continue
        if ref.get("location") == "header":
            headers[ref.get("locationName", member)] = str(result[member])
        elif member == payload:
            body = result[member]
        else:
            document[member] = result[member]
    if payload is None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(document, default=_iso8601).encode()
    return headers, body


def _iso8601(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    raise TypeError(f"cannot serialise {value!r}")


def _error_response(error: ApiError) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": error.code,
               "x-amzn-RequestId": hashlib.sha256(secrets.token_bytes(8)).hexdigest()[:32]}
    return error.status, headers, json.dumps({"Message": error.message}).encode()


def _handler(fake: FakeAppConfig) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body are separate writes: with Nagle's algorithm on, each response waits out the
        # client's delayed ACK (about 40 ms).
        disable_nagle_algorithm = True
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, headers, out = fake.handle(self.command, self.path, dict(self.headers.items()), body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_DELETE = do_PATCH = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler



def main(argv: Sequence[str] | None = None) -> int:
    """Serve a fake seeded as `cdk deploy` of the catalogue leaves it, until interrupted."""
    import importlib

    parser = argparse.ArgumentParser(prog="python -m tests.fakes.appconfig_control_plane", description=main.__doc__)
    parser.add_argument("--application", default="FlagsDemo")
    parser.add_argument("--environments", default="Beta,Production")
    parser.add_argument("--catalogue", default="flags")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    profiles = importlib.import_module(args.catalogue).PROFILES
    fake = FakeAppConfig(now=dt.datetime.now(dt.timezone.utc))
    fake.seed_like_stack(args.application, args.environments.split(","),
                         lambda env: [(p.name, p.render(env)) for p in profiles])
    fake.start(args.port)
    print(f"fake AppConfig control plane on {fake.endpoint_url} (Ctrl-C stops it)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
