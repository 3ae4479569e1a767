"""``--athena``: the statements Athena would receive, run in DuckDB, and the client's calls on botocore's Stubber.

Athena cannot be reached here. Its statements (Trino's dialect, with the tables' ``"$path"``) run in
DuckDB behind a thin shim: DuckDB macros named as the Trino functions they stand for
(``json_parse``, ``json_extract_scalar``, ``from_iso8601_timestamp``, ``is_finite``; ``try`` is
DuckDB's own) and tables shaped as Athena's external tables. Their answers must equal the local
engine's on the same files. The shim proves the SQL's logic, not Trino's exact function semantics.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.validate
import duckdb
import pytest
from botocore.stub import Stubber

from appconfig_flags.experiments.results.athena import AthenaEngine
from appconfig_flags.experiments.results.collect import ResultsError, collect
from appconfig_flags.experiments.results.local import LocalEngine
from tests.appconfig_flags.client.conftest import fake_aws

from .generated import RUN, Generated, generate

__all__ = ["fake_aws"]

TRINO_SHIM = [
    "CREATE MACRO json_parse(text) AS json(text)",
    "CREATE MACRO json_extract_scalar(doc, path) AS json_extract_string(doc, path)",
    "CREATE MACRO from_iso8601_timestamp(text) AS CAST(text AS TIMESTAMPTZ)",
    "CREATE MACRO is_finite(x) AS isfinite(x)",
]


def athena_client() -> Any:
    return boto3.session.Session(region_name="us-east-1", aws_access_key_id="testing",
                                 aws_secret_access_key="testing").client("athena")


class DuckDBAthena:
    """An Athena client whose queries run in DuckDB; each request is checked against botocore's model."""

    def __init__(self, files: dict[str, list[Path]]) -> None:
        self.model = athena_client().meta.service_model
        self.files = files  # S3 location -> the local files behind it
        self.con = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        for statement in TRINO_SHIM:
            self.con.execute(statement)
        self.results: dict[str, Any] = {}
        self.statements: list[str] = []

    def _check(self, operation: str, params: dict[str, Any]) -> None:
        botocore.validate.validate_parameters(params, self.model.operation_model(operation).input_shape)

    def start_query_execution(self, **params: Any) -> dict[str, Any]:
        self._check("StartQueryExecution", params)
        sql = params["QueryString"]
        self.statements.append(sql)
        execution_id = f"q{len(self.statements)}"
        if sql.startswith("CREATE EXTERNAL TABLE"):
            table = sql.split("`")[3]
            location = sql.rsplit("LOCATION '", 1)[1].rstrip("'")
            self.con.execute('CREATE SCHEMA IF NOT EXISTS "default"')
            listing = "[" + ", ".join(f"'{f}'" for f in self.files[location]) + "]"
            self.con.execute(f'''CREATE TABLE "default"."{table}" AS SELECT filename AS "$path", line FROM read_csv(
                {listing}, columns = {{'line': 'VARCHAR'}}, delim = '\\0', quote = '', escape = '', header = false,
                auto_detect = false, strict_mode = false, filename = true)''')
            self.results[execution_id] = ([], [])
        else:
            cursor = self.con.execute(sql)
            kinds = [{"BIGINT": "bigint", "DOUBLE": "double", "BOOLEAN": "boolean"}.get(str(t), "varchar")
                     for _, t, *_ in cursor.description]
            self.results[execution_id] = ([d[0] for d in cursor.description], kinds, cursor.fetchall())
        return {"QueryExecutionId": execution_id}

    def get_query_execution(self, **params: Any) -> dict[str, Any]:
        self._check("GetQueryExecution", params)
        return {"QueryExecution": {"Status": {"State": "SUCCEEDED"}}}

    def get_query_results(self, **params: Any) -> dict[str, Any]:
        self._check("GetQueryResults", params)
        found = self.results[params["QueryExecutionId"]]
        if len(found) == 2:
            return {"ResultSet": {"Rows": [], "ResultSetMetadata": {"ColumnInfo": []}}}
        names, kinds, rows = found
        start = int(params.get("NextToken", "0"))
        page = rows[start:start + 2]  # tiny pages: the engine must follow NextToken
        head = [{"Data": [{"VarCharValue": n} for n in names]}] if start == 0 else []
        out: dict[str, Any] = {"ResultSet": {
            "Rows": head + [{"Data": [{} if v is None else {"VarCharValue": str(v).lower() if isinstance(v, bool)
                                                            else repr(v) if isinstance(v, float) else str(v)}
                                      for v in row]} for row in page],
            "ResultSetMetadata": {"ColumnInfo": [{"Name": n, "Type": k} for n, k in zip(names, kinds)]}}}
        if start + 2 < len(rows):
            out["NextToken"] = str(start + 2)
        return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate(tmp_path_factory.mktemp("athena"), units=600)


@pytest.fixture
def engines(generated: Generated) -> Iterator[tuple[AthenaEngine, LocalEngine, DuckDBAthena]]:
    logs = sorted(generated.assignments.rglob("*.jsonl"))
    client = DuckDBAthena({"s3://logs/agent/": logs, "s3://logs/outcomes/": [generated.outcomes]})
    athena = AthenaEngine(client, assignments="s3://logs/agent", outcomes="s3://logs/outcomes/", sleep=lambda _: None)
    local = LocalEngine([generated.assignments], [generated.outcomes])
    yield athena, local, client
    local.close()


def test_athenas_statements_give_the_local_engines_answers(engines: tuple[AthenaEngine, LocalEngine, DuckDBAthena]
                                                          ) -> None:
    athena, local, client = engines
    options: dict[str, Any] = {"definition_id": None, "run": RUN, "metrics": ["revenue"], "binary": ["purchase"],
                               "arms": ("c", "t1", "t2")}
    remote, here = collect(athena, **options), collect(local, **options)
    assert (remote.split, remote.excluded_units, remote.bad_lines, remote.metrics) == \
        (here.split, here.excluded_units, here.bad_lines, here.metrics)
    assert remote.excluded_units == 7 and remote.bad_lines == 5
    assert len(remote.aggregates) == 6
    for a, b in zip(remote.aggregates, here.aggregates):
        assert (a.metric, a.treatment, a.units) == (b.metric, b.treatment, b.units)
        assert a.mean == pytest.approx(b.mean, rel=1e-12) and a.variance == pytest.approx(b.variance, rel=1e-12)
    assert {(b.file.rsplit("/", 1)[1], b.text) for b in remote.bad_examples} == \
        {(Path(b.file).name, b.text) for b in here.bad_examples}
    assert all(b.line_number is None for b in remote.bad_examples)  # S3 objects: quoted by path only
    # The tables are declared once, over the prefixes, then every query reads them through "$path".
    ddl = client.statements[:2]
    assert all(s.startswith("CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`appconfig_flags_") for s in ddl)
    assert ddl[0].endswith("LOCATION 's3://logs/agent/'") and ddl[1].endswith("LOCATION 's3://logs/outcomes/'")
    assert all('"$path"' in s and "json_extract_scalar" in s for s in client.statements[2:])


def test_an_s3_prefix_is_required_with_athena() -> None:
    with pytest.raises(ResultsError, match=r"--assignments: with --athena, give an S3 prefix \(s3://bucket/prefix/\), "
                                           r"not 'logs/'"):
        AthenaEngine(None, assignments="logs/", outcomes="s3://b/o/")


@pytest.mark.usefixtures("fake_aws")
def test_the_client_starts_polls_and_pages_as_athenas_api_says() -> None:
    client = athena_client()
    engine = AthenaEngine.__new__(AthenaEngine)  # the query loop alone, without the tables' DDL
    engine.client, engine.database, engine.workgroup = client, "analytics", "primary"
    engine.output, engine.poll_seconds, engine.sleep = "s3://results/athena/", 0.0, lambda _: None
    columns = {"ColumnInfo": [{"Name": "treatment_key", "Type": "varchar"}, {"Name": "units", "Type": "bigint"},
                              {"Name": "mean", "Type": "double"}]}
    with Stubber(client) as stub:
        stub.add_response("start_query_execution", {"QueryExecutionId": "e1"}, {
            "QueryString": "SELECT 1", "QueryExecutionContext": {"Database": "analytics"}, "WorkGroup": "primary",
            "ResultConfiguration": {"OutputLocation": "s3://results/athena/"}})
        stub.add_response("get_query_execution", {"QueryExecution": {"Status": {"State": "RUNNING"}}},
                          {"QueryExecutionId": "e1"})
        stub.add_response("get_query_execution", {"QueryExecution": {"Status": {"State": "SUCCEEDED"}}},
                          {"QueryExecutionId": "e1"})
        stub.add_response("get_query_results", {"ResultSet": {"Rows": [
            {"Data": [{"VarCharValue": "treatment_key"}, {"VarCharValue": "units"}, {"VarCharValue": "mean"}]},
            {"Data": [{"VarCharValue": "c"}, {"VarCharValue": "10"}, {"VarCharValue": "0.5"}]}],
            "ResultSetMetadata": columns}, "NextToken": "page2"}, {"QueryExecutionId": "e1"})
        stub.add_response("get_query_results", {"ResultSet": {"Rows": [
            {"Data": [{}, {"VarCharValue": "2"}, {"VarCharValue": "1.25"}]}], "ResultSetMetadata": columns}},
            {"QueryExecutionId": "e1", "NextToken": "page2"})
        assert engine.query("SELECT 1") == [("c", 10, 0.5), (None, 2, 1.25)]
        stub.add_response("start_query_execution", {"QueryExecutionId": "e2"}, None)
        stub.add_response("get_query_execution", {"QueryExecution": {"Status": {
            "State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND: line 1:15: Table 'x' does not exist"}}},
            {"QueryExecutionId": "e2"})
        with pytest.raises(ResultsError, match="Athena query e2 FAILED: TABLE_NOT_FOUND"):
            engine.query("SELECT * FROM x")
        stub.assert_no_pending_responses()
