"""``appconfig-flags prune --keep N``: delete old hosted versions of the catalogue's profiles, never one that matters.

The stack keeps the hosted versions a deploy replaces (``retain_replaced_versions=True``), so that a
revert always finds the version it returns to; they accumulate. ``prune`` deletes them
(DeleteHostedConfigurationVersion), except, in every environment of the application:

- the version **served** (the newest completed deployment's) and any version of a deployment **in progress**;
- the **target of a possible revert**: the version served before the latest deployment, while AppConfig
  can still revert or roll it back (in progress, or completed within the last 72 hours);
- the version of each environment's **latest deployment**, whatever its state (what CloudFormation records);
- the **newest N** versions of each profile (``--keep N``, at least 0).

It lists what it deletes and what it keeps (with the reason) and asks first (``--yes`` skips the question;
``--dry-run`` only lists). ``--all`` deletes every hosted version of the profiles, served ones included:
only before ``cdk destroy``, as AppConfig does not delete a profile that still holds versions
(docs/operations.md, "Old versions and cdk destroy").
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from . import cli
from .control_plane import REVERT_WINDOW, ControlPlane, Named, OpsError, StoredVersion, served, served_before


@dataclass(frozen=True)
class Plan:
    """What prune does to one profile: versions to delete, and the reasons each kept one is kept."""

    profile: Named
    delete: tuple[StoredVersion, ...]
    keep: dict[int, list[str]]


def plan(plane: ControlPlane, app: Named, profile: Named, environments: Sequence[Named], *, keep: int,
         now: dt.datetime, everything: bool = False) -> Plan:
    """The versions of ``profile`` to delete and the ones kept (number → why), deleting nothing."""
    stored = plane.stored_versions(app, profile)
    reasons: dict[int, list[str]] = {}

    def protect(version: str, why: str) -> None:
        if version.isdigit():
            reasons.setdefault(int(version), []).append(why)

    if not everything:
        for env in environments:
            deployments = plane.deployments(app, env, profile)
            if not deployments:
                continue
            latest = deployments[0]
            protect(latest.version, f"latest deployment to {env.name} (#{latest.number}, {latest.state})")
            now_served = served(deployments)
            if now_served is not None:
                protect(now_served.version, f"served in {env.name}")
            for d in deployments:
                if d.in_progress:
                    protect(d.version, f"deploying to {env.name} (#{d.number})")
            revertible = latest.in_progress or (latest.state == "COMPLETE" and (
                latest.completed_at is None or now - latest.completed_at <= REVERT_WINDOW))
            before = served_before(deployments, 0)
            if revertible and before is not None:
                protect(before.version, f"a revert of {env.name}'s deployment #{latest.number} serves it")
        for version in stored[:keep]:
            reasons.setdefault(version.number, []).append(f"one of the newest {keep}")
    delete = tuple(v for v in stored if v.number not in reasons)
    return Plan(profile, delete, {v.number: reasons[v.number] for v in stored if v.number in reasons})


def prune(plane: ControlPlane, application: str, profiles: Sequence[str], environments: Sequence[str], *,
          keep: int, yes: bool, dry_run: bool = False, everything: bool = False, now: dt.datetime,
          stdin: TextIO | None = None, stdout: TextIO) -> int:
    if keep < 0:
        raise OpsError(f"--keep must be 0 or more (got {keep})")
    app = plane.application(application)
    found = plane.environments(app)
    envs = [found[name] for name in environments if name in found]
    plans = [plan(plane, app, plane.profile(app, name), envs, keep=keep, now=now, everything=everything)
             for name in profiles]
    for p in plans:
        print(f"{p.profile.name}: delete {', '.join(str(v.number) for v in p.delete) or 'nothing'}", file=stdout)
        for number, why in sorted(p.keep.items(), reverse=True):
            print(f"  keep version {number}: {'; '.join(why)}", file=stdout)
    count = sum(len(p.delete) for p in plans)
    if not count or dry_run:
        print("Nothing to delete." if not count else f"Dry run: {count} version(s) would be deleted.", file=stdout)
        return 0
    if everything:
        print("--all deletes every hosted version, the served ones included: clients starting afterwards get no "
              "flags. Only before cdk destroy.", file=stdout)
    cli.confirm(f"Delete {count} hosted version(s)?", yes=yes, stdin=stdin, stdout=stdout)
    for p in plans:
        for version in p.delete:
            plane.delete_version(app, p.profile, version.number)
    print(f"Deleted {count} hosted version(s).", file=stdout)
    return 0


# -- command line -------------------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``appconfig-flags prune``: delete old hosted versions, never a served one, a revert target or the newest N."""
    cli.add_application_options(parser)
    parser.add_argument("--keep", type=int, default=10, help="the newest versions of each profile kept whatever "
                                                            "else (Default: 10)")
    parser.add_argument("--profile", default=None, help="Default: every profile of the catalogue's application")
    parser.add_argument("--dry-run", action="store_true", help="list what would be deleted; delete nothing")
    parser.add_argument("--all", action="store_true", dest="everything",
                        help="delete every hosted version, served ones included: only before cdk destroy")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def run(args: argparse.Namespace, *, now: dt.datetime | None = None, stdin: TextIO | None = None,
        stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout

    def command() -> int:
        target = cli.app_target(args)
        names = [p.name for p in target.profiles]
        if args.profile is not None and args.profile not in names:
            raise OpsError(f"profile {args.profile!r} is not in the catalogue (it has: {', '.join(names)})")
        plane = ControlPlane(region=args.region, endpoint_url=args.endpoint_url)
        return prune(plane, target.name, [args.profile] if args.profile else names, target.environments,
                     keep=args.keep, yes=args.yes, dry_run=args.dry_run, everything=args.everything,
                     now=now or dt.datetime.now(dt.timezone.utc), stdin=stdin, stdout=out)

    return cli.run(command, stderr=stderr)


__all__ = ["Plan", "add_arguments", "plan", "prune", "run"]
