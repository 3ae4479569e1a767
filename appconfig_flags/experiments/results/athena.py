"""The analysis on Amazon Athena, for logs that outgrow one machine: :mod:`.sql`'s statements over S3.

Two external tables of one text column (a line each) are declared over the S3 prefixes, the Agent's
``file:`` logs (copied to S3) and the outcome events (JSON lines); each query then defines
``assignment_lines`` and ``outcome_fields`` from them, with the file's path from Athena's ``"$path"``
column, and runs the same CTEs as DuckDB in Trino's dialect. Client calls: ``StartQueryExecution``,
``GetQueryExecution`` (polled), ``GetQueryResults`` (paged) (Amazon Athena API Reference). The
tables are kept (``CREATE EXTERNAL TABLE IF NOT EXISTS``, named after a hash of the locations), so
another analysis of the same data declares nothing; Athena bills by data scanned, per query.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from .collect import BadLine, ResultsError
from .sql import ATHENA, Statements, outcome_fields_from_lines

#: Query states after which polling stops (GetQueryExecution's QueryExecutionStatus.State).
FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")


def _location(uri: str, what: str) -> str:
    if not uri.startswith("s3://") or len(uri) <= len("s3://"):
        raise ResultsError(f"{what}: with --athena, give an S3 prefix (s3://bucket/prefix/), not {uri!r}")
    return uri if uri.endswith("/") else uri + "/"


def table_ddl(database: str, table: str, location: str) -> str:
    """A table of one string column, a line each: the \\001 delimiter never occurs in the logs' JSON."""
    return (f"CREATE EXTERNAL TABLE IF NOT EXISTS `{database}`.`{table}` (line string)\n"
            "ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\001'\n"
            "STORED AS TEXTFILE\n"
            f"LOCATION '{location}'")


def source_ctes(database: str, assignments_table: str, outcomes_table: str) -> tuple[str, ...]:
    """The CTEs that make Athena's tables look like the relations :mod:`.sql` reads."""
    return (f'assignment_lines AS (SELECT "$path" AS file, line FROM "{database}"."{assignments_table}")',
            f'outcome_lines AS (SELECT "$path" AS file, line FROM "{database}"."{outcomes_table}")',
            f"outcome_fields AS ({outcome_fields_from_lines(ATHENA, 'outcome_lines')})")


class AthenaEngine:
    """Athena through a boto3 ``athena`` client; ``sleep`` between polls (Default: ``time.sleep``)."""

    def __init__(self, client: Any, *, assignments: str, outcomes: str, database: str = "default",
                 workgroup: str = "primary", output: str | None = None, poll_seconds: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.database = database
        self.workgroup = workgroup
        self.output = output
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        assignments = _location(assignments, "--assignments")
        outcomes = _location(outcomes, "--outcomes")
        digest = hashlib.sha256(f"{assignments}\n{outcomes}".encode()).hexdigest()[:12]
        self.assignments_table = f"appconfig_flags_assignments_{digest}"
        self.outcomes_table = f"appconfig_flags_outcomes_{digest}"
        self.ddl = [table_ddl(database, self.assignments_table, assignments),
                    table_ddl(database, self.outcomes_table, outcomes)]
        self.statements = Statements(ATHENA, inline=True,
                                     sources=source_ctes(database, self.assignments_table, self.outcomes_table))
        for statement in self.ddl:
            self.query(statement)

    @classmethod
    def from_options(cls, *, assignments: Sequence[str], outcomes: Sequence[str], database: str, workgroup: str,
                     output: str | None, region: str | None) -> AthenaEngine:
        """From the command's options: one S3 prefix each for the logs and the outcomes."""
        if len(assignments) != 1 or len(outcomes) != 1:
            raise ResultsError("with --athena, give one --assignments and one --outcomes S3 prefix")
        try:
            import boto3
        except ImportError:
            raise ResultsError("--athena needs boto3: pip install 'appconfig-flags[appconfigdata]'") from None
        client = boto3.client("athena", region_name=region)
        return cls(client, assignments=assignments[0], outcomes=outcomes[0], database=database,
                   workgroup=workgroup, output=output)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql``, wait for it, and return its rows typed by the result's column types."""
        request: dict[str, Any] = {"QueryString": sql, "QueryExecutionContext": {"Database": self.database},
                                   "WorkGroup": self.workgroup}
        if self.output:
            request["ResultConfiguration"] = {"OutputLocation": self.output}
        execution_id = self.client.start_query_execution(**request)["QueryExecutionId"]
        while True:
            status = self.client.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]["Status"]
            if status["State"] in FINISHED:
                break
            self.sleep(self.poll_seconds)
        if status["State"] != "SUCCEEDED":
            raise ResultsError(f"Athena query {execution_id} {status['State']}: "
                               f"{status.get('StateChangeReason', 'no reason given')}")
        rows: list[tuple[Any, ...]] = []
        token: str | None = None
        first_page = True
        while True:
            page = self.client.get_query_results(QueryExecutionId=execution_id,
                                                 **({"NextToken": token} if token else {}))
            types = [c["Type"] for c in page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]]
            data = page["ResultSet"]["Rows"]
            if first_page and data:  # a SELECT's first row holds the column names
                data = data[1:] if types else data
            first_page = False
            rows += [tuple(_typed(cell.get("VarCharValue"), kind) for cell, kind in zip(row["Data"], types))
                     for row in data]
            token = page.get("NextToken")
            if not token:
                return rows

    def rejected(self) -> tuple[int, list[BadLine]]:
        return 0, []  # Athena reads every line as text; the SQL judges them all

    def locate(self, bad: BadLine) -> BadLine:
        return bad  # objects in S3 are not read line by line here: quoted by path only

    def close(self) -> None:
        """Nothing to release: the tables stay for the next analysis of the same prefixes."""


def _typed(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("bigint", "integer", "smallint", "tinyint"):
        return int(value)
    if kind in ("double", "float", "real", "decimal"):
        return float(value)
    if kind == "boolean":
        return value == "true"
    return value
