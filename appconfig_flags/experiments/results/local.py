"""The analysis on one machine: DuckDB reads the log and outcome files and runs :mod:`.sql`'s statements.

DuckDB (an embedded SQL engine) streams the files once into two tables of parsed records (the
text of a line kept only when it is bad), and spills to a temporary directory past
``memory_limit``, so tens of millions of lines fit in bounded memory. Each line is read as text first (a CSV reader with a delimiter no line holds): lines
that are not valid UTF-8 are counted from its rejects table, every other line is judged by the SQL.
"""
from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .collect import BadLine, ResultsError
from .sql import DUCKDB, Statements, literal, outcome_fields_from_lines

#: Outcome files read as CSV (a header row naming entityId, metric, timestamp and optionally value).
CSV_SUFFIXES = (".csv",)
#: The columns an outcomes CSV needs.
CSV_REQUIRED = ("entityId", "metric", "timestamp")
#: read_csv options that give each line as one VARCHAR: no quote, no escape, a NUL delimiter; unreadable lines rejected.
_AS_LINES = ("columns = {'line': 'VARCHAR'}, delim = '\\0', quote = '', escape = '', header = false, "
             "auto_detect = false, strict_mode = false, ignore_errors = true, filename = true")


def expand(paths: Iterable[str | Path], *, what: str, suffixes: tuple[str, ...]) -> list[Path]:
    """Files of ``paths``: a file as given, a directory's files ending in one of ``suffixes`` (recursively, sorted)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes))
        elif path.is_file():
            files.append(path)
        else:
            raise ResultsError(f"{what}: {path} is neither a file nor a directory")
    if not files:
        raise ResultsError(f"{what}: no file found in {', '.join(str(p) for p in paths)} (directories are searched "
                           f"for {', '.join(suffixes)})")
    return files


def _file_list(files: Sequence[Path]) -> str:
    return "[" + ", ".join(literal(str(f)) for f in files) + "]"


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return next(csv.reader(handle), [])


class LocalEngine:
    """DuckDB over local files. ``memory_limit``: DuckDB's (e.g. ``"1GB"``; Default: DuckDB's, 80% of RAM).

    ``threads``: Default: DuckDB's (one per core). :meth:`close` removes its scratch directory.
    """

    statements = Statements(DUCKDB, inline=False)

    def __init__(self, assignments: Sequence[str | Path], outcomes: Sequence[str | Path], *,
                 memory_limit: str | None = None, threads: int | None = None) -> None:
        import duckdb

        self._assignment_files = expand(assignments, what="--assignments", suffixes=(".jsonl",))
        outcome_files = expand(outcomes, what="--outcomes", suffixes=(".jsonl", ".ndjson", ".json", *CSV_SUFFIXES))
        self._scratch = tempfile.TemporaryDirectory(prefix="appconfig-flags-results-")
        self.con = duckdb.connect()  # in memory, spilling to the scratch directory past the memory limit
        try:
            self._setup(memory_limit, threads)
            self._load(outcome_files)
        except BaseException:
            self.close()
            raise

    def _setup(self, memory_limit: str | None, threads: int | None) -> None:
        settings = {"TimeZone": "UTC", "temp_directory": str(Path(self._scratch.name) / "spill"),
                    "preserve_insertion_order": "false"}
        if memory_limit is not None:
            settings["memory_limit"] = memory_limit
        if threads is not None:
            settings["threads"] = str(int(threads))
        for name, value in settings.items():
            self.con.execute(f"SET {name} = {literal(value)}")

    def _load(self, outcome_files: Sequence[Path]) -> None:
        # Views: the files are read once, by the record tables (:meth:`Statements.record_tables`), not copied.
        self.con.execute(f"""CREATE VIEW assignment_lines AS SELECT filename AS file, line
            FROM read_csv({_file_list(self._assignment_files)}, {_AS_LINES}, store_rejects = true,
                          rejects_table = 'assignment_rejects', rejects_scan = 'assignment_reject_scans')""")
        json_files = [f for f in outcome_files if f.suffix.lower() not in CSV_SUFFIXES]
        csv_files = [f for f in outcome_files if f.suffix.lower() in CSV_SUFFIXES]
        parts = []
        if json_files:
            self.con.execute(f"""CREATE VIEW outcome_lines AS SELECT filename AS file, line
                FROM read_csv({_file_list(json_files)}, {_AS_LINES}, store_rejects = true,
                              rejects_table = 'outcome_rejects', rejects_scan = 'outcome_reject_scans')""")
            parts.append(outcome_fields_from_lines(DUCKDB, "outcome_lines"))
        if csv_files:
            parts.append(self._csv_fields(csv_files))
        self.con.execute("CREATE VIEW outcome_fields AS " + "\nUNION ALL\n".join(parts))
        for statement in self.statements.record_tables():
            self.con.execute(statement)

    def _csv_fields(self, files: Sequence[Path]) -> str:
        """Each CSV read on its own (columns by name, in any order), into ``outcome_csv``; rows that do not parse are rejected."""
        selects = []
        for index, file in enumerate(files):
            header = _csv_header(file)
            missing = [c for c in CSV_REQUIRED if c not in header]
            if missing:
                raise ResultsError(f"--outcomes: {file} has no column {', '.join(missing)} in its header row "
                                   f"(an outcomes CSV has {', '.join(CSV_REQUIRED)} and optionally value; it has "
                                   f"{header})")
            value = '"value"' if "value" in header else "CAST(NULL AS VARCHAR)"
            selects.append(f"""SELECT filename AS file, "entityId" AS entity_id, "metric" AS metric,
                {value} AS value_text, "timestamp" AS ts_text
                FROM read_csv({literal(str(file))}, header = true, all_varchar = true, filename = true,
                              strict_mode = false, ignore_errors = true, store_rejects = true,
                              rejects_table = 'csv{index}_rejects', rejects_scan = 'csv{index}_reject_scans')""")
        self.con.execute("CREATE VIEW outcome_csv AS " + "\nUNION ALL\n".join(selects))
        return """SELECT file, concat_ws(',', entity_id, metric, value_text, ts_text) AS line, entity_id, metric,
            value_text, ts_text, TRUE AS parsed FROM outcome_csv"""

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.con.execute(sql).fetchall()

    def rejected(self) -> tuple[int, list[BadLine]]:
        total, examples = 0, []
        tables = [str(name)[:-len("_rejects")] for (name,) in self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%\\_rejects' ESCAPE '\\' "
            "ORDER BY table_name").fetchall()]
        for table in tables:
            input_name = "assignments" if table == "assignment" else "outcomes"
            rows = self.con.execute(f"""SELECT s.file_path, e.line, any_value(e.csv_line)
                FROM {table}_rejects AS e JOIN {table}_reject_scans AS s USING (scan_id, file_id)
                GROUP BY s.file_path, e.line ORDER BY s.file_path, e.line""").fetchall()
            total += len(rows)
            examples += [BadLine(input_name, str(f), int(n), str(t).strip("\r\n")) for f, n, t in rows[:5]]
        return total, examples

    def locate(self, bad: BadLine) -> BadLine:
        """The first line of the file equal to the quoted text (a CSV row: equal fields), numbered from 1."""
        path = Path(bad.file)
        try:
            with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                if path.suffix.lower() in CSV_SUFFIXES and bad.input == "outcomes":
                    reader = csv.reader(handle)
                    header = next(reader, [])
                    order = [header.index(c) if c in header else None for c in
                             ("entityId", "metric", "value", "timestamp")]
                    for row in reader:
                        cells = [row[i] if i is not None and i < len(row) else "" for i in order]
                        if ",".join(c for c in cells if c) == bad.text or ",".join(cells) == bad.text:
                            return BadLine(bad.input, bad.file, reader.line_num, ",".join(row))
                    return bad
                for number, line in enumerate(handle, start=1):
                    if line.rstrip("\r\n") == bad.text:
                        return BadLine(bad.input, bad.file, number, bad.text)
        except OSError:
            pass
        return bad

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._scratch.cleanup()
