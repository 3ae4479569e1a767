"""What a catalogue change does to its experiments, and the one change AppConfig refuses: lower exposure.

The experiments compared are ``Experiment.to_json()`` data, per profile, as the catalogue renderer
prints them. Line shapes (``str(change)``)::

    + Beta/experiments/bitcoin-discount-5-vs-10 (on allow-bitcoin-at-checkout, run at 50% exposure)
    - Beta/experiments/old-test
    Beta/experiments/bitcoin-discount-5-vs-10: run exposure 50 → 80
    Beta/experiments/bitcoin-discount-5-vs-10: arms.t1.bitcoin-discount-percentage 10 → 15

A run's exposure can only be raised: UpdateExperimentRun refuses a lower ``ExposurePercentage``
(AWS AppConfig API Reference), so a decrease is a :attr:`ExperimentChange.refused` change, which
``appconfig-flags diff`` reports as an error (stop the run, then start another at the lower exposure).
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: profile name -> its experiments as JSON data.
Experiments = Mapping[str, Sequence[Mapping[str, Any]]]

_ABSENT = object()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExperimentChange:
    """One change of one experiment: ``kind`` ``added``/``removed``/``changed``, ``field`` a dotted path in its JSON."""

    kind: str
    profile: str
    environment: str
    experiment: str
    field: str | None = None
    before: Any = None
    after: Any = None
    detail: str | None = None
    qualified: bool = False

    @property
    def place(self) -> str:
        """``Beta/experiments/<name>``, with ``Profile@`` when qualified."""
        environment = f"{self.profile}@{self.environment}" if self.qualified else self.environment
        return f"{environment}/experiments/{self.experiment}"

    @property
    def refused(self) -> bool:
        """A lower exposure of a run that stays: AppConfig's UpdateExperimentRun refuses it."""
        return (self.field == "run.exposure" and isinstance(self.before, (int, float))
                and isinstance(self.after, (int, float)) and self.after < self.before)

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.place}" + (f" ({self.detail})" if self.detail else "")
        if self.kind == "removed":
            return f"- {self.place}"
        return f"{self.place}: {self.field} {_text(self.before)} → {_text(self.after)}"

    def to_json(self) -> dict[str, Any]:
        """The change as JSON data, shaped like a flag change's (``subject`` ``experiment``), and ``text``."""
        return {"change": self.kind, "subject": "experiment", "profile": self.profile, "environment": self.environment,
                "experiment": self.experiment, "field": self.field,
                "before": None if self.before is _ABSENT else self.before,
                "after": None if self.after is _ABSENT else self.after,
                "detail": self.detail, "refused": self.refused, "text": str(self)}


def _text(value: Any) -> str:
    return "(unset)" if value is _ABSENT else json.dumps(value, ensure_ascii=False)


def _flat(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Leaves of ``data`` by dotted path (``arms.t1.weight``); lists are leaves."""
    if isinstance(data, Mapping) and data:
        for key, value in data.items():
            yield from _flat(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix, data


def _summary(experiment: Mapping[str, Any]) -> str:
    run = experiment.get("run")
    exposure = f"run at {run.get('exposure')}% exposure" if isinstance(run, Mapping) else "no run"
    return f"on {experiment.get('flag')}, {exposure}"


def diff_experiments(before: Experiments, after: Experiments, *, qualified: bool | None = None) -> list[ExperimentChange]:
    """Every change from ``before`` to ``after``, by profile, then experiment (keyed by environment and name)."""
    if qualified is None:
        qualified = len(set(before) | set(after)) > 1
    changes: list[ExperimentChange] = []
    for profile in dict.fromkeys([*after, *before]):
        old = {(e["environment"], e["name"]): e for e in before.get(profile, ())}
        new = {(e["environment"], e["name"]): e for e in after.get(profile, ())}
        for key in dict.fromkeys([*new, *old]):
            environment, name = key
            common = {"profile": profile, "environment": environment, "experiment": name, "qualified": qualified}
            if key not in old:
                changes.append(ExperimentChange(kind="added", detail=_summary(new[key]), **common))
            elif key not in new:
                changes.append(ExperimentChange(kind="removed", **common))
            else:
                was, now = dict(_flat(old[key])), dict(_flat(new[key]))
                for field in dict.fromkeys([*now, *was]):
                    a, b = was.get(field, _ABSENT), now.get(field, _ABSENT)
                    if a != b or type(a) is not type(b):
                        changes.append(ExperimentChange(kind="changed", field=field, before=a, after=b, **common))
    return changes


def refusal_message(change: ExperimentChange) -> str:
    """The error line for a change AppConfig refuses."""
    return (f"{change}: AppConfig only raises a run's exposure (UpdateExperimentRun); stop the run "
            "(appconfig-flags experiments stop) and start a new one at the lower exposure")
