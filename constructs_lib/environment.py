"""An AppConfig environment guarded by CloudWatch alarms, with a least-privilege monitor role.

Where the constructs take an environment they take a :class:`GuardedEnvironment` or any aws-cdk-lib
``aws_appconfig.IEnvironment`` (an ``appconfig.Environment`` of another stack, an import):
:data:`EnvironmentInput`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from aws_cdk import Token
from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from constructs import Construct

from appconfig_flags.model.rules import ENVIRONMENT_NAME_MAX

from .application_input import ApplicationInput, resolve_application, same_application
from .monitors import AlarmMonitor
from .props import Problems, deletion_protection_check

#: Environment ``Monitors``: at most 5 (AppConfig API reference, CreateEnvironment).
MONITORS_MAX = 5


class GuardedEnvironmentOptions(TypedDict, total=False):
    """The options of a :class:`GuardedEnvironment` besides its application (see its parameters).

    :meth:`FlagsApplication.add_environment` takes the same, so both share one definition.
    """

    environment_name: str
    monitors: Sequence[AlarmMonitor | cloudwatch.IAlarm]
    production: bool
    allow_unmonitored: bool
    promote_after: GuardedEnvironment | appconfig.IEnvironment | None
    description: str | None
    deletion_protection: bool | None


class GuardedEnvironment(Construct):
    """An AppConfig environment whose alarms make AppConfig roll a bad deployment back by itself.

    AppConfig assumes one role per environment that may call ``cloudwatch:DescribeAlarms`` on
    exactly this environment's alarms. A ``production`` environment without monitors is an error
    unless ``allow_unmonitored`` is set.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        application: ApplicationInput,
        environment_name: str,
        monitors: Sequence[AlarmMonitor | cloudwatch.IAlarm] = (),
        production: bool = False,
        allow_unmonitored: bool = False,
        promote_after: GuardedEnvironment | appconfig.IEnvironment | None = None,
        description: str | None = None,
        deletion_protection: bool | None = None,
    ) -> None:
        """
        :param application: the application the environment belongs to: a FlagsApplication (prefer its
            ``add_environment``, which also deploys its profiles here) or an aws_appconfig ``IApplication``.
        :param environment_name: AppConfig name; flags' per-environment values use it. 1-64 characters.
        :param monitors: alarms AppConfig watches during and after a deployment: ``cloudwatch.IAlarm``
            (created or imported) or :class:`AlarmMonitor` (``from_metric`` creates the alarm). Default:
            none. At most 5.
        :param production: a production environment must have a monitor. Default: False.
        :param allow_unmonitored: accept a production environment without monitors. Default: False.
        :param promote_after: the environment (of the same application) whose deployments this one's wait
            for, when both are added to one FlagsApplication. Default: none (a FlagsApplication then
            follows the profile's ``environments`` order).
        :param description: Default: none.
        :param deletion_protection: True applies AppConfig's deletion protection, False bypasses it.
            Default: the account's setting.
        """
        super().__init__(scope, id)
        problems = Problems(self)
        wrong = problems.check_types(GuardedEnvironment.__init__, locals())
        if "environment_name" not in wrong and not 1 <= len(environment_name) <= ENVIRONMENT_NAME_MAX:
            problems.add("environment_name", f"has 1 to {ENVIRONMENT_NAME_MAX} characters", environment_name)
        if "monitors" in wrong:
            monitors = ()
        if len(monitors) > MONITORS_MAX:
            problems.add("monitors", f"AppConfig takes at most {MONITORS_MAX} monitors per environment", len(monitors))
        for index, monitor in enumerate(monitors):
            if isinstance(monitor, AlarmMonitor) and (why := monitor.problem()) is not None:
                problems.add(f"monitors[{index}]", why, monitor)
        if "production" not in wrong and production and not monitors and not allow_unmonitored:
            problems.add("monitors", "a production environment needs at least one alarm monitor so that AppConfig "
                         "can roll a bad flag change back (or set allow_unmonitored=True, in cdk.json allowUnmonitored: true)", [])
        resolved = None if "application" in wrong else resolve_application(application)
        if resolved is not None and promote_after is not None and "promote_after" not in wrong:
            if not same_application(as_environment(promote_after).application_id, resolved.application_id):
                problems.add("promote_after", "must be an environment of the same application", describe(promote_after))
            elif environment_name_of(promote_after) is None:
                problems.add("promote_after", NAMELESS, describe(promote_after))
        problems.raise_if_any()
        assert resolved is not None  # a wrong application is a problem above

        #: The application, as an aws_appconfig ``IApplication`` (a FlagsApplication's ``resource``).
        self.application: appconfig.IApplication = resolved
        #: The construct id, kept here: reading ``node.id`` costs a round trip to the jsii runtime.
        self.construct_id = id
        self.environment_name = environment_name
        self.production = production
        self._promote_after = promote_after
        self.alarms: tuple[cloudwatch.IAlarm, ...] = tuple(
            m.bind(self, f"Alarm{index + 1}") if isinstance(m, AlarmMonitor) else m for index, m in enumerate(monitors)
        )
        self.monitor_role: iam.Role | None = None
        if self.alarms:
            # DescribeAlarms is scoped to exactly the alarms this environment watches. An inline
            # policy, not add_to_policy: same permissions, a third of the synth time.
            self.monitor_role = iam.Role(
                self, "MonitorRole",
                assumed_by=iam.ServicePrincipal("appconfig.amazonaws.com"),
                description=f"Lets AppConfig read the alarms of environment {environment_name}",
                inline_policies={"DescribeOwnAlarms": iam.PolicyDocument(statements=[iam.PolicyStatement(
                    actions=["cloudwatch:DescribeAlarms"],
                    resources=[alarm.alarm_arn for alarm in self.alarms],
                )])},
            )
        #: The aws_appconfig ``Environment``: what aws-cdk-lib's own constructs take as an ``IEnvironment``.
        self.resource = appconfig.Environment(
            self, "Resource",
            application=resolved,
            environment_name=environment_name,
            description=description,
            monitors=[appconfig.Monitor.from_cloud_watch_alarm(alarm, self.monitor_role) for alarm in self.alarms] or None,
            deletion_protection_check=appconfig.DeletionProtectionCheck[deletion_protection_check(deletion_protection)],
        )

        #: The environment's ID (a token).
        self.environment_id: str = self.resource.environment_id

    @property
    def environment_arn(self) -> str:
        """The environment's ARN."""
        return self.resource.environment_arn

    @property
    def promote_after(self) -> GuardedEnvironment | appconfig.IEnvironment | None:
        """The environment whose deployments this one's wait for (set at creation). Default: none."""
        return self._promote_after

    @staticmethod
    def from_environment_attributes(
        scope: Construct,
        id: str,
        *,
        application: ApplicationInput,
        environment_id: str,
        environment_name: str,
        alarms: Sequence[cloudwatch.IAlarm] = (),
        monitor_role: iam.IRole | None = None,
    ) -> appconfig.IEnvironment:
        """An environment made by a GuardedEnvironment elsewhere (another stack, another app), imported.

        The constructs take the result wherever they take an environment; give ``environment_name``
        (per-environment flag values use it) and, for ``grant_operate``, the ``alarms`` it watches and
        its ``monitor_role`` (Default: none; the grant then leaves out the alarms and the role).
        """
        return appconfig.Environment.from_environment_attributes(
            scope, id, application=resolve_application(application), environment_id=environment_id,
            name=environment_name,
            monitors=[appconfig.Monitor.from_cloud_watch_alarm(alarm, monitor_role) for alarm in alarms] or None,
        )


#: An environment prop: a :class:`GuardedEnvironment`, or an aws-cdk-lib ``aws_appconfig.IEnvironment``
#: (``appconfig.Environment`` of this or another stack, ``Environment.from_environment_attributes``).
EnvironmentInput = GuardedEnvironment | appconfig.IEnvironment

#: Why an environment without a name cannot be used.
NAMELESS = ("has no name known at synth time; flags' values are per environment name: import it with "
            "Environment.from_environment_attributes(..., name=...)")


def as_environment(environment: EnvironmentInput) -> appconfig.IEnvironment:
    """The aws_appconfig environment ``environment`` stands for (a GuardedEnvironment's ``resource``)."""
    return environment.resource if isinstance(environment, GuardedEnvironment) else environment


def environment_name_of(environment: EnvironmentInput) -> str | None:
    """The environment's name, or ``None`` when it is not known at synth time (an import by ID or ARN)."""
    if isinstance(environment, GuardedEnvironment):
        return environment.environment_name
    name = environment.name
    return name if isinstance(name, str) and not Token.is_unresolved(name) else None


def construct_id_of(environment: EnvironmentInput) -> str:
    """The environment's construct id: the id of the scope that holds a profile's resources for it."""
    return environment.construct_id if isinstance(environment, GuardedEnvironment) else environment.node.id


def monitor_arns(environment: EnvironmentInput) -> tuple[list[str], list[str]]:
    """The ARNs of the alarms the environment watches and of the roles AppConfig reads them with.

    An imported environment knows only the monitors given to its import (none by default).
    """
    if isinstance(environment, GuardedEnvironment):
        role = [environment.monitor_role.role_arn] if environment.monitor_role is not None else []
        return [alarm.alarm_arn for alarm in environment.alarms], role
    monitors = [m for m in environment.monitors or () if m.monitor_type == appconfig.MonitorType.CLOUDWATCH]
    roles = [m.alarm_role_arn for m in monitors if m.alarm_role_arn is not None]
    return [m.alarm_arn for m in monitors], list(dict.fromkeys(roles))


def describe(environment: object) -> object:
    """What a problem shows of an environment: its construct path."""
    node = getattr(environment, "node", None)
    return str(node.path) if node is not None else environment
