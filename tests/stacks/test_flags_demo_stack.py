"""The FlagsDemo stack as `cdk synth` builds it from cdk.json: what must hold, and a snapshot to review."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Capture, Match, Template
from syrupy.extensions.json import JSONSnapshotExtension

from tests.dated import failed_reports
from tests.template_checks import cfn_lint_errors, stable


@pytest.fixture(scope="module")
def template_json(synthesized: Any) -> dict[str, Any]:
    _, assembly = synthesized
    result: dict[str, Any] = assembly.get_stack_by_name("FlagsDemo").template
    return result


@pytest.fixture(scope="module")
def template(template_json: dict[str, Any]) -> Template:
    return Template.from_json(template_json)


def _logical_id(template: Template, resource_type: str, props: dict[str, Any]) -> str:
    found = template.find_resources(resource_type, {"Properties": props})
    assert len(found) == 1, found
    return next(iter(found))


def test_declares_the_flagsdemo_application_with_beta_and_production(template: Template) -> None:
    template.resource_count_is("AWS::AppConfig::Application", 1)
    template.has_resource_properties("AWS::AppConfig::Application", {"Name": "FlagsDemo"})
    template.resource_count_is("AWS::AppConfig::Environment", 2)
    for name in ("Beta", "Production"):
        template.has_resource_properties("AWS::AppConfig::Environment", {
            "Name": name,
            "Monitors": [{"AlarmArn": {"Fn::GetAtt": [Match.any_value(), "Arn"]},
                          "AlarmRoleArn": {"Fn::GetAtt": [Match.any_value(), "Arn"]}}],
        })


def test_each_environment_alarms_on_its_own_checkout_errors(template: Template) -> None:
    template.resource_count_is("AWS::CloudWatch::Alarm", 2)
    for name in ("Beta", "Production"):
        template.has_resource_properties("AWS::CloudWatch::Alarm", {
            "Namespace": "FlagsDemo", "MetricName": "CheckoutErrors",
            "Dimensions": [{"Name": "Environment", "Value": name}],
            "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        })


def test_monitor_roles_may_read_only_their_own_alarm(template: Template, template_json: dict[str, Any]) -> None:
    template.resource_count_is("AWS::IAM::Policy", 0)
    roles = template.find_resources("AWS::IAM::Role")
    assert len(roles) == 2
    watched = {}
    for role in roles.values():
        props = role["Properties"]
        assert props["AssumeRolePolicyDocument"]["Statement"] == [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "appconfig.amazonaws.com"}}]
        (policy,) = props["Policies"]
        (statement,) = policy["PolicyDocument"]["Statement"]
        alarm = statement["Resource"]["Fn::GetAtt"][0]
        assert statement == {"Action": "cloudwatch:DescribeAlarms", "Effect": "Allow",
                             "Resource": {"Fn::GetAtt": [alarm, "Arn"]}}
        watched[props["Description"]] = template_json["Resources"][alarm]["Properties"]["Dimensions"]
    # Each environment's role reads that environment's alarm, not the other one.
    assert watched == {
        f"Lets AppConfig read the alarms of environment {name}": [{"Name": "Environment", "Value": name}]
        for name in ("Beta", "Production")
    }


def test_checkout_flags_is_a_hosted_feature_flag_profile(template: Template) -> None:
    template.resource_count_is("AWS::AppConfig::ConfigurationProfile", 1)
    template.has_resource_properties("AWS::AppConfig::ConfigurationProfile", {
        "Name": "CheckoutFlags", "Type": "AWS.AppConfig.FeatureFlags", "LocationUri": "hosted",
    })


@pytest.mark.parametrize(("environment", "value"), [
    # Beta: Bitcoin for everyone at 5%, one basic value.
    ("Beta", {"enabled": True, "default-currency": "USD", "bitcoin-discount-percentage": 5,
              "bitcoin-discount-end-date": "12/31/2026"}),
    # Production: gold customers only, at 10% (multi-variant; issue 10); only _variants in the value.
    ("Production", {"_variants": [
        {"name": "gold-tier-discount", "enabled": True, "rule": '(eq $tier "gold")',
         "attributeValues": {"bitcoin-discount-percentage": 10, "bitcoin-discount-end-date": "12/31/2026"}},
        {"name": "everyone-else", "enabled": False}]}),
])
def test_each_environment_gets_its_own_flag_values(template: Template, environment: str, value: dict[str, Any]) -> None:
    template.has_resource_properties("AWS::AppConfig::HostedConfigurationVersion", {
        "ContentType": "application/json",
        "Description": f"CheckoutFlags flags for {environment}",
        "VersionLabel": Match.string_like_regexp(f"^{environment}-[0-9a-f]{{12}}$"),
        "Content": Match.serialized_json(Match.object_like({
            "version": "1",
            "values": {"allow-bitcoin-at-checkout": value},
        })),
    })


def test_production_deploys_only_after_beta(template: Template, template_json: dict[str, Any]) -> None:
    beta = _logical_id(template, "AWS::AppConfig::Deployment", {"Description": "CheckoutFlags to Beta"})
    production = _logical_id(template, "AWS::AppConfig::Deployment", {"Description": "CheckoutFlags to Production"})
    assert template_json["Resources"][production]["DependsOn"] == [beta]
    assert "DependsOn" not in template_json["Resources"][beta]


def test_beta_bakes_with_a_custom_strategy_and_production_uses_the_predefined_canary(template: Template) -> None:
    template.resource_count_is("AWS::AppConfig::DeploymentStrategy", 1)
    strategy = Capture()
    template.has_resource_properties("AWS::AppConfig::DeploymentStrategy", {
        "Name": "FlagsDemo.BetaBake5Minutes", "GrowthType": "LINEAR", "GrowthFactor": 100,
        "DeploymentDurationInMinutes": 0, "FinalBakeTimeInMinutes": 5, "ReplicateTo": "NONE",
    })
    template.has_resource_properties("AWS::AppConfig::Deployment", {
        "Description": "CheckoutFlags to Beta", "DeploymentStrategyId": {"Ref": strategy},
    })
    assert template.find_resources("AWS::AppConfig::DeploymentStrategy").keys() == {strategy.as_string()}
    template.has_resource_properties("AWS::AppConfig::Deployment", {
        "Description": "CheckoutFlags to Production", "DeploymentStrategyId": "AppConfig.Canary10Percent20Minutes",
    })


def test_hosted_versions_are_kept_when_replaced_so_a_revert_finds_them(template_json: dict[str, Any]) -> None:
    versions = [r for r in template_json["Resources"].values() if r["Type"] == "AWS::AppConfig::HostedConfigurationVersion"]
    assert len(versions) == 2
    assert {(r.get("UpdateReplacePolicy"), r.get("DeletionPolicy")) for r in versions} == {("Retain", "Retain")}


def test_outputs_name_what_the_pipeline_polls(template_json: dict[str, Any]) -> None:
    assert set(template_json["Outputs"]) >= {
        "ApplicationId", "BetaEnvironmentId", "ProductionEnvironmentId",
        "CheckoutFlagsBetaDeploymentNumber", "CheckoutFlagsProductionDeploymentNumber",
    }


def test_cfn_lint_finds_no_errors(template_json: dict[str, Any]) -> None:
    assert cfn_lint_errors(template_json) == []


def test_cfn_lint_reports_errors_it_finds() -> None:
    broken = {"Resources": {"Env": {"Type": "AWS::AppConfig::Environment", "Properties": {"Name": "Beta"}}}}
    assert any("ApplicationId" in e for e in cfn_lint_errors(broken))


def test_cdk_nag_reports_nothing(synthesized: Any) -> None:
    _, assembly = synthesized
    report = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    # The plugin ran (synth raises on a finding) and left no report of failures.
    assert failed_reports(report) == []


def test_the_app_fails_synth_on_an_unacknowledged_nag_finding() -> None:
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3

    from app import wire
    from tests.conftest import cdk_context

    app = cdk.App(context=cdk_context(), analytics_reporting=False)
    wire(app)
    stack = app.node.find_child("FlagsDemo")
    s3.CfnBucket(stack, "UnloggedBucket")  # breaks AwsSolutions-S1 (no access logs)
    with pytest.raises(Exception, match="AwsSolutions-S1"):
        app.synth()


def test_template_snapshot(template_json: dict[str, Any], snapshot: Any) -> None:
    assert stable(template_json) == snapshot(extension_class=JSONSnapshotExtension)


# -- the Beta experiment (issue 19) ------------------------------------------------------------------
def test_the_experiment_tests_a_flag_of_the_profile_in_the_environment_it_is_deployed_to(
        template: Template, template_json: dict[str, Any]) -> None:
    template.resource_count_is("AWS::AppConfig::ExperimentDefinition", 1)
    profile, environment = Capture(), Capture()
    template.has_resource_properties("AWS::AppConfig::ExperimentDefinition", {
        "Name": "bitcoin-discount-5-vs-10", "FlagKey": "allow-bitcoin-at-checkout",
        "ApplicationIdentifier": {"Ref": _logical_id(template, "AWS::AppConfig::Application", {"Name": "FlagsDemo"})},
        "ConfigurationProfileIdentifier": {"Fn::GetAtt": [profile, "ConfigurationProfileId"]},
        "EnvironmentIdentifier": {"Ref": environment},
    })
    resources = template_json["Resources"]
    assert resources[profile.as_string()]["Properties"]["Name"] == "CheckoutFlags"
    assert resources[environment.as_string()]["Properties"]["Name"] == "Beta"
    # The flag is in that profile's Beta content, which the deployment the definition waits for deploys.
    (definition,) = template.find_resources("AWS::AppConfig::ExperimentDefinition").values()
    (deployment,) = definition["DependsOn"]
    deployed = resources[deployment]["Properties"]
    assert deployed["EnvironmentId"] == {"Ref": environment.as_string()}
    version = resources[deployed["ConfigurationVersion"]["Fn::GetAtt"][0]]["Properties"]
    assert "allow-bitcoin-at-checkout" in json.loads(version["Content"])["values"]
    assert deployed["ConfigurationProfileId"] == {"Fn::GetAtt": [profile.as_string(), "ConfigurationProfileId"]}


def test_the_audience_rule_parses_and_reads_only_declared_context_keys(template: Template) -> None:
    from appconfig_flags.model.targeting import check_rule
    from flags.checkout import CHECKOUT_CONTEXT

    (definition,) = template.find_resources("AWS::AppConfig::ExperimentDefinition").values()
    rule = definition["Properties"]["AudienceRule"]
    checked = check_rule(rule, context=CHECKOUT_CONTEXT)
    assert (rule, checked.problems, checked.warnings) == ('(eq $country "US")', (), ())


def test_treatments_and_exposure_respect_appconfig_limits(template: Template) -> None:
    from appconfig_flags.model.experiments import TREATMENT_KEY

    (definition,) = template.find_resources("AWS::AppConfig::ExperimentDefinition").values()
    props = definition["Properties"]
    assert 1 <= len(props["Treatments"]) <= 5
    arms = [props["Control"], *props["Treatments"]]
    assert [(a["Key"], a["Weight"], a["AttributeValues"]["bitcoin-discount-percentage"]) for a in arms] == [
        ("c", 50, {"NumberValue": 5}), ("t1", 50, {"NumberValue": 10})]
    assert all(re.fullmatch(TREATMENT_KEY, a["Key"]) and a["Weight"] >= 0 for a in arms)
    assert all(len(props.get(k, "")) <= 1024 for k in ("Hypothesis", "LaunchCriteria", "AudienceDescription"))
    template.resource_count_is("AWS::AppConfig::ExperimentRun", 1)
    (run,) = template.find_resources("AWS::AppConfig::ExperimentRun").values()
    assert run["Properties"]["ExposurePercentage"] == 50


def test_the_run_follows_its_definition_and_production_still_follows_only_beta(
        template: Template, template_json: dict[str, Any]) -> None:
    (definition_id,) = template.find_resources("AWS::AppConfig::ExperimentDefinition")
    template.has_resource_properties("AWS::AppConfig::ExperimentRun", {
        "ExperimentDefinitionIdentifier": {"Fn::GetAtt": [definition_id, "Id"]}})
    production = _logical_id(template, "AWS::AppConfig::Deployment", {"Description": "CheckoutFlags to Production"})
    beta = _logical_id(template, "AWS::AppConfig::Deployment", {"Description": "CheckoutFlags to Beta"})
    assert template_json["Resources"][production]["DependsOn"] == [beta]
