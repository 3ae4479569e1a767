"""What the engines return: line counts, the run's split and per-arm aggregates, gathered by one set of queries.

An engine (:mod:`.local` for DuckDB, :mod:`.athena`) runs the statements of :mod:`.sql` and answers
rows; :func:`collect` asks the same questions of either, in the same order.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .sql import Statements

#: How many bad lines are quoted (all are counted).
QUOTED_BAD_LINES = 5


class ResultsError(Exception):
    """The analysis cannot run: a message naming what failed, the rule and the value."""


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that is not a valid record: which input, file, line number (``None``: unknown) and its text."""

    input: str
    file: str
    line_number: int | None
    text: str

    def describe(self) -> str:
        where = f"{self.file}:{self.line_number}" if self.line_number is not None else self.file
        text = self.text if len(self.text) <= 120 else self.text[:117] + "..."
        return f"{self.input} {where}: {text!r}"


@dataclass(frozen=True, slots=True)
class RunFound:
    """A run the assignment logs hold: its experiment definition id, number, records and distinct entities."""

    definition_id: str
    run: int
    records: int
    entities: int


@dataclass(frozen=True, slots=True)
class ArmAggregate:
    """A metric's unit values in one arm: units, mean, sample variance (``None`` below 2 units)."""

    metric: str
    treatment: str
    units: int
    mean: float
    variance: float | None


@dataclass
class Collected:
    """Everything the statistics need, and what the report says about the inputs."""

    definition_id: str
    run: int
    split: dict[str, int]
    excluded_units: int
    bad_lines: int
    other_lines: int
    assignment_records: int
    outcome_records: int
    metrics: list[tuple[str, bool]]
    aggregates: list[ArmAggregate]
    bad_examples: list[BadLine] = field(default_factory=list)


class Engine(Protocol):
    """Runs the statements of one dialect; knows the lines its reader itself refused."""

    statements: Statements

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """The rows of ``sql``."""

    def rejected(self) -> tuple[int, list[BadLine]]:
        """Lines the engine's reader could not read at all (bad encoding), counted, and a few quoted."""

    def locate(self, bad: BadLine) -> BadLine:
        """``bad`` with its line number, when the engine can find it."""


def choose_run(found: Sequence[RunFound], definition_id: str | None, run: int | None) -> RunFound:
    """The run to analyse: the one matching ``definition_id`` and ``run`` (each ``None``: any), if exactly one."""
    matching = [r for r in found if (definition_id is None or r.definition_id == definition_id)
                and (run is None or r.run == run)]
    listed = ", ".join(f"{r.definition_id} run {r.run} ({r.entities} entities)" for r in found) or "none"
    if not found:
        raise ResultsError("the assignment logs hold no AWS.AppConfig.TreatmentAssignment record")
    if not matching:
        raise ResultsError(f"no run of the logs matches experiment definition {definition_id or 'any'}, run "
                           f"{run if run is not None else 'any'}; the logs hold: {listed}")
    if len(matching) > 1:
        raise ResultsError(f"the logs hold {len(matching)} runs: pick one with --experiment-id and --run; they hold: "
                           f"{listed}")
    return matching[0]


def collect(engine: Engine, *, definition_id: str | None, run: int | None, metrics: Sequence[str],
            binary: Sequence[str], arms: Sequence[str]) -> Collected:
    """Ask ``engine`` everything the report needs about one run.

    ``metrics``: the metrics to analyse (empty: every metric the outcomes name, and those in ``binary``);
    ``binary``: metrics whose unit value is 1 if the unit has any outcome. ``arms``: the definition's
    treatment keys; a key in the logs beyond them is an error.
    """
    s = engine.statements
    counts: dict[tuple[str, str], int] = {(i, st): int(n) for i, st, n in engine.query(s.line_counts())}
    rejected, rejected_examples = engine.rejected()
    chosen = choose_run([RunFound(str(d), int(r), int(n), int(e)) for d, r, n, e in engine.query(s.runs())],
                        definition_id, run)
    split: dict[str, int] = {}
    excluded = 0
    for key, units in engine.query(s.split(chosen.definition_id, chosen.run)):
        if key is None:
            excluded = int(units)
        else:
            split[str(key)] = int(units)
    unknown = sorted(set(split) - set(arms))
    if unknown:
        raise ResultsError(f"run {chosen.run} of {chosen.definition_id} assigns treatment(s) {unknown}, which the "
                           f"experiment's definition does not declare (it has {list(arms)})")
    found_metrics = [str(m) for m, _ in engine.query(s.metrics())]
    names = list(dict.fromkeys([*(metrics or found_metrics), *binary]))
    wanted = [(name, name in binary) for name in names]
    aggregates = [ArmAggregate(str(m), str(t), int(n), float(mean), None if var is None else float(var))
                  for m, t, n, mean, var in engine.query(s.aggregates(chosen.definition_id, chosen.run, wanted))
                  ] if wanted else []
    bad = counts.get(("assignments", "bad"), 0) + counts.get(("outcomes", "bad"), 0) + rejected
    examples = [engine.locate(BadLine(str(i), str(f), None, str(t)))
                for i, f, t in engine.query(s.bad_lines(QUOTED_BAD_LINES))] if bad > rejected else []
    examples = (rejected_examples + examples)[:QUOTED_BAD_LINES]
    return Collected(definition_id=chosen.definition_id, run=chosen.run, split=split, excluded_units=excluded,
                     bad_lines=bad, other_lines=counts.get(("assignments", "other"), 0),
                     assignment_records=counts.get(("assignments", "ok"), 0),
                     outcome_records=counts.get(("outcomes", "ok"), 0), metrics=wanted, aggregates=aggregates,
                     bad_examples=examples)
