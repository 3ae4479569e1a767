"""The delivery pipeline's settings, read from the ``pipeline`` object of cdk.json context.

The pipeline is added to the app only when asked for: ``"enabled": true`` in cdk.json, or
``cdk synth -c pipeline.enabled=true``. Any key can be set from the command line the same way
(``-c pipeline.<key>=<value>``); such a value wins over cdk.json's.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from constructs import Node

from .settings import EnvironmentSettings, FlagsDemoSettings, SettingsError

#: Every key of the ``pipeline`` context object.
KEYS = ("enabled", "connectionArn", "repository", "branch", "manualApproval", "account", "region")
#: A CodeConnections (or older CodeStar Connections) connection ARN.
CONNECTION_ARN = re.compile(r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[\w-]+$")
#: GitHub, GitHub Enterprise, Bitbucket and GitLab name repositories ``owner/name``.
REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")
ACCOUNT = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


class PipelineSettingsError(SettingsError):
    """Bad or missing ``pipeline`` context; one line per problem, each naming the context key.

    A SettingsError, so the app's entry point reports it like any other context problem.
    """

    context_key = "pipeline"


@dataclass(frozen=True)
class StageSettings:
    """One pipeline stage: an AppConfig environment of the app and where its stack deploys."""

    environment: EnvironmentSettings
    account: str
    region: str
    #: Another environment is promoted after this one: the pipeline waits for its deployments.
    wait_for_deployments: bool
    #: A production environment, approved by a person first when ``manualApproval`` is on.
    approval: bool

    @property
    def name(self) -> str:
        return self.environment.name


@dataclass(frozen=True)
class PipelineSettings:
    """Where the pipeline lives, what it builds from, and its stages in deployment order."""

    connection_arn: str
    repository: str
    branch: str
    account: str
    region: str
    manual_approval: bool
    stages: tuple[StageSettings, ...]

    @property
    def cross_account(self) -> bool:
        """A stage deploys to another account than the pipeline's."""
        return any(stage.account != self.account for stage in self.stages)

    @staticmethod
    def context_of(node: Node, keys: Sequence[str] = KEYS) -> dict[str, Any]:
        """The ``pipeline`` context object with the ``-c pipeline.<key>=<value>`` overrides of ``keys`` applied."""
        raw = node.try_get_context("pipeline")
        if isinstance(raw, str):  # `-c pipeline='{...}'` passes a string
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise PipelineSettingsError([f"pipeline: not valid JSON ({exc})"]) from None
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise PipelineSettingsError([f"pipeline: must be an object (got {raw!r})"])
        context = dict(raw)
        for key in keys:
            value = node.try_get_context(f"pipeline.{key}")
            if value is not None:
                context[key] = value
        return context

    @classmethod
    def requested(cls, node: Node, flags: FlagsDemoSettings) -> PipelineSettings | None:
        """The pipeline's settings when the context enables it, else None (nothing else is checked)."""
        # Only `enabled` is read first: each context read is a call into the jsii runtime.
        context = cls.context_of(node, keys=("enabled",))
        enabled = _boolean(context.get("enabled", False))
        if enabled is None:
            raise PipelineSettingsError([f"pipeline.enabled: must be true or false (got {context['enabled']!r})"])
        return cls.from_context(cls.context_of(node), flags=flags) if enabled else None

    @classmethod
    def from_context(cls, context: Mapping[str, Any], *, flags: FlagsDemoSettings) -> PipelineSettings:
        """Parse the ``pipeline`` object; every missing or invalid key is reported in one error."""
        problems: list[str] = []
        unknown = sorted(set(context) - set(KEYS))
        if unknown:
            problems.append(f"pipeline: unknown settings {unknown} (known: {list(KEYS)})")
        connection_arn = _required(context, "connectionArn", CONNECTION_ARN,
                                   "a CodeConnections connection ARN, arn:aws:codeconnections:<region>:<account>:"
                                   "connection/<id>", problems)
        repository = _required(context, "repository", REPOSITORY, "the repository as owner/name", problems)
        branch = context.get("branch", "main")
        if not isinstance(branch, str) or not branch.strip():
            problems.append(f"pipeline.branch: must be a branch name (got {branch!r})")
        account = _required(context, "account", ACCOUNT, "the pipeline's 12-digit AWS account ID", problems)
        region = _required(context, "region", REGION, "the pipeline's AWS region, e.g. eu-west-1", problems)
        manual_approval = _boolean(context.get("manualApproval", True))
        if manual_approval is None:
            problems.append(f"pipeline.manualApproval: must be true or false (got {context['manualApproval']!r})")
        stages = []
        promoted_after = {e.promote_after for e in flags.environments}
        for environment in flags.environments:  # in promotion order (FlagsDemoSettings)
            where = f"flagsdemo.environments.{environment.name}"
            # Unset: the pipeline's, whose problems are reported above.
            stage_account = environment.account or account
            stage_region = environment.region or region
            if environment.account is not None and not ACCOUNT.match(str(environment.account)):
                problems.append(f"{where}.account: must be a 12-digit AWS account ID (got {environment.account!r})")
            if environment.region is not None and not REGION.match(str(environment.region)):
                problems.append(f"{where}.region: must be an AWS region, e.g. eu-west-1 (got {environment.region!r})")
            stages.append(StageSettings(
                environment=environment, account=str(stage_account), region=str(stage_region),
                wait_for_deployments=environment.name in promoted_after,
                approval=environment.production and manual_approval is not False,
            ))
        if problems:
            raise PipelineSettingsError(problems)
        return cls(connection_arn=connection_arn, repository=repository, branch=branch, account=account,
                   region=region, manual_approval=bool(manual_approval), stages=tuple(stages))


def _required(context: Mapping[str, Any], key: str, pattern: re.Pattern[str], what: str, problems: list[str]) -> str:
    value = context.get(key)
    if value is None or value == "":
        problems.append(f"pipeline.{key}: missing; set it to {what}")
        return ""
    if not isinstance(value, str) or not pattern.match(value):
        problems.append(f"pipeline.{key}: must be {what} (got {value!r})")
        return ""
    return value


def _boolean(value: Any) -> bool | None:
    """``value`` as a bool; `-c key=true` passes the string "true". None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None

