"""A feature-flag configuration profile built from flag objects, with one hosted version per environment."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from aws_cdk import Annotations, RemovalPolicy, Stack
from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import FEATURE_FLAGS_TYPE, version_label

from .application_input import ApplicationInput, resolve_application, same_application
from .environment import GuardedEnvironment
from .props import Problems, deletion_protection_check

#: What an application needs to read flags through AppConfig Data (the Agent needs the same).
READ_ACTIONS = ("appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration")


class FeatureFlagOptions(TypedDict, total=False):
    """The options of a :class:`FeatureFlagProfile` that :meth:`FlagsApplication.add_feature_flags` passes on."""

    kms_key: kms.IKey | None
    deletion_protection: bool | None
    description: str | None
    retain_replaced_versions: bool


class FeatureFlagProfile(Construct):
    """An ``AWS.AppConfig.FeatureFlags`` profile and its content for each environment.

    The content of each environment is ``profile.render(environment_name)``, validated with
    AppConfig's rules when the :class:`Profile` was built. Hosted versions are retained when replaced
    (``retain_replaced_versions=True``), so a revert always finds the version it returns to;
    ``appconfig-flags prune`` deletes old ones safely (docs/operations.md, also before ``cdk destroy``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application: ApplicationInput,
        profile: Profile,
        environments: Sequence[GuardedEnvironment],
        known_environment_names: Sequence[str] | None = None,
        kms_key: kms.IKey | None = None,
        deletion_protection: bool | None = None,
        description: str | None = None,
        retain_replaced_versions: bool = True,
    ) -> None:
        """
        :param application: the application the profile belongs to: a FlagsApplication (prefer its
            ``add_feature_flags``, which also deploys the profile) or an aws_appconfig ``IApplication``.
        :param profile: the flags; its name is the profile's AppConfig name.
        :param environments: environments that get a hosted version of their own values (a list or tuple).
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
        resolved = resolve_application(problems, application)
        if not isinstance(profile, Profile):
            problems.add("profile", "must be a appconfig_flags.model.Profile", profile)
        if isinstance(environments, (str, bytes)) or not isinstance(environments, Sequence):
            problems.add("environments", "must be a list or tuple of GuardedEnvironment", environments)
        else:
            for index, environment in enumerate(environments):
                if not isinstance(environment, GuardedEnvironment):
                    problems.add(f"environments[{index}]", "must be a GuardedEnvironment", environment)
                elif resolved is not None and not same_application(environment.application, resolved):
                    problems.add(f"environments[{index}]", "is an environment of another application",
                                 environment.node.path)
        if known_environment_names is not None and (
                isinstance(known_environment_names, (str, bytes)) or not isinstance(known_environment_names, Sequence)):
            problems.add("known_environment_names", "must be a list or tuple of environment names", known_environment_names)
        problems.raise_if_any()
        assert resolved is not None  # resolve_application added a problem otherwise
        names = [e.environment_name for e in environments]
        known = set(known_environment_names) if known_environment_names is not None else set(names)
        for name in profile.overridden_environments():
            if name not in known:
                flags = [f.key for f in profile.flags if name in f.environments]
                problems.add("profile", f"flags {flags} set values for environment {name!r}, which the application "
                             f"does not have (it has {sorted(known)})", name)
        for experiment in profile.experiments:
            if experiment.environment not in known:
                problems.add("profile", f"experiment {experiment.name!r} runs in environment {experiment.environment!r}, "
                             f"which the application does not have (it has {sorted(known)})", experiment.environment)
        if len(set(names)) != len(names):
            problems.add("environments", "lists an environment twice", names)
        problems.raise_if_any()

        for warning in profile.warnings:
            # AppConfig may accept these ([?] in its rules), so they warn rather than fail the synth.
            Annotations.of(self).add_warning_v2(f"flag-model:{warning.rule}", str(warning))
        self.profile = profile
        #: The application, as an aws_appconfig ``IApplication`` (a FlagsApplication's ``resource``).
        self.application: appconfig.IApplication = resolved
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
        self.configuration_profile_id: str = self.resource.attr_configuration_profile_id
        profile_id = self.configuration_profile_id
        self._application_id = application_id
        self.versions: dict[str, appconfig.CfnHostedConfigurationVersion] = {}
        self._version_numbers: dict[str, str] = {}
        self._scopes: dict[str, Construct] = {}
        for environment in environments:
            content = profile.render(environment.environment_name)
            scope_of_environment = Construct(self, environment.construct_id)
            version = appconfig.CfnHostedConfigurationVersion(
                scope_of_environment, "Version",
                application_id=application_id,
                configuration_profile_id=profile_id,
                content=content,
                content_type="application/json",
                version_label=version_label(environment.environment_name, content),
                description=f"{profile.name} flags for {environment.environment_name}",
            )
            if retain_replaced_versions:  # CloudFormation's default for a hosted version is Delete
                version.apply_removal_policy(RemovalPolicy.RETAIN)
            self.versions[environment.environment_name] = version
            self._version_numbers[environment.environment_name] = version.attr_version_number
            self._scopes[environment.environment_name] = scope_of_environment
        self.environments: tuple[GuardedEnvironment, ...] = tuple(environments)

    @property
    def application_id(self) -> str:
        """The application's ID (a token)."""
        return self._application_id

    @property
    def configuration_profile_arn(self) -> str:
        """The profile's ARN."""
        return Stack.of(self).format_arn(
            service="appconfig", resource="application",
            resource_name=f"{self._application_id}/configurationprofile/{self.configuration_profile_id}",
        )

    def version_number(self, environment: GuardedEnvironment) -> str:
        """The hosted version number holding ``environment``'s values."""
        return self._version_numbers[environment.environment_name]

    def scope_of(self, environment: GuardedEnvironment) -> Construct:
        """The construct holding this profile's resources for ``environment`` (its version, its deployment)."""
        return self._scopes[environment.environment_name]

    def grant_read(self, grantee: iam.IGrantable, *environments: GuardedEnvironment) -> iam.Grant:
        """Let ``grantee`` read these flags in ``environments`` (Default: every environment of this profile).

        ``grantee`` is anything that can be granted permissions: a function (``lambda_.Function``), a
        role, a user, a task definition's task role... Grants exactly ``appconfig:StartConfigurationSession``
        and ``appconfig:GetLatestConfiguration`` on this one profile in those environments, and
        ``kms:Decrypt`` on the profile's key if any. Each environment must be one this profile has
        a version for; another is a :class:`PropsError` (the policy would match nothing).
        """
        problems = Problems(self)
        if grantee is None or not hasattr(grantee, "grant_principal"):
            problems.add("grant_read/grantee", "must be an iam.IGrantable such as a function or a role "
                         "(a function's `role` may be None: pass the function itself)", grantee)
        deployed = [e.environment_name for e in self.environments]
        for index, environment in enumerate(environments):
            if not isinstance(environment, GuardedEnvironment):
                problems.add(f"grant_read/environments[{index}]", "must be a GuardedEnvironment", environment)
            elif not same_application(environment.application, self.application):
                problems.add(f"grant_read/environments[{index}]", "is an environment of another application "
                             "than this profile's", environment.node.path)
            elif environment not in self.environments:
                problems.add(f"grant_read/environments[{index}]", f"is not an environment this profile is "
                             f"deployed to (it is deployed to {deployed})", environment.environment_name)
        if not environments and not self.environments:
            problems.add("grant_read/environments", "this profile is deployed to no environment, so there is "
                         "nothing to read", [])
        problems.raise_if_any()
        targets = environments or self.environments
        arns = [
            Stack.of(self).format_arn(
                service="appconfig", resource="application",
                resource_name=(f"{self._application_id}/environment/{e.environment_id}"
                               f"/configuration/{self.configuration_profile_id}"),
            )
            for e in targets
        ]
        grant = iam.Grant.add_to_principal(grantee=grantee, actions=list(READ_ACTIONS), resource_arns=arns)
        if self.kms_key is not None:
            self.kms_key.grant_decrypt(grantee)
        return grant


    def grant_operate(self, grantee: iam.IGrantable, environment: GuardedEnvironment) -> iam.Grant:
        """Let ``grantee`` run the ops commands on these flags in ``environment``, and nothing more.

        ``make flags-status``, ``flags-revert``, ``flags-off`` (with ``--override-alarms``) and
        ``flags-restore-monitors``: reads of the application, the environment, its deployments and this
        profile's versions; new hosted versions of this profile; Start/StopDeployment there;
        UpdateEnvironment and ``iam:PassRole`` of its monitor role (the override, the restore);
        ``cloudwatch:DescribeAlarms`` on its monitors' alarms; the stack's template (the restore).
        docs/operations.md lists what each command calls. ``environment`` must be one this profile is
        deployed to; another is a :class:`PropsError`.
        """
        from .operator_grant import operate_permissions

        problems = Problems(self)
        if grantee is None or not hasattr(grantee, "grant_principal"):
            problems.add("grant_operate/grantee", "must be an iam.IGrantable such as a role or a user", grantee)
        if not isinstance(environment, GuardedEnvironment):
            problems.add("grant_operate/environment", "must be a GuardedEnvironment", environment)
        elif environment not in self.environments:
            problems.add("grant_operate/environment", "is not an environment this profile is deployed to (it is "
                         f"deployed to {[e.environment_name for e in self.environments]})",
                         environment.environment_name)
        problems.raise_if_any()
        grant: iam.Grant | None = None
        permissions = operate_permissions(
            Stack.of(self), application_id=self.application_id, configuration_profile_id=self.configuration_profile_id,
            environment_id=environment.environment_id, alarms=environment.alarms, monitor_role=environment.monitor_role)
        for permission in permissions:
            added = iam.Grant.add_to_principal(grantee=grantee, actions=permission.actions,
                                               resource_arns=permission.resources, conditions=permission.conditions)
            grant = added if grant is None else grant.combine(added)
        assert grant is not None
        if self.kms_key is not None:
            self.kms_key.grant_encrypt_decrypt(grantee)
        return grant


