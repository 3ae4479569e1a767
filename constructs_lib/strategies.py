"""Deployment strategies named by intent: AppConfig's predefined ones, or validated custom ones.

Predefined strategies are referenced by ID and cost nothing; custom ones count against the
account's 20 strategies per region (S11 quotas), so the presets are preferred.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from .props import PropsError

#: S12.2 ``DeploymentDurationInMinutes`` and ``FinalBakeTimeInMinutes``: 0 to 1440.
MINUTES_MAX = 1440
#: S12.2 ``GrowthFactor``: 1.0 to 100.0 percent.
GROWTH_MIN, GROWTH_MAX = 1.0, 100.0
#: S12.2 strategy ``Name``: 1 to 64 characters.
NAME_MAX = 64


class GrowthType(str, Enum):
    """How targets grow per step (S12.2): evenly, or doubling."""

    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentStrategy:
    """A deployment strategy. Use the factories; ``predefined_id`` set means no resource is created.

    A custom strategy's ranges (S12.2) are checked when it is made: out of range is a
    :class:`PropsError` naming the strategy, the property and the value.
    """

    name: str
    growth_type: GrowthType = GrowthType.LINEAR
    growth_factor: float = 100.0
    duration_minutes: int = 0
    final_bake_minutes: int = 0
    description: str | None = None
    predefined_id: str | None = None

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise PropsError(f"DeploymentStrategy {self.name!r}",
                             [f"{self.name}/{prop}: {rule} (got {value!r})" for prop, rule, value in problems])

    @property
    def is_predefined(self) -> bool:
        """True for AppConfig's predefined strategies: deployed by ID, no resource created."""
        return self.predefined_id is not None

    def problems(self, *, is_unresolved: Callable[[object], bool] | None = None) -> list[tuple[str, str, object]]:
        """(property, rule, value) for each AppConfig range this strategy breaks (S12.2).

        ``is_unresolved`` tells values that are known only at deploy time, which are not checked.
        Default: CDK number tokens (``CfnParameter(...).value_as_number``).
        """
        is_unresolved = is_unresolved or _is_number_token
        if self.is_predefined:
            return []
        out: list[tuple[str, str, object]] = []
        if not isinstance(self.name, str) or not 1 <= len(self.name) <= NAME_MAX:
            out.append(("name", f"has 1 to {NAME_MAX} characters", self.name))
        for prop, value in (("duration_minutes", self.duration_minutes), ("final_bake_minutes", self.final_bake_minutes)):
            if is_unresolved(value):
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                out.append((prop, "must be a whole number of minutes", value))
            elif not 0 <= value <= MINUTES_MAX:
                out.append((prop, f"must be between 0 and {MINUTES_MAX} minutes", value))
        factor = self.growth_factor
        if is_unresolved(factor):
            pass
        elif isinstance(factor, bool) or not isinstance(factor, (int, float)) or not GROWTH_MIN <= factor <= GROWTH_MAX:
            out.append(("growth_factor", f"must be a percentage between {GROWTH_MIN:g} and {GROWTH_MAX:g}", factor))
        if not isinstance(self.growth_type, GrowthType):
            out.append(("growth_type", "must be GrowthType.LINEAR or GrowthType.EXPONENTIAL", self.growth_type))
        return out

    # -- AppConfig's predefined strategies (S12.3) -----------------------------------------------
    @classmethod
    def all_at_once(cls) -> DeploymentStrategy:
        """``AppConfig.AllAtOnce``: every target at once, then a 10-minute bake."""
        return cls._predefined("AppConfig.AllAtOnce", GrowthType.LINEAR, 100, 0, 10)

    @classmethod
    def linear_50_percent_every_30_seconds(cls) -> DeploymentStrategy:
        """``AppConfig.Linear50PercentEvery30Seconds``: half, then all, within a minute; 1-minute bake. For testing."""
        return cls._predefined("AppConfig.Linear50PercentEvery30Seconds", GrowthType.LINEAR, 50, 1, 1)

    @classmethod
    def canary_10_percent_20_minutes(cls) -> DeploymentStrategy:
        """``AppConfig.Canary10Percent20Minutes``: exponential from 10 % over 20 minutes; 10-minute bake. AWS-recommended for production."""
        return cls._predefined("AppConfig.Canary10Percent20Minutes", GrowthType.EXPONENTIAL, 10, 20, 10)

    @classmethod
    def linear_20_percent_every_6_minutes(cls) -> DeploymentStrategy:
        """``AppConfig.Linear20PercentEvery6Minutes``: 20 % every 6 minutes; 30-minute bake. AWS-recommended for production."""
        return cls._predefined("AppConfig.Linear20PercentEvery6Minutes", GrowthType.LINEAR, 20, 30, 30)

    # -- the same presets, named by intent -----------------------------------------------------------
    @classmethod
    def quick_for_testing(cls) -> DeploymentStrategy:
        """A quick rollout for test environments: ``AppConfig.Linear50PercentEvery30Seconds``."""
        return cls.linear_50_percent_every_30_seconds()

    @classmethod
    def canary_for_production(cls) -> DeploymentStrategy:
        """A small first step, then doubling, in production: ``AppConfig.Canary10Percent20Minutes``."""
        return cls.canary_10_percent_20_minutes()

    @classmethod
    def gradual_for_production(cls) -> DeploymentStrategy:
        """Even steps and a long bake in production: ``AppConfig.Linear20PercentEvery6Minutes``."""
        return cls.linear_20_percent_every_6_minutes()

    @classmethod
    def _predefined(cls, strategy_id: str, growth: GrowthType, factor: float, duration: int, bake: int) -> DeploymentStrategy:
        return cls(name=strategy_id, growth_type=growth, growth_factor=factor, duration_minutes=duration,
                   final_bake_minutes=bake, predefined_id=strategy_id)

    # -- custom strategies -------------------------------------------------------------------------
    @classmethod
    def linear(cls, name: str, *, growth_factor: float, duration_minutes: int, final_bake_minutes: int = 0,
               description: str | None = None) -> DeploymentStrategy:
        """A custom strategy adding ``growth_factor`` % of targets per step over ``duration_minutes``."""
        return cls(name=name, growth_type=GrowthType.LINEAR, growth_factor=growth_factor,
                   duration_minutes=duration_minutes, final_bake_minutes=final_bake_minutes, description=description)

    @classmethod
    def exponential(cls, name: str, *, growth_factor: float, duration_minutes: int, final_bake_minutes: int = 0,
                    description: str | None = None) -> DeploymentStrategy:
        """A custom strategy deploying ``growth_factor``·2^N % of targets at step N over ``duration_minutes``."""
        return cls(name=name, growth_type=GrowthType.EXPONENTIAL, growth_factor=growth_factor,
                   duration_minutes=duration_minutes, final_bake_minutes=final_bake_minutes, description=description)

    @classmethod
    def bake_only(cls, name: str, *, final_bake_minutes: int, description: str | None = None) -> DeploymentStrategy:
        """A custom strategy: every target at once, then watch the alarms for ``final_bake_minutes``."""
        return cls.linear(name, growth_factor=100, duration_minutes=0, final_bake_minutes=final_bake_minutes,
                          description=description)


def _is_number_token(value: object) -> bool:
    # Only a float can be a number token; asking the jsii runtime about every int costs a round trip.
    if not isinstance(value, float):
        return False
    from aws_cdk import Token  # loaded already wherever a token exists

    return bool(Token.is_unresolved(value))
