"""What is deployed, compared with the code: ``appconfig-flags status``.

For each profile of the catalogue and each environment of the application, found by name: the
latest deployment's state (deploying, baking with the time left, complete, rolled back, reverted),
the deployed content compared with what the code renders for that environment, and a console link.
It only reads (List*/Get* calls).

How "not yet deployed" is told from "drift": the stack labels each hosted version it creates with
``<environment>-<sha256 of the content>`` (:func:`appconfig_flags.model.deployment.version_label`). A deployed
version whose label matches its own content was made by the stack from some revision of the code,
so the code simply moved on (or is behind): **code differs: not yet deployed**. One whose label
does not match (a console edit, ``appconfig-flags off``, a CLI upload) holds content no revision of the
stack made: **drift**, and ``cdk deploy`` of unchanged code will not undo it (CloudFormation sees
no change). Contents are compared as flag documents (:func:`.flagdiff.diff_documents`), so
formatting and AppConfig's bookkeeping keys (``_updatedAt``) are not differences.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import version_label

from . import cli
from .control_plane import ControlPlane, Deployment, Named, OpsError, served_before
from .flagdiff import diff_documents

IN_SYNC = "in sync"
NOT_DEPLOYED = "code differs: not yet deployed"
DRIFT = "drift: the deployed content is not what this code renders"
UNKNOWN = "cannot compare"

_BY = {"CLOUDWATCH_ALARM": "an alarm", "USER": "a user", "APPCONFIG": "AppConfig", "INTERNAL_ERROR": "an internal error"}


@dataclass(frozen=True)
class ProfileStatus:
    """One profile in one environment."""

    profile: str
    environment: str
    rollout: str
    verdict: str
    detail: str = ""
    changes: tuple[str, ...] = field(default=())
    console: str | None = None


def collect(plane: ControlPlane, application: str, environments: Sequence[str], profiles: Sequence[Profile], *,
            now: dt.datetime | None = None) -> tuple[Named, list[ProfileStatus], list[str]]:
    """(application, one status per environment × profile, notes about AppConfig resources the code lacks)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    app = plane.application(application)
    found_envs = plane.environments(app)
    found_profiles = plane.profiles(app)
    statuses: list[ProfileStatus] = []
    for environment in environments:
        env = found_envs.get(environment)
        for profile in profiles:
            if profile.environments and environment not in profile.environments:
                continue
            remote = found_profiles.get(profile.name)
            if env is None or remote is None:
                missing = f"environment {environment}" if env is None else f"profile {profile.name}"
                statuses.append(ProfileStatus(profile.name, environment, f"{missing} does not exist in {app.name} yet",
                                              NOT_DEPLOYED, "cdk deploy creates it",
                                              _changes(profile, environment, None)))
                continue
            statuses.append(_status(plane, app, env, remote, profile, now))
    notes = [f"profile {name} is in {app.name} but not in the code" for name in found_profiles
             if name not in {p.name for p in profiles}]
    notes += [f"environment {name} is in {app.name} but not in the catalogue" for name in found_envs
              if name not in environments]
    return app, statuses, notes


def _status(plane: ControlPlane, app: Named, env: Named, remote: Named, profile: Profile,
            now: dt.datetime) -> ProfileStatus:
    console = plane.console_url(app, env)
    deployments = plane.deployments(app, env, remote)
    if not deployments:
        return ProfileStatus(profile.name, env.name, "never deployed", NOT_DEPLOYED, "nothing is served yet",
                             _changes(profile, env.name, None), console)
    latest = plane.deployment(app, env, deployments[0].number)
    rollout = _rollout(plane, latest, served_before(deployments, 0), now)
    # The content to compare: what is (or is becoming) served.
    compared: Deployment | None = latest
    if latest.state in ("ROLLING_BACK", "ROLLED_BACK", "REVERTED"):
        compared = served_before(deployments, 0)
    if compared is None:
        return ProfileStatus(profile.name, env.name, rollout, NOT_DEPLOYED, "no version is served",
                             _changes(profile, env.name, None), console)
    version = plane.hosted_version(app, remote, compared.version)
    if version is None:
        return ProfileStatus(profile.name, env.name, rollout, UNKNOWN,
                             f"version {compared.version} is no longer stored (deleted), so its content is unknown",
                             (), console)
    try:
        deployed = json.loads(version.content)
    except ValueError:
        deployed = None
    if not isinstance(deployed, dict):
        return ProfileStatus(profile.name, env.name, rollout, DRIFT,
                             f"version {version.number} is not a JSON flag document", (), console)
    changes = _changes(profile, env.name, deployed)
    if not changes:
        return ProfileStatus(profile.name, env.name, rollout, IN_SYNC, f"version {version.number}", (), console)
    if version.label == version_label(env.name, version.text):
        how = "cdk deploy makes these changes"
        if compared is not latest:  # undone: CloudFormation still records the undone version as deployed
            how = (f"the stack still records version {latest.version} as deployed, so cdk deploy redeploys only "
                   "after a flag change")
        return ProfileStatus(profile.name, env.name, rollout, NOT_DEPLOYED,
                             f"version {version.number} was made by the stack from other code; {how}", changes, console)
    made_by = f"label {version.label!r}" if version.label else "no label"
    if version.description:
        made_by += f", description {version.description!r}"
    return ProfileStatus(profile.name, env.name, rollout, DRIFT,
                         f"version {version.number} was not made by the stack ({made_by})", changes, console)


def _changes(profile: Profile, environment: str, deployed: dict[str, Any] | None) -> tuple[str, ...]:
    return tuple(str(c) for c in diff_documents(profile.name, environment, deployed, profile.document(environment)))


def _rollout(plane: ControlPlane, d: Deployment, previous: Deployment | None, now: dt.datetime) -> str:
    what = f"version {d.version} (deployment #{d.number}, {plane.strategy_name(d.strategy_id)})"
    serving = f"version {previous.version}" if previous is not None else "no version"
    if d.state in ("VALIDATING", "DEPLOYING"):
        end = _plus(d.started_at, d.duration_minutes)
        left = f", about {_span(end - now)} left" if end is not None else ""
        bake = f", then a {d.bake_minutes} min bake" if d.bake_minutes else ""
        return f"deploying {what}: {d.percentage:g}% of targets{left}{bake}"
    if d.state == "BAKING":
        started = d.event("BAKE_TIME_STARTED")
        start = started.occurred_at if started is not None else _plus(d.started_at, d.duration_minutes)
        end = _plus(start, d.bake_minutes)
        # Clamped: a workstation clock ahead of AppConfig's must not show more than the whole bake.
        left = (f"{_span(min(end - now, dt.timedelta(minutes=d.bake_minutes)))} left of the {d.bake_minutes} min bake"
                if end is not None else "bake time")
        return f"baking {what}: {left} (an alarm still rolls it back)"
    if d.state == "COMPLETE":
        return f"complete: {what}" + (f", since {_when(d.completed_at)}" if d.completed_at else "")
    if d.state == "ROLLING_BACK":
        return f"rolling back {what}; {serving} will be served"
    if d.state in ("ROLLED_BACK", "REVERTED"):
        event = d.event("ROLLBACK_STARTED") or d.event("REVERT_COMPLETED")
        by = f" by {_BY.get(event.triggered_by, event.triggered_by)}" if event is not None else ""
        at = event.occurred_at if event is not None and event.occurred_at else d.completed_at
        verb = "rolled back" if d.state == "ROLLED_BACK" else "reverted"
        return f"{verb}: {what}{by}" + (f" at {_when(at)}" if at else "") + f"; serving {serving}"
    return f"{d.state.lower()}: {what}"


def _plus(at: dt.datetime | None, minutes: int) -> dt.datetime | None:
    return at + dt.timedelta(minutes=minutes) if at is not None else None


def _span(delta: dt.timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 600:
        return f"{round(seconds / 60)} min"
    if seconds >= 60:
        return f"{seconds // 60} min" + (f" {seconds % 60} s" if seconds % 60 else "")
    return f"{seconds} s"


def _when(at: dt.datetime | None) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if at is not None else "(unknown)"


def experiment_lines(plane: ControlPlane, app: Named, now: dt.datetime | None) -> list[str]:
    """The application's experiment runs, one line each; one line saying why when they cannot be read.

    An AppConfig without experimentation (an emulator, an older endpoint) answers with an error:
    the status above still stands.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    from .experiments import ExperimentOpsError, experiment_run_lines

    try:
        return experiment_run_lines(plane.client, app.id, now=now)
    except (BotoCoreError, ClientError, OpsError, ExperimentOpsError) as error:
        return [f"experiments: cannot be read here ({' '.join(str(error).split())})"]


def format_status(app: Named, region: str, statuses: Sequence[ProfileStatus], notes: Sequence[str]) -> str:
    lines = [f"{app.name} (application {app.id}, {region})"]
    for status in statuses:
        lines += ["", f"{status.profile} in {status.environment}", f"  deployment: {status.rollout}",
                  f"  content:    {status.verdict}" + (f" ({status.detail})" if status.verdict == IN_SYNC else "")]
        if status.detail and status.verdict != IN_SYNC:
            lines.append(f"              {status.detail}")
        if status.changes:
            lines.append("  deployed → code:")
            lines += [f"    {change}" for change in status.changes]
        if status.console:
            lines.append(f"  console:    {status.console}")
    if notes:
        lines += ["", *(f"note: {note}" for note in notes)]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``appconfig-flags status``'s options: the catalogue, the application, the AWS options."""
    cli.add_application_options(parser)


def run(args: argparse.Namespace, *, now: dt.datetime | None = None, stdout: TextIO | None = None,
        stderr: TextIO | None = None) -> int:
    """Print the status; exit 0 (1 with one ``error:`` line when it cannot be read)."""
    out = stdout or sys.stdout

    def command() -> int:
        target = cli.app_target(args)
        plane = ControlPlane(region=args.region, endpoint_url=args.endpoint_url)
        app, statuses, notes = collect(plane, target.name, target.environments, target.profiles, now=now)
        print(format_status(app, plane.region, statuses, notes), file=out)
        print("", *experiment_lines(plane, app, now), sep="\n", file=out)
        return 0

    return cli.run(command, stderr=stderr)


__all__ = [
    "DRIFT",
    "IN_SYNC",
    "NOT_DEPLOYED",
    "UNKNOWN",
    "OpsError",
    "ProfileStatus",
    "add_arguments",
    "collect",
    "format_status",
    "run",
]
