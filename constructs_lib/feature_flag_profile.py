"""A feature-flag configuration profile built from flag objects, with one hosted version per environment."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypedDict

from aws_cdk import Annotations, RemovalPolicy, Stack
from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import FEATURE_FLAGS_TYPE, version_label

from .application_input import ApplicationInput, application_name_of, resolve_application, same_application
from .environment import (
    NAMELESS,
    EnvironmentInput,
    GuardedEnvironment,
    as_environment,
    construct_id_of,
    describe,
    environment_name_of,
    monitor_arns,
)
from .props import Problems, accepts, deletion_protection_check

#: What an application needs to read flags through AppConfig Data (the Agent needs the same).
READ_ACTIONS = ("appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration")


class FeatureFlagOptions(TypedDict, total=False):
    """The options of a :class:`FeatureFlagProfile` that :meth:`FlagsApplication.add_feature_flags` passes on."""

    kms_key: kms.IKey | None
    deletion_protection: bool | None
    description: str | None
    retain_replaced_versions: bool


class IFeatureFlagProfile(Protocol):
    """A feature-flag profile: one a :class:`FeatureFlagProfile` creates, or one imported by its attributes."""

    @property
    def application(self) -> appconfig.IApplication:
        """The application the profile belongs to."""

    @property
    def configuration_profile_id(self) -> str:
        """The profile's ID."""

    @property
    def configuration_profile_arn(self) -> str:
        """The profile's ARN."""

    @property
    def environments(self) -> tuple[EnvironmentInput, ...]:
        """The environments the profile is deployed to."""

    def grant_read(self, grantee: iam.IGrantable, *environments: EnvironmentInput) -> iam.Grant:
        """Let ``grantee`` read these flags in ``environments`` (Default: every environment of the profile)."""

    def grant_operate(self, grantee: iam.IGrantable, environment: EnvironmentInput) -> iam.Grant:
        """Let ``grantee`` run the ops commands on these flags in ``environment``."""


class FeatureFlagProfileBase(Construct):
    """What a created and an imported profile share: their IDs, their environments and the grants."""

    application: appconfig.IApplication
    configuration_profile_id: str
    environments: tuple[EnvironmentInput, ...]
    kms_key: kms.IKey | None

    @property
    def application_id(self) -> str:
        """The application's ID (a token)."""
        return self.application.application_id

    @property
    def configuration_profile_arn(self) -> str:
        """The profile's ARN."""
        return Stack.of(self).format_arn(
            service="appconfig", resource="application",
            resource_name=f"{self.application_id}/configurationprofile/{self.configuration_profile_id}",
        )

    def grant_read(self, grantee: iam.IGrantable, *environments: EnvironmentInput) -> iam.Grant:
        """Let ``grantee`` read these flags in ``environments`` (Default: every environment of this profile).

        ``grantee`` is anything that can be granted permissions: a function (``lambda_.Function``), a
        role, a user, a task definition's task role... Grants exactly ``appconfig:StartConfigurationSession``
        and ``appconfig:GetLatestConfiguration`` on this one profile in those environments, and
        ``kms:Decrypt`` on the profile's key if any. Each environment (a GuardedEnvironment or an
        aws_appconfig ``IEnvironment``) must be one this profile is deployed to, by name; another is a
        :class:`PropsError` (the policy would match nothing).
        """
        problems = Problems(self)
        _check_grantee(problems, "grant_read", grantee)
        targets = [self._deployed(problems, f"grant_read/environments[{index}]", environment)
                   for index, environment in enumerate(environments)]
        if not environments and not self.environments:
            problems.add("grant_read/environments", "this profile is deployed to no environment, so there is "
                         "nothing to read", [])
        problems.raise_if_any()
        arns = [
            Stack.of(self).format_arn(
                service="appconfig", resource="application",
                resource_name=(f"{self.application_id}/environment/{as_environment(e).environment_id}"
                               f"/configuration/{self.configuration_profile_id}"),
            )
            for e in ([t for t in targets if t is not None] or self.environments)
        ]
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=list(READ_ACTIONS), resource_arns=arns)
        if self.kms_key is not None:
            self.kms_key.grant_decrypt(grantee)
        return grant

    def grant_operate(self, grantee: iam.IGrantable, environment: EnvironmentInput) -> iam.Grant:
        """Let ``grantee`` run the ops commands on these flags in ``environment``, and nothing more.

        ``make flags-status``, ``flags-revert``, ``flags-off`` (with ``--override-alarms``) and
        ``flags-restore-monitors``: reads of the application, the environment, its deployments and this
        profile's versions; new hosted versions of this profile; Start/StopDeployment there;
        UpdateEnvironment and ``iam:PassRole`` of its monitor role (the override, the restore);
        ``cloudwatch:DescribeAlarms`` on its monitors' alarms; the stack's template (the restore).
        docs/operations.md lists what each command calls. ``environment`` must be one this profile is
        deployed to; another is a :class:`PropsError`. The alarms and the role are the monitors the
        environment declares: an imported environment (``Environment.from_environment_attributes``)
        knows only the monitors given to its import, so without them the grant leaves them out and
        ``flags-off`` cannot read the alarms.
        """
        from .operator_grant import operate_permissions

        problems = Problems(self)
        _check_grantee(problems, "grant_operate", grantee)
        target = self._deployed(problems, "grant_operate/environment", environment)
        problems.raise_if_any()
        assert target is not None  # _deployed added a problem otherwise
        alarm_arns, role_arns = monitor_arns(target)
        permissions = operate_permissions(
            Stack.of(self), application_id=self.application_id, configuration_profile_id=self.configuration_profile_id,
            environment_id=as_environment(target).environment_id, alarm_arns=alarm_arns, monitor_role_arns=role_arns)
        grant: iam.Grant | None = None
        for permission in permissions:
            added = iam.Grant.add_to_principal(grantee=grantee, actions=permission.actions,
                                               resource_arns=permission.resources, conditions=permission.conditions)
            grant = added if grant is None else grant.combine(added)
        assert grant is not None
        if self.kms_key is not None:
            self.kms_key.grant_encrypt_decrypt(grantee)
        return grant

    def _deployed(self, problems: Problems, prop: str, environment: EnvironmentInput) -> EnvironmentInput | None:
        """The environment of this profile that ``environment`` names (same application and name), or a problem."""
        if not accepts(EnvironmentInput, environment):  # the hint, checked at run time as the props are
            problems.add(prop, "must be a GuardedEnvironment or an aws_appconfig.IEnvironment", environment)
            return None
        if not same_application(as_environment(environment).application_id, self.application_id):
            problems.add(prop, "is an environment of another application than this profile's", describe(environment))
            return None
        name = environment_name_of(environment)
        deployed = {environment_name_of(e): e for e in self.environments}
        if name not in deployed:
            problems.add(prop, f"is not an environment this profile is deployed to (it is deployed to "
                         f"{[n for n in deployed if n is not None]})", name if name is not None else describe(environment))
            return None
        return deployed[name]


class FeatureFlagProfile(FeatureFlagProfileBase):
    """An ``AWS.AppConfig.FeatureFlags`` profile and its content for each environment.

    The content of each environment is ``profile.render(environment_name)``, validated with
    AppConfig's rules when the :class:`Profile` was built. Hosted versions are retained when replaced
    (``retain_replaced_versions=True``), so a revert always finds the version it returns to;
    ``appconfig-flags prune`` deletes old ones safely (docs/operations.md, also before ``cdk destroy``).
    Deployments are :class:`FlagsApplication`'s: prefer its ``add_feature_flags``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application: ApplicationInput,
        profile: Profile,
        environments: Sequence[GuardedEnvironment | appconfig.IEnvironment],
        known_environment_names: Sequence[str] | None = None,
        kms_key: kms.IKey | None = None,
        deletion_protection: bool | None = None,
        description: str | None = None,
        retain_replaced_versions: bool = True,
    ) -> None:
        """
        :param application: the application the profile belongs to: a FlagsApplication (prefer its
            ``add_feature_flags``, which also deploys the profile) or an aws_appconfig ``IApplication``.
            When both it and ``profile.application`` name an application, the names must be equal.
        :param profile: the flags; its name is the profile's AppConfig name.
        :param environments: environments that get a hosted version of their own values: GuardedEnvironment
            or aws_appconfig ``IEnvironment`` (of another stack, or imported with its ``name``), of ``application``.
        :param known_environment_names: every environment name flags may override. Default: ``environments``.
        :param kms_key: customer managed key that encrypts the hosted content. Default: AWS owned key.
        :param deletion_protection: True applies AppConfig's deletion protection, False bypasses it.
            Default: the account's setting.
        :param description: Default: none.
        :param retain_replaced_versions: keep hosted versions CloudFormation replaces, so that reverting a
            deployment finds the version before it. Default: True (delete old ones with ``appconfig-flags prune``).
        """
        super().__init__(scope, id)
        problems = Problems(self)
        wrong = problems.check_types(FeatureFlagProfile.__init__, locals())
        if wrong:
            problems.raise_if_any()  # the value rules below read these props
        resolved = resolve_application(application)
        names = _environment_names(problems, resolved, environments)
        _check_application_name(problems, profile, application)
        known = set(known_environment_names) if known_environment_names is not None else set(names)
        _check_environments_of_profile(problems, profile, names, known)
        problems.raise_if_any()

        for warning in profile.warnings:
            # AppConfig may accept these ([?] in its rules), so they warn rather than fail the synth.
            Annotations.of(self).add_warning_v2(f"flag-model:{warning.rule}", str(warning))
        self.profile = profile
        #: The application, as an aws_appconfig ``IApplication`` (a FlagsApplication's ``resource``).
        self.application = resolved
        self.kms_key = kms_key
        application_id = resolved.application_id
        self.resource = appconfig.CfnConfigurationProfile(
            self, "Resource",
            application_id=application_id,
            name=profile.name,
            location_uri="hosted",
            type=FEATURE_FLAGS_TYPE,
            description=description,
            kms_key_identifier=kms_key.key_arn if kms_key is not None else None,
            deletion_protection_check=deletion_protection_check(deletion_protection),
        )
        #: The profile's ID (a token).
        self.configuration_profile_id = self.resource.attr_configuration_profile_id
        self.versions: dict[str, appconfig.CfnHostedConfigurationVersion] = {}
        self._scopes: dict[str, Construct] = {}
        for environment, name in zip(environments, names):
            content = profile.render(name)
            scope_of_environment = Construct(self, construct_id_of(environment))
            version = appconfig.CfnHostedConfigurationVersion(
                scope_of_environment, "Version",
                application_id=application_id,
                configuration_profile_id=self.configuration_profile_id,
                content=content,
                content_type="application/json",
                version_label=version_label(name, content),
                description=f"{profile.name} flags for {name}",
            )
            if retain_replaced_versions:  # CloudFormation's default for a hosted version is Delete
                version.apply_removal_policy(RemovalPolicy.RETAIN)
            self.versions[name] = version
            self._scopes[name] = scope_of_environment
        #: The environments this profile has a version for, in the order given.
        self.environments = tuple(environments)

    @staticmethod
    def from_feature_flag_profile_attributes(
        scope: Construct,
        id: str,
        *,
        application: ApplicationInput,
        configuration_profile_id: str,
        environments: Sequence[GuardedEnvironment | appconfig.IEnvironment],
        kms_key: kms.IKey | None = None,
    ) -> IFeatureFlagProfile:
        """A profile a FeatureFlagProfile made elsewhere (another stack: the platform's), for its grants.

        ``environments`` are those it is deployed to (a GuardedEnvironment, or an aws_appconfig
        ``IEnvironment`` with its name); ``kms_key`` the key encrypting it (Default: none). A service's
        stack then grants itself ``grant_read``: nothing is created but the grant's policy.
        """
        return _ImportedFeatureFlagProfile(scope, id, application=application,
                                           configuration_profile_id=configuration_profile_id,
                                           environments=environments, kms_key=kms_key)

    def version_number(self, environment: EnvironmentInput) -> str:
        """The hosted version number holding ``environment``'s values."""
        return self.versions[self._name_of(environment)].attr_version_number

    def scope_of(self, environment: EnvironmentInput) -> Construct:
        """The construct holding this profile's resources for ``environment`` (its version, its deployment)."""
        return self._scopes[self._name_of(environment)]

    def _name_of(self, environment: EnvironmentInput) -> str:
        name = environment_name_of(environment)
        if name is None or name not in self._scopes:
            raise KeyError(f"{self.node.path}: no version for environment {describe(environment)!r}; "
                           f"the profile has versions for {sorted(self._scopes)}")
        return name


class _ImportedFeatureFlagProfile(FeatureFlagProfileBase):
    """A feature-flag profile known by its attributes: :meth:`FeatureFlagProfile.from_feature_flag_profile_attributes`."""

    def __init__(self, scope: Construct, id: str, *, application: ApplicationInput, configuration_profile_id: str,
                 environments: Sequence[GuardedEnvironment | appconfig.IEnvironment], kms_key: kms.IKey | None) -> None:
        super().__init__(scope, id)
        problems = Problems(self)
        if problems.check_types(FeatureFlagProfile.from_feature_flag_profile_attributes, locals()):
            problems.raise_if_any()
        self.application = resolve_application(application)
        _environment_names(problems, self.application, environments)
        problems.raise_if_any()
        self.configuration_profile_id = configuration_profile_id
        self.environments = tuple(environments)
        self.kms_key = kms_key


def _environment_names(problems: Problems, application: appconfig.IApplication,
                       environments: Sequence[EnvironmentInput]) -> list[str]:
    """Each environment's name; a problem for a nameless one, one of another application, or a name given twice."""
    names: list[str] = []
    for index, environment in enumerate(environments):
        name = environment_name_of(environment)
        if not same_application(as_environment(environment).application_id, application.application_id):
            problems.add(f"environments[{index}]", "is an environment of another application", describe(environment))
        elif name is None:
            problems.add(f"environments[{index}]", NAMELESS, describe(environment))
        names.append(name or "")
    if len(set(names)) != len(names):
        problems.add("environments", "lists an environment twice", names)
    return names


def _check_application_name(problems: Problems, profile: Profile, application: ApplicationInput) -> None:
    """A profile that names its application goes to that application only (when the application's name is known)."""
    name = application_name_of(application)
    if profile.application is not None and name is not None and name != profile.application:
        problems.add("profile", f"profile {profile.name!r} belongs to application {profile.application!r} "
                     f"(Profile.application), not to {name!r}, the application it is added to", profile.application)


def _check_environments_of_profile(problems: Problems, profile: Profile, names: Sequence[str], known: set[str]) -> None:
    if profile.environments is not None:
        for name in names:
            if name and name not in profile.environments:
                problems.add("environments", f"environment {name!r} is not one of profile {profile.name!r}'s "
                             f"environments {list(profile.environments)}", name)
    for name in profile.overridden_environments():
        if name not in known:
            flags = [f.key for f in profile.flags if name in f.environments]
            problems.add("profile", f"flags {flags} set values for environment {name!r}, which the application "
                         f"does not have (it has {sorted(known)})", name)
    for experiment in profile.experiments:
        if experiment.environment not in known:
            problems.add("profile", f"experiment {experiment.name!r} runs in environment {experiment.environment!r}, "
                         f"which the application does not have (it has {sorted(known)})", experiment.environment)


def _check_grantee(problems: Problems, method: str, grantee: object) -> None:
    if not accepts(iam.IGrantable, grantee):
        problems.add(f"{method}/grantee", "must be an aws_iam.IGrantable such as a function or a role "
                     "(a function's `role` may be None: pass the function itself)", grantee)
