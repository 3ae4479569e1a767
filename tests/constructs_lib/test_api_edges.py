"""The constructs' API edges: what they accept as an application, grants, ids and promotion order.

Every misuse is a PropsError naming the construct path, the rule and the value, at the line that
makes the mistake.
"""
from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template

from appconfig_flags.model import Flag, FlagValue, Profile
from constructs_lib.application import FlagsApplication
from constructs_lib.environment import GuardedEnvironment, environment_name_of
from constructs_lib.feature_flag_profile import FeatureFlagProfile
from constructs_lib.props import PropsError

FLAGS = Profile("Flags", (Flag(key="dark-mode", environments={"Beta": FlagValue(enabled=True)}),))


def _app(stack: cdk.Stack | None = None, id: str = "App", **options: Any) -> FlagsApplication:
    return FlagsApplication(stack or cdk.Stack(), id, application_name="Test", **options)


def _problem(error: pytest.ExceptionInfo[PropsError]) -> str:
    (problem,) = error.value.problems
    return problem


# -- a FlagsApplication where an application is expected -------------------------------------------
def test_a_flags_application_is_accepted_as_an_environments_application() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    environment = GuardedEnvironment(stack, "Standalone", application=flags_app, environment_name="Beta")
    assert environment.application is flags_app.resource
    # Before, the CDK read no applicationId from it and CloudFormation refused the template.
    Template.from_stack(stack).has_resource_properties("AWS::AppConfig::Environment", {
        "Name": "Beta", "ApplicationId": {"Ref": Match.string_like_regexp("^App")}})


def test_a_flags_application_is_accepted_as_a_profiles_application() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    beta = flags_app.add_environment("Beta")
    FeatureFlagProfile(stack, "Standalone", application=flags_app, profile=FLAGS, environments=[beta])
    Template.from_stack(stack).has_resource_properties("AWS::AppConfig::ConfigurationProfile", {
        "Name": "Flags", "ApplicationId": {"Ref": Match.string_like_regexp("^App")}})


def test_an_imported_application_is_still_accepted() -> None:
    stack = cdk.Stack()
    imported = appconfig.Application.from_application_id(stack, "Imported", "abc1234")
    GuardedEnvironment(stack, "Beta", application=imported, environment_name="Beta")
    Template.from_stack(stack).has_resource_properties("AWS::AppConfig::Environment", {"ApplicationId": "abc1234"})


def test_something_else_as_the_application_is_rejected_at_construction() -> None:
    stack = cdk.Stack()
    with pytest.raises(PropsError) as error:
        GuardedEnvironment(stack, "Beta", application="abc1234", environment_name="Beta")  # type: ignore[arg-type]
    # Derived from the type hint: the prop, the expected type and the value.
    assert _problem(error) == ("Default/Beta/application: must be aws_appconfig.IApplication | FlagsApplication "
                               "(got 'abc1234')")


def test_deploying_to_an_environment_not_added_with_add_environment_says_so() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    standalone = GuardedEnvironment(stack, "Standalone", application=flags_app, environment_name="Beta")
    with pytest.raises(PropsError) as error:
        flags_app.add_feature_flags("Flags", profile=FLAGS, deploy_to=[standalone])
    assert ("App/Flags/deploy_to: is an environment of this application not added with add_environment or "
            "add_existing_environment") in _problem(error)
    assert "(got 'Default/Standalone')" in _problem(error)


# -- grant_read ------------------------------------------------------------------------------------
def test_grant_read_takes_a_function_and_grants_its_role() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    beta = flags_app.add_environment("Beta")
    flags = flags_app.add_feature_flags("Flags", profile=FLAGS)
    function = lambda_.Function(stack, "Reader", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                code=lambda_.Code.from_inline("def handler(event, context): pass"))
    grant = flags.grant_read(function, beta)
    assert isinstance(grant, iam.Grant) and grant.success
    Template.from_stack(stack).has_resource_properties("AWS::IAM::Policy", {
        "Roles": [{"Ref": Match.string_like_regexp("^ReaderServiceRole")}],
        "PolicyDocument": {"Statement": [Match.object_like({
            "Action": ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"]})]},
    })


def test_grant_read_without_a_grantee_is_rejected() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    flags_app.add_environment("Beta")
    flags = flags_app.add_feature_flags("Flags", profile=FLAGS)
    with pytest.raises(PropsError) as error:
        flags.grant_read(None)  # type: ignore[arg-type]  # e.g. a function's role, which may be None
    assert "App/Flags/grant_read/grantee: must be an aws_iam.IGrantable" in _problem(error)
    assert "(got None)" in _problem(error)


def test_grant_read_for_an_environment_the_profile_is_not_deployed_to_is_rejected() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    beta = flags_app.add_environment("Beta")
    production = flags_app.add_environment("Production", allow_unmonitored=True, production=True)
    flags = flags_app.add_feature_flags("Flags", profile=FLAGS, deploy_to=[beta])
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(PropsError) as error:
        flags.grant_read(role, production)
    assert ("App/Flags/grant_read/environments[0]: is not an environment this profile is deployed to "
            "(it is deployed to ['Beta']) (got 'Production')") in _problem(error)
    Template.from_stack(stack).resource_count_is("AWS::IAM::Policy", 0)  # nothing half-granted


def test_grant_read_for_an_environment_of_another_application_is_rejected() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    flags_app.add_environment("Beta")
    flags = flags_app.add_feature_flags("Flags", profile=FLAGS)
    other_beta = _app(stack, "Other").add_environment("Beta")
    role = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(PropsError) as error:
        flags.grant_read(role, other_beta)
    assert ("App/Flags/grant_read/environments[0]: is an environment of another application than this "
            "profile's (got 'Default/Other/Beta')") in _problem(error)


# -- construct ids ---------------------------------------------------------------------------------
def test_adding_the_same_environment_id_twice_is_rejected() -> None:
    flags_app = _app()
    flags_app.add_environment("Beta")
    with pytest.raises(PropsError) as error:
        flags_app.add_environment("Beta", environment_name="Gamma")
    assert "App/Beta: another environment or profile of this application has this construct id" in _problem(error)
    assert "(got 'Beta')" in _problem(error)


def test_a_profile_id_taken_by_an_environment_is_rejected() -> None:
    flags_app = _app()
    flags_app.add_environment("Beta")
    with pytest.raises(PropsError) as error:
        flags_app.add_feature_flags("Beta", profile=FLAGS)
    assert "App/Beta: another environment or profile of this application has this construct id" in _problem(error)


def test_the_strategies_id_is_reserved() -> None:
    with pytest.raises(PropsError) as error:
        _app().add_environment("Strategies")
    assert "App/Strategies: another environment or profile" in _problem(error) and "(got 'Strategies')" in _problem(error)


# -- promotion order -------------------------------------------------------------------------------
def test_a_promotion_cycle_is_rejected_where_the_order_is_given() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    beta = appconfig.Environment(stack, "Beta", application=flags_app.resource, environment_name="Beta")
    production = flags_app.add_environment("Production", promote_after=beta)
    with pytest.raises(PropsError) as error:
        flags_app.add_existing_environment(beta, promote_after=production)
    assert ("App/add_existing_environment[Beta]/promote_after: would promote environments after each other in a "
            "cycle: Production -> Beta -> Production (got 'Production')") in _problem(error)
    assert [environment_name_of(e) for e in flags_app.environments] == ["Production"]


def test_without_promote_after_the_profiles_environments_order_the_deployments() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    flags_app.add_environment("Production", allow_unmonitored=True, production=True)
    flags_app.add_environment("Beta")
    flags_app.add_feature_flags("Flags", profile=Profile("Flags", FLAGS.flags, environments=("Beta", "Production")))
    assert [d.environment_name for d in flags_app.deployments] == ["Beta", "Production"]
    beta, production = (stack.resolve(d.resource.logical_id) for d in flags_app.deployments)
    assert Template.from_stack(stack).to_json()["Resources"][production]["DependsOn"] == [beta]


def test_promote_after_is_fixed_at_creation() -> None:
    flags_app = _app()
    beta = flags_app.add_environment("Beta")
    production = flags_app.add_environment("Production", promote_after=beta)
    with pytest.raises(AttributeError):
        production.promote_after = None  # type: ignore[misc]  # the deployments were ordered by it
    assert production.promote_after is beta


def test_promote_after_an_environment_of_another_application_is_rejected() -> None:
    stack = cdk.Stack()
    beta = _app(stack).add_environment("Beta")
    with pytest.raises(PropsError) as error:
        _app(stack, "Other").add_environment("Production", promote_after=beta)
    assert ("Other/Production/promote_after: must be an environment of the same application (got 'Default/App/Beta')"
            in _problem(error))


# -- sequences, not bare strings -------------------------------------------------------------------
def test_environment_names_as_a_bare_string_is_rejected() -> None:
    with pytest.raises(PropsError) as error:
        _app(environment_names="Beta")
    assert "App/environment_names: must be a list or tuple of str, or None (got 'Beta')" in _problem(error)


@pytest.mark.parametrize("names", [["Beta", "Production"], ("Beta", "Production")])
def test_environment_names_as_a_list_or_a_tuple_are_accepted(names: Any) -> None:
    assert _app(environment_names=names).environment_names == ("Beta", "Production")


def test_deploy_to_a_single_environment_instead_of_a_list_is_rejected() -> None:
    flags_app = _app()
    beta = flags_app.add_environment("Beta")
    with pytest.raises(PropsError) as error:
        flags_app.add_feature_flags("Flags", profile=FLAGS, deploy_to=beta)  # type: ignore[arg-type]
    assert _problem(error) == ("Default/App/Flags/deploy_to: must be a list or tuple of (GuardedEnvironment | "
                               "aws_appconfig.IEnvironment), or None (got <GuardedEnvironment Default/App/Beta>)")


def test_a_strategy_id_instead_of_a_strategy_is_rejected() -> None:
    with pytest.raises(PropsError) as error:
        _app().add_environment("Beta", deployment_strategy="AppConfig.AllAtOnce")  # type: ignore[arg-type]
    assert "App/Beta/deployment_strategy: must be FlagRollout, or None (got 'AppConfig.AllAtOnce')" in _problem(error)


def test_environment_names_instead_of_environments_are_rejected_by_a_profile() -> None:
    stack = cdk.Stack()
    flags_app = _app(stack)
    with pytest.raises(PropsError) as error:
        FeatureFlagProfile(stack, "Flags", application=flags_app, profile=FLAGS,
                           environments=["Beta"])  # type: ignore[list-item]
    assert ("Flags/environments: must be a list or tuple of (GuardedEnvironment | aws_appconfig.IEnvironment) "
            "(got ['Beta'])") in _problem(error)


def test_a_single_monitor_instead_of_a_list_is_rejected() -> None:
    from constructs_lib.monitors import AlarmMonitor

    monitor = AlarmMonitor.from_metric(cdk.aws_cloudwatch.Metric(namespace="Test", metric_name="Errors"), threshold=1)
    with pytest.raises(PropsError) as error:
        _app().add_environment("Beta", monitors=monitor)  # type: ignore[arg-type]
    assert ("App/Beta/monitors: must be a list or tuple of (AlarmMonitor | aws_cloudwatch.IAlarm) (got AlarmMonitor("
            in _problem(error))


# -- types, from the hints ----------------------------------------------------------------------------
def test_every_wrongly_typed_prop_is_named_with_its_hint_and_value_at_once() -> None:
    stack = cdk.Stack()
    with pytest.raises(PropsError) as error:
        GuardedEnvironment(stack, "Beta", application=_app(stack), environment_name="Beta",  # type: ignore[arg-type]
                           production="yes", deletion_protection="no", promote_after="Alpha")
    assert error.value.problems == (
        "Default/Beta/production: must be bool (got 'yes')",
        "Default/Beta/promote_after: must be GuardedEnvironment | aws_appconfig.IEnvironment, or None (got 'Alpha')",
        "Default/Beta/deletion_protection: must be bool, or None (got 'no')",
    )


def test_an_import_passes_for_the_aws_cdk_interface_it_implements_and_only_for_it() -> None:
    from constructs_lib.props import accepts

    stack = cdk.Stack()
    imported = appconfig.Application.from_application_id(stack, "Imported", "abc1234")
    environment = appconfig.Environment.from_environment_attributes(stack, "Env", application=imported,
                                                                    environment_id="e1", name="Beta")
    assert accepts(appconfig.IApplication, imported) and accepts(appconfig.IEnvironment, environment)
    # typeguard alone passes anything for these Protocols; jsii knows what each object implements.
    assert not accepts(appconfig.IEnvironment, imported) and not accepts(appconfig.IApplication, environment)
    assert not accepts(iam.IGrantable, environment) and not accepts(appconfig.IApplication, "abc1234")


def test_a_strategy_of_another_type_and_a_bad_option_are_reported_together() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    application = FlagsApplication(stack, "App", application_name="App")
    with pytest.raises(PropsError) as raised:
        application.add_environment("Beta", deployment_strategy="AppConfig.AllAtOnce",  # type: ignore[arg-type]
                                    production="yes")  # type: ignore[typeddict-item]
    assert sorted(raised.value.problems) == [
        "S/App/Beta/deployment_strategy: must be FlagRollout, or None (got 'AppConfig.AllAtOnce')",
        "S/App/Beta/production: must be bool (got 'yes')",
    ]
