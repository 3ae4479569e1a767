"""An AppConfig application that owns its environments, flag profiles, strategies and deployments."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import CfnResource
from aws_cdk import aws_appconfig as appconfig
from constructs import Construct
from typing_extensions import Unpack

from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import promotion_order

from .application_input import ApplicationConstruct
from .environment import EnvironmentOptions, GuardedEnvironment
from .experiment import FlagExperiment
from .feature_flag_profile import FeatureFlagOptions, FeatureFlagProfile
from .props import Problems, PropsError
from .strategies import DeploymentStrategy

#: S12.2 application ``Name``: 1 to 64 characters.
NAME_MAX = 64
#: The child that holds the custom deployment strategies; no environment or profile may take its id.
STRATEGIES_ID = "Strategies"


@dataclass(frozen=True)
class Deployment:
    """A deployment this application declares: which profile, to which environment."""

    profile_name: str
    environment_name: str
    resource: appconfig.CfnDeployment


class FlagsApplication(ApplicationConstruct):
    """An AppConfig application whose flag changes roll out in order.

    Deployments to one environment are chained (AppConfig refuses a second deployment to an
    environment while one runs: ConflictException), and an environment ``promote_after`` another
    deploys only after that one's deployment of the same profile has completed, bake time
    included. A deployment is replaced only when its content or strategy changes.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application_name: str,
        description: str | None = None,
        environment_names: Sequence[str] | None = None,
    ) -> None:
        """
        :param application_name: AppConfig name, 1-64 characters.
        :param description: Default: none.
        :param environment_names: every environment name of this application, also those deployed
            by other stacks (pipeline stages); flags may set values only for these. A list or tuple.
            Default: the environments added to this construct.
        """
        super().__init__(scope, id)
        problems = Problems(self)
        if not isinstance(application_name, str) or not 1 <= len(application_name) <= NAME_MAX:
            problems.add("application_name", f"has 1 to {NAME_MAX} characters", application_name)
        if environment_names is not None and (
                isinstance(environment_names, (str, bytes)) or not isinstance(environment_names, Sequence)
                or not all(isinstance(name, str) for name in environment_names)):
            # A bare string is a sequence too: ("Beta") would mean the environments B, e, t, a.
            problems.add("environment_names", "must be a list or tuple of environment names", environment_names)
        problems.raise_if_any()
        self.resource = appconfig.Application(self, "Resource", application_name=application_name,
                                              description=description)
        #: The application's ID (a token).
        self.application_id: str = self.resource.application_id
        self.application_name = application_name
        self._environment_names = tuple(environment_names) if environment_names is not None else None
        self._environments: list[GuardedEnvironment] = []
        self._profiles: list[FeatureFlagProfile] = []
        self._deployments: list[Deployment] = []
        self._strategy_ids: dict[DeploymentStrategy, str] = {}
        self._strategies_scope: Construct | None = None
        self._environment_strategy: dict[str, DeploymentStrategy] = {}
        # The last resource that deploys to each environment: a deployment, or an experiment run (it deploys too).
        self._last_deployment: dict[str, CfnResource] = {}
        self._experiments: list[FlagExperiment] = []
        # (environment name, profile name) -> deployment, for promotion order
        self._deployment_of: dict[tuple[str, str], appconfig.CfnDeployment] = {}

    @property
    def application_arn(self) -> str:
        """The application's ARN."""
        return self.resource.application_arn

    @property
    def environments(self) -> tuple[GuardedEnvironment, ...]:
        """The environments added to this application, in the order they were added."""
        return tuple(self._environments)

    @property
    def profiles(self) -> tuple[FeatureFlagProfile, ...]:
        """The feature-flag profiles added to this application."""
        return tuple(self._profiles)

    @property
    def deployments(self) -> tuple[Deployment, ...]:
        """Every deployment declared, in the order CloudFormation runs them per environment."""
        return tuple(self._deployments)

    @property
    def experiments(self) -> tuple[FlagExperiment, ...]:
        """Every experiment declared, in the order its environment's resources are created."""
        return tuple(self._experiments)

    @property
    def environment_names(self) -> tuple[str, ...]:
        """Every environment name flags may set values for."""
        if self._environment_names is not None:
            return self._environment_names
        return tuple(e.environment_name for e in self._environments)

    def add_environment(
        self, id: str, *, deployment_strategy: DeploymentStrategy | None = None, **options: Unpack[EnvironmentOptions]
    ) -> GuardedEnvironment:
        """Add a :class:`GuardedEnvironment` (same options); its deployments use ``deployment_strategy``.

        ``deployment_strategy`` Default: ``AppConfig.Canary10Percent20Minutes`` for production
        environments, ``AppConfig.AllAtOnce`` otherwise.
        """
        options.setdefault("environment_name", id)
        name = options["environment_name"]
        strategy = deployment_strategy or _default_strategy(bool(options.get("production", False)))
        # Everything is checked before anything is built, so one error lists every problem.
        problems = Problems(self)
        if not isinstance(strategy, DeploymentStrategy):
            problems.add(f"{id}/deployment_strategy", "must be a DeploymentStrategy", strategy)
            problems.raise_if_any()
        if (clash := self._strategy_named(strategy.name)) is not None and clash != strategy:
            problems.add(f"{id}/deployment_strategy/name", "another, different strategy of this application has "
                         "this name (AppConfig names are the strategies' identity here)", strategy.name)
        if self._environment_names is not None and name not in self._environment_names:
            problems.add(f"{id}/environment_name",
                         f"is not one of the application's environments {list(self._environment_names)}", name)
        if name in self._environment_strategy:
            problems.add(f"{id}/environment_name", "another environment of this application has this name", name)
        if self._id_taken(id, problems):
            problems.raise_if_any()  # the construct cannot be built under a taken id
        try:
            environment = GuardedEnvironment(self, id, application=self.resource, **options)
        except PropsError as error:
            raise PropsError(error.path, [*error.problems, *problems.items]) from None
        problems.raise_if_any()
        self._environment_strategy[environment.environment_name] = strategy
        self._environments.append(environment)
        return environment

    def add_feature_flags(
        self, id: str, *, profile: Profile, deploy_to: Sequence[GuardedEnvironment] | None = None,
        experiments: bool = True, **options: Unpack[FeatureFlagOptions],
    ) -> FeatureFlagProfile:
        """Add a :class:`FeatureFlagProfile` (same options) and deploy it to ``deploy_to`` in order.

        ``deploy_to`` Default: every environment added so far. The profile's experiments in those
        environments follow its deployment there (:class:`FlagExperiment`); experiments of other
        environments are left to the stacks that deploy those (a pipeline's stages).
        ``experiments``: declare the profile's experiments. Default: True; False for an AppConfig
        without experimentation (a local emulator), where the flags deploy alone.
        """
        # Checked before the profile is built: its own checks would blame the profile for a wrong target.
        problems = Problems(self)
        if deploy_to is not None and (isinstance(deploy_to, (str, bytes)) or not isinstance(deploy_to, Sequence)):
            problems.add(f"{id}/deploy_to", "must be a list or tuple of GuardedEnvironment", deploy_to)
            deploy_to = ()
        self._id_taken(id, problems)
        targets = list(self.environments if deploy_to is None else deploy_to)
        for environment in targets:
            if environment not in self.environments:
                problems.add(f"{id}/deploy_to", _not_added(environment, self.resource),
                             environment.node.path if isinstance(environment, GuardedEnvironment) else environment)
                continue
            before = environment.promote_after
            if before is not None and before not in targets and (before.environment_name, profile.name) not in self._deployment_of:
                problems.add(f"{id}/deploy_to", f"deploys to {environment.environment_name} without first deploying "
                             f"to {before.environment_name}, which it is promoted after", environment.environment_name)
        problems.raise_if_any()
        flags = FeatureFlagProfile(self, id, application=self.resource, profile=profile, environments=targets,
                                   known_environment_names=self.environment_names, **options)
        # Promotion order first: an environment's deployment follows the one it is promoted after (the
        # promote_after setter refuses cycles).
        for environment in promotion_order(
                targets, name=lambda e: e.environment_name,
                after=lambda e: e.promote_after.environment_name if e.promote_after is not None else None):
            self._deploy(flags, environment)
            if experiments:
                self._add_experiments(flags, environment)
        self._profiles.append(flags)
        return flags

    def strategy_id(self, strategy: DeploymentStrategy) -> str:
        """The ID to deploy with ``strategy``: the predefined ID, or a custom strategy created once."""
        if strategy.predefined_id is not None:
            return strategy.predefined_id
        if (clash := self._strategy_named(strategy.name)) is not None and clash != strategy:
            problems = Problems(self)
            problems.add("strategy", "another, different strategy of this application has this name", strategy.name)
            problems.raise_if_any()
        if strategy not in self._strategy_ids:
            if self._strategies_scope is None:
                self._strategies_scope = Construct(self, STRATEGIES_ID)
            resource = appconfig.CfnDeploymentStrategy(
                self._strategies_scope, strategy.name,
                name=strategy.name,
                deployment_duration_in_minutes=strategy.duration_minutes,
                final_bake_time_in_minutes=strategy.final_bake_minutes,
                growth_factor=strategy.growth_factor,
                growth_type=strategy.growth_type.value,
                replicate_to="NONE",
                description=strategy.description,
            )
            self._strategy_ids[strategy] = resource.ref
        return self._strategy_ids[strategy]

    def _id_taken(self, id: str, problems: Problems) -> bool:
        """Whether ``id`` cannot name a new child (added to ``problems``): constructs refuses a second one."""
        if id == STRATEGIES_ID or self.node.try_find_child(id) is not None:
            problems.add(id, "another environment or profile of this application has this construct id "
                         f"(or it is {STRATEGIES_ID!r}, which holds the strategies)", id)
            return True
        return False

    def _strategy_named(self, name: str) -> DeploymentStrategy | None:
        for strategy in (*self._strategy_ids, *self._environment_strategy.values()):
            if strategy.name == name and not strategy.is_predefined:
                return strategy
        return None

    def _deploy(self, flags: FeatureFlagProfile, environment: GuardedEnvironment) -> None:
        strategy = self._environment_strategy[environment.environment_name]
        deployment = appconfig.CfnDeployment(
            flags.scope_of(environment), "Deployment",
            application_id=self.application_id,
            environment_id=environment.environment_id,
            configuration_profile_id=flags.configuration_profile_id,
            configuration_version=flags.version_number(environment),
            deployment_strategy_id=self.strategy_id(strategy),
            description=f"{flags.profile.name} to {environment.environment_name}",
        )
        previous = self._last_deployment.get(environment.environment_name)
        if previous is not None:
            deployment.add_resource_dependency(previous)
        before = environment.promote_after
        if before is not None:
            deployment.add_resource_dependency(self._deployment_of[(before.environment_name, flags.profile.name)])
        environment._has_deployments = True
        self._last_deployment[environment.environment_name] = deployment
        self._deployment_of[(environment.environment_name, flags.profile.name)] = deployment
        self._deployments.append(Deployment(profile_name=flags.profile.name,
                                           environment_name=environment.environment_name, resource=deployment))


    def _add_experiments(self, flags: FeatureFlagProfile, environment: GuardedEnvironment) -> None:
        experiments = flags.profile.experiments_in(environment.environment_name)
        if not experiments:
            return
        scope = Construct(flags.scope_of(environment), "Experiments")
        name = environment.environment_name
        for experiment in experiments:
            # A run deploys the flag's treatments: the environment's next deployment waits for it.
            added = FlagExperiment(scope, experiment.name, profile=flags, environment=environment,
                                   experiment=experiment, after=self._last_deployment[name])
            self._last_deployment[name] = added.last_resource
            self._experiments.append(added)


def _not_added(environment: object, application: appconfig.IApplication) -> str:
    if not isinstance(environment, GuardedEnvironment):
        return "must be a GuardedEnvironment"
    if environment.application is application:
        return ("is an environment of this application not added with add_environment; "
                "a FlagsApplication deploys only to the environments it added, so that it can order them")
    return "names an environment of another application"


def _default_strategy(production: bool) -> DeploymentStrategy:
    return DeploymentStrategy.canary_10_percent_20_minutes() if production else DeploymentStrategy.all_at_once()
