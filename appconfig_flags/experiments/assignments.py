"""The AppConfig Agent's treatment assignment log: records read from its stderr or its files, and counted.

The Agent (or Lambda extension) writes one JSON record per assignment where
``EXPERIMENT_ASSIGNMENT_LOG_DESTINATION`` (Lambda: ``AWS_APPCONFIG_EXTENSION_EXPERIMENT_ASSIGNMENT_LOG_DESTINATION``)
says: ``stderr``, among its other output, or ``file:/path/``, as
``<region>/<account>/<app>/<experimentDefinitionId>/<run>_<salt>.jsonl`` ("Retrieving experiment
treatments", AWS AppConfig User Guide). A record::

    {"type": "AWS.AppConfig.TreatmentAssignment", "timestamp": "...", "region": "us-east-1",
     "accountId": "111122223333", "applicationId": "abc1234", "experimentDefinitionId": "xyz9876",
     "experimentRunNumber": 1, "treatmentKey": "t1", "entityId": "user-1001"}

Lines that are not such records (the Agent's own log lines, other types) are skipped and counted.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

#: The ``type`` of a treatment assignment record.
ASSIGNMENT_TYPE = "AWS.AppConfig.TreatmentAssignment"


@dataclass(frozen=True, slots=True)
class Assignment:
    """One entity assigned one treatment of one run."""

    application_id: str
    experiment_definition_id: str
    run: int
    treatment_key: str
    entity_id: str
    timestamp: str = ""
    region: str = ""
    account_id: str = ""

    @property
    def run_key(self) -> tuple[str, str, int]:
        """(application, experiment definition, run): which run the assignment belongs to."""
        return (self.application_id, self.experiment_definition_id, self.run)


def parse_record(line: str, *, defaults: dict[str, Any] | None = None) -> Assignment | None:
    """The assignment a log line holds, or ``None`` (not JSON, another type, or a field missing).

    A line may carry a prefix before its JSON object (a log shipper's timestamp): the object from the
    first ``{`` is read. ``defaults`` fill fields the record leaves out (from a file's path); with
    them, a record without ``type`` is an assignment, as the ``file:`` destination writes them.
    """
    start = line.find("{")
    if start < 0:
        return None
    try:
        data = json.loads(line[start:])
    except ValueError:
        return None
    # A file: destination's lines hold timestamp, treatmentKey and entityId only (the path says the rest): no type.
    if not isinstance(data, dict) or data.get("type", ASSIGNMENT_TYPE if defaults else None) != ASSIGNMENT_TYPE:
        return None
    merged = {**(defaults or {}), **data}
    try:
        run = merged["experimentRunNumber"]
        if isinstance(run, bool) or not isinstance(run, (int, str)) or not str(run).isdigit():
            return None
        fields = [merged[k] for k in ("applicationId", "experimentDefinitionId", "treatmentKey", "entityId")]
    except KeyError:
        return None
    if not all(isinstance(f, str) and f for f in fields):
        return None
    return Assignment(application_id=fields[0], experiment_definition_id=fields[1], run=int(run),
                      treatment_key=fields[2], entity_id=fields[3], timestamp=str(merged.get("timestamp", "")),
                      region=str(merged.get("region", "")), account_id=str(merged.get("accountId", "")))


@dataclass
class Reading:
    """What was read: the assignments, and how many lines were not assignment records."""

    assignments: list[Assignment] = field(default_factory=list)
    skipped: int = 0

    def add_lines(self, lines: Iterable[str], *, defaults: dict[str, Any] | None = None) -> None:
        for line in lines:
            if not line.strip():
                continue
            found = parse_record(line, defaults=defaults)
            if found is None:
                self.skipped += 1
            else:
                self.assignments.append(found)


def _path_defaults(path: Path, root: Path) -> dict[str, Any]:
    """What ``<region>/<account>/<app>/<experimentDefinitionId>/<run>_<salt>.jsonl`` says about its records."""
    parts = path.relative_to(root).parts
    if len(parts) < 5:
        return {}
    region, account, application, definition = parts[-5:-1]
    run = path.name.split("_", 1)[0]
    out: dict[str, Any] = {"region": region, "accountId": account, "applicationId": application,
                           "experimentDefinitionId": definition}
    if run.isdigit():
        out["experimentRunNumber"] = int(run)
    return out


def read_logs(paths: Iterable[Path | str], *, stdin: TextIO | None = None) -> Reading:
    """Assignments from each path: a directory of the file layout, a ``.jsonl`` file, a captured stderr, ``-`` (stdin)."""
    reading = Reading()
    for given in paths:
        if str(given) == "-":
            if stdin is not None:
                reading.add_lines(stdin)
            continue
        path = Path(given)
        if path.is_dir():
            for file in sorted(path.rglob("*.jsonl")):
                with file.open(encoding="utf-8", errors="replace") as lines:
                    reading.add_lines(lines, defaults=_path_defaults(file, path))
        else:
            with path.open(encoding="utf-8", errors="replace") as lines:
                reading.add_lines(lines)
    return reading


@dataclass(frozen=True, slots=True)
class TreatmentCount:
    """Entities of one run that got ``treatment_key`` (each entity counted once, in its last treatment)."""

    application_id: str
    experiment_definition_id: str
    run: int
    treatment_key: str
    entities: int
    share: float


def count_entities(assignments: Iterable[Assignment]) -> list[TreatmentCount]:
    """Distinct entities per treatment of each run, runs and treatments sorted (control ``c`` first).

    An entity is sticky for a run's life, so it has one treatment; if records disagree (an override
    added mid-run), its latest record by timestamp counts.
    """
    latest: dict[tuple[str, str, int], dict[str, tuple[str, str]]] = {}
    for a in assignments:
        entities = latest.setdefault(a.run_key, {})
        seen = entities.get(a.entity_id)
        if seen is None or a.timestamp >= seen[0]:
            entities[a.entity_id] = (a.timestamp, a.treatment_key)
    out: list[TreatmentCount] = []
    for (application, definition, run), entities in sorted(latest.items()):
        per: dict[str, int] = {}
        for _, key in entities.values():
            per[key] = per.get(key, 0) + 1
        total = sum(per.values())
        for key in sorted(per, key=_treatment_order):
            out.append(TreatmentCount(application, definition, run, key, per[key], per[key] / total))
    return out


def _treatment_order(key: str) -> tuple[int, int, str]:
    if key == "c":
        return (0, 0, key)
    if key[:1] == "t" and key[1:].isdigit():
        return (1, int(key[1:]), key)
    return (2, 0, key)


def iter_counts_table(counts: list[TreatmentCount]) -> Iterator[str]:
    """The counts as an aligned text table, a header first."""
    rows = [("application", "experiment", "run", "treatment", "entities", "share")]
    rows += [(c.application_id, c.experiment_definition_id, str(c.run), c.treatment_key, f"{c.entities:,}",
              f"{c.share:.1%}") for c in counts]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.rjust(w) if i >= 4 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        yield "  ".join(cells).rstrip()
