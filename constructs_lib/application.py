"""An AppConfig application whose flag profiles deploy to its environments in promotion order.

The application and the environments may be this construct's own or what a team already has: an
aws_appconfig application or environment of another stack, or one imported by its attributes.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import CfnResource
from aws_cdk import aws_appconfig as appconfig
from constructs import Construct
from typing_extensions import Unpack

from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import PromotionCycleError, promotion_order
from appconfig_flags.model.rules import APPLICATION_NAME_MAX

from .application_input import ApplicationConstruct, same_application
from .environment import (
    NAMELESS,
    EnvironmentInput,
    GuardedEnvironment,
    GuardedEnvironmentOptions,
    as_environment,
    construct_id_of,
    describe,
    environment_name_of,
)
from .experiment import FlagExperiment
from .feature_flag_profile import FeatureFlagOptions, FeatureFlagProfile
from .props import Problems, PropsError
from .strategies import FlagRollout

#: The child that holds the custom deployment strategies; no environment or profile may take its id.
STRATEGIES_ID = "Strategies"


@dataclass(frozen=True)
class Deployment:
    """A deployment this application declares: which profile, to which environment."""

    profile_name: str
    environment_name: str
    resource: appconfig.CfnDeployment


@dataclass(frozen=True)
class _Target:
    """An environment this application deploys to, and how."""

    environment: EnvironmentInput
    name: str
    strategy: FlagRollout
    #: The name of the environment it is promoted after, when given explicitly.
    promote_after: str | None


class FlagsApplication(ApplicationConstruct):
    """An AppConfig application whose flag changes roll out in order.

    Deployments to one environment are chained (AppConfig refuses a second deployment to an
    environment while one runs: ConflictException), and an environment promoted after another
    deploys only after that one's deployment of the same profile has completed, bake time
    included. A deployment is replaced only when its content or strategy changes.

    Promotion order: the environments' ``promote_after`` when any environment of this application
    has one; otherwise each profile's ``environments`` (``Profile.environments``, in promotion order).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application_name: str | None = None,
        application: appconfig.IApplication | None = None,
        catalogue: Sequence[Profile] = (),
        description: str | None = None,
        environment_names: Sequence[str] | None = None,
    ) -> None:
        """
        :param application_name: AppConfig name, 1-64 characters. Default: the ``application`` of the
            ``catalogue``'s profiles (``Profile.application``; they must agree), or ``application``'s name.
            With ``application``, it states that application's name when its import does not carry it.
        :param application: an application that exists already (an ``appconfig.Application`` of another
            stack, ``Application.from_application_id``) to deploy into. Default: a new application.
        :param catalogue: the profiles this application is for; the application's name and
            ``environment_names`` default from them. Nothing is deployed until ``add_feature_flags``. Default: none.
        :param description: of a new application. Default: none.
        :param environment_names: every environment name of this application, also those deployed
            by other stacks (pipeline stages); flags may set values only for these. A list or tuple.
            Default: the ``catalogue``'s environments, else the environments added to this construct.
        """
        super().__init__(scope, id)
        problems = Problems(self)
        # A bare string is no list of names here: "Beta" would mean the environments B, e, t, a.
        problems.check_types(FlagsApplication.__init__, locals())
        problems.raise_if_any()
        name = self._name(problems, application_name, application, catalogue)
        problems.raise_if_any()
        if application is None:
            assert name is not None  # _name added a problem otherwise
            application = appconfig.Application(self, "Resource", application_name=name, description=description)
        #: The aws_appconfig application: what aws-cdk-lib's own constructs take as an ``IApplication``.
        self.resource = application
        #: The application's ID (a token).
        self.application_id: str = application.application_id
        #: The application's AppConfig name; ``None`` for an imported one whose name was not given.
        self.application_name = name
        self._environment_names = tuple(environment_names) if environment_names is not None else (
            _catalogue_environments(catalogue))
        self._targets: dict[str, _Target] = {}
        self._profiles: list[FeatureFlagProfile] = []
        self._deployments: list[Deployment] = []
        self._strategy_ids: dict[FlagRollout, str] = {}
        self._strategies_scope: Construct | None = None
        # The last resource that deploys to each environment: a deployment, or an experiment run (it deploys too).
        self._last_deployment: dict[str, CfnResource] = {}
        self._experiments: list[FlagExperiment] = []
        # (environment name, profile name) -> deployment, for promotion order
        self._deployment_of: dict[tuple[str, str], appconfig.CfnDeployment] = {}

    @staticmethod
    def from_application_attributes(
        scope: Construct,
        id: str,
        *,
        application_id: str,
        application_name: str | None = None,
        environment_names: Sequence[str] | None = None,
    ) -> FlagsApplication:
        """The application a FlagsApplication made elsewhere (another stack, another app), to deploy more into.

        ``application_name`` Default: unknown (a profile naming its application is then not checked
        against it). The result adds environments and profiles like a new one; it creates no application.
        """
        imported = appconfig.Application.from_application_id(scope, f"{id}Import", application_id)
        return FlagsApplication(scope, id, application=imported, application_name=application_name,
                                environment_names=environment_names)

    @property
    def application_arn(self) -> str:
        """The application's ARN."""
        return self.resource.application_arn

    @property
    def environments(self) -> tuple[EnvironmentInput, ...]:
        """The environments added to this application, in the order they were added."""
        return tuple(t.environment for t in self._targets.values())

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
        return tuple(self._targets)

    def add_environment(
        self, id: str, *, deployment_strategy: FlagRollout | None = None, **options: Unpack[GuardedEnvironmentOptions]
    ) -> GuardedEnvironment:
        """Add a :class:`GuardedEnvironment` (same options); its deployments use ``deployment_strategy``.

        ``deployment_strategy`` Default: ``FlagRollout.CANARY_10_PERCENT_20_MINUTES`` for production
        environments, ``FlagRollout.ALL_AT_ONCE`` otherwise.
        """
        options.setdefault("environment_name", id)
        name = options["environment_name"]
        # Everything is checked before anything is built, so one error lists every problem.
        problems = Problems(self)
        strategy_ok = "deployment_strategy" not in problems.check_types(
            FlagsApplication.add_environment, locals(), prefix=f"{id}/")
        strategy = (deployment_strategy if strategy_ok else None) or _default_strategy(options.get("production") is True)
        if strategy_ok:  # a strategy of another type cannot be checked further: its type problem says enough
            self._check_target(problems, id, name, strategy)
        if self._id_taken(id, problems):
            problems.raise_if_any()  # the construct cannot be built under a taken id
        try:
            environment = GuardedEnvironment(self, id, application=self, **options)
        except PropsError as error:
            raise PropsError(error.path, [*error.problems, *problems.items]) from None
        after = environment.promote_after
        self._check_order(problems, id, name, after)
        problems.raise_if_any()
        self._add(environment, name, strategy, after)
        return environment

    def add_existing_environment(
        self,
        environment: GuardedEnvironment | appconfig.IEnvironment,
        *,
        deployment_strategy: FlagRollout | None = None,
        promote_after: GuardedEnvironment | appconfig.IEnvironment | None = None,
        production: bool = False,
        allow_unmonitored: bool = False,
    ) -> None:
        """Deploy this application's profiles to an environment it did not create.

        :param environment: an aws_appconfig ``IEnvironment`` of this application (an ``appconfig.Environment``
            of another stack; ``Environment.from_environment_attributes`` with its ``name``), or a
            GuardedEnvironment made apart.
        :param deployment_strategy: Default: ``FlagRollout.CANARY_10_PERCENT_20_MINUTES`` for production
            environments, ``FlagRollout.ALL_AT_ONCE`` otherwise.
        :param promote_after: an environment of this application whose deployments this one's wait for.
            Default: a GuardedEnvironment's own ``promote_after``, else none.
        :param production: the environment takes production traffic: it must have a monitor, as a production
            GuardedEnvironment must. Only the monitors the environment declares are known here: an import
            has those given to ``from_environment_attributes(monitors=...)``. Default: a GuardedEnvironment's
            own ``production``, else False.
        :param allow_unmonitored: accept a production environment without monitors. Default: False.
        """
        problems = Problems(self)
        if problems.check_types(FlagsApplication.add_existing_environment, locals(), prefix="add_existing_environment/"):
            problems.raise_if_any()
        path = str(environment.node.path)
        name = environment_name_of(environment)
        if not same_application(as_environment(environment).application_id, self.application_id):
            problems.add("add_existing_environment/environment", "is an environment of another application", path)
        elif name is None:
            problems.add("add_existing_environment/environment", NAMELESS, path)
        if isinstance(environment, GuardedEnvironment):
            promote_after = promote_after or environment.promote_after
            production = production or environment.production
        elif production and not environment.monitors and not allow_unmonitored:
            problems.add("add_existing_environment/production", "a production environment needs at least one alarm "
                         "monitor, and this one declares none (an import declares the monitors given to "
                         "Environment.from_environment_attributes(monitors=...)); or set allow_unmonitored=True", path)
        problems.raise_if_any()
        assert name is not None
        strategy = deployment_strategy or _default_strategy(production)
        self._check_target(problems, f"add_existing_environment[{name}]", name, strategy)
        if any(construct_id_of(t.environment) == construct_id_of(environment) for t in self._targets.values()):
            problems.add("add_existing_environment/environment", "has the construct id of an environment added "
                         "already (a profile holds each environment's resources under its id)", path)
        self._check_order(problems, f"add_existing_environment[{name}]", name, promote_after)
        problems.raise_if_any()
        self._add(environment, name, strategy, promote_after)

    def add_feature_flags(
        self, id: str, *, profile: Profile, deploy_to: Sequence[GuardedEnvironment | appconfig.IEnvironment] | None = None,
        **options: Unpack[FeatureFlagOptions],
    ) -> FeatureFlagProfile:
        """Add a :class:`FeatureFlagProfile` (same options) and deploy it to ``deploy_to`` in promotion order.

        ``deploy_to`` Default: every environment added so far. Each must have been added to this
        application (``add_environment``, ``add_existing_environment``). The profile's experiments in
        those environments follow its deployment there (:class:`FlagExperiment`); experiments of other
        environments are left to the stacks that deploy those (a pipeline's stages). To deploy the flags
        without their experiments (an AppConfig without experimentation), pass a profile without them.
        """
        # Checked before the profile is built: its own checks would blame the profile for a wrong target.
        problems = Problems(self)
        if problems.check_types(FlagsApplication.add_feature_flags, locals(), prefix=f"{id}/"):
            problems.raise_if_any()
        self._id_taken(id, problems)
        targets: list[_Target] = []
        for environment in self.environments if deploy_to is None else deploy_to:
            target = self._target_of(environment)
            if target is None:
                problems.add(f"{id}/deploy_to", _not_added(environment, self.application_id), describe(environment))
            else:
                targets.append(target)
        names = {t.name for t in targets}
        for target in targets:
            before = self._promoted_after(target.name, profile)
            # An environment this application did not add lives elsewhere (another stage's stack): not waited for.
            if before in self._targets and before not in names and (before, profile.name) not in self._deployment_of:
                problems.add(f"{id}/deploy_to", f"deploys to {target.name} without first deploying "
                             f"to {before}, which it is promoted after", target.name)
        problems.raise_if_any()
        flags = FeatureFlagProfile(self, id, application=self, profile=profile,
                                   environments=[t.environment for t in targets],
                                   known_environment_names=self.environment_names, **options)
        # Promotion order first: an environment's deployment follows the one it is promoted after.
        for target in promotion_order(targets, name=lambda t: t.name,
                                      after=lambda t: self._promoted_after(t.name, profile)):
            self._deploy(flags, target)
            self._add_experiments(flags, target)
        self._profiles.append(flags)
        return flags

    def strategy_id(self, strategy: FlagRollout) -> str:
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
                deployment_duration_in_minutes=strategy.deployment_duration_in_minutes,
                final_bake_time_in_minutes=strategy.final_bake_time_in_minutes,
                growth_factor=strategy.growth_factor,
                growth_type=strategy.growth_type.value,
                replicate_to="NONE",
                description=strategy.description,
            )
            self._strategy_ids[strategy] = resource.ref
        return self._strategy_ids[strategy]

    # -- checks ---------------------------------------------------------------------------------------
    def _name(self, problems: Problems, given: str | None, application: appconfig.IApplication | None,
              catalogue: Sequence[Profile]) -> str | None:
        """The application's name: given, the catalogue's, or the existing application's; problems when they differ."""
        named = {p.application: p.name for p in catalogue if p.application is not None}
        if len(named) > 1:
            problems.add("catalogue", "its profiles name different applications: " + ", ".join(
                f"{profile!r} names {application_name!r}" for application_name, profile in named.items()),
                [p.name for p in catalogue])
        existing = application.name if application is not None else None
        existing = existing if isinstance(existing, str) and not _unresolved(existing) else None
        candidates = [n for n in (given, existing, *named) if n is not None]
        if len(set(candidates)) > 1:
            problems.add("application_name", "names another application than "
                         + (f"the catalogue's ({', '.join(map(repr, named))})" if named else "application's name"),
                         given)
        name = candidates[0] if candidates else None
        if name is None and application is None:
            problems.add("application_name", "give it, or a catalogue whose profiles name their application "
                         "(Profile.application)", None)
        elif name is not None and not 1 <= len(name) <= APPLICATION_NAME_MAX:
            problems.add("application_name", f"has 1 to {APPLICATION_NAME_MAX} characters", name)
        return name

    def _check_target(self, problems: Problems, at: str, name: str, strategy: FlagRollout) -> None:
        if (clash := self._strategy_named(strategy.name)) is not None and clash != strategy:
            problems.add(f"{at}/deployment_strategy/name", "another, different strategy of this application has "
                         "this name (AppConfig names are the strategies' identity here)", strategy.name)
        if self._environment_names is not None and name not in self._environment_names:
            problems.add(f"{at}/environment_name",
                         f"is not one of the application's environments {list(self._environment_names)}", name)
        if name in self._targets:
            problems.add(f"{at}/environment_name", "another environment of this application has this name", name)

    def _check_order(self, problems: Problems, at: str, name: str, after: EnvironmentInput | None) -> None:
        """``after`` is an environment of this application, and promoting ``name`` after it closes no cycle."""
        if after is None:
            return
        after_name = environment_name_of(after)
        if not same_application(as_environment(after).application_id, self.application_id):
            problems.add(f"{at}/promote_after", "must be an environment of the same application", describe(after))
            return
        order = {t.name: t.promote_after for t in self._targets.values()} | {name: after_name}
        try:
            promotion_order(list(order), name=lambda n: n, after=lambda n: order[n])
        except PromotionCycleError as error:
            problems.add(f"{at}/promote_after", "would promote environments after each other in a cycle: "
                         + " -> ".join(error.names), after_name)

    def _id_taken(self, id: str, problems: Problems) -> bool:
        """Whether ``id`` cannot name a new child (added to ``problems``): constructs refuses a second one."""
        if id == STRATEGIES_ID or self.node.try_find_child(id) is not None:
            problems.add(id, "another environment or profile of this application has this construct id "
                         f"(or it is {STRATEGIES_ID!r}, which holds the strategies)", id)
            return True
        return False

    # -- building ---------------------------------------------------------------------------------------
    def _add(self, environment: EnvironmentInput, name: str, strategy: FlagRollout, after: EnvironmentInput | None) -> None:
        self._targets[name] = _Target(environment, name, strategy, environment_name_of(after) if after else None)

    def _target_of(self, environment: EnvironmentInput) -> _Target | None:
        """The added environment ``environment`` stands for: same application, same name."""
        target = self._targets.get(environment_name_of(environment) or "")
        if target is None or not same_application(as_environment(environment).application_id, self.application_id):
            return None
        if isinstance(environment, GuardedEnvironment) and environment is not target.environment:
            return None  # another construct of the same name, made apart: not the one added
        return target

    def _promoted_after(self, name: str, profile: Profile) -> str | None:
        """The environment ``name`` deploys after: its ``promote_after``, else the profile's order."""
        if any(t.promote_after is not None for t in self._targets.values()):
            return self._targets[name].promote_after if name in self._targets else None
        if profile.environments is not None and name in profile.environments:
            return profile.promoted_after(name)
        return None

    def _strategy_named(self, name: str) -> FlagRollout | None:
        for strategy in (*self._strategy_ids, *(t.strategy for t in self._targets.values())):
            if strategy.name == name and not strategy.is_predefined:
                return strategy
        return None

    def _deploy(self, flags: FeatureFlagProfile, target: _Target) -> None:
        deployment = appconfig.CfnDeployment(
            flags.scope_of(target.environment), "Deployment",
            application_id=self.application_id,
            environment_id=as_environment(target.environment).environment_id,
            configuration_profile_id=flags.configuration_profile_id,
            configuration_version=flags.version_number(target.environment),
            deployment_strategy_id=self.strategy_id(target.strategy),
            description=f"{flags.profile.name} to {target.name}",
        )
        previous = self._last_deployment.get(target.name)
        if previous is not None:
            deployment.add_resource_dependency(previous)
        before = self._deployment_of.get((self._promoted_after(target.name, flags.profile) or "", flags.profile.name))
        if before is not None:
            deployment.add_resource_dependency(before)
        self._last_deployment[target.name] = deployment
        self._deployment_of[(target.name, flags.profile.name)] = deployment
        self._deployments.append(Deployment(profile_name=flags.profile.name, environment_name=target.name,
                                            resource=deployment))

    def _add_experiments(self, flags: FeatureFlagProfile, target: _Target) -> None:
        experiments = flags.profile.experiments_in(target.name)
        if not experiments:
            return
        scope = Construct(flags.scope_of(target.environment), "Experiments")
        for experiment in experiments:
            # A run deploys the flag's treatments: the environment's next deployment waits for it.
            added = FlagExperiment(scope, experiment.name, profile=flags, environment=target.environment,
                                   experiment=experiment, after=self._last_deployment[target.name])
            self._last_deployment[target.name] = added.last_resource
            self._experiments.append(added)


def _not_added(environment: EnvironmentInput, application_id: str) -> str:
    if same_application(as_environment(environment).application_id, application_id):
        return ("is an environment of this application not added with add_environment or add_existing_environment; "
                "a FlagsApplication deploys only to the environments it added, so that it can order them")
    return "names an environment of another application"


def _catalogue_environments(catalogue: Sequence[Profile]) -> tuple[str, ...] | None:
    """Every environment the catalogue's profiles name, in the order they first appear; None when none names any."""
    named = [p.environments for p in catalogue if p.environments is not None]
    return tuple(dict.fromkeys(name for environments in named for name in environments)) if named else None


def _default_strategy(production: bool) -> FlagRollout:
    return FlagRollout.CANARY_10_PERCENT_20_MINUTES if production else FlagRollout.ALL_AT_ONCE


def _unresolved(value: str) -> bool:
    from aws_cdk import Token

    return bool(Token.is_unresolved(value))
