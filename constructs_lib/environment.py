"""An AppConfig environment guarded by CloudWatch alarms, with a least-privilege monitor role."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from constructs import Construct

from .monitors import AlarmMonitor
from .props import Problems, deletion_protection_check

#: S12.2 environment ``Monitors``: at most 5.
MONITORS_MAX = 5
#: S12.2 environment ``Name``: 1 to 64 characters.
NAME_MAX = 64


class EnvironmentOptions(TypedDict, total=False):
    """The options of a :class:`GuardedEnvironment` besides its application (see its parameters).

    :meth:`FlagsApplication.add_environment` takes the same, so both share one definition.
    """

    environment_name: str
    monitors: Sequence[AlarmMonitor]
    production: bool
    allow_unmonitored: bool
    promote_after: GuardedEnvironment | None
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
        application: appconfig.IApplication,
        environment_name: str,
        monitors: Sequence[AlarmMonitor] = (),
        production: bool = False,
        allow_unmonitored: bool = False,
        promote_after: GuardedEnvironment | None = None,
        description: str | None = None,
        deletion_protection: bool | None = None,
    ) -> None:
        """
        :param application: the application the environment belongs to.
        :param environment_name: AppConfig name; flags' per-environment values use it. 1-64 characters.
        :param monitors: alarms AppConfig watches during and after a deployment. Default: none. At most 5.
        :param production: a production environment must have a monitor. Default: False.
        :param allow_unmonitored: accept a production environment without monitors. Default: False.
        :param promote_after: deployments here wait for that environment's deployments. Default: none.
        :param description: Default: none.
        :param deletion_protection: True applies AppConfig's deletion protection, False bypasses it.
            Default: the account's setting.
        """
        super().__init__(scope, id)
        problems = Problems(self)
        if not isinstance(environment_name, str) or not 1 <= len(environment_name) <= NAME_MAX:
            problems.add("environment_name", f"has 1 to {NAME_MAX} characters", environment_name)
        if len(monitors) > MONITORS_MAX:
            problems.add("monitors", f"AppConfig takes at most {MONITORS_MAX} monitors per environment", len(monitors))
        for index, monitor in enumerate(monitors):
            if not isinstance(monitor, AlarmMonitor):
                problems.add(f"monitors[{index}]", "must be an AlarmMonitor", monitor)
            elif (why := monitor.problem()) is not None:
                problems.add(f"monitors[{index}]", why, monitor)
        if production and not monitors and not allow_unmonitored:
            problems.add("monitors", "a production environment needs at least one alarm monitor so that AppConfig "
                         "can roll a bad flag change back (or set allow_unmonitored=True, in cdk.json allowUnmonitored: true)", [])
        if promote_after is not None and promote_after.application is not application:
            problems.add("promote_after", "must be an environment of the same application", promote_after.node.path)
        problems.raise_if_any()

        self.application: appconfig.IApplication = application
        #: The construct id, kept here: reading ``node.id`` costs a round trip to the jsii runtime.
        self.construct_id = id
        self.environment_name = environment_name
        self.production = production
        self.promote_after = promote_after
        self.alarms: tuple[cloudwatch.IAlarm, ...] = tuple(
            m.bind(self, f"Alarm{index + 1}") for index, m in enumerate(monitors)
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
        self.resource = appconfig.Environment(
            self, "Resource",
            application=application,
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

