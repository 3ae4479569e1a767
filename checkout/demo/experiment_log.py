"""The demo's experiment data: its simulated run's assignment records, in the Agent's format, and the orders placed.

The demo's local sources simulate the experiment's assignment (not AppConfig's bucketing), so the
demo writes what the Agent would with ``EXPERIMENT_ASSIGNMENT_LOG_DESTINATION=file:DIR/``: one line
``{"timestamp", "treatmentKey", "entityId"}`` per flag request of an entity in the run, under
``DIR/assignments/<region>/<account>/<application>/<experiment>/<run>_<salt>.jsonl`` ("Retrieving
experiment treatments", AWS AppConfig User Guide). Its ids are made up, and say so: region
``local``, account ``000000000000``, the experiment's name for its definition id, salt ``simulated``.
"Place order" appends the visitor's outcomes to ``DIR/outcomes.jsonl`` (``entityId``, ``metric``,
``value``, ``timestamp``): ``order`` (1), ``bitcoin-order`` (1 when paid in BTC) and ``revenue`` (USD).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

#: The simulated run's made-up ids (the path's region and account, the file's run and salt).
REGION, ACCOUNT, RUN, SALT = "local", "000000000000", 1, "simulated"
#: The outcome metrics an order writes.
ORDER, BITCOIN_ORDER, REVENUE = "order", "bitcoin-order", "revenue"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ExperimentLog:
    """Appends assignment records and outcomes under ``directory`` (thread-safe: the demo serves threads).

    ``application``: the path's application (Default: ``FlagsDemo``). ``now``: the clock (Default: UTC now).
    """

    def __init__(self, directory: str | Path, *, application: str = "FlagsDemo",
                 now: Callable[[], datetime] = _utc_now) -> None:
        self.directory = Path(directory)
        self.application = application
        self.now = now
        self._lock = threading.Lock()

    @property
    def assignments(self) -> Path:
        """The ``file:`` destination directory (what ``--assignments`` reads)."""
        return self.directory / "assignments"

    @property
    def outcomes(self) -> Path:
        return self.directory / "outcomes.jsonl"

    def assignment_file(self, experiment: str) -> Path:
        return self.assignments / REGION / ACCOUNT / self.application / experiment / f"{RUN}_{SALT}.jsonl"

    def _stamp(self) -> str:
        return self.now().astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")

    def _append(self, path: Path, record: dict[str, object]) -> None:
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self._lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line)

    def assigned(self, experiment: str, treatment_key: str, entity_id: str) -> None:
        """A record as the Agent writes one per flag request of an entity in the run."""
        self._append(self.assignment_file(experiment), {"timestamp": self._stamp(), "treatmentKey": treatment_key,
                                                        "entityId": entity_id})

    def ordered(self, entity_id: str, *, currency: str, total_usd: Decimal) -> None:
        """An order's outcomes: ``order``, ``bitcoin-order`` when paid in BTC, and ``revenue``."""
        stamp = self._stamp()
        outcomes: list[tuple[str, float]] = [(ORDER, 1), (REVENUE, float(total_usd))]
        if currency == "BTC":
            outcomes.insert(1, (BITCOIN_ORDER, 1))
        for metric, value in outcomes:
            self._append(self.outcomes, {"entityId": entity_id, "metric": metric, "value": value, "timestamp": stamp})
