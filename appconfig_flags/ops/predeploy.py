"""Before a stack deploy: ``appconfig-flags predeploy`` stops it when it would undo an operator's change unknowingly.

A stack deploy creates a new hosted version for an environment, and deploys it, when the code renders
other content for that environment than the version the stack last deployed there (CloudFormation sees
a changed ``Content``). That new deployment replaces whatever the environment serves. This check reads
AppConfig first (read-only, the calls of ``appconfig-flags status``) and, for each profile and
environment the deploy would change, refuses when:

- the environment serves **an operator's change**: a version the stack did not make (``appconfig-flags
  off``, a console edit, an upload: its label is not the one the stack gives its content, as
  ``appconfig-flags status`` tells drift), or the stack's latest deployment was **reverted or stopped by
  a user** (``appconfig-flags revert``), and the code does not already render what is served. It names
  the change (version, label, description, deployment, when) and what the deploy would change. It goes
  on only when told for that environment (``--overwrite ENV``), or once the code matches;
- **a deployment is in progress** in the environment (any profile): AppConfig runs one deployment at a
  time per environment, so the stack's own deployment would fail with ConflictException and
  CloudFormation would roll the stack update back. No option overrides this: wait, or stop it.

Environments the deploy does not change are reported and never block (the stack leaves them alone).
Exit status 0 when the deploy may go on, 1 with one ``error:`` line per refusal (nothing deployed), as
every deploy path of this repository runs it first: the Makefile's ``cdk`` target for ``deploy``,
``make deploy-local`` and the pipeline's step before each stage. docs/operations.md says why a check
before the deploy rather than an AppConfig extension, and what a bare ``cdk deploy`` does.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import version_label

from . import cli
from .control_plane import ClientOpsError, ControlPlane, Deployment, Named, OpsError, served
from .flagdiff import diff_documents

#: Verdicts of one profile in one environment.
UNCHANGED = "unchanged"  # the deploy leaves it alone
NEW = "new"  # nothing deployed there yet: nothing to protect
CLEAR = "clear"  # the deploy replaces the stack's own version
MATCHES = "matches"  # an operator's change the code already renders
OVERWRITE = "overwrite"  # an operator's change the person chose to replace (--overwrite)
OPERATOR_CHANGE = "operator-change"  # refused
IN_PROGRESS = "in-progress"  # refused
BLOCKING = frozenset({OPERATOR_CHANGE, IN_PROGRESS})


@dataclass(frozen=True)
class Finding:
    """What a stack deploy would do to ``profile`` in ``environment``, and whether it may."""

    profile: str
    environment: str
    verdict: str
    text: str
    #: What the deploy changes there (served → code), as ``appconfig-flags diff`` lines.
    changes: tuple[str, ...] = field(default=())

    @property
    def blocks(self) -> bool:
        return self.verdict in BLOCKING


def check(plane: ControlPlane, application: str, targets: Sequence[tuple[Profile, Sequence[str]]], *,
          overwrite: Collection[str] = ()) -> list[Finding]:
    """One finding per profile and environment of ``targets`` (a profile and the environments a deploy deploys it to)."""
    try:
        app = plane.application(application)
    except OpsError as error:
        if not str(error).startswith(f"application {application!r} not found"):
            raise
        return [Finding(p.name, e, NEW, f"application {application} does not exist in {plane.region} yet: the "
                        "deploy creates it") for p, environments in targets for e in environments]
    found_envs = plane.environments(app)
    found_profiles = plane.profiles(app)
    running: dict[str, Deployment | None] = {}
    templates: dict[str, dict[str, str] | None] = {}
    out = []
    for profile, environments in targets:
        for environment in environments:
            env, remote = found_envs.get(environment), found_profiles.get(profile.name)
            if env is None or remote is None:
                missing = f"environment {environment}" if env is None else f"profile {profile.name}"
                out.append(Finding(profile.name, environment, NEW, f"{missing} does not exist yet: the deploy creates it"))
                continue
            if env.name not in running:
                running[env.name] = plane.in_progress(app, env)
                templates[env.name] = plane.stack_version_labels(app, env)
            out.append(_finding(plane, app, env, remote, profile, running[env.name], templates[env.name],
                                overwrite=overwrite))
    return out


def _finding(plane: ControlPlane, app: Named, env: Named, remote: Named, profile: Profile,
             running: Deployment | None, template: dict[str, str] | None, *, overwrite: Collection[str]) -> Finding:
    name, where = profile.name, f"{profile.name} in {env.name}"
    deployments = plane.deployments(app, env, remote)
    if not deployments:
        return Finding(name, env.name, NEW, "never deployed: the deploy makes the first deployment")
    code = profile.render(env.name)
    labels = {v.number: v.label for v in plane.stored_versions(app, remote)}

    def label_of(d: Deployment) -> str | None:
        return d.version_label or (labels.get(int(d.version)) if d.version.isdigit() else None)

    # What CloudFormation last deployed there: the label in the stack's template, or else the newest deployment of a
    # version labelled as the stack labels its own (a hand-made deployment of such a version would mislead it).
    stack_label = re.compile(re.escape(env.name[:40]) + r"-[0-9a-f]{12}")
    code_label = version_label(env.name, code)
    if template is not None and template.get(profile.name) == code_label:
        return Finding(name, env.name, UNCHANGED, "the code renders what the stack's template holds "
                       f"({code_label}): the deploy leaves {env.name} alone")
    recorded = next((d for d in deployments if stack_label.fullmatch(label_of(d) or "")), None)
    if template is None and recorded is not None and label_of(recorded) == code_label:
        return Finding(name, env.name, UNCHANGED, f"the code renders what the stack last deployed (deployment "
                       f"#{recorded.number}, version {recorded.version}): the deploy leaves {env.name} alone")
    if running is not None:
        label = label_of(running) if running.profile_name in (None, profile.name) else running.version_label
        return Finding(name, env.name, IN_PROGRESS, (
            f"{where}: {_named(running)}{f' (label {label!r})' if label else ''} is {running.state} "
            f"({running.percentage:g}% of targets); AppConfig runs one deployment at a time per environment, so the "
            f"stack's deployment to {env.name} would fail (ConflictException) and CloudFormation would roll the whole "
            "update back. Nothing was deployed: wait until it ends (appconfig-flags status), or stop it "
            f"(appconfig-flags revert --environment {env.name}), then deploy"))
    now_served = served(deployments)
    undid_stack = stack_label.fullmatch(label_of(deployments[0]) or "") is not None
    change = _operator_change(plane, app, env, remote, deployments, now_served, stack_label, undid_stack=undid_stack)
    content = plane.hosted_version(app, remote, now_served.version) if now_served is not None else None
    deployed = _document(content.content) if content is not None else None
    changes = tuple(str(c) for c in diff_documents(profile.name, env.name, deployed, json.loads(code)))
    if change is None:
        return Finding(name, env.name, CLEAR, "the deploy replaces the stack's own version "
                       f"{now_served.version if now_served else '(none served)'}", changes)
    if deployed is not None and not changes:
        return Finding(name, env.name, MATCHES, f"{change}; the code already renders what is served, so the deploy "
                       "changes no flag there")
    if env.name in overwrite:
        return Finding(name, env.name, OVERWRITE, f"{change}; replacing it as told (--overwrite {env.name})", changes)
    shown = "; ".join(changes[:3]) + (f"; and {len(changes) - 3} more" if len(changes) > 3 else "")
    return Finding(name, env.name, OPERATOR_CHANGE, (
        f"{where} serves an operator's change that this deploy would replace: {change}. The code renders something "
        f"else ({shown or 'the served version is not stored, so what differs is unknown'}). Nothing was deployed: "
        f"make the code match it (appconfig-flags diff shows your change), undo it first (appconfig-flags revert "
        f"--environment {env.name}), or replace it knowingly with --overwrite {env.name}"), changes)


def _operator_change(plane: ControlPlane, app: Named, env: Named, remote: Named, deployments: list[Deployment],
                     now_served: Deployment | None, stack_label: re.Pattern[str], *, undid_stack: bool) -> str | None:
    """The operator's change ``env`` serves, in words (version, label, description, deployment, when); None if none.

    ``undid_stack``: the latest deployment is of a version the stack made; a user's revert of it is an operator's
    change (a revert of an operator's own deployment, such as a kill switch, serves the stack's version again).
    """
    latest = deployments[0]
    if latest.state in ("ROLLED_BACK", "REVERTED") and undid_stack:
        detail = plane.deployment(app, env, latest.number)
        event = detail.event("REVERT_COMPLETED") or detail.event("ROLLBACK_STARTED")
        if event is not None and event.triggered_by == "USER":
            verb = "reverted" if latest.state == "REVERTED" else "stopped and rolled back"
            serving = f"version {now_served.version}" if now_served is not None else "no version"
            return (f"deployment #{latest.number} (version {latest.version}) was {verb} by a user at "
                    f"{_when(event.occurred_at)}, so {env.name} serves {serving}")
    if now_served is None:
        return None
    version = plane.hosted_version(app, remote, now_served.version)
    if version is not None and version.label == version_label(env.name, version.text):
        return None
    if version is None and stack_label.fullmatch(now_served.version_label or ""):
        return None  # deleted, but labelled by the stack: its own
    label = version.label if version is not None else now_served.version_label
    description = (version.description if version is not None else None) or now_served.description
    what = f"version {now_served.version}" + (f" (label {label!r}" if label else " (no label")
    what += f", description {description!r})" if description else ")"
    if version is None:
        what += ", no longer stored"
    strategy = plane.strategy_name(now_served.strategy_id) if now_served.strategy_id else None
    return (f"{what}, deployed by deployment #{now_served.number}" + (f" ({strategy})" if strategy else "")
            + f" at {_when(now_served.started_at)}")


def _document(content: bytes) -> dict[str, object] | None:
    try:
        loaded = json.loads(content)
    except ValueError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _named(d: Deployment) -> str:
    return f"deployment #{d.number}" + (f" of {d.profile_name}" if d.profile_name else "") + f" (version {d.version})"


def _when(at: dt.datetime | None) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if at is not None else "(unknown time)"


_SHOWN = {UNCHANGED: "unchanged", NEW: "new", CLEAR: "deploys", MATCHES: "deploys", OVERWRITE: "OVERWRITES",
          OPERATOR_CHANGE: "REFUSED", IN_PROGRESS: "REFUSED"}


def report(application: str, region: str, findings: Sequence[Finding], *, stdout: TextIO, stderr: TextIO) -> int:
    """Print one line per finding, then one ``error:`` line per refusal; 0 when the deploy may go on, else 1."""
    print(f"Pre-deploy check of {application} ({region}):", file=stdout)
    for f in findings:
        if not f.blocks:
            print(f"  {f.profile} in {f.environment}: {_SHOWN[f.verdict]}: {f.text}", file=stdout)
            for change in f.changes[:10] if f.verdict in (CLEAR, OVERWRITE) else ():
                print(f"      {change}", file=stdout)
    refused = [f for f in findings if f.blocks]
    for f in refused:
        print(f"error: {f.text}", file=stderr)
    if refused:
        return 1
    print("The deploy may go on.", file=stdout)
    return 0


# -- command line -------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``appconfig-flags predeploy``: check that a stack deploy replaces no operator change and meets no deployment."""
    cli.add_application_options(parser)
    parser.add_argument("--environments", default=None, metavar="ENV[,ENV...]",
                        help="the environments this deploy deploys (a pipeline stage's). Default: every environment "
                             "of the catalogue's profiles")
    parser.add_argument("--overwrite", action="append", default=[], metavar="ENV",
                        help="replace the operator's change in ENV anyway (repeat, or comma-separate, for several)")


def run(args: argparse.Namespace, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out, err = stdout or sys.stdout, stderr or sys.stderr

    def command() -> int:
        target = cli.app_target(args)
        chosen = [target.environment(e.strip()) for e in (args.environments or "").split(",") if e.strip()]
        overwrite = {target.environment(e.strip()) for given in args.overwrite for e in given.split(",") if e.strip()}
        targets = [(p, [e for e in (p.environments or ()) if not chosen or e in chosen]) for p in target.profiles]
        plane = ControlPlane(region=args.region, endpoint_url=args.endpoint_url)
        try:
            findings = check(plane, target.name, targets, overwrite=overwrite)
        except ClientOpsError as error:
            raise OpsError(f"the pre-deploy check could not read AppConfig ({error}); nothing was deployed") from None
        return report(target.name, plane.region, findings, stdout=out, stderr=err)

    return cli.run(command, stderr=err)


__all__ = ["Finding", "add_arguments", "check", "report", "run"]
