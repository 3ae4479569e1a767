"""Synth time of the app against the same resources written as raw L1 constructs.

Run: `make bench` or `python -m bench synth`. The app is built as app.py builds it (``wire``:
the FlagsDemo stack and the cdk-nag checks, cdk.json's context); the raw L1 variant declares the
same resources and outputs with Cfn* classes and literal JSON, under the same cdk-nag checks.
Both run in one process (one jsii runtime), interleaved, each on a fresh App; the figure is the
median of the rounds. Goal: app / raw L1 <= 1.25.

Then the same comparison end to end, as a person runs it: ``cdk synth`` of app.py against
``cdk synth --app "python -m bench._raw_l1_app"`` (the CDK CLI on Node, a new Python process, the
jsii runtime, the synth and cdk-nag, the cloud assembly written), interleaved, PROCESS_ROUNDS
each. Goal: app / raw L1 <= 1.05, whole process.
"""
from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROUNDS = 25
PROCESS_ROUNDS = 7
ROOT = Path(__file__).resolve().parent.parent


def _context() -> dict[str, object]:
    context: dict[str, object] = json.loads((ROOT / "cdk.json").read_text())["context"]
    return context


def build_flagsdemo(app: object) -> None:
    from app import wire

    wire(app)  # type: ignore[arg-type]


def build_raw_l1(app: object, contents: dict[str, str]) -> None:
    """The resources and outputs FlagsDemoStack declares, written by hand with Cfn* classes and literal JSON."""
    import aws_cdk as cdk
    from aws_cdk import aws_appconfig as ac
    from aws_cdk import aws_cloudwatch as cw
    from aws_cdk import aws_iam as iam
    from cdk_nag import AwsSolutionsChecks

    stack = cdk.Stack(app, "RawL1")  # type: ignore[arg-type]
    application = ac.CfnApplication(stack, "App", name="FlagsDemo")
    strategy = ac.CfnDeploymentStrategy(stack, "BetaBake", name="FlagsDemo.BetaBake5Minutes", growth_factor=100,
                                        deployment_duration_in_minutes=0, final_bake_time_in_minutes=5,
                                        growth_type="LINEAR", replicate_to="NONE")
    profile = ac.CfnConfigurationProfile(stack, "Profile", application_id=application.ref, name="CheckoutFlags",
                                         location_uri="hosted", type="AWS.AppConfig.FeatureFlags")
    cdk.CfnOutput(stack, "ApplicationId", value=application.ref)
    previous = None
    for name, strategy_id in (("Beta", strategy.ref), ("Production", "AppConfig.Canary10Percent20Minutes")):
        alarm = cw.CfnAlarm(stack, f"{name}Alarm", namespace="FlagsDemo", metric_name="CheckoutErrors",
                            dimensions=[cw.CfnAlarm.DimensionProperty(name="Environment", value=name)],
                            statistic="Sum", period=60, threshold=1, evaluation_periods=1,
                            comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching")
        role = iam.CfnRole(stack, f"{name}Role", assume_role_policy_document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "appconfig.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]},
            policies=[iam.CfnRole.PolicyProperty(policy_name="DescribeOwnAlarms", policy_document={
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "cloudwatch:DescribeAlarms", "Resource": alarm.attr_arn}]})])
        environment = ac.CfnEnvironment(stack, name, application_id=application.ref, name=name, monitors=[
            ac.CfnEnvironment.MonitorsProperty(alarm_arn=alarm.attr_arn, alarm_role_arn=role.attr_arn)])
        version = ac.CfnHostedConfigurationVersion(stack, f"{name}Version", application_id=application.ref,
                                                   configuration_profile_id=profile.ref, content=contents[name],
                                                   content_type="application/json")
        deployment = ac.CfnDeployment(stack, f"{name}Deployment", application_id=application.ref,
                                      environment_id=environment.ref, configuration_profile_id=profile.ref,
                                      configuration_version=version.ref, deployment_strategy_id=strategy_id)
        cdk.CfnOutput(stack, f"{name}EnvironmentId", value=environment.ref)
        cdk.CfnOutput(stack, f"CheckoutFlags{name}DeploymentNumber", value=deployment.attr_deployment_number)
        if previous is not None:
            deployment.add_resource_dependency(previous)
        previous = deployment
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))  # type: ignore[arg-type]


def _time_synth(build: Callable[[object], None]) -> float:
    import aws_cdk as cdk

    with tempfile.TemporaryDirectory() as outdir:
        start = time.perf_counter()
        app = cdk.App(outdir=outdir, analytics_reporting=False, context=_context())  # cdk.json, as `cdk synth` passes it
        build(app)
        app.synth()
        return time.perf_counter() - start


def main() -> None:
    import aws_cdk  # noqa: F401  (start the jsii runtime before timing)

    from flags import CHECKOUT_FLAGS

    contents = {name: CHECKOUT_FLAGS.render(name) for name in ("Beta", "Production")}
    flagsdemo: list[float] = []
    raw: list[float] = []
    _time_synth(build_flagsdemo)  # warm-up: imports, first jsii loads
    _time_synth(lambda app: build_raw_l1(app, contents))
    for _ in range(ROUNDS):
        flagsdemo.append(_time_synth(build_flagsdemo))
        raw.append(_time_synth(lambda app: build_raw_l1(app, contents)))
    a, b = statistics.median(flagsdemo), statistics.median(raw)
    print(f"synth the app (FlagsDemo via constructs_lib, cdk-nag): median {a * 1000:.0f} ms over {ROUNDS} rounds")
    print(f"synth the same resources as raw L1 (cdk-nag):          median {b * 1000:.0f} ms over {ROUNDS} rounds")
    print(f"ratio: {a / b:.2f}x (goal <= 1.25x)")
    whole_process()


def whole_process() -> None:
    """``cdk synth`` end to end: the app as app.py wires it against the raw-L1 app, interleaved."""
    import sys

    from bench._process import make_env, spread, timed

    env = make_env()

    def cdk_synth(*app: str) -> float:
        with tempfile.TemporaryDirectory() as out:
            return timed(["cdk", "synth", "--quiet", "--no-notices", "-o", out, *app], env=env)

    raw_app = ("--app", f"{sys.executable} -m bench._raw_l1_app")
    cdk_synth(), cdk_synth(*raw_app)  # warm-up: node, jsii, the file cache
    flagsdemo: list[float] = []
    raw: list[float] = []
    for _ in range(PROCESS_ROUNDS):
        flagsdemo.append(cdk_synth())
        raw.append(cdk_synth(*raw_app))
    a, b = statistics.median(flagsdemo), statistics.median(raw)
    print(f"cdk synth of app.py, whole process:        {spread(flagsdemo, 1, 2)} s over {PROCESS_ROUNDS} rounds")
    print(f"cdk synth of the raw-L1 app, whole process: {spread(raw, 1, 2)} s over {PROCESS_ROUNDS} rounds")
    print(f"whole-process ratio: {a / b:.3f}x (goal <= 1.05x)")


if __name__ == "__main__":
    main()
