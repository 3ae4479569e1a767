"""The delivery pipeline's settings, read from the ``pipeline`` object of cdk.json context.

The pipeline is added to the app only when asked for: ``"enabled": true`` in cdk.json, or
``cdk synth -c pipeline.enabled=true``. Any key can be set from the command line the same way
(``-c pipeline.<key>=<value>``); such a value wins over cdk.json's.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from constructs import Node

from .settings import ACCOUNT, EnvironmentSettings, FlagsDemoSettings, SettingsError, aws_regions

#: The repository root: package.json and package-lock.json pin the project's CDK CLI.
ROOT = Path(__file__).resolve().parent.parent

#: Every key of the ``pipeline`` context object.
KEYS = ("enabled", "connectionArn", "repository", "branch", "manualApproval", "account", "region")
#: A CodeConnections (or older CodeStar Connections) connection ARN.
CONNECTION_ARN = re.compile(r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/[\w-]+$")
#: GitHub, GitHub Enterprise, Bitbucket and GitLab name repositories ``owner/name``.
REPOSITORY = re.compile(r"^[\w.-]+/[\w.-]+$")
#: An exact npm version, as package-lock.json records the installed CDK CLI.
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


class PipelineSettingsError(SettingsError):
    """Bad or missing ``pipeline`` context; one line per problem, each naming the context key.

    A SettingsError, so the app's entry point reports it like any other context problem.
    """

    context_key = "pipeline"


@dataclass(frozen=True)
class StageSettings:
    """One pipeline stage: an AppConfig environment of the app in one of its targets (an account and region)."""

    environment: EnvironmentSettings
    account: str
    region: str
    #: The stage's construct ID, and so its stack's name prefix (``Beta`` -> ``Beta-FlagsDemo``): the
    #: environment's name when it has one target; with several, ``<name>-<region>``, plus ``-<account>``
    #: for a region that two of its accounts share.
    id: str

    @property
    def name(self) -> str:
        """The environment's name."""
        return self.environment.name


@dataclass(frozen=True)
class WaveSettings:
    """One environment: a pipeline wave of one stage per target, deployed side by side."""

    environment: EnvironmentSettings
    stages: tuple[StageSettings, ...]
    #: A production environment, approved by a person once before its wave when ``manualApproval`` is on.
    approval: bool

    @property
    def name(self) -> str:
        return self.environment.name


@dataclass(frozen=True)
class PipelineSettings:
    """Where the pipeline lives, what it builds from, and its waves in deployment order."""

    connection_arn: str
    repository: str
    branch: str
    account: str
    region: str
    manual_approval: bool
    waves: tuple[WaveSettings, ...]
    #: The CDK CLI version self-mutation installs: the project's (package-lock.json), not the latest.
    cdk_cli_version: str

    @property
    def stages(self) -> tuple[StageSettings, ...]:
        """Every stage of every wave, in deployment order."""
        return tuple(stage for wave in self.waves for stage in wave.stages)

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
    def from_context(cls, context: Mapping[str, Any], *, flags: FlagsDemoSettings,
                     cdk_cli_version: str | None = None) -> PipelineSettings:
        """Parse the ``pipeline`` object; every missing or invalid key is reported in one error.

        ``cdk_cli_version`` Default: the version package-lock.json installs (``project_cdk_cli_version()``).
        """
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
        region = _required(context, "region", aws_regions(), "the pipeline's AWS region, e.g. eu-west-1", problems)
        manual_approval = _boolean(context.get("manualApproval", True))
        if manual_approval is None:
            problems.append(f"pipeline.manualApproval: must be true or false (got {context['manualApproval']!r})")
        waves = []
        for environment in flags.environments:  # in promotion order (FlagsDemoSettings)
            waves.append(WaveSettings(
                environment=environment, stages=_stages(environment, account, region),
                approval=environment.production and manual_approval is not False,
            ))
        if cdk_cli_version is None:
            cdk_cli_version = project_cdk_cli_version(problems)
        if problems:
            raise PipelineSettingsError(problems)
        return cls(connection_arn=connection_arn, repository=repository, branch=branch, account=account,
                   region=region, manual_approval=bool(manual_approval), waves=tuple(waves),
                   cdk_cli_version=cdk_cli_version)


def _stages(environment: EnvironmentSettings, account: str, region: str) -> tuple[StageSettings, ...]:
    """One stage per target; an unset account or region is the pipeline's (whose problems are reported apart)."""
    resolved = [(target.account or account, target.region or region) for target in environment.targets]
    if len(resolved) == 1:
        ((stage_account, stage_region),) = resolved
        return (StageSettings(environment=environment, account=stage_account, region=stage_region, id=environment.name),)
    regions = Counter(stage_region for _, stage_region in resolved)
    return tuple(
        StageSettings(environment=environment, account=stage_account, region=stage_region,
                      id=f"{environment.name}-{stage_region}" + (f"-{stage_account}" if regions[stage_region] > 1 else ""))
        for stage_account, stage_region in resolved
    )


def project_cdk_cli_version(problems: list[str], root: Path = ROOT) -> str:
    """The exact aws-cdk version package-lock.json installs (``make setup`` runs ``npm ci``); problems if unknown."""
    lock = root / "package-lock.json"
    try:
        version = json.loads(lock.read_text())["packages"]["node_modules/aws-cdk"]["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problems.append(f"{lock.name}: cannot read the aws-cdk version the pipeline's self-mutation pins "
                        f"({type(exc).__name__}: {exc}); run `npm install` to write it")
        return ""
    if not isinstance(version, str) or not EXACT_VERSION.match(version):
        problems.append(f"{lock.name}: packages.node_modules/aws-cdk.version must be an exact version (got {version!r})")
        return ""
    return version


def _required(context: Mapping[str, Any], key: str, rule: re.Pattern[str] | frozenset[str], what: str,
              problems: list[str]) -> str:
    value = context.get(key)
    if value is None or value == "":
        problems.append(f"pipeline.{key}: missing; set it to {what}")
        return ""
    if isinstance(rule, re.Pattern):
        valid = isinstance(value, str) and rule.match(value) is not None
    else:
        valid = value in rule
    if not isinstance(value, str) or not valid:
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

