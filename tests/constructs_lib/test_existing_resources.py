"""Deploying into what a team already has: another stack's application and environments, imports, from_* grants."""
from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from appconfig_flags.model import Flag, FlagValue, Profile
from constructs_lib import FeatureFlagProfile, FlagRollout, FlagsApplication, GuardedEnvironment, PropsError
from tests.template_checks import cfn_lint_errors

DARK_MODE = Flag(key="dark-mode", environments={"Beta": FlagValue(enabled=True)})
FLAGS = Profile("ShopFlags", (DARK_MODE,), application="Shop", environments=("Beta", "Prod"))
ALARM_ARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-prod-errors"
ROLE_ARN = "arn:aws:iam::123456789012:role/shop-prod-monitor"


def _nag_findings(stack: cdk.Stack) -> list[tuple[str, str]]:
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks(verbose=True).validate_scope(stack)
    return [(v.rule_name, r.construct_path) for v in report.violations for r in v.violating_resources]


@pytest.fixture(scope="module")
def platform_and_service() -> tuple[cdk.Stack, cdk.Stack, FlagsApplication]:
    """The platform team's stack owns the application and Beta; the service's stack ships its flags into them."""
    app = cdk.App()
    platform = cdk.Stack(app, "Platform")
    shop = appconfig.Application(platform, "Shop", application_name="Shop")
    errors = cloudwatch.Alarm(platform, "BetaErrors", metric=cloudwatch.Metric(namespace="Shop", metric_name="Errors"),
                              threshold=1, evaluation_periods=1)
    reads_errors = iam.Role(platform, "BetaMonitorRole", assumed_by=iam.ServicePrincipal("appconfig.amazonaws.com"),
                            inline_policies={"DescribeAlarm": iam.PolicyDocument(statements=[iam.PolicyStatement(
                                actions=["cloudwatch:DescribeAlarms"], resources=[errors.alarm_arn])])})
    beta = appconfig.Environment(platform, "Beta", application=shop, environment_name="Beta",
                                 monitors=[appconfig.Monitor.from_cloud_watch_alarm(errors, reads_errors)])
    service = cdk.Stack(app, "Service")
    # Prod exists already, made by hand or another app: imported by its attributes, monitors included.
    prod = appconfig.Environment.from_environment_attributes(
        service, "Prod", application=shop, environment_id="prod123", name="Prod",
        monitors=[appconfig.Monitor.from_cloud_watch_alarm(
            cloudwatch.Alarm.from_alarm_arn(service, "ProdErrors", ALARM_ARN),
            iam.Role.from_role_arn(service, "ProdMonitorRole", ROLE_ARN))])
    flags_app = FlagsApplication(service, "Flags", application=shop, catalogue=[FLAGS])
    flags_app.add_existing_environment(beta, deployment_strategy=FlagRollout.bake_only(
        "Shop.Bake5Minutes", final_bake_time=cdk.Duration.minutes(5)))
    flags_app.add_existing_environment(prod, production=True)
    flags = flags_app.add_feature_flags("ShopFlags", profile=FLAGS)
    flags.grant_operate(iam.Role(service, "Operator", assumed_by=iam.AccountRootPrincipal()), prod)
    return platform, service, flags_app


def test_a_profile_deploys_to_another_stacks_environment_and_an_imported_one_with_their_own_values(
        platform_and_service: tuple[cdk.Stack, cdk.Stack, FlagsApplication]) -> None:
    _platform, service, flags_app = platform_and_service
    template = Template.from_stack(service)
    template.resource_count_is("AWS::AppConfig::Application", 0)
    template.resource_count_is("AWS::AppConfig::Environment", 0)
    for environment, enabled in (("Beta", True), ("Prod", False)):
        template.has_resource_properties("AWS::AppConfig::HostedConfigurationVersion", {
            "Description": f"ShopFlags flags for {environment}",
            "Content": Match.serialized_json(Match.object_like({"values": {"dark-mode": {"enabled": enabled}}})),
        })
    resources = template.to_json()["Resources"]
    by_description = {r["Properties"]["Description"]: (k, r) for k, r in resources.items()
                      if r["Type"] == "AWS::AppConfig::Deployment"}
    beta_id, beta = by_description["ShopFlags to Beta"]
    _, prod = by_description["ShopFlags to Prod"]
    # Beta is the platform's: its ID and the application's come through the platform stack's exports.
    assert "Fn::ImportValue" in beta["Properties"]["EnvironmentId"]
    assert "Fn::ImportValue" in beta["Properties"]["ApplicationId"]
    assert prod["Properties"]["EnvironmentId"] == "prod123"
    assert prod["DependsOn"] == [beta_id]  # the catalogue's order: Prod after Beta
    assert prod["Properties"]["DeploymentStrategyId"] == "AppConfig.Canary10Percent20Minutes"  # production default
    assert [d.environment_name for d in flags_app.deployments] == ["Beta", "Prod"]


def test_both_stacks_are_cfn_lint_and_cdk_nag_clean(
        platform_and_service: tuple[cdk.Stack, cdk.Stack, FlagsApplication]) -> None:
    platform, service, _ = platform_and_service
    for stack in (platform, service):
        assert cfn_lint_errors(Template.from_stack(stack).to_json()) == []
    assert _nag_findings(platform) == []
    # The operator's grant (the fixture's) has the wildcards test_operator_grant.py documents, and only those.
    assert {rule.split("[")[0] for rule, path in _nag_findings(service)} <= {"AwsSolutions-IAM5"}
    assert {path for _, path in _nag_findings(service)} <= {"Service/Operator/DefaultPolicy/Resource"}


def test_grant_operate_on_an_imported_environment_names_the_monitors_its_import_declares(
        platform_and_service: tuple[cdk.Stack, cdk.Stack, FlagsApplication]) -> None:
    _, service, _ = platform_and_service
    statements = [s for p in Template.from_stack(service).find_resources("AWS::IAM::Policy").values()
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    by_action = {a: s for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert by_action["cloudwatch:DescribeAlarms"]["Resource"] == ALARM_ARN
    assert by_action["iam:PassRole"]["Resource"] == ROLE_ARN


def test_a_service_stack_grants_itself_read_access_to_flags_the_platform_stack_deploys() -> None:
    app = cdk.App()
    platform = cdk.Stack(app, "Platform")
    flags_app = FlagsApplication(platform, "Shop", catalogue=[FLAGS])
    beta = flags_app.add_environment("Beta")
    profile = flags_app.add_feature_flags("ShopFlags", profile=FLAGS)
    service = cdk.Stack(app, "Service")
    imported = FeatureFlagProfile.from_feature_flag_profile_attributes(
        service, "ShopFlags", application=flags_app, configuration_profile_id=profile.configuration_profile_id,
        environments=[beta])
    reader = iam.Role(service, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    assert imported.grant_read(reader, beta).success
    template = Template.from_stack(service)
    template.resource_count_is("AWS::AppConfig::ConfigurationProfile", 0)
    (policy,) = template.find_resources("AWS::IAM::Policy").values()
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"]
    resource = json.dumps(statement["Resource"])
    # The application's, Beta's and the profile's IDs are the platform stack's, imported.
    assert resource.count("Fn::ImportValue") == 3 and "/environment/" in resource and "/configuration/" in resource
    assert _nag_findings(service) == []


def test_flags_deployed_by_another_app_are_granted_through_imports_by_id() -> None:
    stack = cdk.Stack()
    shop = FlagsApplication.from_application_attributes(stack, "Shop", application_id="app123", application_name="Shop")
    beta = GuardedEnvironment.from_environment_attributes(stack, "Beta", application=shop, environment_id="env123",
                                                          environment_name="Beta")
    flags = FeatureFlagProfile.from_feature_flag_profile_attributes(
        stack, "ShopFlags", application=shop, configuration_profile_id="prof123", environments=[beta])
    reader = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    flags.grant_read(reader)
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [
        Match.object_like({"Resource": {"Fn::Join": ["", Match.array_with([
            ":application/app123/environment/env123/configuration/prof123"])]}})]}})
    assert shop.application_name == "Shop" and flags.configuration_profile_arn.endswith("configurationprofile/prof123")


# -- what cannot hold is a clear error ----------------------------------------------------------------------
def _shop(stack: cdk.Stack) -> appconfig.Application:
    return appconfig.Application(stack, "Shop", application_name="Shop")


def test_an_environment_imported_without_its_name_is_refused() -> None:
    stack = cdk.Stack()
    shop = _shop(stack)
    nameless = appconfig.Environment.from_environment_attributes(stack, "Beta", application=shop,
                                                                 environment_id="env123")
    with pytest.raises(PropsError) as error:
        FlagsApplication(stack, "Flags", application=shop).add_existing_environment(nameless)
    assert error.value.problems == (
        ("Default/Flags/add_existing_environment/environment: has no name known at synth time; flags' values are per "
        "environment name: import it with Environment.from_environment_attributes(..., name=...) (got 'Default/Beta')"),)


def test_an_imported_production_environment_without_known_monitors_is_refused() -> None:
    stack = cdk.Stack()
    shop = _shop(stack)
    prod = appconfig.Environment.from_environment_attributes(stack, "Prod", application=shop, environment_id="e1",
                                                             name="Prod")
    flags_app = FlagsApplication(stack, "Flags", application=shop)
    with pytest.raises(PropsError, match="add_existing_environment/production: a production environment needs at "
                                         "least one alarm monitor, and this one declares none"):
        flags_app.add_existing_environment(prod, production=True)
    flags_app.add_existing_environment(prod, production=True, allow_unmonitored=True)
    assert flags_app.environment_names == ("Prod",)


def test_an_environment_of_another_application_is_refused() -> None:
    stack = cdk.Stack()
    other = appconfig.Application(stack, "Other", application_name="Other")
    beta = appconfig.Environment(stack, "Beta", application=other, environment_name="Beta")
    with pytest.raises(PropsError) as error:
        FlagsApplication(stack, "Flags", application=_shop(stack)).add_existing_environment(beta)
    assert error.value.problems == (
        "Default/Flags/add_existing_environment/environment: is an environment of another application (got 'Default/Beta')",)


def test_a_profile_of_another_application_is_refused_naming_both() -> None:
    stack = cdk.Stack()
    flags_app = FlagsApplication(stack, "Flags", application_name="Warehouse")
    flags_app.add_environment("Beta")
    with pytest.raises(PropsError) as error:
        flags_app.add_feature_flags("ShopFlags", profile=Profile("ShopFlags", (DARK_MODE,), application="Shop"))
    assert error.value.problems == (
        ("Default/Flags/ShopFlags/profile: profile 'ShopFlags' belongs to application 'Shop' (Profile.application), "
        "not to 'Warehouse', the application it is added to (got 'Shop')"),)


@pytest.mark.parametrize(("options", "problem"), [
    ({}, ("Default/App/application_name: give it, or a catalogue whose profiles name their application "
         "(Profile.application) (got None)")),
    ({"catalogue": [FLAGS, Profile("Other", (), application="Other")]},
     "Default/App/catalogue: its profiles name different applications: 'ShopFlags' names 'Shop', 'Other' names 'Other'"),
    ({"application_name": "x" * 65}, "Default/App/application_name: has 1 to 64 characters (got 'xxxx"),
])
def test_the_application_needs_one_name(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(PropsError) as error:
        FlagsApplication(cdk.Stack(), "App", **options)
    assert error.value.problems[0].startswith(problem), error.value.problems


def test_the_catalogue_names_the_application_and_its_environments() -> None:
    stack = cdk.Stack()
    flags_app = FlagsApplication(stack, "App", catalogue=[FLAGS])
    assert (flags_app.application_name, flags_app.environment_names) == ("Shop", ("Beta", "Prod"))
    Template.from_stack(stack).has_resource_properties("AWS::AppConfig::Application", {"Name": "Shop"})
