"""``appconfig-flags experiments results``: did the treatment win? From the Agent's assignment logs and your outcomes.

Reads the AppConfig Agent's treatment assignment logs (``EXPERIMENT_ASSIGNMENT_LOG_DESTINATION``
``file:`` directories or captured ``stderr``) and outcome events (JSON lines or CSV with
``entityId``, ``metric``, ``value`` (default 1) and ``timestamp``), attributes each unit's outcomes
from its first exposure in the run, and prints per metric and treatment: the lift over the control
with a 95% Welch interval, the p-value and its Holm adjustment, and the sample-ratio-mismatch check
against the experiment's weights. AppConfig itself does not analyse results ("AppConfig
experimentation", AWS AppConfig User Guide). Needs ``pip install 'appconfig-flags[experiments]'``
(DuckDB, SciPy, statsmodels).

Exit status: 0 with a result, 1 when the analysis cannot run (no run, unknown treatment, ...), 2 for
bad arguments or unreadable inputs, 3 when the ``experiments`` extra is not installed.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .results.definition import Arms

#: What to install when a library of the analysis is missing.
EXTRA_HINT = "pip install 'appconfig-flags[experiments]'"
PROG = "appconfig-flags experiments results"
#: The modules of the extra the analysis imports.
NEEDED = ("duckdb", "scipy.stats", "statsmodels.stats.multitest")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options, on ``parser`` (the lead's one argparse tree, or :func:`main`'s own)."""
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    inputs = parser.add_argument_group("inputs")
    inputs.add_argument("--assignments", action="append", required=True, metavar="PATH",
                        help="assignment logs: a file: destination directory (its *.jsonl files are read), one such "
                             "file, or a captured stderr of the Agent; repeatable (s3://bucket/prefix/ with --athena)")
    inputs.add_argument("--outcomes", action="append", required=True, metavar="PATH",
                        help="outcome events: .jsonl (or .ndjson/.json lines) or .csv files, or a directory of them; "
                             "repeatable (s3://bucket/prefix/ of JSON lines with --athena)")
    definition = parser.add_argument_group("the experiment's definition (treatments and weights)")
    definition.add_argument("--catalogue", metavar="MODULE",
                            help="catalogue module exposing PROFILES (this repository's: flags)")
    definition.add_argument("--experiment", metavar="NAME", help="the experiment's name in the catalogue")
    definition.add_argument("--weights", metavar="KEY=W,...",
                            help="instead of a catalogue: the arms and their weights, the control first (c=50,t1=50)")
    chosen = parser.add_argument_group("which run of the logs")
    chosen.add_argument("--experiment-id", metavar="ID",
                        help="the experiment definition id in the logs (default: the only one they hold)")
    chosen.add_argument("--run", type=int, metavar="N", help="the run number (default: the only one the logs hold)")
    metrics = parser.add_argument_group("metrics")
    metrics.add_argument("--metric", action="append", default=[], metavar="NAME",
                         help="analyse this metric (repeatable; default: every metric the outcomes name)")
    metrics.add_argument("--binary", action="append", default=[], metavar="METRIC",
                         help="a unit's value is 1 if it has any outcome of METRIC after exposure, else 0 (repeatable)")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=("text", "json"), default="text", help="standard output (default: text)")
    output.add_argument("--html", metavar="FILE", help="also write a standalone HTML report (no network) to FILE")
    output.add_argument("--simulated", action="store_true",
                        help="say in the report that the logs come from a simulated run (the checkout demo's)")
    engine = parser.add_argument_group("engine")
    engine.add_argument("--memory-limit", metavar="SIZE", help="DuckDB's memory limit, e.g. 1GB (default: DuckDB's)")
    engine.add_argument("--athena", action="store_true",
                        help="run the SQL on Amazon Athena over the logs in S3 instead of DuckDB on this machine")
    engine.add_argument("--athena-database", default="default", help="Athena database for the tables (default: default)")
    engine.add_argument("--athena-workgroup", default="primary", help="Athena workgroup (default: primary)")
    engine.add_argument("--athena-output", metavar="S3URI", help="s3:// location for Athena's query results "
                        "(default: the workgroup's)")
    engine.add_argument("--region", help="AWS region for --athena (default: your AWS configuration's)")


def load_catalogue(module: str) -> tuple[Any, ...]:
    """The catalogue's profiles (one function, so the shared catalogue loader can replace it)."""
    from .results.definition import load_profiles

    return load_profiles(module)


def _arms(args: argparse.Namespace) -> Arms:
    from .results.collect import ResultsError
    from .results.definition import arms_from_catalogue, arms_from_weights

    if args.weights and (args.catalogue or args.experiment):
        raise ResultsError("give --weights, or --catalogue with --experiment, not both")
    if args.weights:
        return arms_from_weights(args.weights, name=args.experiment or "")
    if not args.catalogue or not args.experiment:
        raise ResultsError("the experiment's definition is needed: --catalogue MODULE --experiment NAME (or --weights "
                           "c=50,t1=50)")
    return arms_from_catalogue(load_catalogue(args.catalogue), args.experiment)


def _engine(args: argparse.Namespace) -> Any:
    if args.athena:
        from .results.athena import AthenaEngine

        return AthenaEngine.from_options(assignments=args.assignments, outcomes=args.outcomes,
                                         database=args.athena_database, workgroup=args.athena_workgroup,
                                         output=args.athena_output, region=args.region)
    from .results.local import LocalEngine

    return LocalEngine(args.assignments, args.outcomes, memory_limit=args.memory_limit)


def _engine_failures(args: argparse.Namespace) -> tuple[type[BaseException], ...]:
    """What the engine raises for inputs it cannot read or a service that refuses: reported in one line."""
    found: list[type[BaseException]] = [OSError, importlib.import_module("duckdb").Error]
    if args.athena:
        try:
            exceptions = importlib.import_module("botocore.exceptions")
            found += [exceptions.BotoCoreError, exceptions.ClientError]
        except ImportError:
            pass
    return tuple(found)


def _one_line(exc: BaseException) -> str:
    from .results.collect import ResultsError

    text = str(exc) if isinstance(exc, ResultsError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())


def run(args: argparse.Namespace) -> int:
    """Run the analysis the parsed ``args`` describe; print the result; the exit status."""
    try:  # each is needed: say which extra brings them before any work
        for name in NEEDED:
            importlib.import_module(name)
    except ImportError as exc:
        print(f"error: {PROG} needs {exc.name or 'a library'}, from the experiments extra: {EXTRA_HINT}", file=sys.stderr)
        return 3
    from .results.collect import ResultsError, collect
    from .results.stats import analyse
    from .results.text import iter_lines

    failures: tuple[type[BaseException], ...] = (ResultsError, *_engine_failures(args))
    try:
        arms = _arms(args)
        engine = _engine(args)
    except failures as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    try:
        collected = collect(engine, definition_id=args.experiment_id, run=args.run, metrics=args.metric,
                            binary=args.binary, arms=arms.keys)
    except failures as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    results = analyse(collected, arms, simulated=args.simulated)
    if args.format == "json":
        print(json.dumps(results.to_json(), indent=2))
    else:
        for line in iter_lines(results):
            print(line)
    if args.html:
        from .results.html import render_html

        Path(args.html).write_text(render_html(results), encoding="utf-8")
        print(f"wrote {args.html}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
