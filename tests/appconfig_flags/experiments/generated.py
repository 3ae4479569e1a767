"""Generated assignment logs and outcomes with a known effect, and the truth they were made from.

The Agent's ``file:`` layout (``<region>/<account>/<app>/<definition>/<run>_<salt>.jsonl``, lines of
``timestamp``, ``treatmentKey``, ``entityId``), records repeated per request, a few units assigned
two treatments, outcomes before exposure (which must not count), and known bad lines.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

START = datetime(2026, 3, 1, tzinfo=timezone.utc)
DEFINITION = "exp0abc"
RUN = 2


def stamp(seconds: float) -> str:
    return (START + timedelta(seconds=float(seconds))).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Generated:
    """Where the files are, and what a reader must find in them."""

    assignments: Path
    outcomes: Path
    #: entity -> treatment, of the units that count (one treatment each).
    arm_of: dict[str, str] = field(default_factory=dict)
    #: entity -> first exposure (seconds after START).
    exposed_at: dict[str, float] = field(default_factory=dict)
    #: (entity, metric, value, seconds) of every well-formed outcome, before exposure or not.
    outcomes_rows: list[tuple[str, str, float, float]] = field(default_factory=list)
    multi_treatment: set[str] = field(default_factory=set)
    bad_lines: int = 0


def generate(root: Path, *, units: int = 3000, weights: dict[str, float] | None = None, seed: int = 32,
             effects: dict[str, dict[str, float]] | None = None, multi: int = 7, bad_assignment_lines: int = 2,
             bad_outcome_lines: int = 3, other_run: bool = True) -> Generated:
    """Logs of ``units`` units split by ``weights`` (default c=50, t1=30, t2=20).

    ``effects``: metric -> arm -> rate: ``purchase`` a conversion (probability), ``revenue`` a sum of
    1-3 events of exponential amounts with that mean. ``multi``: units that get a second treatment.
    """
    rng = np.random.default_rng(seed)
    weights = weights or {"c": 50, "t1": 30, "t2": 20}
    effects = effects or {"purchase": {"c": 0.10, "t1": 0.16, "t2": 0.11},
                          "revenue": {"c": 20.0, "t1": 24.0, "t2": 20.0}}
    keys = list(weights)
    probabilities = np.array(list(weights.values()), dtype=float)
    probabilities /= probabilities.sum()
    layout = root / "logs" / "us-east-1" / "111122223333" / "app1234" / DEFINITION
    layout.mkdir(parents=True)
    g = Generated(assignments=root / "logs", outcomes=root / "outcomes.jsonl")
    lines: list[tuple[float, str]] = []
    for index in range(units):
        entity = f"user-{index:06d}"
        arm = keys[int(rng.choice(len(keys), p=probabilities))]
        first = float(rng.uniform(0, 86400))
        g.arm_of[entity] = arm
        g.exposed_at[entity] = first
        for repeat in range(int(rng.integers(1, 4))):  # a record per flag request
            lines.append((first + repeat * 60.0, json.dumps({"timestamp": stamp(first + repeat * 60.0),
                                                              "treatmentKey": arm, "entityId": entity})))
    for entity in list(g.arm_of)[:multi]:  # an override moved them: excluded from everything
        given = g.arm_of.pop(entity)
        other = next(k for k in keys if k != given)
        g.multi_treatment.add(entity)
        lines.append((g.exposed_at[entity] + 5.0, json.dumps({"timestamp": stamp(g.exposed_at[entity] + 5.0),
                                                               "treatmentKey": other, "entityId": entity})))
    rng.shuffle(lines)  # type: ignore[arg-type]
    texts = [text for _, text in lines]
    bad = ['{"timestamp": "2026-03-01T00:00:00Z", "treatmentKey": "c"}', "not json at all",
           '{"timestamp": "yesterday", "treatmentKey": "t1", "entityId": "user-x"}'][:bad_assignment_lines]
    for i, text in enumerate(bad):
        texts.insert(10 + 37 * i, text)
    g.bad_lines += len(bad)
    half = len(texts) // 2
    (layout / f"{RUN}_salt1.jsonl").write_text("\n".join(texts[:half]) + "\n")
    (layout / f"{RUN}_salt2.jsonl").write_text("\n".join(texts[half:]) + "\n\n")
    if other_run:  # another run of the same definition: must not be mixed in when --run picks one
        (layout / "1_salt0.jsonl").write_text(json.dumps({"timestamp": stamp(0), "treatmentKey": "t1",
                                                          "entityId": "user-000001"}) + "\n")
    outcome_lines = []
    for entity in [*g.arm_of, *sorted(g.multi_treatment), "never-assigned"]:
        arm = g.arm_of.get(entity, "c")
        exposed = g.exposed_at.get(entity, 0.0)
        if rng.random() < 0.3:  # something before exposure: never counted
            g.outcomes_rows.append((entity, "purchase", 1.0, exposed - 3600.0))
        if rng.random() < effects["purchase"][arm]:
            g.outcomes_rows.append((entity, "purchase", 1.0, exposed + float(rng.uniform(0, 3600))))
        if rng.random() < 0.25:
            for _ in range(int(rng.integers(1, 4))):
                amount = round(float(rng.exponential(effects["revenue"][arm])), 2)
                g.outcomes_rows.append((entity, "revenue", amount, exposed + float(rng.uniform(0, 7200))))
    # One outcome exactly at exposure: counts ("at or after").
    first = next(iter(g.arm_of))
    g.outcomes_rows.append((first, "revenue", 7.5, g.exposed_at[first]))
    for entity, metric, value, seconds in g.outcomes_rows:
        record: dict[str, object] = {"entityId": entity, "metric": metric, "timestamp": stamp(seconds)}
        if not (metric == "purchase" and value == 1.0 and rng.random() < 0.5):
            record["value"] = value  # value defaults to 1: leave it out of half the purchases
        outcome_lines.append(json.dumps(record))
    bad_outcomes = ['{"entityId": "user-000002", "metric": "revenue", "value": "lots", "timestamp": "2026-03-01T10:00:00Z"}',
                    '{"entityId": "user-000002", "metric": "revenue", "value": 3}',
                    "{broken", '["an", "array"]'][:bad_outcome_lines]
    for i, text in enumerate(bad_outcomes):
        outcome_lines.insert(5 + 11 * i, text)
    g.bad_lines += len(bad_outcomes)
    g.outcomes.write_text("\n".join(outcome_lines) + "\n")
    return g
