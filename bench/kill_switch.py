"""The kill switch while an alarm fires: from `flags-off --override-alarms` to clients served the flag off.

``python -m bench kill_switch``. On the local AWS (ministack on a free loopback port, an AppConfig
minute of 1 s), with the app deployed by the real CDK CLI, each round times the whole process a
person runs (``python -m appconfig_flags off ... --yes``) and then reads the profile through
appconfigdata once, as a client's next poll would:

- **override**: Beta's alarm in ALARM, ``--override-alarms`` (monitors detached, no-bake strategy);
- **baseline**: no alarm, plain ``flags-off`` (AppConfig.AllAtOnce and its 10 min bake, 10 s here).

Goal: clients are served the flag off at their first poll after the command returns (so within one
poll interval). Reported: seconds per command as median (range) over the rounds, the ratio
override / baseline, and how many first polls after the command served the flag off.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._process import ROOT, make_env, spread

ROUNDS = 3
FLAG = "allow-bitcoin-at-checkout"


def main() -> None:
    from scripts.local_aws import EMULATOR_PYTHON, LocalAws, free_port

    if not EMULATOR_PYTHON.exists():
        print("  skipped: the local AWS is not installed (make local-aws-setup)")
        return
    emulator = LocalAws(free_port(), minute_seconds=1.0)
    emulator.start()
    try:
        env = make_env(**emulator.environment())
        with tempfile.TemporaryDirectory() as out:
            for args in (["bootstrap", "aws://000000000000/us-east-1"],
                         ["deploy", "FlagsDemo", "--require-approval", "never", "-c", "experiments=false"]):
                subprocess.run(["cdk", *args, "--no-notices", "--output", out], cwd=ROOT, env=env, check=True,
                               capture_output=True)
        results = {"override": [], "baseline": []}
        served_off = {"override": 0, "baseline": 0}
        aws = _Aws(emulator.endpoint_url)
        for _ in range(ROUNDS):
            for kind in ("override", "baseline"):
                aws.set_alarm("ALARM" if kind == "override" else "OK")
                command = [sys.executable, "-m", "appconfig_flags", "off", "--flag", FLAG, "--environment", "Beta",
                           "--yes", "--poll-seconds", "0.5", *(["--override-alarms"] if kind == "override" else [])]
                start = time.perf_counter()
                subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
                results[kind].append(time.perf_counter() - start)
                served_off[kind] += not aws.served_enabled()
                aws.set_alarm("OK")
                aws.revert_latest()
        ratio = statistics.median(results["override"]) / statistics.median(results["baseline"])
        print(f"  override, alarm firing: {spread(results['override'], digits=1)} s per flags-off; "
              f"first poll after it served the flag off in {served_off['override']}/{ROUNDS} rounds")
        print(f"  baseline, no alarm:     {spread(results['baseline'], digits=1)} s per flags-off (10 s bake); "
              f"first poll served it off in {served_off['baseline']}/{ROUNDS} rounds")
        print(f"  override / baseline: {ratio:.2f}x (an AppConfig minute = 1 s; in AWS the baseline's bake is "
              "10 min, the override's none)")
    finally:
        emulator.stop()


class _Aws:
    def __init__(self, endpoint_url: str) -> None:
        import boto3

        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
        self.appconfig = session.client("appconfig", endpoint_url=endpoint_url)
        self.data = session.client("appconfigdata", endpoint_url=endpoint_url)
        self.cloudwatch = session.client("cloudwatch", endpoint_url=endpoint_url)
        self.app = next(a["Id"] for a in self.appconfig.list_applications()["Items"] if a["Name"] == "FlagsDemo")
        self.env = next(e for e in self.appconfig.list_environments(ApplicationId=self.app)["Items"]
                        if e["Name"] == "Beta")

    def set_alarm(self, state: str) -> None:
        for monitor in self.env["Monitors"]:
            self.cloudwatch.set_alarm_state(AlarmName=monitor["AlarmArn"].split(":alarm:")[1], StateValue=state,
                                            StateReason="bench")

    def served_enabled(self) -> bool:
        token = self.data.start_configuration_session(
            ApplicationIdentifier="FlagsDemo", EnvironmentIdentifier="Beta",
            ConfigurationProfileIdentifier="CheckoutFlags")["InitialConfigurationToken"]
        body = self.data.get_latest_configuration(ConfigurationToken=token)["Configuration"].read()
        return bool(json.loads(body)[FLAG]["enabled"])

    def revert_latest(self) -> None:
        latest = max(d["DeploymentNumber"] for d in self.appconfig.list_deployments(
            ApplicationId=self.app, EnvironmentId=self.env["Id"])["Items"])
        self.appconfig.stop_deployment(ApplicationId=self.app, EnvironmentId=self.env["Id"], DeploymentNumber=latest,
                                       AllowRevert=True)


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent.parent)
    main()
