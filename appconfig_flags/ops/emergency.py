"""The fast ways out when flags break an environment: ``appconfig-flags revert|off|restore-monitors``.

``revert`` is AppConfig's own undo of the profile's latest
deployment to the environment, with StopDeployment: a deployment in progress is rolled back, a
completed one is reverted to the version served before it. AllowRevert is always sent: per the
AppConfig user guide ("Reverting a configuration") StopDeployment with AllowRevert rolls back a
deployment in progress (ROLLED_BACK) and reverts one completed within the last 72 hours
(REVERTED), while without it StopDeployment works only on DEPLOYING deployments. Reverting
ignores the environment's alarm monitors, so it also works while an alarm fires.

``off`` creates a hosted version equal to the one served
with that flag disabled, checks it with the flag model's AppConfig rules, and deploys it with
``AppConfig.AllAtOnce``, then follows the deployment and fails unless it completes. It reads the
environment's monitor alarms first and refuses while one is in ALARM (AppConfig would roll the
change back at once), unless ``--override-alarms``: the monitors are detached for one no-bake
deployment and put back exactly, however the command ends. The stack did not make that version,
so ``appconfig-flags status`` reports drift until the code matches (docs/operations.md: reconcile).

``restore-monitors`` gives an environment back the monitors its CloudFormation stack declares.

All ask before changing anything (``--yes`` skips the question) and say what happens next.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from appconfig_flags.model import FlagValidationError, Profile, check_document_text

from . import cli
from .control_plane import (
    REVERT_WINDOW,
    AlarmState,
    ControlPlane,
    Deployment,
    Monitor,
    Named,
    OpsError,
    served,
    served_before,
)

ALL_AT_ONCE = "AppConfig.AllAtOnce"
#: The strategy of a kill switch deployed with the monitors detached: every target at once and no bake,
#: so the monitors are detached for as short a time as AppConfig allows. Created on first use.
KILL_SWITCH_STRATEGY = "FlagsOps.AllAtOnceNoBake"
#: AppConfig.AllAtOnce's bake time (predefined strategies, AppConfig user guide).
ALL_AT_ONCE_BAKE_MINUTES = 10


def _profile_for(profiles: Sequence[Profile], name: str | None, flag: str | None = None) -> Profile:
    if name is not None:
        for profile in profiles:
            if profile.name == name:
                return profile
        raise OpsError(f"profile {name!r} is not in the catalogue (it has: {', '.join(p.name for p in profiles)})")
    if flag is not None:
        holders = [p for p in profiles if any(f.key == flag for f in p.flags)]
        if len(holders) == 1:
            return holders[0]
        if not holders:
            keys = sorted(f.key for p in profiles for f in p.flags)
            raise OpsError(f"flag {flag!r} is not in the catalogue (its flags: {', '.join(keys)}); "
                           "pass --profile to switch off a flag only AppConfig has")
        raise OpsError(f"flag {flag!r} is in several profiles ({', '.join(p.name for p in holders)}); pass --profile")
    if len(profiles) == 1:
        return profiles[0]
    raise OpsError(f"the catalogue has several profiles ({', '.join(p.name for p in profiles)}); pass --profile")


# -- revert -----------------------------------------------------------------------------------------
def revert(plane: ControlPlane, application: str, environment: str, profile_name: str, *, yes: bool,
           now: dt.datetime, stdin: TextIO | None = None, stdout: TextIO) -> int:
    app = plane.application(application)
    env = plane.environment(app, environment)
    profile = plane.profile(app, profile_name)
    deployments = plane.deployments(app, env, profile)
    where = f"{profile.name} in {env.name}"
    if not deployments:
        raise OpsError(f"nothing to revert: {where} has never been deployed")
    _alarms(plane, app, env, stdout)  # said, not checked: StopDeployment works whatever the alarms say
    latest = deployments[0]
    previous = served_before(deployments, 0)
    back_to = f"version {previous.version}" if previous is not None else "no version (it is the first deployment)"
    if latest.state in ("ROLLING_BACK", "ROLLED_BACK", "REVERTED"):
        now_served = served(deployments)
        raise OpsError(f"nothing to revert: the latest deployment of {where} (#{latest.number}, version "
                       f"{latest.version}) is already {latest.state.lower().replace('_', ' ')}; "
                       f"{'version ' + now_served.version if now_served else 'no version'} is served")
    if latest.in_progress:
        plan = (f"Stop deployment #{latest.number} of {where} ({latest.state}, version {latest.version}, "
                f"{latest.percentage:g}% of targets): AppConfig rolls it back and serves {back_to} again.")
    else:
        if latest.completed_at is not None and now - latest.completed_at > REVERT_WINDOW:
            raise OpsError(f"deployment #{latest.number} of {where} completed at {_when(latest.completed_at)}, more "
                           "than 72 hours ago: AppConfig no longer reverts it; deploy the version you want "
                           "(cdk deploy, or appconfig-flags off)")
        if previous is None:
            raise OpsError(f"deployment #{latest.number} of {where} is the first completed one: there is no earlier "
                           "version to revert to; use appconfig-flags off --flag ... instead")
        plan = (f"Revert deployment #{latest.number} of {where} (version {latest.version}, completed "
                f"{_when(latest.completed_at)}): AppConfig serves {back_to} again, to every target at once, "
                "ignoring alarms.")
    print(plan, file=stdout)
    cli.confirm("Go ahead?", yes=yes, stdin=stdin, stdout=stdout)
    result = Deployment.from_api(plane.call("StopDeployment", ApplicationId=app.id, EnvironmentId=env.id,
                                            DeploymentNumber=latest.number, AllowRevert=True))
    if result.state in ("ROLLED_BACK", "ROLLING_BACK"):
        verb = "rolled it back" if result.state == "ROLLED_BACK" else "is rolling it back"
        happened = f"Stopped deployment #{latest.number}: AppConfig {verb} ({result.state})"
    elif result.state == "REVERTED":
        happened = f"Reverted deployment #{latest.number} (REVERTED)"
    else:
        happened = f"Deployment #{latest.number} is now {result.state}"
    print(f"{happened}; {where} is served {back_to}.", file=stdout)
    print(f"Next: clients get {back_to} at their next poll; `appconfig-flags status` compares it with the code. If the "
          f"undone version {latest.version} came from the stack, CloudFormation still records it as deployed: "
          "status shows 'code differs' until a cdk deploy with a flag change deploys the code again.", file=stdout)
    return 0


# -- following a deployment ------------------------------------------------------------------------
@dataclass(frozen=True)
class Follow:
    """How a deploying command follows its deployment: ``poll_seconds`` between GetDeployment calls,
    at most ``max_minutes`` (Default: the strategy's duration and bake, plus 10 minutes), ``sleep``
    between polls (tests pass a fake clock's)."""

    poll_seconds: float = 5.0
    max_minutes: float | None = None
    sleep: Callable[[float], None] = time.sleep


def follow(plane: ControlPlane, app: Named, env: Named, started: Deployment, how: Follow, stdout: TextIO) -> Deployment:
    """Poll ``started`` until it is no longer in progress, printing a line whenever its progress changes."""
    minutes = how.max_minutes if how.max_minutes is not None else started.duration_minutes + started.bake_minutes + 10
    polls = max(1, math.ceil(minutes * 60 / how.poll_seconds))
    last = ""
    current = started
    for _ in range(polls):
        current = plane.deployment(app, env, started.number)
        line = f"  deployment #{current.number}: {current.state}, {current.percentage:g}% of targets"
        if line != last:
            print(line, file=stdout, flush=True)
            last = line
        if not current.in_progress:
            return current
        how.sleep(how.poll_seconds)
    raise OpsError(f"deployment #{started.number} to {env.name} is still {current.state} after {minutes:g} min; "
                   "it goes on: follow it with appconfig-flags status")


def _rolled_back(plane: ControlPlane, app: Named, env: Named, done: Deployment, monitors: tuple[Monitor, ...],
                 what: str) -> OpsError:
    event = done.event("ROLLBACK_STARTED") or done.event("REVERT_COMPLETED")
    by = event.triggered_by if event is not None else "UNKNOWN"
    if by == "CLOUDWATCH_ALARM":
        firing = [str(a) for a in plane.alarm_states(monitors) if a.firing] if monitors else []
        why = "an alarm fired" + (f" ({', '.join(firing)})" if firing else "")
    else:
        why = {"USER": "a user stopped it", "INTERNAL_ERROR": "of an internal error"}.get(by, f"{by} stopped it")
    return OpsError(f"AppConfig {done.state.lower().replace('_', ' ')} deployment #{done.number} ({what}) because "
                    f"{why}: it is NOT served; {env.name} serves what it served before")


# -- alarms ---------------------------------------------------------------------------------------------
def _alarms(plane: ControlPlane, app: Named, env: Named, stdout: TextIO) -> tuple[tuple[Monitor, ...], list[AlarmState]]:
    """The environment's monitors and their alarms' states, said in one line."""
    monitors = plane.monitors(app, env)
    states = plane.alarm_states(monitors) if monitors else []
    if not monitors:
        print(f"Alarms: {env.name} has no monitors (nothing rolls a deployment back).", file=stdout)
    else:
        firing = [str(a) for a in states if a.firing]
        print(f"Alarms of {env.name}: " + ", ".join(str(a) for a in states)
              + (f" — {len(firing)} in ALARM" if firing else " — none in ALARM"), file=stdout)
    return monitors, states


@contextlib.contextmanager
def _monitors_detached(plane: ControlPlane, app: Named, env: Named, monitors: tuple[Monitor, ...],
                       stdout: TextIO) -> Iterator[None]:
    """Detach ``env``'s monitors for the block; put them back exactly, however the block ends (SIGTERM included)."""
    previous = signal.getsignal(signal.SIGTERM) if threading.current_thread() is threading.main_thread() else None

    def _terminated(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if previous is not None:
        signal.signal(signal.SIGTERM, _terminated)
    plane.set_monitors(app, env, ())
    print(f"Detached {len(monitors)} monitor(s) of {env.name} for this deployment.", file=stdout, flush=True)
    try:
        yield
    finally:
        try:
            plane.set_monitors(app, env, monitors)
            restored = plane.monitors(app, env)
        except (OpsError, KeyboardInterrupt) as error:
            raise OpsError(f"the monitors of {env.name} could NOT be restored ({error}): run "
                           f"appconfig-flags restore-monitors --environment {env.name} now") from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        if set(restored) != set(monitors):
            raise OpsError(f"the monitors of {env.name} read back differently after restoring them; run "
                           f"appconfig-flags restore-monitors --environment {env.name}")
        print(f"Restored the {len(monitors)} monitor(s) of {env.name}: "
              + ", ".join(m.alarm_name for m in monitors) + ".", file=stdout, flush=True)


# -- off --------------------------------------------------------------------------------------------
def switch_off(plane: ControlPlane, application: str, environment: str, profile_name: str, flag: str, *,
               yes: bool, override_alarms: bool = False, wait: bool = True, how: Follow | None = None,
               stdin: TextIO | None = None, stdout: TextIO) -> int:
    if override_alarms and not wait:
        raise OpsError("--override-alarms waits for the deployment (the monitors come back once it is complete); "
                       "drop --no-wait")
    how = how or Follow()
    app = plane.application(application)
    env = plane.environment(app, environment)
    profile = plane.profile(app, profile_name)
    where = f"{profile.name} in {env.name}"
    deployments = plane.deployments(app, env, profile)
    if deployments and deployments[0].in_progress:
        d = deployments[0]
        raise OpsError(f"deployment #{d.number} of {where} (version {d.version}) is {d.state}; AppConfig runs one "
                       f"deployment at a time: stop it first (appconfig-flags revert --environment {env.name}), then switch off")
    current = served(deployments)
    if current is None:
        raise OpsError(f"nothing to switch off: no version of {where} is served")
    version = plane.hosted_version(app, profile, current.version)
    if version is None:
        raise OpsError(f"version {current.version} of {where} (served) is no longer stored, so a copy of it cannot "
                       "be made; use appconfig-flags revert or deploy from code")
    try:
        document = json.loads(version.content)
    except ValueError:
        raise OpsError(f"version {version.number} of {where} is not JSON; it is not a flag document") from None
    if not isinstance(document, dict) or not isinstance(document.get("values", {}), dict):
        raise OpsError(f"version {version.number} of {where} is not a flag document (no values object)")
    values = document.get("values", {})
    if flag not in values and flag not in document.get("flags", {}):
        raise OpsError(f"flag {flag!r} is not in version {version.number} of {where} "
                       f"(its flags: {', '.join(sorted(values)) or 'none'})")
    if not _is_on(values.get(flag, {})):
        print(f"{flag} is already off in {where} (version {version.number}); nothing to do.", file=stdout)
        return 0
    off = _disabled(document, flag)
    text = json.dumps(off, ensure_ascii=False, separators=(",", ":"))
    _validate(text, profile.name, env.name)
    monitors, states = _alarms(plane, app, env, stdout)
    firing = [str(a) for a in states if a.firing]
    if firing and not override_alarms:
        raise OpsError(f"{', '.join(firing)} of {env.name} is in ALARM, so AppConfig would roll this deployment back "
                       f"at once; to switch {flag} off anyway, pass --override-alarms: it detaches {env.name}'s monitors for this one deployment and restores "
                       "them after; nothing was changed")
    override = override_alarms and bool(monitors)
    if override:
        strategy = plane.strategy_id(KILL_SWITCH_STRATEGY, duration_minutes=0, bake_minutes=0,
                                     description="appconfig-flags off --override-alarms: every target at once, no bake")
        strategy_shown = f"{KILL_SWITCH_STRATEGY} (every target at once, no bake)"
        print(f"Switch off {flag} in {where}: a new hosted version copied from version {version.number} (served) with "
              f"{flag} disabled, deployed with {strategy_shown} while {env.name}'s {len(monitors)} monitor(s) are "
              "detached; they are restored as soon as it completes.", file=stdout)
    else:
        strategy, strategy_shown = ALL_AT_ONCE, ALL_AT_ONCE
        print(f"Switch off {flag} in {where}: a new hosted version copied from version {version.number} (served) with "
              f"{flag} disabled, deployed with {ALL_AT_ONCE} (every target at once, then a {ALL_AT_ONCE_BAKE_MINUTES} "
              "min bake during which a firing alarm rolls it back).", file=stdout)
    cli.confirm("Go ahead?", yes=yes, stdin=stdin, stdout=stdout)
    why = (f"alarms overridden ({', '.join(firing)} in ALARM): monitors detached for this deployment"
           if override and firing else "alarm monitors attached" if not override else "monitors detached on request")
    created = plane.call(
        "CreateHostedConfigurationVersion", ApplicationId=app.id, ConfigurationProfileId=profile.id,
        Content=text.encode(), ContentType="application/json",
        LatestVersionNumber=plane.latest_version_number(app, profile),
        VersionLabel=(f"flags-off {flag}" + (" (alarms overridden)" if override else ""))[:64],
        Description=(f"appconfig-flags off: {flag} switched off in {env.name} (copy of version {version.number}); "
                     f"{why}")[:1024])
    number = int(created["VersionNumber"])
    what = f"version {number} ({flag} off)"

    def start() -> Deployment:
        try:
            return Deployment.from_api(plane.call(
                "StartDeployment", ApplicationId=app.id, EnvironmentId=env.id, ConfigurationProfileId=profile.id,
                ConfigurationVersion=str(number), DeploymentStrategyId=strategy,
                Description=f"appconfig-flags off: {flag} off in {env.name}; {why}"[:1024],
                LatestDeploymentNumber=plane.latest_deployment_number(app, env)))
        except OpsError as error:
            raise OpsError(
                f"created version {number} of {where} but did not deploy it ({error}); it is NOT served. Deploy it: "
                f"aws appconfig start-deployment --application-id {app.id} --environment-id {env.id} "
                f"--configuration-profile-id {profile.id} --configuration-version {number} --deployment-strategy-id "
                f"{strategy}; or delete it: aws appconfig delete-hosted-configuration-version --application-id "
                f"{app.id} --configuration-profile-id {profile.id} --version-number {number}") from None

    if override:
        with _monitors_detached(plane, app, env, monitors, stdout):
            started = start()
            print(f"Deployment #{started.number} started: {what} to {env.name} with {strategy_shown}.", file=stdout)
            done = follow(plane, app, env, started, how, stdout)
    else:
        started = start()
        print(f"Deployment #{started.number} started: {what} to {env.name} with {strategy_shown}, now "
              f"{started.state}.", file=stdout)
        if not wait:
            print("Not waiting (--no-wait): it is not complete yet, and a firing alarm still rolls it back; follow "
                  "it with appconfig-flags status.", file=stdout)
            return 0
        done = follow(plane, app, env, started, how, stdout)
    if done.state != "COMPLETE":
        raise _rolled_back(plane, app, env, done, monitors, what)
    print(f"Complete: {env.name} serves version {number} ({flag} off); clients get it at their next poll. "
          f"`appconfig-flags status` reports drift for {where} until the code matches: switch {flag} off for {env.name} "
          f"in the code and deploy, or `appconfig-flags revert --environment {env.name}` to go back to version {version.number}.",
          file=stdout)
    return 0


# -- restore-monitors -------------------------------------------------------------------------------
def restore_monitors(plane: ControlPlane, application: str, environment: str, *, yes: bool,
                     stdin: TextIO | None = None, stdout: TextIO) -> int:
    """Give ``environment`` back the monitors its stack declares (after a run that died with them detached)."""
    app = plane.application(application)
    env = plane.environment(app, environment)
    stack, declared = plane.declared_monitors(app, env)
    now = plane.monitors(app, env)
    if set(now) == set(declared):
        print(f"{env.name} has the {len(declared)} monitor(s) stack {stack} declares; nothing to do.", file=stdout)
        return 0
    print(f"{env.name} has {len(now)} monitor(s); stack {stack} declares {len(declared)}: "
          + (", ".join(m.alarm_name for m in declared) or "none") + ". Restore them?", file=stdout)
    cli.confirm("Go ahead?", yes=yes, stdin=stdin, stdout=stdout)
    plane.set_monitors(app, env, declared)
    print(f"Restored the monitors of {env.name} as stack {stack} declares them.", file=stdout)
    return 0


def _is_on(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    variants = value.get("_variants")
    if isinstance(variants, list):
        return any(isinstance(v, dict) and v.get("enabled") is True for v in variants)
    return value.get("enabled") is True


def _disabled(document: dict[str, Any], flag: str) -> dict[str, Any]:
    """``document`` with ``flag`` off: ``enabled`` false, in each variant too (a variant flag has no basic value)."""
    out = json.loads(json.dumps(document))
    value = out.setdefault("values", {}).setdefault(flag, {})
    if isinstance(value.get("_variants"), list):
        for variant in value["_variants"]:
            variant["enabled"] = False
    else:
        value["enabled"] = False
    return out  # type: ignore[no-any-return]


def _validate(text: str, profile: str, environment: str) -> None:
    """The flag model's AppConfig rules, so AppConfig cannot refuse the version halfway."""
    name = f"{profile}@{environment}"
    problems = check_document_text(text, name=name)
    if not problems:
        try:
            Profile.from_document(name, text)
        except FlagValidationError as error:
            problems = list(error.problems)
    if problems:
        raise OpsError(f"the version with the flag off would not be valid ({len(problems)} problem(s)): "
                       + "; ".join(str(p) for p in problems) + "; nothing was changed")


def _when(at: dt.datetime | None) -> str:
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if at is not None else "(unknown)"


# -- command line -----------------------------------------------------------------------------------
def _common(parser: argparse.ArgumentParser, *, profile: bool) -> None:
    cli.add_application_options(parser)
    parser.add_argument("--environment", required=True, help="e.g. Production")
    if profile:
        parser.add_argument("--profile", default=None, help="Default: the catalogue's profile holding the flag, "
                                                            "or its only profile")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def add_revert_arguments(parser: argparse.ArgumentParser) -> None:
    """``appconfig-flags revert``: stop (roll back) or revert the latest deployment."""
    _common(parser, profile=True)


def add_off_arguments(parser: argparse.ArgumentParser) -> None:
    """``appconfig-flags off``: deploy the served version with one flag disabled, and wait for the outcome."""
    _common(parser, profile=True)
    parser.add_argument("--flag", required=True, help="the flag key, e.g. allow-bitcoin-at-checkout")
    parser.add_argument("--override-alarms", action="store_true",
                        help="while an alarm fires: detach the environment's monitors for this deployment "
                             "(no bake), wait until it is complete, and restore them")
    parser.add_argument("--no-wait", action="store_true", help="return once the deployment has started")
    parser.add_argument("--poll-seconds", type=float, default=5.0,
                        help="seconds between checks of the deployment (Default: 5)")


def add_restore_monitors_arguments(parser: argparse.ArgumentParser) -> None:
    """``appconfig-flags restore-monitors``: give the environment back the monitors its stack declares."""
    _common(parser, profile=False)


def run_revert(args: argparse.Namespace, *, now: dt.datetime | None = None, stdin: TextIO | None = None,
               stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout

    def command() -> int:
        target = cli.app_target(args)
        environment = target.environment(args.environment)
        profile = _profile_for(target.profiles, args.profile, None)
        plane = ControlPlane(region=args.region, endpoint_url=args.endpoint_url)
        return revert(plane, target.name, environment, profile.name, yes=args.yes,
                      now=now or dt.datetime.now(dt.timezone.utc), stdin=stdin, stdout=out)

    return cli.run(command, stderr=stderr)


def run_off(args: argparse.Namespace, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
            stderr: TextIO | None = None, sleep: Callable[[float], None] = time.sleep) -> int:
    out = stdout or sys.stdout

    def command() -> int:
        target = cli.app_target(args)
        environment = target.environment(args.environment)
        profile = _profile_for(target.profiles, args.profile, args.flag)
        if args.poll_seconds <= 0:
            raise OpsError(f"--poll-seconds must be a positive number of seconds (got {args.poll_seconds:g})")
        plane = ControlPlane(region=args.region, endpoint_url=args.endpoint_url)
        return switch_off(plane, target.name, environment, profile.name, args.flag, yes=args.yes,
                          override_alarms=args.override_alarms, wait=not args.no_wait,
                          how=Follow(poll_seconds=args.poll_seconds, sleep=sleep), stdin=stdin, stdout=out)

    return cli.run(command, stderr=stderr)


def run_restore_monitors(args: argparse.Namespace, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
                         stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout

    def command() -> int:
        target = cli.app_target(args)
        environment = target.environment(args.environment)
        plane = ControlPlane(region=args.region, endpoint_url=args.endpoint_url)
        return restore_monitors(plane, target.name, environment, yes=args.yes, stdin=stdin, stdout=out)

    return cli.run(command, stderr=stderr)


__all__ = ["KILL_SWITCH_STRATEGY", "Follow", "add_off_arguments", "add_restore_monitors_arguments",
           "add_revert_arguments", "follow", "restore_monitors", "revert", "run_off", "run_restore_monitors",
           "run_revert", "switch_off"]
