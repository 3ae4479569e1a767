"""The constructs: props validated at construction, least privilege, deployment order."""
from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Capture, Match, Template

from appconfig_flags.model import Attribute, Flag, FlagValue, Profile
from constructs_lib.application import FlagsApplication
from constructs_lib.environment import GuardedEnvironment
from constructs_lib.monitors import AlarmMonitor
from constructs_lib.props import PropsError
from constructs_lib.strategies import FlagRollout

FLAGS = Profile("Flags", (Flag(key="dark-mode", name="Dark mode", environments={"Beta": FlagValue(enabled=True)}),))
OTHER = Profile("Other", (Flag(key="banner", attributes=(Attribute.string("text"),), values={"text": "hi"}),))


def _metric(name: str = "Errors") -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace="Test", metric_name=name)


def _app(stack: cdk.Stack | None = None, **options: Any) -> FlagsApplication:
    return FlagsApplication(stack or cdk.Stack(), "App", application_name="Test", **options)


def _beta_and_production(app: FlagsApplication, **production: Any) -> tuple[GuardedEnvironment, GuardedEnvironment]:
    beta = app.add_environment("Beta", monitors=[AlarmMonitor.from_metric(_metric(), threshold=1)])
    options: dict[str, Any] = {"monitors": [AlarmMonitor.from_metric(_metric(), threshold=1)], "production": True,
                               "promote_after": beta}
    options.update(production)
    return beta, app.add_environment("Production", **options)


def test_production_without_monitor_is_rejected() -> None:
    app = _app()
    with pytest.raises(PropsError, match="production environment needs at least one alarm monitor"):
        app.add_environment("Production", production=True)


def test_production_without_monitor_is_accepted_when_explicitly_allowed() -> None:
    stack = cdk.Stack()
    _app(stack).add_environment("Production", production=True, allow_unmonitored=True)
    Template.from_stack(stack).has_resource_properties("AWS::AppConfig::Environment", {
        "Name": "Production", "Monitors": Match.absent(),
    })


def test_all_environment_problems_are_reported_together() -> None:
    monitors = [AlarmMonitor.from_metric(_metric(str(i)), threshold=1) for i in range(6)]
    with pytest.raises(PropsError) as error:
        _app().add_environment("Env", environment_name="x" * 65, monitors=monitors)
    assert len(error.value.problems) == 2
    assert "App/Env/environment_name: has 1 to 64 characters" in str(error.value)
    assert "at most 5 monitors" in str(error.value)


def test_a_monitor_needs_exactly_one_of_alarm_or_metric() -> None:
    with pytest.raises(PropsError, match="exactly one of an alarm or a metric"):
        _app().add_environment("Beta", monitors=[AlarmMonitor()])


@pytest.mark.parametrize("as_monitor", [AlarmMonitor.from_alarm, lambda alarm: alarm], ids=["AlarmMonitor", "IAlarm"])
def test_existing_alarms_are_watched_with_a_role_scoped_to_them(as_monitor: Any) -> None:
    stack = cdk.Stack()
    arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx"
    alarm = cloudwatch.Alarm.from_alarm_arn(stack, "Existing", arn)
    _app(stack).add_environment("Beta", monitors=[as_monitor(alarm)])
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::CloudWatch::Alarm", 0)
    template.has_resource_properties("AWS::IAM::Role", {"Policies": [{"PolicyName": "DescribeOwnAlarms", "PolicyDocument": {
        "Statement": [{"Action": "cloudwatch:DescribeAlarms", "Effect": "Allow", "Resource": arn}]}}]})
    template.has_resource_properties("AWS::AppConfig::Environment", {"Monitors": [{"AlarmArn": arn,
                                                                                   "AlarmRoleArn": Match.any_value()}]})


@pytest.mark.parametrize(("make", "message"), [
    (lambda: FlagRollout.linear("Slow", growth_factor=10, deployment_duration=cdk.Duration.minutes(1441)),
     "Slow/deployment_duration: must be between 0 and 1440 minutes (got 1441)"),
    (lambda: FlagRollout.linear("Day", growth_factor=10, deployment_duration=cdk.Duration.hours(25)),
     "Day/deployment_duration: must be between 0 and 1440 minutes (got 1500)"),
    (lambda: FlagRollout.linear("Tiny", growth_factor=0.5, deployment_duration=cdk.Duration.minutes(10)),
     "Tiny/growth_factor: must be a percentage between 1 and 100 (got 0.5)"),
    (lambda: FlagRollout.exponential("Bake", growth_factor=10, deployment_duration=cdk.Duration.minutes(10),
                                     final_bake_time=cdk.Duration.seconds(90)),
     "Bake/final_bake_time: must be a whole number of minutes (got 1 minute 30 seconds)"),
    (lambda: FlagRollout.bake_only("x" * 65, final_bake_time=cdk.Duration.minutes(5)), "/name: has 1 to 64 characters (got 'xxx"),
])
def test_strategy_out_of_range_is_rejected_when_the_factory_is_called(make: Any, message: str) -> None:
    # At the line that makes it, not later where an environment uses it.
    with pytest.raises(PropsError) as error:
        make()
    assert message in str(error.value)


def test_strategies_in_range_are_accepted_and_created_once() -> None:
    stack = cdk.Stack()
    app = _app(stack)
    bake = FlagRollout.bake_only("Bake5", final_bake_time=cdk.Duration.minutes(5))
    app.add_environment("Beta", deployment_strategy=bake)
    app.add_environment("Gamma", deployment_strategy=bake)
    app.add_feature_flags("Flags", profile=Profile("Flags", (Flag(key="f"),)))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::AppConfig::DeploymentStrategy", 1)
    template.has_resource_properties("AWS::AppConfig::DeploymentStrategy", {
        "Name": "Bake5", "GrowthFactor": 100, "DeploymentDurationInMinutes": 0, "FinalBakeTimeInMinutes": 5})


def test_predefined_strategies_create_no_resource() -> None:
    stack = cdk.Stack()
    app = _app(stack)
    app.add_environment("Beta", deployment_strategy=FlagRollout.LINEAR_50_PERCENT_EVERY_30_SECONDS)
    app.add_feature_flags("Flags", profile=Profile("Flags", (Flag(key="f"),)))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::AppConfig::DeploymentStrategy", 0)
    template.has_resource_properties("AWS::AppConfig::Deployment", {
        "DeploymentStrategyId": "AppConfig.Linear50PercentEvery30Seconds"})


def test_flags_for_an_unknown_environment_are_rejected() -> None:
    app = _app()
    app.add_environment("Staging")
    with pytest.raises(PropsError, match=r"flags \['dark-mode'\] set values for environment 'Beta'"):
        app.add_feature_flags("Flags", profile=FLAGS)


def test_production_cannot_be_deployed_without_beta() -> None:
    app = _app()
    _, production = _beta_and_production(app)
    with pytest.raises(PropsError, match="deploys to Production without first deploying to Beta"):
        app.add_feature_flags("Flags", profile=FLAGS, deploy_to=[production])


def test_profiles_deploying_to_one_environment_are_chained_and_production_waits_for_beta() -> None:
    stack = cdk.Stack()
    app = _app(stack)
    beta, production = _beta_and_production(app)
    # Production listed first on purpose: the promotion order still puts Beta first.
    app.add_feature_flags("Flags", profile=FLAGS, deploy_to=[production, beta])
    app.add_feature_flags("Other", profile=OTHER)
    resources = Template.from_stack(stack).find_resources("AWS::AppConfig::Deployment")
    by_description = {r["Properties"]["Description"]: (logical_id, r) for logical_id, r in resources.items()}
    ids = {d: logical_id for d, (logical_id, _) in by_description.items()}
    depends = {d: sorted(r.get("DependsOn", [])) for d, (_, r) in by_description.items()}
    assert depends == {
        "Flags to Beta": [],
        "Flags to Production": [ids["Flags to Beta"]],
        "Other to Beta": [ids["Flags to Beta"]],
        "Other to Production": sorted([ids["Flags to Production"], ids["Other to Beta"]]),
    }


def test_grant_read_gives_exactly_the_two_data_plane_actions_on_one_profile() -> None:
    stack = cdk.Stack()
    app = _app(stack)
    beta, _production = _beta_and_production(app)
    flags = app.add_feature_flags("Flags", profile=FLAGS)
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    grant = flags.grant_read(role, beta)
    assert grant.success
    template = Template.from_stack(stack)
    environment, profile = Capture(), Capture()
    template.has_resource_properties("AWS::IAM::Policy", {
        "Roles": [{"Ref": Match.string_like_regexp("Reader")}],
        "PolicyDocument": {"Statement": [{
            "Action": ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"],
            "Effect": "Allow",
            "Resource": {"Fn::Join": ["", [
                "arn:", {"Ref": "AWS::Partition"}, ":appconfig:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
                ":application/", {"Ref": Match.any_value()}, "/environment/", {"Ref": environment},
                "/configuration/", {"Fn::GetAtt": [profile, "ConfigurationProfileId"]}]]},
        }]},
    })
    assert template.find_resources("AWS::AppConfig::Environment")[environment.as_string()]["Properties"]["Name"] == "Beta"
    assert template.find_resources("AWS::AppConfig::ConfigurationProfile")[profile.as_string()]["Properties"]["Name"] == "Flags"


def test_a_deployment_is_replaced_only_where_its_content_changes() -> None:
    def deployed(beta_discount: int) -> dict[str, Any]:
        stack = cdk.Stack(cdk.App(), "Flags")
        app = _app(stack)
        _beta_and_production(app)
        flag = Flag(key="sale", attributes=(Attribute.number("discount", minimum=0, maximum=100),), values={"discount": 0},
                    environments={"Beta": FlagValue(enabled=True, values={"discount": beta_discount})})
        app.add_feature_flags("Flags", profile=Profile("Flags", (flag,)))
        resources = Template.from_stack(stack).to_json()["Resources"]
        return {k: v for k, v in resources.items()
                if v["Type"] in ("AWS::AppConfig::HostedConfigurationVersion", "AWS::AppConfig::Deployment")}

    before, after = deployed(5), deployed(7)
    assert before.keys() == after.keys()  # stable logical IDs: nothing is renamed
    changed = [k for k in before if before[k] != after[k]]
    # Only Beta's hosted version differs. Its properties are create-only, so CloudFormation replaces
    # it; its new VersionNumber changes Beta's deployment, which reads it, and nothing else.
    (version,) = changed
    assert after[version]["Type"] == "AWS::AppConfig::HostedConfigurationVersion" and "Beta" in version
    readers = [k for k, v in after.items() if {"Fn::GetAtt": [version, "VersionNumber"]} in v["Properties"].values()]
    assert len(readers) == 1 and "BetaDeployment" in readers[0]


def test_kms_key_encrypts_content_and_grant_read_adds_decrypt() -> None:
    stack = cdk.Stack()
    app = _app(stack)
    app.add_environment("Beta")
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    flags = app.add_feature_flags("Flags", profile=FLAGS, kms_key=key, deletion_protection=True,
                                  retain_replaced_versions=True)
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    flags.grant_read(role)
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::AppConfig::ConfigurationProfile", {
        "KmsKeyIdentifier": {"Fn::GetAtt": [Match.string_like_regexp("Key"), "Arn"]},
        "DeletionProtectionCheck": "APPLY"})
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": "kms:Decrypt"})])}})
    template.has_resource("AWS::AppConfig::HostedConfigurationVersion", {"DeletionPolicy": "Retain"})


def test_flag_model_warnings_show_as_cdk_warnings_at_synth() -> None:
    from aws_cdk.assertions import Annotations

    stack = cdk.Stack()
    app = _app(stack)
    app.add_environment("Beta")
    loose = Profile("Loose", (Flag(key="f", enabled=True, values={"typo": 1}),), strict=False)
    app.add_feature_flags("Loose", profile=loose)
    Annotations.from_stack(stack).has_warning("/Default/App/Loose", Match.string_like_regexp(
        r"Loose/f/typo: \[undefined-attribute\]"))


def test_environment_problems_and_a_strategy_name_clash_are_reported_together() -> None:
    app = _app()
    app.add_environment("Beta", deployment_strategy=FlagRollout.bake_only("Bake", final_bake_time=cdk.Duration.minutes(5)))
    with pytest.raises(PropsError) as error:
        app.add_environment("Production", production=True,
                            deployment_strategy=FlagRollout.bake_only("Bake", final_bake_time=cdk.Duration.minutes(10)))
    assert len(error.value.problems) == 2
    assert "production environment needs at least one alarm monitor" in error.value.problems[0]
    assert "App/Production/deployment_strategy/name: another, different strategy" in error.value.problems[1]


def test_two_environments_cannot_share_a_name() -> None:
    app = _app()
    app.add_environment("Beta")
    with pytest.raises(PropsError, match="App/Beta2/environment_name: another environment of this application has this name"):
        app.add_environment("Beta2", environment_name="Beta")


def test_two_different_strategies_cannot_share_a_name() -> None:
    app = _app()
    app.add_environment("Beta", deployment_strategy=FlagRollout.bake_only("Bake", final_bake_time=cdk.Duration.minutes(5)))
    with pytest.raises(PropsError, match="App/Gamma/deployment_strategy/name: another, different strategy"):
        app.add_environment("Gamma", deployment_strategy=FlagRollout.bake_only("Bake", final_bake_time=cdk.Duration.minutes(10)))


def test_strategy_values_known_only_at_deploy_time_are_not_range_checked() -> None:
    stack = cdk.Stack()
    bake = cdk.CfnParameter(stack, "BakeMinutes", type="Number", default=5).value_as_number
    app = _app(stack)
    app.add_environment("Beta", deployment_strategy=FlagRollout.linear(
        "Tokenized", growth_factor=bake, deployment_duration=cdk.Duration.minutes(0),
        final_bake_time=cdk.Duration.minutes(10)))
    app.add_feature_flags("Flags", profile=Profile("Flags", (Flag(key="f"),)))
    Template.from_stack(stack).has_resource_properties("AWS::AppConfig::DeploymentStrategy", {
        "GrowthFactor": {"Ref": "BakeMinutes"}})


@pytest.mark.parametrize(("preset", "strategy_id", "growth", "bake"), [
    (FlagRollout.ALL_AT_ONCE, "AppConfig.AllAtOnce", "LINEAR", 10),
    (FlagRollout.LINEAR_50_PERCENT_EVERY_30_SECONDS, "AppConfig.Linear50PercentEvery30Seconds", "LINEAR", 1),
    (FlagRollout.CANARY_10_PERCENT_20_MINUTES, "AppConfig.Canary10Percent20Minutes", "EXPONENTIAL", 10),
    (FlagRollout.LINEAR_20_PERCENT_EVERY_6_MINUTES, "AppConfig.Linear20PercentEvery6Minutes", "LINEAR", 30),
])
def test_each_preset_is_one_of_appconfigs_predefined_strategies(preset: FlagRollout, strategy_id: str, growth: str,
                                                                bake: int) -> None:
    assert (preset.predefined_id, preset.growth_type.value, preset.final_bake_time.to_minutes()) == (strategy_id, growth, bake)
    assert preset.problems() == []


def test_no_public_name_is_also_a_name_of_aws_appconfig() -> None:
    # A module importing both would have to rename one (DeploymentStrategy, GrowthType, EnvironmentOptions were).
    from aws_cdk import aws_appconfig

    import constructs_lib

    assert set(constructs_lib.__all__) & set(dir(aws_appconfig)) == set()
