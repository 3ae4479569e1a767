"""Experiments at run time: the treatment in an Agent's answer, and a local simulation of assignment.

Only the AppConfig Agent (or the Lambda extension) serves treatments ("Retrieving experiment
treatments", AWS AppConfig User Guide): asked for one flag with ``Entity-Id`` and ``Context``, it
answers the treatment's value with ``_variant`` ``__c__`` (control), ``__t1__``, ``__t2__``...

Local sources (the catalogue, ``LocalSource``) cannot ask AppConfig, so they **simulate** a run, for
the demo and for tests: an entity in the audience is exposed when SHA-256 of the experiment's name
and its id falls in the first ``exposure`` percent, then gets an arm by a second hash, in proportion
to the weights; overridden entities get their arm. **This is not AppConfig's bucketing**: the
Agent may expose and assign another share of entities; only the proportions are alike.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from appconfig_flags.model.targeting.bucket import split_position, split_threshold
from appconfig_flags.model.targeting.rule import compile_rule

from .flag_data import FlagData

#: ``_variant`` of a treatment in the Agent's answer: ``__c__``, ``__t1__``... (the treatment key between ``__``).
_TREATMENT_VARIANT = re.compile(r"__([a-zA-Z0-9]{1,8})__")
_TWO_64 = 2**64


def treatment_of(variant: str | None) -> str | None:
    """The treatment key an answer's ``_variant`` names (``__t1__`` → ``t1``); ``None`` for a variant or none."""
    if variant is None:
        return None
    match = _TREATMENT_VARIANT.fullmatch(variant)
    return match.group(1) if match else None


class SimulatedExperiment:
    """A running experiment as a local source simulates it (see the module's warning: not AppConfig's bucketing).

    Built from :meth:`~appconfig_flags.model.Experiment.to_json` (an experiment without a run exposes no one).
    Equal when name, flag, audience, exposure, arms and overrides are. A plain slotted class, not a
    dataclass: a service whose catalogue runs an experiment builds one at start-up, and a dataclass
    costs about 0.5 ms to define.
    """

    __slots__ = ("_in_audience", "arms", "audience", "exposure", "flag_key", "keys", "name", "overrides")

    def __init__(self, *, name: str, flag_key: str, audience: str, exposure: Decimal,
                 arms: tuple[tuple[str, float, FlagData], ...], overrides: Mapping[str, str],
                 in_audience: Callable[[Mapping[str, str]], bool], keys: tuple[str, ...] = ()) -> None:
        #: The context keys the audience rule reads.
        self.keys = keys
        self.name = name
        self.flag_key = flag_key
        self.audience = audience
        self.exposure = exposure
        #: (treatment key, weight, the data served), control first.
        self.arms = arms
        self.overrides = overrides
        self._in_audience = in_audience

    def _fields(self) -> tuple[object, ...]:
        return (self.name, self.flag_key, self.audience, self.exposure, self.arms, dict(self.overrides))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SimulatedExperiment) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable-looking mappings inside: not hashable, like a dataclass

    def __repr__(self) -> str:
        return (f"SimulatedExperiment(name={self.name!r}, flag_key={self.flag_key!r}, audience={self.audience!r}, "
                f"exposure={self.exposure!r}, arms={[key for key, _, _ in self.arms]!r})")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SimulatedExperiment | None:
        """From an experiment's JSON data; ``None`` when it has no run (nothing to simulate)."""
        run = data.get("run")
        if run is None:
            return None
        from appconfig_flags.model.targeting.rule import context_keys, parse_rule

        arms = []
        for key, arm in data["arms"].items():
            enabled = bool(arm["enabled"])
            values = {k: tuple(v) if isinstance(v, list) else v for k, v in arm.items()
                      if k not in ("enabled", "weight", "description")} if enabled else {}
            arms.append((key, float(arm["weight"]), FlagData(enabled=enabled, values=MappingProxyType(values),
                                                             variant=f"__{key}__")))
        return cls(name=data["name"], flag_key=data["flag"], audience=data["audience"],
                   exposure=Decimal(str(run["exposure"])), arms=tuple(arms),
                   overrides=MappingProxyType(dict(run.get("overrides", {}))),
                   in_audience=compile_rule(audience := parse_rule(data["audience"]), data["flag"]),
                   keys=tuple(sorted(context_keys(audience))))

    def assign(self, context: Mapping[str, str], entity_id: str) -> FlagData | None:
        """The arm's data for ``entity_id`` with the encoded ``context``; ``None``: not in the run (the deployed flag)."""
        pinned = self.overrides.get(entity_id)
        if pinned is not None:
            for key, _, data in self.arms:
                if key == pinned:
                    return data
        if not self._in_audience(context):
            return None
        if split_position(f"{self.name}\x00exposure", entity_id) >= split_threshold(self.exposure):
            return None
        total = sum(weight for _, weight, _ in self.arms)
        point = split_position(f"{self.name}\x00treatment", entity_id) / _TWO_64 * total
        below = 0.0
        for _, weight, data in self.arms:
            below += weight
            if point < below:
                return data
        return next(data for _, weight, data in reversed(self.arms) if weight > 0)  # float rounding at the top
