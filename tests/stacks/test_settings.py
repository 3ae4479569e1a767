"""The app's settings: names and promotion order from the catalogue, the rest from cdk.json; every mistake one line."""
from __future__ import annotations

import copy
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from appconfig_flags.model import Profile
from flags import PROFILES
from stacks.flags_demo_stack import FlagsDemoStack
from stacks.settings import FlagsDemoSettings, SettingsError
from tests.conftest import cdk_context


def _settings() -> dict[str, Any]:
    return copy.deepcopy(cdk_context()["flagsdemo"])


def test_environments_come_out_in_promotion_order_whatever_the_key_order() -> None:
    raw = _settings()
    raw["environments"] = dict(reversed(list(raw["environments"].items())))
    assert list(raw["environments"]) == ["Production", "Beta"]
    assert FlagsDemoSettings.from_context(raw).environment_names == ("Beta", "Production")


def test_production_listed_first_still_deploys_after_beta() -> None:
    raw = _settings()
    raw["environments"] = dict(reversed(list(raw["environments"].items())))
    stack = FlagsDemoStack(cdk.App(), "FlagsDemo", settings=FlagsDemoSettings.from_context(raw))
    deployments = Template.from_stack(stack).find_resources("AWS::AppConfig::Deployment")
    by_description = {d["Properties"]["Description"]: (logical_id, d) for logical_id, d in deployments.items()}
    beta_id, _ = by_description["CheckoutFlags to Beta"]
    assert by_description["CheckoutFlags to Production"][1]["DependsOn"] == [beta_id]


@pytest.mark.parametrize(("change", "message"), [
    (lambda s: s["environments"]["Beta"].update(promoteAfter="Production"),
     "flagsdemo.environments.Beta.promoteAfter: the promotion order is the catalogue's now"),
    (lambda s: s.update(applicationName="FlagsDemo"), "flagsdemo.applicationName: the application's name is the catalogue's"),
    (lambda s: s["environments"].update(Gamma={}), "flagsdemo.environments.Gamma: the catalogue does not name this environment"),
    (lambda s: s["environments"].update(Beta="x"), "flagsdemo.environments.Beta: must be an object of settings (got 'x')"),
    (lambda s: s["environments"]["Production"].update(production="false"),
     "flagsdemo.environments.Production.production: must be true or false (got 'false')"),
    (lambda s: s["environments"]["Beta"].update(metricAlarm=0), "flagsdemo.environments.Beta.metricAlarm: must be true or false (got 0)"),
    (lambda s: s["strategies"].update(Broken=[1]), "flagsdemo.strategies.Broken: must be an object of settings (got [1])"),
    (lambda s: s["environments"]["Beta"].update(stratgey="x"), "flagsdemo.environments.Beta: unknown settings ['stratgey']"),
    (lambda s: s["environments"]["Beta"].update(alarmArns=["not-an-arn"]), "flagsdemo.environments.Beta.alarmArns: must be a list"),
    (lambda s: s.update(environments={}), "flagsdemo.environments: must map environment names to settings"),
])
def test_each_mistake_is_one_line_naming_its_key(change: Any, message: str) -> None:
    raw = _settings()
    change(raw)
    with pytest.raises(SettingsError) as error:
        FlagsDemoSettings.from_context(raw)
    assert len(error.value.problems) == 1
    assert error.value.problems[0].startswith(message), error.value.problems


def test_several_mistakes_are_reported_together() -> None:
    raw = _settings()
    raw["environments"]["Beta"]["production"] = "yes"
    raw["strategies"]["FlagsDemo.BetaBake5Minutes"]["growthFactor"] = 0
    with pytest.raises(SettingsError) as error:
        FlagsDemoSettings.from_context(raw)
    assert len(error.value.problems) == 2


def test_a_production_environment_may_go_unmonitored_only_when_the_settings_say_so() -> None:
    raw = _settings()
    raw["environments"]["Production"].update(metricAlarm=False, allowUnmonitored=True)
    stack = FlagsDemoStack(cdk.App(), "FlagsDemo", settings=FlagsDemoSettings.from_context(raw))
    Template.from_stack(stack).resource_count_is("AWS::CloudWatch::Alarm", 1)


def test_a_json_string_from_the_command_line_is_parsed() -> None:
    solo = Profile("Solo", (), application="Solo", environments=("Solo",))
    assert FlagsDemoSettings.from_context('{"environments": {"Solo": {}}}', catalogue=[solo]).environment_names == ("Solo",)
    with pytest.raises(SettingsError, match="flagsdemo: not valid JSON"):
        FlagsDemoSettings.from_context("{nope")


def test_the_application_name_and_promotion_order_are_the_catalogues() -> None:
    from flags.checkout import APPLICATION, ENVIRONMENTS

    settings = FlagsDemoSettings.from_context(cdk_context()["flagsdemo"])
    assert (settings.application_name, settings.environment_names) == (APPLICATION, ENVIRONMENTS) == (
        "FlagsDemo", ("Beta", "Production"))
    assert [e.promote_after for e in settings.environments] == [None, "Beta"]
    reordered = Profile("Shop", (), application="Shop", environments=("Production", "Beta"))
    assert FlagsDemoSettings.from_context(_settings(), catalogue=[reordered]).environment_names == ("Production", "Beta")


def test_a_catalogue_without_an_application_or_with_two_is_reported() -> None:
    unnamed = Profile("Unnamed", (), environments=("Beta", "Production"))
    with pytest.raises(SettingsError) as error:
        FlagsDemoSettings.from_context(_settings(), catalogue=[unnamed])
    assert error.value.problems == (("catalogue: no profile names its AppConfig application (Profile(..., "
                                    "application=...)); profiles: ['Unnamed']"),)
    other = Profile("Other", (), application="Other", environments=("Beta", "Production"))
    with pytest.raises(SettingsError, match="catalogue: profiles name different applications: CheckoutFlags names "
                                            "'FlagsDemo', Other names 'Other'"):
        FlagsDemoSettings.from_context(_settings(), catalogue=[*PROFILES, other])


def test_profiles_that_disagree_on_the_promotion_order_are_reported() -> None:
    other = Profile("Other", (), application="FlagsDemo", environments=("Production", "Beta"))
    with pytest.raises(SettingsError) as error:
        FlagsDemoSettings.from_context(_settings(), catalogue=[*PROFILES, other])
    assert error.value.problems == (("catalogue: environments promoted after each other in a cycle: "
                                    "Beta -> Production -> Beta"),)


def test_without_experiments_the_flags_deploy_alone_for_an_appconfig_without_experimentation() -> None:
    settings = FlagsDemoSettings.from_context(_settings())
    with_them = Template.from_stack(FlagsDemoStack(cdk.App(), "FlagsDemo", settings=settings))
    without = Template.from_stack(FlagsDemoStack(cdk.App(), "FlagsDemo", settings=settings, experiments=False))
    with_them.resource_count_is("AWS::AppConfig::ExperimentDefinition", 1)
    without.resource_count_is("AWS::AppConfig::ExperimentDefinition", 0)
    without.resource_count_is("AWS::AppConfig::ExperimentRun", 0)
    assert without.find_resources("AWS::AppConfig::HostedConfigurationVersion") == \
        with_them.find_resources("AWS::AppConfig::HostedConfigurationVersion")
