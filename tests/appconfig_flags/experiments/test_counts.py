"""The assignment log reader counts the user guide's record shape, from stderr lines and from the file layout."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from appconfig_flags import cli
from appconfig_flags.experiments.assignments import Assignment, count_entities, parse_record, read_logs


def record(entity: str, treatment: str, *, run: int = 1, timestamp: str = "2026-11-20T10:15:00.000Z",
           **more: Any) -> dict[str, Any]:
    """A record as "Retrieving experiment treatments" (AWS AppConfig User Guide) describes it."""
    return {"type": "AWS.AppConfig.TreatmentAssignment", "timestamp": timestamp, "region": "us-east-1",
            "accountId": "111122223333", "applicationId": "abc1234", "experimentDefinitionId": "xyz9876",
            "experimentRunNumber": run, "treatmentKey": treatment, "entityId": entity, **more}


def test_a_record_is_read_with_every_field() -> None:
    assert parse_record(json.dumps(record("user-1001", "t1"))) == Assignment(
        application_id="abc1234", experiment_definition_id="xyz9876", run=1, treatment_key="t1", entity_id="user-1001",
        timestamp="2026-11-20T10:15:00.000Z", region="us-east-1", account_id="111122223333")


@pytest.mark.parametrize("line", [
    "[appconfig agent] 2026/11/20 10:15:00 INFO polling",  # the Agent's own log line
    json.dumps({**record("u", "c"), "type": "AWS.AppConfig.Other"}),
    json.dumps({k: v for k, v in record("u", "c").items() if k != "entityId"}),
    json.dumps(record("u", "c", experimentRunNumber=True)),
    '{"type": "AWS.AppConfig.TreatmentAssignment", ',
])
def test_other_lines_are_not_assignments(line: str) -> None:
    assert parse_record(line) is None


def test_stderr_mixes_agent_logs_and_records_with_a_prefix() -> None:
    lines = ["[appconfig agent] INFO started\n", f"2026-11-20T10:15:00Z {json.dumps(record('u-1', 'c'))}\n",
             json.dumps(record("u-2", "t1")) + "\n", "\n"]
    reading = read_logs(["-"], stdin=io.StringIO("".join(lines)))
    assert ([a.entity_id for a in reading.assignments], reading.skipped) == (["u-1", "u-2"], 1)


def test_each_entity_counts_once_in_its_latest_treatment_per_run() -> None:
    records = [record("u-1", "c"), record("u-1", "c"), record("u-2", "t1"), record("u-3", "t1"),
               record("u-3", "c", timestamp="2026-11-21T00:00:00Z"), record("u-1", "t2", run=2)]
    counts = count_entities(a for a in (parse_record(json.dumps(r)) for r in records) if a is not None)
    assert [(c.run, c.treatment_key, c.entities, round(c.share, 3)) for c in counts] == [
        (1, "c", 2, 0.667), (1, "t1", 1, 0.333), (2, "t2", 1, 1.0)]


def write_layout(root: Path) -> None:
    """``<region>/<account>/<app>/<experimentDefinitionId>/<run>_<salt>.jsonl``, two files of run 1, one of run 2."""
    folder = root / "us-east-1" / "111122223333" / "abc1234" / "xyz9876"
    folder.mkdir(parents=True)
    (folder / "1_a1b2.jsonl").write_text("".join(json.dumps(record(f"u-{i}", "c" if i % 2 else "t1")) + "\n"
                                                 for i in range(10)))
    (folder / "1_c3d4.jsonl").write_text(json.dumps(record("u-10", "t1")) + "\n")
    # A record that leaves out what its path says: the path fills it in.
    (folder / "2_e5f6.jsonl").write_text(json.dumps({"type": "AWS.AppConfig.TreatmentAssignment",
                                                     "treatmentKey": "c", "entityId": "u-1"}) + "\n")


def test_a_file_destinations_lines_need_no_type(tmp_path: Path) -> None:
    # "Retrieving experiment treatments": a file: line holds timestamp, treatmentKey and entityId only.
    folder = tmp_path / "us-east-1" / "111122223333" / "abc1234" / "xyz9876"
    folder.mkdir(parents=True)
    (folder / "3_f00d.jsonl").write_text(json.dumps({"timestamp": "2026-01-01T00:00:00Z", "treatmentKey": "t1",
                                                     "entityId": "u-1"}) + "\n")
    reading = read_logs([tmp_path])
    assert [(a.experiment_definition_id, a.run, a.treatment_key, a.entity_id) for a in reading.assignments] == [
        ("xyz9876", 3, "t1", "u-1")]
    assert parse_record('{"treatmentKey": "t1", "entityId": "u-1"}') is None  # elsewhere (stderr) the type says it


def test_the_cli_prints_the_table_from_the_file_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_layout(tmp_path)
    assert cli.main(["experiments", "counts", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "application  experiment  run  treatment  entities   share",
        "abc1234      xyz9876     1    c                 5   45.5%",
        "abc1234      xyz9876     1    t1                6   54.5%",
        "abc1234      xyz9876     2    c                 1  100.0%",
        "12 assignment record(s); 0 other line(s) skipped",
    ]


def test_the_cli_json_and_its_exit_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_layout(tmp_path)
    assert cli.main(["experiments", "counts", str(tmp_path), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["records"], out["counts"][0]["treatment_key"], out["counts"][0]["entities"]) == (12, "c", 5)
    empty = tmp_path / "agent.stderr"
    empty.write_text("[appconfig agent] INFO started\n")
    assert cli.main(["experiments", "counts", str(empty)]) == 1
    assert cli.main(["experiments", "counts", str(tmp_path / "missing.jsonl")]) == 2
