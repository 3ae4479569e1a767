"""What the ops commands need on one environment and profile: status, revert, off (with the override), restore-monitors.

Resource types and actions as the Service Authorization Reference lists them ("Actions, resources, and
condition keys for AWS AppConfig"). ListApplications and ListDeploymentStrategies take no resource;
CreateDeploymentStrategy (the override's no-bake strategy, made once) and StartDeployment name a
strategy, whose ID is not known when the grant is made.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from aws_cdk import Stack

#: Actions AppConfig authorizes on no resource ("*").
UNSCOPED_ACTIONS = ("appconfig:ListApplications", "appconfig:ListDeploymentStrategies")
#: Per command, what it calls: docs/operations.md shows the same table.
COMMAND_ACTIONS = {
    "status": ("appconfig:ListApplications", "appconfig:ListEnvironments", "appconfig:ListConfigurationProfiles",
               "appconfig:ListDeployments", "appconfig:GetDeployment", "appconfig:GetHostedConfigurationVersion",
               "appconfig:ListDeploymentStrategies"),
    "revert": ("appconfig:GetEnvironment", "cloudwatch:DescribeAlarms", "appconfig:StopDeployment"),
    "off": ("appconfig:GetEnvironment", "cloudwatch:DescribeAlarms", "appconfig:ListHostedConfigurationVersions",
            "appconfig:CreateHostedConfigurationVersion", "appconfig:StartDeployment"),
    "off --override-alarms": ("appconfig:UpdateEnvironment", "iam:PassRole", "appconfig:CreateDeploymentStrategy"),
    "restore-monitors": ("appconfig:ListTagsForResource", "cloudformation:GetTemplate",
                         "cloudformation:DescribeStackResource", "appconfig:UpdateEnvironment", "iam:PassRole"),
}


class Permission(NamedTuple):
    """One statement of the grant."""

    actions: list[str]
    resources: list[str]
    conditions: dict[str, Any] | None = None


def operate_permissions(stack: Stack, *, application_id: str, configuration_profile_id: str, environment_id: str,
                        alarm_arns: Sequence[str], monitor_role_arns: Sequence[str]) -> list[Permission]:
    """The permissions of :meth:`FeatureFlagProfile.grant_operate`: its ids, and the environment's ids and monitors.

    Plain values, not the constructs: the profile construct calls this, so this module does not import it.
    """
    app_id, env_id = application_id, environment_id

    def appconfig_arn(name: str) -> str:
        return stack.format_arn(service="appconfig", resource="application", resource_name=f"{app_id}{name}")

    environment_arn = appconfig_arn(f"/environment/{env_id}")
    profile_arn = appconfig_arn(f"/configurationprofile/{configuration_profile_id}")
    strategies = stack.format_arn(service="appconfig", resource="deploymentstrategy", resource_name="*")
    permissions = [
        Permission(list(UNSCOPED_ACTIONS), ["*"]),
        Permission(["appconfig:ListEnvironments", "appconfig:ListConfigurationProfiles"], [appconfig_arn("")]),
        Permission(["appconfig:GetEnvironment", "appconfig:ListDeployments", "appconfig:UpdateEnvironment",
                    "appconfig:ListTagsForResource"], [environment_arn]),
        Permission(["appconfig:GetDeployment", "appconfig:StopDeployment"], [f"{environment_arn}/deployment/*"]),
        Permission(["appconfig:ListHostedConfigurationVersions", "appconfig:CreateHostedConfigurationVersion"],
                   [profile_arn]),
        Permission(["appconfig:GetHostedConfigurationVersion"], [f"{profile_arn}/hostedconfigurationversion/*"]),
        Permission(["appconfig:StartDeployment"], [appconfig_arn(""), environment_arn, profile_arn, strategies]),
        Permission(["appconfig:CreateDeploymentStrategy"], [strategies]),
        Permission(["cloudformation:GetTemplate", "cloudformation:DescribeStackResource"], [stack.stack_id]),
    ]
    if alarm_arns:
        permissions.append(Permission(["cloudwatch:DescribeAlarms"], list(alarm_arns)))
    if monitor_role_arns:
        # UpdateEnvironment passes the monitor role to AppConfig when it puts the monitors back.
        permissions.append(Permission(["iam:PassRole"], list(monitor_role_arns),
                                      {"StringEquals": {"iam:PassedToService": "appconfig.amazonaws.com"}}))
    return permissions
