#!/usr/bin/env python3
"""StoreFront: an app outside this repository that deploys its feature flags with constructs_lib.

Two environments (Staging, then Live), two profiles (UiFlags, PricingFlags), an alarm that rolls
a bad flag change in Live back, a custom rollout for Live, and a Lambda function allowed to read
exactly its environment's flags. Run ``cdk synth`` here, or ``python app.py`` (``CDK_OUTDIR``).
"""
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from storefront_flags import ENVIRONMENTS, PRICING_FLAGS, UI_FLAGS

from constructs_lib import AlarmMonitor, FlagRollout, FlagsApplication

#: Live's flag changes reach a quarter more of the targets every 5 minutes, then bake 15 minutes.
LIVE_ROLLOUT = FlagRollout.linear(
    "StoreFront.Linear25PercentEvery5Minutes",
    growth_factor=25, deployment_duration=cdk.Duration.minutes(20), final_bake_time=cdk.Duration.minutes(15),
    description="StoreFront Live: 25% of targets every 5 minutes, then 15 minutes watching the alarms",
)

#: The function's code: reads each profile's flags through AppConfig Data (boto3 is in the runtime).
READ_FLAGS = """
import json, os, boto3
client = boto3.client("appconfigdata")
def handler(event, context):
    flags = {}
    for profile in os.environ["FLAG_PROFILES"].split(","):
        token = client.start_configuration_session(
            ApplicationIdentifier=os.environ["FLAG_APPLICATION"], EnvironmentIdentifier=os.environ["FLAG_ENVIRONMENT"],
            ConfigurationProfileIdentifier=profile)["InitialConfigurationToken"]
        content = client.get_latest_configuration(ConfigurationToken=token)["Configuration"].read()
        flags[profile] = json.loads(content or b"{}")
    return flags
"""


class StoreFrontFlagsStack(cdk.Stack):
    """StoreFront's AppConfig application, its environments and flags, and the function reading Live's flags."""

    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        application = FlagsApplication(
            self, "StoreFront",
            application_name="StoreFront",
            description="StoreFront's feature flags",
            environment_names=ENVIRONMENTS,
        )
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

        reader = lambda_.Function(
            self, "LiveFlagsReader",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline(READ_FLAGS),
            environment={
                "FLAG_APPLICATION": application.application_id,
                "FLAG_ENVIRONMENT": live.environment_id,
                "FLAG_PROFILES": f"{ui.configuration_profile_id},{pricing.configuration_profile_id}",
            },
        )
        # Exactly these two profiles, in Live only.
        ui.grant_read(reader, live)
        pricing.grant_read(reader, live)

        cdk.CfnOutput(self, "ApplicationId", value=application.application_id)
        cdk.CfnOutput(self, "LiveEnvironmentId", value=live.environment_id)


def main() -> None:
    app = cdk.App()
    StoreFrontFlagsStack(app, "StoreFrontFlags")
    app.synth()


if __name__ == "__main__":
    main()
