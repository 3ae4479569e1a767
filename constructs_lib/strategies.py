"""How a flag change rolls out to an environment: AppConfig's predefined deployment strategies, or validated custom ones.

Predefined strategies are referenced by ID and cost nothing; custom ones count against the
account's 20 strategies per region ("AWS AppConfig endpoints and quotas"), so the predefined ones
are preferred. Named ``FlagRollout``, not ``DeploymentStrategy``: that name, ``RolloutStrategy`` and
``GrowthType`` are aws-cdk-lib's ``aws_appconfig`` constructs and enums, which a module may import beside
this one. The growth type is aws-cdk-lib's ``aws_appconfig.GrowthType``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from aws_cdk import Duration, Token
from aws_cdk import aws_appconfig as appconfig

from .props import PropsError

#: ``DeploymentDurationInMinutes`` and ``FinalBakeTimeInMinutes``: 0 to 1440 (AppConfig API reference,
#: CreateDeploymentStrategy).
MINUTES_MAX = 1440
#: ``GrowthFactor``: 1.0 to 100.0 percent (CreateDeploymentStrategy).
GROWTH_MIN, GROWTH_MAX = 1.0, 100.0
#: Strategy ``Name``: 1 to 64 characters (CreateDeploymentStrategy).
NAME_MAX = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagRollout:
    """A deployment strategy: one of the predefined constants, or :meth:`linear` / :meth:`exponential` / :meth:`bake_only`.

    ``predefined_id`` set means no resource is created. A custom strategy's ranges
    (CreateDeploymentStrategy) are checked when it is made: out of range is a :class:`PropsError`
    naming the strategy, the property and the value. Times are whole minutes, stored as numbers so
    that two equal strategies are one (a custom strategy is created once per application).
    """

    #: ``AppConfig.AllAtOnce``: every target at once, then a 10-minute bake.
    ALL_AT_ONCE: ClassVar[FlagRollout]
    #: ``AppConfig.Linear50PercentEvery30Seconds``: half, then all, within a minute; 1-minute bake. For testing.
    LINEAR_50_PERCENT_EVERY_30_SECONDS: ClassVar[FlagRollout]
    #: ``AppConfig.Canary10Percent20Minutes``: exponential from 10 % over 20 minutes; 10-minute bake.
    #: AWS-recommended for production.
    CANARY_10_PERCENT_20_MINUTES: ClassVar[FlagRollout]
    #: ``AppConfig.Linear20PercentEvery6Minutes``: 20 % every 6 minutes; 30-minute bake. AWS-recommended for production.
    LINEAR_20_PERCENT_EVERY_6_MINUTES: ClassVar[FlagRollout]

    name: str
    growth_type: appconfig.GrowthType = appconfig.GrowthType.LINEAR
    growth_factor: float = 100.0
    deployment_duration_in_minutes: float = 0
    final_bake_time_in_minutes: float = 0
    description: str | None = None
    predefined_id: str | None = None

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise PropsError(f"FlagRollout {self.name!r}",
                             [f"{self.name}/{prop}: {rule} (got {value!r})" for prop, rule, value in problems])

    @property
    def is_predefined(self) -> bool:
        """True for AppConfig's predefined strategies: deployed by ID, no resource created."""
        return self.predefined_id is not None

    @property
    def deployment_duration(self) -> Duration:
        """How long the rollout takes, before the bake."""
        return Duration.minutes(self.deployment_duration_in_minutes)

    @property
    def final_bake_time(self) -> Duration:
        """How long AppConfig watches the alarms once every target has the change."""
        return Duration.minutes(self.final_bake_time_in_minutes)

    def problems(self, *, is_unresolved: Callable[[object], bool] | None = None) -> list[tuple[str, str, object]]:
        """(property, rule, value) for each AppConfig range this strategy breaks (CreateDeploymentStrategy).

        ``is_unresolved`` tells values that are known only at deploy time, which are not checked.
        Default: CDK number tokens (``CfnParameter(...).value_as_number``).
        """
        is_unresolved = is_unresolved or _is_number_token
        if self.is_predefined:
            return []
        out: list[tuple[str, str, object]] = []
        if not isinstance(self.name, str) or not 1 <= len(self.name) <= NAME_MAX:
            out.append(("name", f"has 1 to {NAME_MAX} characters", self.name))
        for prop, value in (("deployment_duration", self.deployment_duration_in_minutes),
                            ("final_bake_time", self.final_bake_time_in_minutes)):
            if is_unresolved(value):
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
                out.append((prop, "must be a whole number of minutes", value))
            elif not 0 <= value <= MINUTES_MAX:
                out.append((prop, f"must be between 0 and {MINUTES_MAX} minutes", value))
        factor = self.growth_factor
        if is_unresolved(factor):
            pass
        elif isinstance(factor, bool) or not isinstance(factor, (int, float)) or not GROWTH_MIN <= factor <= GROWTH_MAX:
            out.append(("growth_factor", f"must be a percentage between {GROWTH_MIN:g} and {GROWTH_MAX:g}", factor))
        if not isinstance(self.growth_type, appconfig.GrowthType):
            out.append(("growth_type", "must be aws_appconfig.GrowthType.LINEAR or EXPONENTIAL", self.growth_type))
        return out

    # -- custom strategies -------------------------------------------------------------------------
    @classmethod
    def linear(cls, name: str, *, growth_factor: float, deployment_duration: Duration,
               final_bake_time: Duration | None = None, description: str | None = None) -> FlagRollout:
        """A custom strategy adding ``growth_factor`` % of targets per step over ``deployment_duration``.

        ``final_bake_time`` Default: none. Durations are whole minutes, 0 to 1440.
        """
        return cls._custom(name, appconfig.GrowthType.LINEAR, growth_factor, deployment_duration, final_bake_time,
                           description)

    @classmethod
    def exponential(cls, name: str, *, growth_factor: float, deployment_duration: Duration,
                    final_bake_time: Duration | None = None, description: str | None = None) -> FlagRollout:
        """A custom strategy deploying ``growth_factor``·2^N % of targets at step N over ``deployment_duration``.

        ``final_bake_time`` Default: none. Durations are whole minutes, 0 to 1440.
        """
        return cls._custom(name, appconfig.GrowthType.EXPONENTIAL, growth_factor, deployment_duration, final_bake_time,
                           description)

    @classmethod
    def bake_only(cls, name: str, *, final_bake_time: Duration, description: str | None = None) -> FlagRollout:
        """A custom strategy: every target at once, then watch the alarms for ``final_bake_time``."""
        return cls.linear(name, growth_factor=100, deployment_duration=Duration.minutes(0),
                          final_bake_time=final_bake_time, description=description)

    @classmethod
    def _custom(cls, name: str, growth_type: appconfig.GrowthType, growth_factor: float, deployment_duration: Duration,
                final_bake_time: Duration | None, description: str | None) -> FlagRollout:
        problems: list[str] = []
        duration = _whole_minutes(name, "deployment_duration", deployment_duration, problems)
        bake = _whole_minutes(name, "final_bake_time", final_bake_time or Duration.minutes(0), problems)
        try:
            strategy = cls(name=name, growth_type=growth_type, growth_factor=growth_factor,
                           deployment_duration_in_minutes=duration, final_bake_time_in_minutes=bake,
                           description=description)
        except PropsError as error:  # every problem at once: the durations' and the ranges'
            problems += error.problems
        if problems:
            raise PropsError(f"FlagRollout {name!r}", problems)
        return strategy

    @classmethod
    def _predefined(cls, strategy_id: str, growth: appconfig.GrowthType, factor: float, duration: int,
                    bake: int) -> FlagRollout:
        return cls(name=strategy_id, growth_type=growth, growth_factor=factor, deployment_duration_in_minutes=duration,
                   final_bake_time_in_minutes=bake, predefined_id=strategy_id)


def _whole_minutes(name: str, prop: str, duration: object, problems: list[str]) -> float:
    """``duration`` in minutes (a number token stays one); a problem naming the prop when it is not whole minutes."""
    if not isinstance(duration, Duration):
        problems.append(f"{name}/{prop}: must be a Duration, e.g. Duration.minutes(20) (got {duration!r})")
        return 0
    try:
        return duration.to_minutes()
    except RuntimeError:  # jsii: "'90 seconds' cannot be converted into a whole number of minutes"
        problems.append(f"{name}/{prop}: must be a whole number of minutes (got {duration.to_human_string()})")
        return 0


def _is_number_token(value: object) -> bool:
    # Only a float can be a number token; asking the jsii runtime about every int costs a round trip.
    return isinstance(value, float) and bool(Token.is_unresolved(value))


# AppConfig's predefined strategies ("Using predefined deployment strategies", AWS AppConfig User Guide).
FlagRollout.ALL_AT_ONCE = FlagRollout._predefined("AppConfig.AllAtOnce", appconfig.GrowthType.LINEAR, 100, 0, 10)
FlagRollout.LINEAR_50_PERCENT_EVERY_30_SECONDS = FlagRollout._predefined(
    "AppConfig.Linear50PercentEvery30Seconds", appconfig.GrowthType.LINEAR, 50, 1, 1)
FlagRollout.CANARY_10_PERCENT_20_MINUTES = FlagRollout._predefined(
    "AppConfig.Canary10Percent20Minutes", appconfig.GrowthType.EXPONENTIAL, 10, 20, 10)
FlagRollout.LINEAR_20_PERCENT_EVERY_6_MINUTES = FlagRollout._predefined(
    "AppConfig.Linear20PercentEvery6Minutes", appconfig.GrowthType.LINEAR, 20, 30, 30)

#: Every predefined strategy by its ID.
PREDEFINED: dict[str, FlagRollout] = {s.name: s for s in (
    FlagRollout.ALL_AT_ONCE, FlagRollout.LINEAR_50_PERCENT_EVERY_30_SECONDS, FlagRollout.CANARY_10_PERCENT_20_MINUTES,
    FlagRollout.LINEAR_20_PERCENT_EVERY_6_MINUTES)}
