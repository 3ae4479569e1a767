"""An AppConfig experiment on a deployed flag: ``AWS::AppConfig::ExperimentDefinition`` and its ``ExperimentRun``.

aws-cdk-lib has only the L1 classes (``CfnExperimentDefinition``, ``CfnExperimentRun``); this
construct builds them from a validated :class:`~appconfig_flags.model.Experiment`, ordered after the
deployment that puts the flag in the environment ("AppConfig experimentation", AWS AppConfig User
Guide: the flag must already be deployed there).
"""
from __future__ import annotations

from typing import Any

from aws_cdk import CfnResource
from aws_cdk import aws_appconfig as appconfig
from constructs import Construct

from appconfig_flags.model import AttributeType, Experiment, Flag, Treatment

from .environment import GuardedEnvironment, as_environment, describe, environment_name_of
from .feature_flag_profile import FeatureFlagProfile
from .props import Problems


class FlagExperiment(Construct):
    """``experiment`` of ``profile`` in ``environment``: its definition, and its run when it declares one.

    The definition depends on ``after`` (the profile's deployment to that environment), and the run
    on the definition: CloudFormation creates them once the flag is served there. The experiment was
    validated when its :class:`Profile` was built; here only its place is checked.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        profile: FeatureFlagProfile,
        environment: GuardedEnvironment | appconfig.IEnvironment,
        experiment: Experiment,
        after: CfnResource,
    ) -> None:
        """
        :param profile: the profile holding the experiment's flag.
        :param environment: the environment the experiment runs in (a GuardedEnvironment or an aws_appconfig
            ``IEnvironment``); the profile must be deployed there.
        :param experiment: one of ``profile.profile.experiments``, for ``environment``.
        :param after: the deployment of the profile to ``environment`` (or the last resource of that
            environment's chain): the definition is created after it.
        """
        super().__init__(scope, id)
        problems = Problems(self)
        if problems.check_types(FlagExperiment.__init__, locals()):
            problems.raise_if_any()
        name = environment_name_of(environment)
        if experiment not in profile.profile.experiments:
            problems.add("experiment", f"is not an experiment of profile {profile.profile.name!r}", experiment.name)
        elif name not in {environment_name_of(e) for e in profile.environments}:
            problems.add("environment", "must be an environment the profile is deployed to",
                         name if name is not None else describe(environment))
        elif experiment.environment != name:
            problems.add("environment", f"the experiment runs in {experiment.environment!r}", name)
        problems.raise_if_any()
        flag = profile.profile.flag(experiment.flag_key)
        self.experiment = experiment
        self.definition = appconfig.CfnExperimentDefinition(
            self, "Resource",
            application_identifier=profile.application.application_id,
            configuration_profile_identifier=profile.configuration_profile_id,
            environment_identifier=as_environment(environment).environment_id,
            flag_key=experiment.flag_key,
            name=experiment.name,
            audience_rule=experiment.audience_text,
            audience_description=experiment.audience_description,
            hypothesis=experiment.hypothesis,
            launch_criteria=experiment.launch_criteria,
            control=treatment_property(experiment.control_key(), experiment.control, flag),
            treatments=[treatment_property(key, t, flag)
                        for key, t in zip(experiment.treatment_keys(), experiment.treatments)],
        )
        self.definition.add_resource_dependency(after)
        #: The experiment definition's ID (a token).
        self.experiment_definition_id: str = self.definition.attr_id
        self.run: appconfig.CfnExperimentRun | None = None
        if experiment.run is not None:
            overrides = dict(experiment.run.overrides)
            self.run = appconfig.CfnExperimentRun(
                self, "Run",
                application_identifier=profile.application.application_id,
                experiment_definition_identifier=self.experiment_definition_id,
                exposure_percentage=experiment.run.exposure,
                description=experiment.run.description,
                treatment_overrides=appconfig.CfnExperimentRun.TreatmentOverridesProperty(inline=overrides)
                if overrides else None,
            )

    @property
    def last_resource(self) -> CfnResource:
        """What the environment's next deployment waits for: the run (it deploys), else the definition."""
        return self.run if self.run is not None else self.definition


def treatment_property(key: str, treatment: Treatment, flag: Flag) -> appconfig.CfnExperimentDefinition.TreatmentProperty:
    """One CloudFormation ``Treatment``: the API's ``FlagValue`` flattened into ``Enabled`` and ``AttributeValues``."""
    values = {name: _attribute_value(flag, name, value) for name, value in treatment.values.items()}
    return appconfig.CfnExperimentDefinition.TreatmentProperty(
        key=key, enabled=treatment.enabled, weight=treatment.weight, description=treatment.description,
        attribute_values=values or None,
    )


def _attribute_value(flag: Flag, name: str, value: Any) -> appconfig.CfnExperimentDefinition.AttributeValueProperty:
    """The ``AttributeValue`` union member for ``value``: the attribute's declared type, else the value's own."""
    attribute = flag.attribute(name)
    kind = attribute.type if attribute is not None else None
    Value = appconfig.CfnExperimentDefinition.AttributeValueProperty
    if isinstance(value, bool):
        return Value(boolean_value=value)
    if isinstance(value, (int, float)):
        return Value(number_value=value)
    if isinstance(value, str):
        return Value(string_value=value)
    items = list(value)
    if kind is AttributeType.NUMBER_ARRAY or (kind is None and items and not isinstance(items[0], str)):
        return Value(number_array=items)
    return Value(string_array=items)
