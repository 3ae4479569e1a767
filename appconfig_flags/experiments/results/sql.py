"""The SQL of the analysis: assignment and outcome lines in, per-arm aggregates of unit values out.

One set of statements for two engines: DuckDB on one machine (:mod:`.local`) and Amazon Athena over
S3 (:mod:`.athena`). They differ only where the dialects do (:class:`Dialect`: JSON extraction,
timestamps, ``try``); both read two relations:

* ``assignment_lines(file, line)``: every line of the Agent's assignment logs, as text;
* ``outcome_fields(file, line, entity_id, metric, value_text, ts_text, parsed)``: one row per
  outcome line, its fields as text (:func:`outcome_fields_from_lines` builds it from JSON lines).

Rules (the docstrings of :mod:`appconfig_flags.experiments.results` say them in words): a line of a
``file:`` log (``.../<experimentDefinitionId>/<run>_<salt>.jsonl``) must be a record; in any other
file (a captured stderr), only lines naming ``AWS.AppConfig.TreatmentAssignment`` must, the rest is
the Agent's other output. A unit's exposure is its first assignment in the run; units given several
treatments are excluded; a unit's value for a metric sums its outcomes at or after its exposure (or
is 1 if it has any, for a binary metric), 0 without any.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The ``type`` of a treatment assignment record ("Retrieving experiment treatments", AWS AppConfig User Guide).
ASSIGNMENT_TYPE = "AWS.AppConfig.TreatmentAssignment"
#: ``<experimentDefinitionId>/<run>_<salt>.jsonl`` at the end of a ``file:`` log's path: groups 1 and 2.
LAYOUT_PATTERN = r"([^/]+)/([0-9]+)_[^/]*\.jsonl$"


def literal(text: str) -> str:
    """``text`` as an SQL string literal (quotes doubled; both dialects read backslashes literally)."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one engine spells what standard SQL leaves out. Each field is a template over ``{}``."""

    name: str
    #: A string (or scalar, as text) member of a JSON object's text: ``{doc}``, ``{key}``.
    json_text: str
    #: True when ``{}`` is the text of a JSON value.
    json_valid: str
    #: ``{}`` (ISO 8601 text) as a timestamp with a time zone, NULL when it is not one.
    timestamp: str
    #: ``{}`` (text) as a DOUBLE, NULL when it is not a number.
    number: str
    #: ``{}`` (text) as a BIGINT, NULL when it is not an integer.
    integer: str
    #: True when the DOUBLE ``{}`` is finite.
    finite: str
    #: Several members at once, parsing the object once: ``{doc}``, ``{paths}`` (a list literal); '' if not offered.
    json_texts: str = ""

    def text(self, doc: str, key: str) -> str:
        return self.json_text.format(doc=doc, key=key)

    def texts(self, doc: str, keys: Sequence[str], prefix: str) -> tuple[str, dict[str, str]]:
        """A column list to add (``prefix`` names it) and each key's expression over it, or over ``doc``."""
        if not self.json_texts:
            return "", {key: self.text(doc, key) for key in keys}
        paths = "[" + ", ".join(f"'$.{key}'" for key in keys) + "]"
        return (f", {self.json_texts.format(doc=doc, paths=paths)} AS {prefix}",
                {key: f"{prefix}[{i + 1}]" for i, key in enumerate(keys)})


DUCKDB = Dialect(
    name="duckdb",
    json_text="json_extract_string({doc}, '$.{key}')",
    json_valid="json_valid({})",
    timestamp="TRY_CAST({} AS TIMESTAMPTZ)",
    number="TRY_CAST({} AS DOUBLE)",
    integer="TRY_CAST({} AS BIGINT)",
    finite="isfinite({})",
    json_texts="json_extract_string({doc}, {paths})",
)

#: Trino's functions, as Athena engine version 3 has them.
ATHENA = Dialect(
    name="athena",
    json_text="json_extract_scalar({doc}, '$.{key}')",
    json_valid="(try(json_parse({})) IS NOT NULL)",
    timestamp="try(from_iso8601_timestamp({}))",
    number="try(CAST({} AS DOUBLE))",
    integer="try(CAST({} AS BIGINT))",
    finite="is_finite({})",
)


def _object(d: Dialect, text: str) -> str:
    """``text`` when it is a JSON object, else NULL (so no JSON function ever sees a broken line)."""
    return f"CASE WHEN substr(trim({text}), 1, 1) = '{{' AND {d.json_valid.format(text)} THEN {text} END"


def assignment_records(d: Dialect) -> str:
    """CTEs ``assignment_docs``, ``assignment_fields``, ``assignment_records`` (status ``ok``/``bad``/``other``)."""
    # A log shipper may put a prefix before the object (as CloudWatch exports do): read from the first '{'.
    json_part = "substr(line, strpos(line, '{'))"
    assignment_type = literal(ASSIGNMENT_TYPE)
    keys = ("type", "experimentDefinitionId", "experimentRunNumber", "treatmentKey", "entityId", "timestamp")
    extra, field = d.texts("doc", keys, "member")
    return f"""assignment_docs AS (
  SELECT file, line,
    NULLIF(regexp_extract(file, {literal(LAYOUT_PATTERN)}, 1), '') AS path_definition,
    NULLIF(regexp_extract(file, {literal(LAYOUT_PATTERN)}, 2), '') AS path_run,
    strpos(line, {assignment_type}) > 0 AS names_type,
    {_object(d, json_part)} AS doc
  FROM assignment_lines
  WHERE line IS NOT NULL AND trim(line) <> ''
),
assignment_fields AS (
  SELECT file, line, path_definition IS NOT NULL AS in_layout, names_type, doc,
    {field["type"]} AS type,
    coalesce({field["experimentDefinitionId"]}, path_definition) AS definition_id,
    coalesce({field["experimentRunNumber"]}, path_run) AS run_text,
    {field["treatmentKey"]} AS treatment_key,
    {field["entityId"]} AS entity_id,
    {d.timestamp.format(field["timestamp"])} AS exposed_at
  FROM (SELECT *{extra} FROM assignment_docs) AS a
),
assignment_records AS (
  SELECT file, line, definition_id, {d.integer.format("run_text")} AS run, treatment_key, entity_id, exposed_at,
    CASE
      WHEN NOT in_layout AND NOT names_type THEN 'other'
      WHEN doc IS NULL THEN 'bad'
      WHEN coalesce(type, CASE WHEN in_layout THEN {assignment_type} END, '') <> {assignment_type} THEN 'bad'
      WHEN treatment_key IS NULL OR treatment_key = '' OR entity_id IS NULL OR entity_id = ''
        OR exposed_at IS NULL OR definition_id IS NULL OR definition_id = ''
        OR {d.integer.format("run_text")} IS NULL OR {d.integer.format("run_text")} < 1 THEN 'bad'
      ELSE 'ok'
    END AS status
  FROM assignment_fields
)"""


def outcome_fields_from_lines(d: Dialect, lines: str = "outcome_lines") -> str:
    """A SELECT of ``outcome_fields``' columns from a relation ``lines(file, line)`` of JSON lines."""
    extra, field = d.texts("doc", ("entityId", "metric", "value", "timestamp"), "member")
    return f"""SELECT file, line,
    {field["entityId"]} AS entity_id, {field["metric"]} AS metric,
    {field["value"]} AS value_text, {field["timestamp"]} AS ts_text, doc IS NOT NULL AS parsed
  FROM (SELECT *{extra} FROM (SELECT file, line, {_object(d, "line")} AS doc FROM {lines}
                              WHERE line IS NOT NULL AND trim(line) <> '') AS l) AS o"""


def outcome_records(d: Dialect) -> str:
    """CTE ``outcome_records``: each outcome with its value (default 1), time and status (``ok``/``bad``)."""
    value = f"coalesce({d.number.format('value_text')}, CASE WHEN value_text IS NULL OR value_text = '' THEN 1.0 END)"
    return f"""outcome_records AS (
  SELECT file, line, entity_id, metric, {value} AS value, {d.timestamp.format("ts_text")} AS occurred_at,
    CASE
      WHEN NOT parsed OR entity_id IS NULL OR entity_id = '' OR metric IS NULL OR metric = '' THEN 'bad'
      WHEN {value} IS NULL OR NOT {d.finite.format(value)} THEN 'bad'
      WHEN {d.timestamp.format("ts_text")} IS NULL THEN 'bad'
      ELSE 'ok'
    END AS status
  FROM outcome_fields
)"""


@dataclass(frozen=True, slots=True)
class Statements:
    """The queries of one analysis in one dialect.

    ``inline``: each query defines ``assignment_records`` and ``outcome_records`` as CTEs (Athena,
    which scans the files per query anyway). ``False``: they are tables made once by
    :meth:`record_tables` (DuckDB: the JSON of each line is parsed once, not once per query).
    """

    dialect: Dialect
    inline: bool = True
    #: CTEs put first in every query: where ``assignment_lines`` and ``outcome_fields`` come from (Athena's tables).
    sources: tuple[str, ...] = ()

    def record_tables(self) -> list[str]:
        """``CREATE TABLE`` statements for ``assignment_records`` and ``outcome_records``."""
        d = self.dialect
        # A line's text is kept for the bad lines alone (they are quoted): the rest would double the table.
        return [f"""CREATE TABLE assignment_records AS WITH {assignment_records(d)}
SELECT file, CASE WHEN status = 'bad' THEN line END AS line, definition_id, run, treatment_key, entity_id, exposed_at,
  status FROM assignment_records""",
                f"""CREATE TABLE outcome_records AS WITH {outcome_records(d)}
SELECT file, CASE WHEN status = 'bad' THEN line END AS line, entity_id, metric, value, occurred_at, status
FROM outcome_records"""]

    def _with(self, *ctes: str, assignments: bool = False, outcomes: bool = False) -> str:
        parts = list(self.sources) if self.inline else []
        if self.inline and assignments:
            parts.append(assignment_records(self.dialect))
        if self.inline and outcomes:
            parts.append(outcome_records(self.dialect))
        parts += ctes
        return "WITH " + ",\n".join(parts) + "\n" if parts else ""

    def line_counts(self) -> str:
        """Lines per input and status: rows ``(input, status, lines)``, input ``assignments`` or ``outcomes``."""
        return self._with(assignments=True, outcomes=True) + """SELECT input, status, lines FROM (
  SELECT 'assignments' AS input, status, count(*) AS lines FROM assignment_records GROUP BY status
  UNION ALL
  SELECT 'outcomes' AS input, status, count(*) AS lines FROM outcome_records GROUP BY status
) AS c ORDER BY input, status"""

    def runs(self) -> str:
        """The runs the assignment logs hold: ``(definition_id, run, records, entities)``."""
        return self._with(assignments=True) + """SELECT definition_id, run, count(*) AS records,
  count(DISTINCT entity_id) AS entities
FROM assignment_records WHERE status = 'ok'
GROUP BY definition_id, run ORDER BY definition_id, run"""

    def metrics(self) -> str:
        """The metrics the outcomes name: ``(metric, outcomes)``."""
        return self._with(outcomes=True) + """SELECT metric, count(*) AS outcomes FROM outcome_records
WHERE status = 'ok' GROUP BY metric ORDER BY metric"""

    def bad_lines(self, limit: int) -> str:
        """A few bad lines to quote: ``(input, file, line)``, by file."""
        return self._with(assignments=True, outcomes=True) + f"""SELECT input, file, line FROM (
  SELECT 'assignments' AS input, file, line FROM assignment_records WHERE status = 'bad'
  UNION ALL
  SELECT 'outcomes' AS input, file, line FROM outcome_records WHERE status = 'bad'
) AS b ORDER BY input, file LIMIT {int(limit)}"""

    def split(self, definition_id: str, run: int) -> str:
        """Units per treatment of the run: ``(treatment_key, units)``; the row with a NULL key counts the excluded."""
        return self._with(_entities(definition_id, run), assignments=True) + """SELECT
  CASE WHEN arms = 1 THEN treatment_key END AS treatment_key, count(*) AS units
FROM entities GROUP BY CASE WHEN arms = 1 THEN treatment_key END ORDER BY treatment_key"""

    def aggregates(self, definition_id: str, run: int, wanted: Sequence[tuple[str, bool]]) -> str:
        """Per metric and treatment: ``(metric, treatment_key, units, mean, variance)`` of the unit values.

        ``wanted``: (metric, binary) pairs, at least one. ``variance`` is the sample variance (n - 1).
        """
        if not wanted:
            raise ValueError("aggregates need at least one metric")
        rows = ", ".join(f"({literal(name)}, {'TRUE' if binary else 'FALSE'})" for name, binary in wanted)
        return self._with(_entities(definition_id, run), f"""units AS (
  SELECT entity_id, treatment_key, exposed_at FROM entities WHERE arms = 1
),
wanted AS (SELECT metric, is_binary FROM (VALUES {rows}) AS w (metric, is_binary)),
outcomes AS (
  SELECT entity_id, metric, value, occurred_at FROM outcome_records
  WHERE status = 'ok' AND metric IN (SELECT metric FROM wanted)
),
unit_values AS (
  SELECT u.treatment_key, w.metric, u.entity_id,
    CASE WHEN w.is_binary THEN (CASE WHEN count(o.entity_id) > 0 THEN 1.0 ELSE 0.0 END)
      ELSE coalesce(sum(o.value), 0.0) END AS value
  FROM units AS u
  CROSS JOIN wanted AS w
  LEFT JOIN outcomes AS o
    ON o.entity_id = u.entity_id AND o.metric = w.metric AND o.occurred_at >= u.exposed_at
  GROUP BY u.treatment_key, w.metric, u.entity_id, w.is_binary
)""", assignments=True, outcomes=True) + """SELECT metric, treatment_key, count(*) AS units, avg(value) AS mean,
  var_samp(value) AS variance
FROM unit_values GROUP BY metric, treatment_key ORDER BY metric, treatment_key"""


def _entities(definition_id: str, run: int) -> str:
    """CTE ``entities``: each entity of the run, how many treatments it got, its first exposure."""
    return f"""entities AS (
  SELECT entity_id, count(DISTINCT treatment_key) AS arms, min(treatment_key) AS treatment_key,
    min(exposed_at) AS exposed_at
  FROM assignment_records
  WHERE status = 'ok' AND definition_id = {literal(definition_id)} AND run = {int(run)}
  GROUP BY entity_id
)"""
