"""FlagExperiment: the definition and run of a profile's experiment, after the flag's deployment there."""
from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from appconfig_flags.model import Attribute, Experiment, ExperimentRun, Flag, FlagValue, Profile, Treatment, ctx
from constructs_lib.application import FlagsApplication
from constructs_lib.experiment import FlagExperiment
from constructs_lib.props import PropsError
from tests.template_checks import cfn_lint_errors

LAYOUT = Flag(key="layout", attributes=(Attribute.string("style", enum=("classic", "compact")),
                                        Attribute.number_array("sizes"), Attribute.boolean("beta")),
              enabled=True, values={"style": "classic"}, environments={"Beta": FlagValue(enabled=True)})


def _experiment(**fields: Any) -> Experiment:
    return Experiment(**{
        "name": "compact", "flag": LAYOUT, "environment": "Beta", "audience": ctx("userId").begins_with("u-"),
        "control": Treatment(enabled=True, weight=1, values={"style": "classic"}),
        "treatments": (Treatment(enabled=True, weight=3, values={"style": "compact", "sizes": (1, 2), "beta": True}),),
        **fields})


def _profile(*experiments: Experiment, name: str = "Flags") -> Profile:
    return Profile(name, (LAYOUT,), environments=("Beta", "Production"), context={"userId": str},
                   experiments=experiments)


def _stack(*profiles: Profile) -> tuple[cdk.Stack, FlagsApplication]:
    stack = cdk.Stack()
    app = FlagsApplication(stack, "App", application_name="Test")
    beta = app.add_environment("Beta")
    app.add_environment("Production", promote_after=beta, production=True, allow_unmonitored=True)
    for profile in profiles:
        app.add_feature_flags(profile.name, profile=profile)
    return stack, app


def test_each_attribute_value_takes_the_union_member_of_its_type_and_keys_are_explicit() -> None:
    stack, _ = _stack(_profile(_experiment(run=ExperimentRun(exposure=25, overrides={"u-1": "t1"}))))
    template = Template.from_stack(stack)
    template.has_resource_properties("AWS::AppConfig::ExperimentDefinition", {
        "Name": "compact", "FlagKey": "layout", "AudienceRule": '(begins_with $userId "u-")',
        "Control": {"Key": "c", "Enabled": True, "Weight": 1, "AttributeValues": {"style": {"StringValue": "classic"}}},
        "Treatments": [{"Key": "t1", "Enabled": True, "Weight": 3, "AttributeValues": {
            "style": {"StringValue": "compact"}, "sizes": {"NumberArray": [1, 2]}, "beta": {"BooleanValue": True}}}],
    })
    template.has_resource_properties("AWS::AppConfig::ExperimentRun", {
        "ExposurePercentage": 25, "TreatmentOverrides": {"Inline": {"u-1": "t1"}}})
    assert cfn_lint_errors(template.to_json()) == []


def test_without_a_run_only_the_definition_is_declared() -> None:
    stack, app = _stack(_profile(_experiment()))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::AppConfig::ExperimentDefinition", 1)
    template.resource_count_is("AWS::AppConfig::ExperimentRun", 0)
    assert app.experiments[0].run is None and app.experiments[0].last_resource is app.experiments[0].definition


def test_the_next_deployment_to_the_environment_waits_for_the_run() -> None:
    # A run deploys the flag's treatments, and AppConfig takes one deployment per environment at a time.
    stack, app = _stack(_profile(_experiment(run=ExperimentRun(exposure=10))), _profile(name="Second"))
    resolve = stack.resolve
    (experiment,) = app.experiments
    run = resolve(experiment.run.logical_id) if experiment.run is not None else None
    second_beta = next(d for d in app.deployments if d.profile_name == "Second" and d.environment_name == "Beta")
    template = Template.from_stack(stack).to_json()
    assert template["Resources"][resolve(second_beta.resource.logical_id)]["DependsOn"] == [run]
    first_beta = next(d for d in app.deployments if d.profile_name == "Flags" and d.environment_name == "Beta")
    assert template["Resources"][resolve(experiment.definition.logical_id)]["DependsOn"] == [
        resolve(first_beta.resource.logical_id)]


def test_an_experiment_in_an_environment_this_stack_does_not_deploy_is_left_to_the_stack_that_does() -> None:
    stack = cdk.Stack()
    app = FlagsApplication(stack, "App", application_name="Test", environment_names=("Beta", "Production"))
    app.add_environment("Production", production=True, allow_unmonitored=True)
    app.add_feature_flags("Flags", profile=_profile(_experiment()))
    Template.from_stack(stack).resource_count_is("AWS::AppConfig::ExperimentDefinition", 0)


def test_an_experiment_in_an_environment_the_application_lacks_is_a_props_error() -> None:
    profile = Profile("Flags", (LAYOUT,), context={"userId": str}, experiments=(_experiment(environment="Gamma"),))
    with pytest.raises(PropsError, match="experiment 'compact' runs in environment 'Gamma', which the application"):
        _stack(profile)


def test_flag_experiment_checks_its_place() -> None:
    stack, app = _stack(_profile(_experiment()))
    flags = app.profiles[0]
    production = app.environments[1]
    with pytest.raises(PropsError) as error:
        FlagExperiment(stack, "Wrong", profile=flags, environment=production, experiment=_experiment(),
                       after=app.deployments[0].resource)
    assert "Wrong/environment: the experiment runs in 'Beta' (got 'Production')" in str(error.value)
    with pytest.raises(PropsError, match="is not an experiment of profile 'Flags'"):
        FlagExperiment(stack, "Other", profile=flags, environment=app.environments[0],
                       experiment=_experiment(name="other"), after=app.deployments[0].resource)
