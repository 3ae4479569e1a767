"""A local AWS for deploys, operations and reads without an account: ministack on 127.0.0.1.

``python -m scripts.local_aws start|stop|env|alarm``. ``start`` runs ministack (from its own venv,
``.tools/ministack``, made by ``make local-aws``) in the background on a loopback port and waits
until it answers; ``stop`` ends it and removes its state. While it runs, ``.tools/local-aws/env.mk``
holds the settings that point the AWS CLI, the CDK CLI and boto3 at it (``AWS_ENDPOINT_URL``, test
credentials, ``us-east-1``); the Makefile reads it for the targets that talk to AWS. ``alarm`` sets
an environment's monitor alarms to ALARM or OK, as a failing service would.

The tests use :class:`LocalAws` directly, on a free port, with a short AppConfig minute.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The emulator's venv (requirements-localaws.txt).
EMULATOR_PYTHON = ROOT / ".tools" / "ministack" / "bin" / "python"
STATE_DIR = ROOT / ".tools" / "local-aws"
DEFAULT_PORT = 4566
#: ministack's account and the region everything is deployed to.
ACCOUNT = "000000000000"
REGION = "us-east-1"


class LocalAwsError(Exception):
    """A failure to report as one line."""


class LocalAws:
    """One ministack process on ``127.0.0.1:port``; ``minute_seconds`` is the length of an AppConfig minute."""

    def __init__(self, port: int, *, minute_seconds: float = 60.0, log_path: Path | None = None,
                 python: Path = EMULATOR_PYTHON) -> None:
        self.port = port
        self.minute_seconds = minute_seconds
        self.log_path = log_path
        self.python = python
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        """What points the AWS CLI, the CDK CLI and boto3 at this emulator (and nowhere else)."""
        return {"AWS_ENDPOINT_URL": self.endpoint_url, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}

    def start(self, *, timeout: float = 30.0) -> None:
        if not self.python.exists():
            raise LocalAwsError(f"the emulator is not installed ({self.python} is missing): run make local-aws-setup")
        if _answers(self.port):
            raise LocalAwsError(f"127.0.0.1:{self.port} is already in use (a local AWS already running? "
                                "make local-aws-stop)")
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            [str(self.python), str(ROOT / "scripts" / "ministack_server.py"), str(self.port), str(self.minute_seconds)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")})
        deadline = time.monotonic() + timeout
        while not _healthy(self.port):
            if self.process.poll() is not None:
                raise LocalAwsError(f"ministack exited with status {self.process.returncode}"
                                    + (f"; see {self.log_path}" if self.log_path else ""))
            if time.monotonic() > deadline:
                self.stop()
                raise LocalAwsError(f"ministack did not answer on 127.0.0.1:{self.port} within {timeout:g} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.process = None


def _answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_ministack/health", timeout=1) as response:
            return bool(json.loads(response.read()).get("services", {}).get("appconfig") == "available")
    except (OSError, ValueError):
        return False


def _end(pid: int) -> None:
    """End the process group of ``pid``, a process this one did not start (so it is never a zombie of ours)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the background emulator of make local-aws ------------------------------------------------------
def _state() -> dict[str, object] | None:
    try:
        state: dict[str, object] = json.loads((STATE_DIR / "state.json").read_text())
    except (OSError, ValueError):
        return None
    pid = state.get("pid")
    try:
        os.kill(int(pid), 0)  # type: ignore[arg-type]
    except (ProcessLookupError, TypeError, ValueError):
        _forget()
        return None
    return state


def _forget() -> None:
    for name in ("state.json", "pid", "env.mk"):
        (STATE_DIR / name).unlink(missing_ok=True)


def start(port: int, minute_seconds: float) -> int:
    running = _state()
    if running is not None:
        print(f"the local AWS is already running on {running['endpoint']} (pid {running['pid']})")
        return 0
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    emulator = LocalAws(port, minute_seconds=minute_seconds, log_path=STATE_DIR / "ministack.log")
    emulator.start()
    assert emulator.process is not None
    (STATE_DIR / "state.json").write_text(json.dumps({"pid": emulator.process.pid, "endpoint": emulator.endpoint_url,
                                                      "minute_seconds": minute_seconds}))
    (STATE_DIR / "pid").write_text(f"{emulator.process.pid}\n")
    # Only the Makefile's targets that talk to AWS get these (LOCAL_AWS_TARGETS), never make test.
    (STATE_DIR / "env.mk").write_text("".join(f"$(LOCAL_AWS_TARGETS): export {k} := {v}\n"
                                              for k, v in emulator.environment().items()))
    print(f"local AWS (ministack) on {emulator.endpoint_url}, pid {emulator.process.pid}, an AppConfig minute = "
          f"{minute_seconds:g} s; log: {STATE_DIR / 'ministack.log'}")
    print("make deploy-local, flags-status, flags-revert, flags-off, demo and cdk now use it; make local-aws-stop ends it")
    return 0


def stop() -> int:
    running = _state()
    if running is None:
        print("no local AWS is running")
        return 0
    _end(int(running["pid"]))  # type: ignore[call-overload]
    _forget()
    print(f"stopped the local AWS on {running['endpoint']} (pid {running['pid']}); its state is gone")
    return 0


def set_alarms(environment: str, state: str, application: str) -> int:
    """Set ``environment``'s monitor alarms to ``state`` (ALARM or OK), as a failing service would."""
    import boto3

    appconfig = boto3.client("appconfig")
    apps = [a for a in appconfig.list_applications()["Items"] if a["Name"] == application]
    if not apps:
        raise LocalAwsError(f"application {application!r} is not deployed here: make deploy-local first")
    envs = [e for e in appconfig.list_environments(ApplicationId=apps[0]["Id"])["Items"] if e["Name"] == environment]
    if not envs:
        raise LocalAwsError(f"environment {environment!r} is not in {application}")
    cloudwatch = boto3.client("cloudwatch")
    for monitor in envs[0].get("Monitors", []):
        name = monitor["AlarmArn"].split(":alarm:", 1)[1]
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=f"make local-alarm STATE={state}")
        print(f"{environment}: alarm {name} is now {state}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.local_aws", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    started = commands.add_parser("start", help="start ministack in the background")
    started.add_argument("--port", type=int, default=DEFAULT_PORT)
    started.add_argument("--minute-seconds", type=float, default=5.0,
                         help="seconds an AppConfig minute lasts in deployments started through the API "
                              "(Default: 5, so a 10 min bake takes 50 s)")
    commands.add_parser("stop", help="stop it and forget its state")
    alarm = commands.add_parser("alarm", help="set an environment's monitor alarms to ALARM or OK")
    alarm.add_argument("--environment", required=True)
    alarm.add_argument("--state", choices=("ALARM", "OK"), default="ALARM")
    alarm.add_argument("--application", default="FlagsDemo")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            return start(args.port, args.minute_seconds)
        if args.command == "stop":
            return stop()
        if _state() is None:
            raise LocalAwsError("no local AWS is running: make local-aws first")
        return set_alarms(args.environment, args.state, args.application)
    except LocalAwsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
