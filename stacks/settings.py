"""The FlagsDemo app's settings: the catalogue's names (application, environments in promotion order) and cdk.json's context.

The flag catalogue (``flags.PROFILES``) is the one place for the AppConfig application's name and its
environments' promotion order (``Profile.application``, ``Profile.environments``); cdk.json's
``flagsdemo`` object keeps what belongs to the CDK app: each environment's strategy, whether it is
production, its alarms, and where the pipeline deploys it.
"""
from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from aws_cdk import Duration

from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import PromotionCycleError, promotion_order
from appconfig_flags.model.problems import problem_list
from constructs_lib.props import PropsError
from constructs_lib.strategies import MINUTES_MAX, PREDEFINED, FlagRollout


class SettingsError(ValueError):
    """Bad cdk.json context; one line per problem, each naming the context key."""

    #: The cdk.json context key the problems are about.
    context_key = "flagsdemo"

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(problem_list(f"cdk.json context {self.context_key!r}", self.problems))


#: An AWS account ID: 12 digits.
ACCOUNT = re.compile(r"^\d{12}$")


@lru_cache(maxsize=1)
def aws_regions() -> frozenset[str]:
    """Every region of every partition botocore knows (its ``endpoints.json``), e.g. ``eu-west-1``."""
    from botocore.loaders import create_loader

    endpoints = create_loader().load_data("endpoints")
    return frozenset(region for partition in endpoints["partitions"] for region in partition["regions"])


@dataclass(frozen=True)
class Target:
    """One account and region an environment deploys to; None: the pipeline's (``account``/``region`` unset)."""

    account: str | None = None
    region: str | None = None

    def __str__(self) -> str:
        return f"aws://{self.account or '(pipeline account)'}/{self.region or '(pipeline region)'}"


@dataclass(frozen=True)
class EnvironmentSettings:
    """One AppConfig environment of the app, and where its stack deploys."""

    name: str
    strategy: FlagRollout
    production: bool = False
    #: The environment it deploys after: the catalogue's order (``Profile.environments``).
    promote_after: str | None = None
    #: A production environment without monitors is accepted (not recommended).
    allow_unmonitored: bool = False
    alarm_threshold: float = 1.0
    alarm_arns: tuple[str, ...] = ()
    #: False: watch only ``alarm_arns``, create no alarm on the checkout error metric.
    metric_alarm: bool = True
    #: Where the environment's pipeline stages deploy, one stack per target (AppConfig is regional).
    #: Default: one target, the pipeline's account and region.
    targets: tuple[Target, ...] = (Target(),)


@dataclass(frozen=True)
class FlagsDemoSettings:
    """Everything the FlagsDemo stacks take from the catalogue and the context."""

    application_name: str
    environments: tuple[EnvironmentSettings, ...]

    @property
    def environment_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.environments)

    def environment(self, name: str) -> EnvironmentSettings:
        for environment in self.environments:
            if environment.name == name:
                return environment
        raise KeyError(name)

    @classmethod
    def from_context(cls, context: Mapping[str, Any] | str | None, *,
                     catalogue: Sequence[Profile] | None = None) -> FlagsDemoSettings:
        """Parse the ``flagsdemo`` context object against ``catalogue``; every problem is reported in one SettingsError.

        ``catalogue`` Default: this app's, ``flags.PROFILES``.
        The application's name and the environments' promotion order are the catalogue's; each
        environment of the catalogue has its settings in the context, and the context names no other.
        Environments come out in promotion order (each after the one it is promoted after).
        """
        problems: list[str] = []
        if isinstance(context, str):  # `cdk synth -c flagsdemo='{...}'` passes a string
            try:
                context = json.loads(context)
            except json.JSONDecodeError as exc:
                raise SettingsError([f"flagsdemo: not valid JSON ({exc})"]) from None
        context = context or {}
        if not isinstance(context, Mapping):
            raise SettingsError([f"flagsdemo: must be an object (got {context!r})"])
        for key, home in _MOVED_TO_CATALOGUE.items():
            if key in context:
                problems.append(f"flagsdemo.{key}: {home} is the catalogue's now (flags/: {_CATALOGUE_FIELDS[key]}); "
                                f"remove it from cdk.json (got {context[key]!r})")
        if catalogue is None:
            from flags import PROFILES as catalogue
        application_name, order = _catalogue_names(catalogue, problems)
        strategies = _custom_strategies(context.get("strategies", {}), problems)
        raw = context.get("environments", {})
        if not isinstance(raw, Mapping) or not raw:
            problems.append(f"flagsdemo.environments: must map environment names to settings (got {raw!r})")
            raw = {}
        for name in raw:
            if order and name not in order:
                problems.append(f"flagsdemo.environments.{name}: the catalogue does not name this environment "
                                f"(its profiles' environments are {list(order)})")
        for name in order:
            if raw and name not in raw:
                problems.append(f"flagsdemo.environments: the catalogue's environment {name!r} has no settings here "
                                f"(it has {list(raw)}); add \"{name}\": {{}} for the defaults")
        environments = [_environment(name, env, order.get(name), strategies, problems) for name, env in raw.items()]
        _check_shared_targets([e for e in environments if e is not None], problems)
        ordered: list[EnvironmentSettings] = []
        try:
            ordered = promotion_order([e for e in environments if e is not None], name=lambda e: e.name,
                                      after=lambda e: e.promote_after)
        except PromotionCycleError as exc:  # _catalogue_names has refused a cycle already: never reached
            problems.append(f"catalogue: {exc}")
        if problems:
            raise SettingsError(problems)
        assert application_name is not None  # _catalogue_names added a problem otherwise
        return cls(application_name=application_name, environments=tuple(ordered))


#: Settings that moved from cdk.json to the catalogue, and what they were.
_MOVED_TO_CATALOGUE = {"applicationName": "the application's name", "promoteAfter": "the promotion order"}
_CATALOGUE_FIELDS = {"applicationName": "Profile(..., application=...)",
                     "promoteAfter": "Profile(..., environments=(...)), in promotion order"}


def _catalogue_names(catalogue: Sequence[Profile], problems: list[str]) -> tuple[str | None, dict[str, str | None]]:
    """The application the catalogue's profiles name, and each environment they name with the one it follows.

    Every profile that names an application names the same one; profiles that name environments agree
    on what each follows (a profile may list fewer).
    """
    applications = {p.application: p.name for p in catalogue if p.application is not None}
    if not applications:
        problems.append(f"catalogue: no profile names its AppConfig application (Profile(..., application=...)); "
                        f"profiles: {[p.name for p in catalogue]}")
    elif len(applications) > 1:
        problems.append("catalogue: profiles name different applications: "
                        + ", ".join(f"{profile} names {name!r}" for name, profile in applications.items()))
    after: dict[str, str | None] = {}
    said_by: dict[str, str] = {}
    for profile in catalogue:
        for name in profile.environments or ():
            before = profile.promoted_after(name)
            if name in after and after[name] is not None and before is not None and after[name] != before:
                problems.append(f"catalogue: profile {profile.name} deploys {name} after {before}, profile "
                                f"{said_by[name]} after {after[name]}")
            elif after.get(name) is None:
                after[name], said_by[name] = before, profile.name
    if not after:
        problems.append("catalogue: no profile names its environments (Profile(..., environments=(...)), "
                        "in promotion order)")
    try:
        order = promotion_order(list(after), name=lambda n: n, after=lambda n: after[n])
    except PromotionCycleError as exc:
        problems.append(f"catalogue: {exc}")
        return next(iter(applications), None), dict.fromkeys(after)  # reported once: no order to follow
    return next(iter(applications), None), {name: after[name] for name in order}


_ENVIRONMENT_KEYS = {"strategy", "production", "allowUnmonitored", "alarmThreshold", "alarmArns",
                     "metricAlarm", "account", "region", "targets"}
_TARGET_KEYS = ("account", "region")


def _environment(name: str, env: Any, after: str | None, strategies: Mapping[str, FlagRollout],
                 problems: list[str]) -> EnvironmentSettings | None:
    where = f"flagsdemo.environments.{name}"
    env = {} if env is None else env
    if not isinstance(env, Mapping):
        problems.append(f"{where}: must be an object of settings (got {env!r})")
        return None
    for key, home in _MOVED_TO_CATALOGUE.items():
        if key in env:
            problems.append(f"{where}.{key}: {home} is the catalogue's now (flags/: {_CATALOGUE_FIELDS[key]}); "
                            f"remove it from cdk.json (got {env[key]!r})")
    if unknown := set(env) - _ENVIRONMENT_KEYS - set(_MOVED_TO_CATALOGUE):
        problems.append(f"{where}: unknown settings {sorted(unknown)} (known: {sorted(_ENVIRONMENT_KEYS)})")
    strategy_name = env.get("strategy", "AppConfig.AllAtOnce")
    strategy = strategies.get(strategy_name) or PREDEFINED.get(strategy_name)
    if strategy is None:
        problems.append(f"{where}.strategy: {strategy_name!r} is neither a predefined strategy "
                        f"{sorted(PREDEFINED)} nor one of flagsdemo.strategies {sorted(strategies)}")
        strategy = FlagRollout.ALL_AT_ONCE
    flags = {key: _flag(env, key, default, where, problems)
             for key, default in (("production", False), ("allowUnmonitored", False), ("metricAlarm", True))}
    threshold = env.get("alarmThreshold", 1.0)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        problems.append(f"{where}.alarmThreshold: must be a number (got {threshold!r})")
        threshold = 1.0
    arns = env.get("alarmArns", [])
    if not isinstance(arns, list) or not all(isinstance(a, str) and a.startswith("arn:") for a in arns):
        problems.append(f"{where}.alarmArns: must be a list of CloudWatch alarm ARNs (got {arns!r})")
        arns = []
    return EnvironmentSettings(
        name=name, strategy=strategy, production=flags["production"], allow_unmonitored=flags["allowUnmonitored"],
        promote_after=after, alarm_threshold=float(threshold), alarm_arns=tuple(arns), metric_alarm=flags["metricAlarm"],
        targets=_targets(env, where, problems),
    )


def _targets(env: Mapping[str, Any], where: str, problems: list[str]) -> tuple[Target, ...]:
    """``targets`` (each with account and region), or the one target ``account``/``region`` (each optional)."""
    if "targets" not in env:
        target = Target(account=_location(env, "account", where, problems), region=_location(env, "region", where, problems))
        return (target,)
    if given := [key for key in _TARGET_KEYS if key in env]:
        problems.append(f"{where}: give either targets or {'/'.join(given)}, not both "
                        f"(got targets={env['targets']!r}, {', '.join(f'{k}={env[k]!r}' for k in given)})")
    raw = env["targets"]
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}.targets: must be a non-empty list of {{\"account\": ..., \"region\": ...}} (got {raw!r})")
        return (Target(),)
    targets: list[Target] = []
    first: dict[Target, int] = {}
    for index, item in enumerate(raw):
        at = f"{where}.targets[{index}]"
        if not isinstance(item, Mapping):
            problems.append(f"{at}: must be an object {{\"account\": ..., \"region\": ...}} (got {item!r})")
            continue
        if unknown := set(item) - set(_TARGET_KEYS):
            problems.append(f"{at}: unknown settings {sorted(unknown)} (known: {list(_TARGET_KEYS)})")
        missing = [key for key in _TARGET_KEYS if item.get(key) is None]
        for key in missing:
            problems.append(f"{at}.{key}: missing; each target names its account and region")
        target = Target(account=_location(item, "account", at, problems), region=_location(item, "region", at, problems))
        if missing or target.account is None or target.region is None:
            continue
        if target in first:
            problems.append(f"{at}: {target} is listed twice (also {where}.targets[{first[target]}])")
            continue
        first[target] = index
        targets.append(target)
    return tuple(targets) or (Target(),)


def _location(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str | None:
    """``raw[key]`` when it is a valid account ID or region name (or absent); else a problem and None."""
    value = raw.get(key)
    if value is None:
        return None
    if key == "account":
        if isinstance(value, str) and ACCOUNT.match(value):
            return value
        problems.append(f"{where}.account: must be a 12-digit AWS account ID, as a string (got {value!r})")
        return None
    if isinstance(value, str) and value in aws_regions():
        return value
    near = difflib.get_close_matches(str(value), sorted(aws_regions()), n=3)
    hint = f"did you mean {' or '.join(map(repr, near))}?" if near else "e.g. 'eu-west-1'"
    problems.append(f"{where}.region: {value!r} is not an AWS region name known to botocore ({hint})")
    return None


def _check_shared_targets(environments: list[EnvironmentSettings], problems: list[str]) -> None:
    """One AppConfig application per account and region: no two environments name the same target.

    Only complete targets (account and region given) are compared; environments that leave them unset
    deploy to the pipeline's account and region (a single-account pipeline).
    """
    owner: dict[Target, str] = {}
    for environment in environments:
        for target in environment.targets:
            if target.account is None or target.region is None:
                continue
            if target in owner and owner[target] != environment.name:
                problems.append(f"flagsdemo.environments.{environment.name}: target {target} is also a target of "
                                f"{owner[target]}; an account and region holds one environment's stack")
            owner.setdefault(target, environment.name)


def _flag(env: Mapping[str, Any], key: str, default: bool, where: str, problems: list[str]) -> bool:
    value = env.get(key, default)
    if not isinstance(value, bool):
        problems.append(f"{where}.{key}: must be true or false (got {value!r})")
        return default
    return value


_CONTEXT_KEYS = {"deployment_duration": "durationMinutes", "final_bake_time": "finalBakeMinutes",
                 "growth_factor": "growthFactor", "growth_type": "growthType", "name": "(name)"}
_STRATEGY_KEYS = {"growthType", "growthFactor", "durationMinutes", "finalBakeMinutes", "description"}


def _custom_strategies(raw: Any, problems: list[str]) -> dict[str, FlagRollout]:
    """The custom strategies, by name; cdk.json gives their times in whole minutes (JSON has no Duration)."""
    out: dict[str, FlagRollout] = {}
    if not isinstance(raw, Mapping):
        problems.append(f"flagsdemo.strategies: must be an object (got {raw!r})")
        return out
    for name, spec in raw.items():
        where = f"flagsdemo.strategies.{name}"
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: must be an object of settings (got {spec!r})")
            continue
        if unknown := set(spec) - _STRATEGY_KEYS:
            problems.append(f"{where}: unknown settings {sorted(unknown)} (known: {sorted(_STRATEGY_KEYS)})")
        growth = spec.get("growthType", "LINEAR")
        factories = {"LINEAR": FlagRollout.linear, "EXPONENTIAL": FlagRollout.exponential}
        if growth not in factories:
            problems.append(f"{where}.growthType: must be LINEAR or EXPONENTIAL (got {growth!r})")
            continue
        minutes = {key: spec.get(key, 0) for key in ("durationMinutes", "finalBakeMinutes")}
        if wrong := {k: v for k, v in minutes.items() if isinstance(v, bool) or not isinstance(v, int)}:
            problems += [f"{where}.{key}: must be a whole number of minutes (got {value!r})" for key, value in wrong.items()]
            continue
        if negative := {k: v for k, v in minutes.items() if v < 0}:  # a Duration cannot be negative
            problems += [f"{where}.{key}: must be between 0 and {MINUTES_MAX} minutes (got {value!r})"
                         for key, value in negative.items()]
            continue
        try:
            strategy = factories[growth](
                name, growth_factor=spec.get("growthFactor", 100.0),
                deployment_duration=Duration.minutes(minutes["durationMinutes"]),
                final_bake_time=Duration.minutes(minutes["finalBakeMinutes"]), description=spec.get("description"),
            )
        except PropsError as exc:  # a strategy checks AppConfig's ranges when made: "<name>/<prop>: <rule> (got <value>)"
            for problem in exc.problems:
                prop, _, rule = problem.removeprefix(f"{name}/").partition(": ")
                problems.append(f"{where}.{_CONTEXT_KEYS.get(prop, prop)}: {rule}")
            # Reported; a stand-in keeps environments that name it from being reported too (nothing is built).
            strategy = FlagRollout.ALL_AT_ONCE
        out[name] = strategy
    return out
