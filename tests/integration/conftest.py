"""A local AWS for the integration tests: ministack on a free loopback port, the app deployed by the real CDK CLI.

One emulator per test module (``local_aws``), started by the fixture and stopped after it, with an
AppConfig minute of :data:`MINUTE_SECONDS`, so a 5 min bake takes 1.25 s. ``deployed`` runs
``cdk bootstrap`` and ``cdk deploy FlagsDemo`` (of the app synthesized in this process) against it
once. The emulator's venv comes from ``make test`` (``make local-aws-setup``); without it the tests
are skipped with that message.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from appconfig_flags import cli
from scripts.local_aws import EMULATOR_PYTHON, LocalAws, free_port
from tests.appconfig_flags.ops.fake_aws import Run
from tests.conftest import cdk_context, run_app

ROOT = Path(__file__).resolve().parents[2]
#: Seconds an AppConfig minute lasts in deployments started through the API.
MINUTE_SECONDS = 0.25
APP = "FlagsDemo"
FLAG = "allow-bitcoin-at-checkout"



class Deployed:
    """The FlagsDemo stack deployed to a local AWS, and the ops commands run against it in this process."""

    def __init__(self, emulator: LocalAws) -> None:
        import boto3

        self.emulator = emulator
        self.session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        self.appconfig = self.client("appconfig")
        app = next(a for a in self.appconfig.list_applications()["Items"] if a["Name"] == APP)
        self.app_id: str = app["Id"]
        self.env_ids = {e["Name"]: e["Id"] for e in
                        self.appconfig.list_environments(ApplicationId=self.app_id)["Items"]}
        self.profile_id: str = self.appconfig.list_configuration_profiles(ApplicationId=self.app_id)["Items"][0]["Id"]

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.emulator.endpoint_url)

    def monitors(self, environment: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = self.appconfig.get_environment(
            ApplicationId=self.app_id, EnvironmentId=self.env_ids[environment])["Monitors"]
        return found

    def set_alarm(self, environment: str, state: str) -> None:
        cloudwatch = self.client("cloudwatch")
        for monitor in self.monitors(environment):
            cloudwatch.set_alarm_state(AlarmName=monitor["AlarmArn"].split(":alarm:")[1], StateValue=state,
                                       StateReason="integration test")

    def deployment(self, environment: str, number: int) -> dict[str, Any]:
        found: dict[str, Any] = self.appconfig.get_deployment(
            ApplicationId=self.app_id, EnvironmentId=self.env_ids[environment], DeploymentNumber=number)
        return found

    def wait_until_done(self, environment: str, number: int, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            state: str = self.deployment(environment, number)["State"]
            if state not in ("DEPLOYING", "BAKING", "VALIDATING", "ROLLING_BACK") or time.monotonic() > deadline:
                return state
            time.sleep(0.2)

    def status(self) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(["status", "--catalogue", "flags"], stdout=out, stderr=err)
        return Run(code, out.getvalue(), err.getvalue())

    def emergency(self, command: str, *extra: str, sleep: Callable[[float], None] | None = None) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main([command, "--catalogue", "flags", *extra], stdin=io.StringIO(""), stdout=out, stderr=err,
                        sleep=sleep or time.sleep)
        return Run(code, out.getvalue(), err.getvalue())


def section(output: str, environment: str) -> str:
    """The status block of ``CheckoutFlags in <environment>``."""
    return next(b for b in output.split("\n\n") if b.startswith(f"CheckoutFlags in {environment}\n"))


def _cdk_started(emulator: LocalAws, *args: str, outdir: Path, cwd: Path = ROOT) -> subprocess.Popen[str]:
    """The real CDK CLI running ``args`` against ``emulator``; :func:`_finished` waits for it."""
    cdk = shutil.which("cdk", path=f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}")
    assert cdk is not None, "the CDK CLI is missing: make setup (npm ci)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(emulator.environment(), CDK_DISABLE_CLI_TELEMETRY="true",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.Popen([cdk, *args, "--no-notices", "--output", str(outdir)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finished(process: subprocess.Popen[str], timeout: float = 300) -> None:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    assert process.returncode == 0, f"{' '.join(map(str, process.args))} failed ({process.returncode}):\n{out}\n{err}"  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    if not EMULATOR_PYTHON.exists():
        pytest.skip(f"the local AWS emulator is not installed ({EMULATOR_PYTHON}): make local-aws-setup "
                    "(make test does it)")
    emulator = LocalAws(free_port(), minute_seconds=MINUTE_SECONDS,
                        log_path=tmp_path_factory.mktemp("ministack") / "ministack.log")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def deployed(local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> Deployed:
    # The app is synthesized in this process, as app.py wires it (run_app), and the real CLI deploys that
    # assembly: a `cdk deploy` that ran app.py again would repeat the same synth in new processes. Bootstrap
    # runs meanwhile, where there is no cdk.json: the CLI would otherwise synthesize the app first, for nothing.
    bootstrap = _cdk_started(local_aws, "bootstrap", "aws://000000000000/us-east-1",
                             outdir=tmp_path_factory.mktemp("bootstrap-out"), cwd=tmp_path_factory.mktemp("no-app"))
    try:
        assembly = tmp_path_factory.mktemp("assembly")
        synth = run_app({**cdk_context(), "experiments": False}, assembly)  # ministack has no AppConfig experimentation
        assert synth.returncode == 0, synth.stderr
    finally:
        _finished(bootstrap)
    _finished(_cdk_started(local_aws, "deploy", "FlagsDemo", "--app", str(assembly), "--require-approval", "never",
                           outdir=tmp_path_factory.mktemp("cdk-out")))
    return Deployed(local_aws)


@pytest.fixture
def aws_env(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """This process's boto3 talks to the emulator (the ops commands build their clients from the environment)."""
    empty = tmp_path / "no-aws-config"
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in {**local_aws.environment(), "AWS_CONFIG_FILE": str(empty),
                        "AWS_SHARED_CREDENTIALS_FILE": str(empty), "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
