"""Operating experiment runs through boto3: their status, start, raise exposure, stop with a result.

``appconfig-flags experiments status|start|raise|stop ...`` (the application from the catalogue).
The operations are the AppConfig API's (AWS AppConfig API Reference: ListExperimentDefinitions,
ListExperimentRuns, GetExperimentRun, StartExperimentRun, UpdateExperimentRun, StopExperimentRun);
applications and experiment definitions are named by ID or by name, as those operations take them.

- A run's exposure can only be raised (UpdateExperimentRun): :func:`raise_exposure` refuses a lower
  value before calling AppConfig, naming the current one.
- Stopping a run takes a result (executive summary, reasons to launch, reasons not to) and returns
  its users to the deployed flag. Billing runs while a run runs.

:func:`experiment_run_lines` is the status part as text lines, for ``appconfig-flags status`` to print.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import cli
from .control_plane import OpsError

#: The ``Description`` limit of a run and of each part of a result (API reference: 0 to 1024).
TEXT_MAX = 1024


class ExperimentOpsError(Exception):
    """An experiment operation that cannot be done, or that AppConfig refused: one line for people."""


@dataclass(frozen=True, slots=True)
class RunStatus:
    """One run of one experiment definition, as GetExperimentRun describes it."""

    experiment: str
    experiment_id: str
    flag_key: str
    environment_id: str
    run: int
    status: str
    exposure: float
    started_at: dt.datetime | None
    ended_at: dt.datetime | None = None
    overrides: int = 0
    description: str | None = None

    def line(self, now: dt.datetime | None = None) -> str:
        """``experiment NAME (flag KEY) run N: RUNNING at 50% exposure, started 2025-06-01 12:00 UTC (2 h ago)``."""
        started = _when(self.started_at, now)
        text = f"experiment {self.experiment} (flag {self.flag_key}) run {self.run}: {self.status}"
        if self.status == "RUNNING":
            text += f" at {self.exposure:g}% exposure, started {started}"
        else:
            text += f" (was at {self.exposure:g}% exposure), started {started}, ended {_when(self.ended_at, now)}"
        if self.overrides:
            text += f", {self.overrides} override(s)"
        return text


def _when(moment: dt.datetime | None, now: dt.datetime | None) -> str:
    if moment is None:
        return "(unknown)"
    text = moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if now is not None:
        minutes = int((now - moment).total_seconds() // 60)
        text += f" ({minutes // 60} h {minutes % 60} min ago)" if minutes >= 60 else f" ({max(minutes, 0)} min ago)"
    return text


def _pages(client: Any, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every item of a List* operation, following NextToken."""
    token: str | None = None
    while True:
        page = getattr(client, operation)(**params, **({"NextToken": token} if token else {}))
        yield from page.get("Items", [])
        token = page.get("NextToken")
        if not token:
            return


def _call(client: Any, operation: str, **params: Any) -> dict[str, Any]:
    """``client.<operation>(**params)``; AppConfig's refusal as an :class:`ExperimentOpsError` with its message."""
    try:
        result: dict[str, Any] = getattr(client, operation)(**params)
    except Exception as exc:  # botocore's ClientError, without importing botocore here
        response = getattr(exc, "response", None)
        if not isinstance(response, Mapping):
            raise
        error = response.get("Error", {})
        name = "".join(word.title() for word in operation.split("_"))  # the API's name: StartExperimentRun
        raise ExperimentOpsError(f"AppConfig refused {name}: {error.get('Code', '?')}: "
                                 f"{error.get('Message', exc)}") from None
    return result


def experiment_runs(client: Any, application_id: str, *, experiment: str | None = None,
                    running_only: bool = False) -> list[RunStatus]:
    """Every run of the application's experiment definitions (or of ``experiment``, an ID or name), newest first."""
    return [run for _, runs in _runs_by_definition(client, application_id, experiment, running_only) for run in runs]


def _runs_by_definition(client: Any, application_id: str, experiment: str | None,
                        running_only: bool = False) -> list[tuple[dict[str, Any], list[RunStatus]]]:
    definitions = list(_pages(client, "list_experiment_definitions", ApplicationIdentifier=application_id))
    if experiment is not None:
        definitions = [d for d in definitions if experiment in (d.get("Id"), d.get("Name"))]
        if not definitions:
            raise ExperimentOpsError(f"application {application_id} has no experiment definition {experiment!r}")
    out = []
    for definition in definitions:
        params = {"ApplicationIdentifier": application_id, "ExperimentDefinitionIdentifier": definition["Id"]}
        runs = [_status(definition, _call(client, "get_experiment_run", **params, Run=summary["Run"]))
                for summary in _pages(client, "list_experiment_runs", **params,  # summaries have no exposure
                                      **({"Status": "RUNNING"} if running_only else {}))]
        out.append((definition, runs))
    return out


def _status(definition: Mapping[str, Any], run: Mapping[str, Any]) -> RunStatus:
    return RunStatus(
        experiment=str(definition.get("Name", definition.get("Id"))), experiment_id=str(definition.get("Id")),
        flag_key=str(definition.get("FlagKey", "?")), environment_id=str(definition.get("EnvironmentId", "?")),
        run=int(run["Run"]), status=str(run.get("Status", "?")), exposure=float(run.get("ExposurePercentage") or 0.0),
        started_at=run.get("StartedAt"), ended_at=run.get("EndedAt"),
        overrides=len((run.get("TreatmentOverrides") or {}).get("Inline") or {}), description=run.get("Description"))


def experiment_run_lines(client: Any, application_id: str, *, experiment: str | None = None,
                         now: dt.datetime | None = None) -> list[str]:
    """One line per experiment run of the application (:meth:`RunStatus.line`), newest run first per definition.

    For ``appconfig-flags status``: ``["experiments: none"]`` when the application has no experiment definition,
    and ``experiment NAME (flag KEY): defined, no run`` for a definition never run.
    """
    found = _runs_by_definition(client, application_id, experiment)
    if not found:
        return ["experiments: none"]
    lines = []
    for definition, runs in found:
        lines += [run.line(now) for run in runs] or [
            f"experiment {definition.get('Name')} (flag {definition.get('FlagKey')}): defined, no run"]
    return lines


def _definition(client: Any, application_id: str, experiment: str) -> dict[str, Any]:
    for definition in _pages(client, "list_experiment_definitions", ApplicationIdentifier=application_id):
        if experiment in (definition.get("Id"), definition.get("Name")):
            return definition
    raise ExperimentOpsError(f"application {application_id} has no experiment definition {experiment!r}")


def _check_text(what: str, text: str | None) -> None:
    if text is not None and len(text) > TEXT_MAX:
        raise ExperimentOpsError(f"{what} has at most {TEXT_MAX} characters (got {len(text)})")


def _check_exposure(exposure: float) -> None:
    if isinstance(exposure, bool) or not 0 <= exposure <= 100:
        raise ExperimentOpsError(f"exposure is a percentage from 0 to 100 (got {exposure!r})")


def start_run(client: Any, application_id: str, experiment: str, *, exposure: float,
              overrides: Mapping[str, str] | None = None, description: str | None = None) -> RunStatus:
    """Start a run of ``experiment`` at ``exposure`` percent (StartExperimentRun); its status."""
    _check_exposure(exposure)
    _check_text("the description", description)
    definition = _definition(client, application_id, experiment)
    params: dict[str, Any] = {"ApplicationIdentifier": application_id, "ExperimentDefinitionIdentifier": definition["Id"],
                              "ExposurePercentage": exposure}
    if overrides:
        params["TreatmentOverrides"] = {"Inline": dict(overrides)}
    if description is not None:
        params["Description"] = description
    return _status(definition, _call(client, "start_experiment_run", **params))


def _current_run(client: Any, application_id: str, definition: Mapping[str, Any], run: int | None) -> dict[str, Any]:
    params = {"ApplicationIdentifier": application_id, "ExperimentDefinitionIdentifier": definition["Id"]}
    if run is None:
        running = list(_pages(client, "list_experiment_runs", **params, Status="RUNNING"))
        if not running:
            raise ExperimentOpsError(f"experiment {definition.get('Name')} has no running run")
        run = int(running[0]["Run"])
    return _call(client, "get_experiment_run", **params, Run=run)


def raise_exposure(client: Any, application_id: str, experiment: str, exposure: float, *,
                   run: int | None = None) -> RunStatus:
    """Raise the exposure of ``run`` (Default: the running run) to ``exposure`` (UpdateExperimentRun).

    A value lower than the current one is refused here, before AppConfig refuses it.
    """
    _check_exposure(exposure)
    definition = _definition(client, application_id, experiment)
    current = _current_run(client, application_id, definition, run)
    was = float(current.get("ExposurePercentage") or 0.0)
    if exposure < was:
        raise ExperimentOpsError(f"run {current['Run']} of {definition.get('Name')} is at {was:g}% exposure: AppConfig only "
                                 f"raises it (to lower it, stop the run and start another at {exposure:g}%)")
    updated = _call(client, "update_experiment_run", ApplicationIdentifier=application_id,
                    ExperimentDefinitionIdentifier=definition["Id"], Run=int(current["Run"]), ExposurePercentage=exposure)
    return _status(definition, updated)


def stop_run(client: Any, application_id: str, experiment: str, *, summary: str,
             reasons_to_launch: str | None = None, reasons_not_to_launch: str | None = None,
             run: int | None = None) -> RunStatus:
    """Stop ``run`` (Default: the running run) with its result (StopExperimentRun): users get the deployed flag again."""
    for what, text in (("the summary", summary), ("the reasons to launch", reasons_to_launch),
                       ("the reasons not to launch", reasons_not_to_launch)):
        _check_text(what, text)
    definition = _definition(client, application_id, experiment)
    current = _current_run(client, application_id, definition, run)
    result = {"ExecutiveSummary": summary}
    if reasons_to_launch is not None:
        result["ReasonsToLaunch"] = reasons_to_launch
    if reasons_not_to_launch is not None:
        result["ReasonsNotToLaunch"] = reasons_not_to_launch
    stopped = _call(client, "stop_experiment_run", ApplicationIdentifier=application_id,
                    ExperimentDefinitionIdentifier=definition["Id"], Run=int(current["Run"]), Result=result)
    return _status(definition, stopped)


# -- the CLI ------------------------------------------------------------------------------------------
def add_status_arguments(parser: argparse.ArgumentParser) -> None:
    cli.add_application_options(parser)
    parser.add_argument("--experiment", help="only this experiment definition (ID or name)")


def add_start_arguments(parser: argparse.ArgumentParser) -> None:
    cli.add_application_options(parser)
    parser.add_argument("experiment")
    parser.add_argument("--exposure", type=float, required=True, help="percent of the audience, 0 to 100")
    parser.add_argument("--override", action="append", default=[], metavar="ENTITY=TREATMENT",
                        help="pin an entity to a treatment key (repeatable), e.g. qa-user=t1")
    parser.add_argument("--description")


def add_raise_arguments(parser: argparse.ArgumentParser) -> None:
    cli.add_application_options(parser)
    parser.add_argument("experiment")
    parser.add_argument("--exposure", type=float, required=True, help="percent of the audience; it cannot be lowered")
    parser.add_argument("--run", type=int, help="Default: the running run")


def add_stop_arguments(parser: argparse.ArgumentParser) -> None:
    cli.add_application_options(parser)
    parser.add_argument("experiment")
    parser.add_argument("--summary", required=True, help="the executive summary")
    parser.add_argument("--reasons-to-launch")
    parser.add_argument("--reasons-not-to-launch")
    parser.add_argument("--run", type=int, help="Default: the running run")


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        entity, sep, key = pair.rpartition("=")
        if not sep or not entity or not key:
            raise ExperimentOpsError(f"--override takes ENTITY=TREATMENT (got {pair!r})")
        out[entity] = key
    return out


def _run(args: argparse.Namespace, client: Any, act: Callable[[Any, str], list[str]]) -> int:
    """Find the application in the catalogue, make the client, print what ``act`` returns; errors as one line."""
    try:
        application = cli.app_target(args).name
        if client is None:
            import boto3

            client = boto3.client("appconfig", region_name=args.region, endpoint_url=args.endpoint_url)
        for line in act(client, application):
            print(line)
        return 0
    except (ExperimentOpsError, OpsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def run_status(args: argparse.Namespace, *, client: Any = None) -> int:
    return _run(args, client, lambda c, app: experiment_run_lines(
        c, app, experiment=args.experiment, now=dt.datetime.now(dt.timezone.utc)))


def run_start(args: argparse.Namespace, *, client: Any = None) -> int:
    return _run(args, client, lambda c, app: [start_run(
        c, app, args.experiment, exposure=args.exposure, overrides=_overrides(args.override),
        description=args.description).line()])


def run_raise(args: argparse.Namespace, *, client: Any = None) -> int:
    return _run(args, client, lambda c, app: [raise_exposure(c, app, args.experiment, args.exposure,
                                                             run=args.run).line()])


def run_stop(args: argparse.Namespace, *, client: Any = None) -> int:
    return _run(args, client, lambda c, app: [stop_run(
        c, app, args.experiment, summary=args.summary, run=args.run, reasons_to_launch=args.reasons_to_launch,
        reasons_not_to_launch=args.reasons_not_to_launch).line()])
