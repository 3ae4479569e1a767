#!/usr/bin/env python3
"""StoreFront: an app outside this repository that deploys its feature flags with constructs_lib.

Two environments (Staging, then Live), two profiles (UiFlags, PricingFlags), an alarm that rolls
a bad flag change in Live back, a custom rollout for Live, and a Lambda function (handler.py) that
reads Live's flags with the runtime client through the AppConfig Lambda extension, allowed to read
exactly those. The extension's layer ARN depends on the region: pass it as
``-c appconfigExtensionLayerArn=ARN`` (README.md). Run ``cdk synth`` here, or ``python app.py``
(``CDK_OUTDIR``).
"""
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from storefront_flags import PRICING_FLAGS, PROFILES, UI_FLAGS

import appconfig_flags
from constructs_lib import AlarmMonitor, FlagRollout, FlagsApplication

HERE = Path(__file__).resolve().parent
#: What the function needs besides the runtime package: its handler and the catalogue it reads.
FUNCTION_MODULES = ("handler.py", "storefront_flags.py")
LAYERS = "https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-lambda-extensions-versions.html"

#: Live's flag changes reach a quarter more of the targets every 5 minutes, then bake 15 minutes.
LIVE_ROLLOUT = FlagRollout.linear(
    "StoreFront.Linear25PercentEvery5Minutes",
    growth_factor=25, deployment_duration=cdk.Duration.minutes(20), final_bake_time=cdk.Duration.minutes(15),
    description="StoreFront Live: 25% of targets every 5 minutes, then 15 minutes watching the alarms",
)

def stage_bundle(target: Path) -> Path:
    """The function's code in ``target``: the handler, the catalogue and the installed ``appconfig_flags`` package
    (what ``pip install --target DIR appconfig-flags`` would put there: it needs nothing else)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in FUNCTION_MODULES:
        shutil.copy2(HERE / name, target / name)
    shutil.copytree(Path(appconfig_flags.__file__).parent, target / "appconfig_flags",
                    ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
    return target


class StoreFrontFlagsStack(cdk.Stack):
    """StoreFront's AppConfig application, its environments and flags, and the function reading Live's flags."""

    def __init__(self, scope: Construct, id: str, *, bundle: Path, extension_layer_arn: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        # The application's name and its environments are the catalogue's (storefront_flags.py).
        application = FlagsApplication(self, "StoreFront", catalogue=PROFILES, description="StoreFront's feature flags")
        staging = application.add_environment("Staging", deployment_strategy=FlagRollout.ALL_AT_ONCE)
        page_errors = cloudwatch.Metric(
            namespace="StoreFront", metric_name="PageErrors", dimensions_map={"Environment": "Live"},
            statistic="Sum", period=cdk.Duration.minutes(1),
        )
        live = application.add_environment(
            "Live",
            production=True,
            promote_after=staging,
            deployment_strategy=LIVE_ROLLOUT,
            monitors=[AlarmMonitor.from_metric(
                page_errors, threshold=5,
                description="StoreFront Live page errors: AppConfig rolls a flag deployment back while this alarms",
            )],
        )
        ui = application.add_feature_flags("UiFlags", profile=UI_FLAGS)
        pricing = application.add_feature_flags("PricingFlags", profile=PRICING_FLAGS)

        # The extension fetches both profiles at start-up; the handler's clients read its cache on localhost.
        prefetch = ",".join(f"/applications/{p.application}/environments/Live/configurations/{p.name}"
                            for p in (UI_FLAGS, PRICING_FLAGS))
        reader = lambda_.Function(
            self, "LiveFlagsReader",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="handler.handler",
            code=lambda_.Code.from_asset(str(bundle)),
            layers=[lambda_.LayerVersion.from_layer_version_arn(self, "AppConfigExtension", extension_layer_arn)],
            environment={"FLAG_ENVIRONMENT": "Live", "AWS_APPCONFIG_EXTENSION_PREFETCH_LIST": prefetch},
        )
        # Exactly these two profiles, in Live only.
        ui.grant_read(reader, live)
        pricing.grant_read(reader, live)

        cdk.CfnOutput(self, "ApplicationId", value=application.application_id)
        cdk.CfnOutput(self, "LiveEnvironmentId", value=live.environment_id)


def extension_layer_arn(app: cdk.App) -> str:
    """``-c appconfigExtensionLayerArn=ARN``: the AppConfig Lambda extension's layer in the stack's region."""
    arn = app.node.try_get_context("appconfigExtensionLayerArn")
    if not isinstance(arn, str) or not arn.startswith("arn:aws:lambda:"):
        sys.exit(f"error: pass the AppConfig Lambda extension's layer ARN for your region: -c "
                 f"appconfigExtensionLayerArn=ARN (AWS's list: {LAYERS}; got {arn!r})")
    return arn


def main() -> None:
    app = cdk.App()
    with tempfile.TemporaryDirectory() as staging:
        StoreFrontFlagsStack(app, "StoreFrontFlags", bundle=stage_bundle(Path(staging) / "function"),
                             extension_layer_arn=extension_layer_arn(app))
        app.synth()  # copies the bundle into cdk.out while it exists


if __name__ == "__main__":
    main()
