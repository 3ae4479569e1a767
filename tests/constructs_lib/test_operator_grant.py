"""grant_operate: exactly what the ops commands call on one environment and profile, and cdk-nag's view of it."""
from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from appconfig_flags.model import Flag, FlagValue, Profile
from constructs_lib.application import FlagsApplication
from constructs_lib.monitors import AlarmMonitor
from constructs_lib.operator_grant import COMMAND_ACTIONS
from constructs_lib.props import PropsError

FLAGS = Profile("Flags", (Flag(key="dark-mode", environments={"Beta": FlagValue(enabled=True)}),))


def _operated() -> tuple[cdk.Stack, Any, Any, iam.Role]:
    stack = cdk.Stack(cdk.App(), "Ops")
    app = FlagsApplication(stack, "App", application_name="Test")
    metric = cloudwatch.Metric(namespace="Test", metric_name="Errors")
    beta = app.add_environment("Beta", monitors=[AlarmMonitor.from_metric(metric, threshold=1)])
    flags = app.add_feature_flags("Flags", profile=FLAGS)
    operator = iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal())
    flags.grant_operate(operator, beta)
    return stack, flags, beta, operator


def _statements(stack: cdk.Stack) -> list[dict[str, Any]]:
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def test_every_action_the_commands_call_is_granted_and_nothing_else() -> None:
    stack, *_ = _operated()
    granted = {a for s in _statements(stack) for a in _actions(s)}
    assert granted == {a for actions in COMMAND_ACTIONS.values() for a in actions}
    assert not any(a.endswith("*") for a in granted)


def test_only_the_actions_aws_cannot_scope_apply_to_every_resource() -> None:
    stack, *_ = _operated()
    unscoped = {a for s in _statements(stack) if s["Resource"] == "*" for a in _actions(s)}
    assert unscoped == {"appconfig:ListApplications", "appconfig:ListDeploymentStrategies"}


def test_alarms_and_the_monitor_role_are_those_of_the_environment() -> None:
    stack, _flags, beta, _ = _operated()
    resolve = stack.resolve
    by_action = {a: s for s in _statements(stack) for a in _actions(s)}
    assert by_action["cloudwatch:DescribeAlarms"]["Resource"] == resolve(beta.alarms[0].alarm_arn)
    pass_role = by_action["iam:PassRole"]
    assert pass_role["Resource"] == resolve(beta.monitor_role.role_arn)
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "appconfig.amazonaws.com"}}
    assert by_action["cloudformation:GetTemplate"]["Resource"] == {"Ref": "AWS::StackId"}


def test_start_deployment_names_this_environment_and_profile() -> None:
    stack, flags, beta, _ = _operated()
    start = next(s for s in _statements(stack) if "appconfig:StartDeployment" in _actions(s))
    text = str(start["Resource"])
    assert str(stack.resolve(beta.environment_id)) in text and str(stack.resolve(flags.configuration_profile_id)) in text


def test_an_environment_the_profile_does_not_deploy_to_is_refused() -> None:
    stack = cdk.Stack(cdk.App(), "Ops")
    app = FlagsApplication(stack, "App", application_name="Test")
    beta = app.add_environment("Beta", allow_unmonitored=True)
    gamma = app.add_environment("Gamma", allow_unmonitored=True)
    flags = app.add_feature_flags("Flags", profile=FLAGS, deploy_to=[beta])
    with pytest.raises(PropsError, match=r"grant_operate/environment: is not an environment this profile is deployed"):
        flags.grant_operate(iam.Role(stack, "Operator", assumed_by=iam.AccountRootPrincipal()), gamma)


def test_cdk_nag_reports_only_the_documented_wildcards() -> None:
    from cdk_nag import AwsSolutionsChecks

    stack, *_ = _operated()
    report = AwsSolutionsChecks(verbose=True).validate_scope(stack)
    findings = {(v.rule_name, r.construct_path) for v in report.violations for r in v.violating_resources}
    # IAM5 (wildcards): "*" for the two List actions, and deployment/*, hostedconfigurationversion/* and
    # deploymentstrategy/* whose numbers and IDs do not exist when the grant is made (docs/operations.md).
    assert {path for _, path in findings} == {"Ops/Operator/DefaultPolicy/Resource"}
    assert all(rule.startswith("AwsSolutions-IAM5[Resource::") for rule, _ in findings)
    assert sorted(rule.split("Resource::")[1] for rule, _ in findings if rule.endswith("/*]")) == sorted([
        ("arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<App675A91B1>/configurationprofile/"
        "<AppFlags4D07A0B8.ConfigurationProfileId>/hostedconfigurationversion/*]"),
        ("arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:application/<App675A91B1>/environment/"
        "<AppBeta74EC8A03>/deployment/*]"),
        "arn:<AWS::Partition>:appconfig:<AWS::Region>:<AWS::AccountId>:deploymentstrategy/*]"])
    assert len(findings) == 4 and ("AwsSolutions-IAM5[Resource::*]", "Ops/Operator/DefaultPolicy/Resource") in findings
