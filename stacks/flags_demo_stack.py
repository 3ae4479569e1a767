"""The FlagsDemo stack: the AppConfig application, its guarded environments and the flag catalogue."""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from appconfig_flags.model import Profile
from constructs_lib.application import FlagsApplication
from constructs_lib.environment import GuardedEnvironment
from constructs_lib.monitors import AlarmMonitor
from flags import PROFILES

from .settings import EnvironmentSettings, FlagsDemoSettings, SettingsError

#: The metric the checkout app publishes on a failed checkout; each environment alarms on it.
CHECKOUT_ERRORS_NAMESPACE = "FlagsDemo"
CHECKOUT_ERRORS_METRIC = "CheckoutErrors"


class FlagsDemoStack(Stack):
    """Declares the catalogue's application with ``environments`` (Default: all in the settings) and deploys every profile.

    Workstations deploy one stack with every environment (Production after Beta); a pipeline
    deploys one stack per stage with that stage's environment. ``experiments=False`` deploys the
    profiles without their experiments (`-c experiments=false`: an AppConfig without
    experimentation, such as the local AWS); their flags' content is the same.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: FlagsDemoSettings,
        environments: Sequence[str] | None = None,
        profiles: Sequence[Profile] = PROFILES,
        experiments: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, **kwargs)
        wanted = set(environments) if environments is not None else set(settings.environment_names)
        if unknown := wanted - set(settings.environment_names):
            known = list(settings.environment_names)
            raise SettingsError([f"stack {id}: environments {sorted(unknown)} are not in flagsdemo.environments {known}"])
        # The application's name and environment names are the catalogue's (Profile.application, .environments).
        self.application = FlagsApplication(
            self, "FlagsDemo",
            catalogue=profiles,
            description="Feature flags of the checkout demo, managed as code",
        )
        added: dict[str, GuardedEnvironment] = {}
        for env in settings.environments:  # in promotion order, so an environment's predecessor exists
            if env.name not in wanted:
                continue
            name = env.name
            after = added.get(env.promote_after) if env.promote_after else None
            added[name] = self.application.add_environment(
                name,
                monitors=_monitors(self, env),
                production=env.production,
                allow_unmonitored=env.allow_unmonitored,
                promote_after=after,
                deployment_strategy=env.strategy,
                description=f"{name} environment of {settings.application_name}",
            )
        #: The environments this stack declares, by name.
        self.environments = added
        #: The stack's outputs by id: what a pipeline stage reads (see stacks/flags_demo_stage.py).
        self.outputs: dict[str, CfnOutput] = {}
        self._output("ApplicationId", self.application.application_id)
        for name, environment in added.items():
            self._output(f"{name}EnvironmentId", environment.environment_id)
        for profile in profiles:
            if not experiments:
                profile = dataclasses.replace(profile, experiments=())
            self.application.add_feature_flags(profile.name, profile=profile)
        for deployment in self.application.deployments:
            # e.g. CheckoutFlagsBetaDeploymentNumber: what the pipeline polls before Production.
            self._output(f"{deployment.profile_name}{deployment.environment_name}DeploymentNumber",
                         deployment.resource.attr_deployment_number)

    def _output(self, id: str, value: str) -> None:
        self.outputs[id] = CfnOutput(self, id, value=value)


def _monitors(scope: Construct, env: EnvironmentSettings) -> list[AlarmMonitor]:
    metric = cloudwatch.Metric(
        namespace=CHECKOUT_ERRORS_NAMESPACE,
        metric_name=CHECKOUT_ERRORS_METRIC,
        dimensions_map={"Environment": env.name},
        statistic="Sum",
        period=Duration.minutes(1),
    )
    monitors = []
    if env.metric_alarm:
        monitors.append(AlarmMonitor.from_metric(
            metric, threshold=env.alarm_threshold,
            description=f"Checkout errors in {env.name}: AppConfig rolls back a flag deployment while this alarms",
        ))
    for index, arn in enumerate(env.alarm_arns):
        monitors.append(AlarmMonitor.from_alarm(cloudwatch.Alarm.from_alarm_arn(scope, f"{env.name}ExistingAlarm{index + 1}", arn)))
    return monitors
