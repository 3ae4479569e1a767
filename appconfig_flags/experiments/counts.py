"""``appconfig-flags experiments counts PATH...``: entities per treatment, from the Agent's assignment logs.

Each PATH is a directory written with ``EXPERIMENT_ASSIGNMENT_LOG_DESTINATION=file:DIR/``
(``<region>/<account>/<app>/<experimentDefinitionId>/<run>_<salt>.jsonl``), one such file, a
captured stderr of the Agent (``EXPERIMENT_ASSIGNMENT_LOG_DESTINATION=stderr``), or ``-`` for stdin.
Exit status 0 with a table, 1 when no assignment record was found, 2 for a path that cannot be read.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from .assignments import count_entities, iter_counts_table, read_logs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", help="log directories, files, or - for stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    try:
        reading = read_logs(args.paths, stdin=sys.stdin)
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    counts = count_entities(reading.assignments)
    if args.format == "json":
        print(json.dumps({"counts": [asdict(c) for c in counts], "records": len(reading.assignments),
                          "skipped_lines": reading.skipped}, indent=2))
    else:
        for line in iter_counts_table(counts):
            print(line)
        print(f"{len(reading.assignments):,} assignment record(s); {reading.skipped:,} other line(s) skipped")
    if not reading.assignments:
        print("error: no AWS.AppConfig.TreatmentAssignment record found", file=sys.stderr)
        return 1
    return 0

