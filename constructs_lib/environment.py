"""An AppConfig environment guarded by CloudWatch alarms, with a least-privilege monitor role."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from constructs import Construct

from .application_input import ApplicationInput, resolve_application, same_application
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
        application: ApplicationInput,
        environment_name: str,
        monitors: Sequence[AlarmMonitor] = (),
        production: bool = False,
        allow_unmonitored: bool = False,
        promote_after: GuardedEnvironment | None = None,
        description: str | None = None,
        deletion_protection: bool | None = None,
    ) -> None:
        """
        :param application: the application the environment belongs to: a FlagsApplication (prefer its
            ``add_environment``, which also deploys its profiles here) or an aws_appconfig ``IApplication``.
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
        resolved = resolve_application(problems, application)
        if not isinstance(environment_name, str) or not 1 <= len(environment_name) <= NAME_MAX:
            problems.add("environment_name", f"has 1 to {NAME_MAX} characters", environment_name)
        if isinstance(monitors, (str, bytes)) or not isinstance(monitors, Sequence):
            problems.add("monitors", "must be a list or tuple of AlarmMonitor", monitors)
            monitors = ()
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
        if resolved is not None and promote_after is not None:
            if not isinstance(promote_after, GuardedEnvironment):
                problems.add("promote_after", "must be a GuardedEnvironment", promote_after)
            elif not same_application(promote_after.application, resolved):
                problems.add("promote_after", "must be an environment of the same application", promote_after.node.path)
        problems.raise_if_any()
        assert resolved is not None  # resolve_application added a problem otherwise

        #: The application, as an aws_appconfig ``IApplication`` (a FlagsApplication's ``resource``).
        self.application: appconfig.IApplication = resolved
        #: The construct id, kept here: reading ``node.id`` costs a round trip to the jsii runtime.
        self.construct_id = id
        self.environment_name = environment_name
        self.production = production
        self._promote_after = promote_after
        #: Set by FlagsApplication once it has declared a deployment here: the order is fixed from then on.
        self._has_deployments = False
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
    def promote_after(self) -> GuardedEnvironment | None:
        """The environment whose deployments this one's wait for. Default: none."""
        return self._promote_after

    @promote_after.setter
    def promote_after(self, before: GuardedEnvironment | None) -> None:
        # Checked here, at the line that sets it: later, the mistake would surface far from its cause.
        problems = Problems(self)
        if self._has_deployments:
            problems.add("promote_after", "cannot change once add_feature_flags has deployed to this environment "
                         "(its deployments are ordered already); set it before, or pass promote_after= at creation",
                         _path_of(before))
        elif before is not None:
            if not isinstance(before, GuardedEnvironment):
                problems.add("promote_after", "must be a GuardedEnvironment", before)
            elif not same_application(before.application, self.application):
                problems.add("promote_after", "must be an environment of the same application", before.node.path)
            elif (cycle := _cycle_through(self, before)) is not None:
                problems.add("promote_after", "would promote environments after each other in a cycle: "
                             + " -> ".join(cycle), before.environment_name)
        problems.raise_if_any()
        self._promote_after = before


def _cycle_through(environment: GuardedEnvironment, before: GuardedEnvironment) -> list[str] | None:
    """The names around the cycle ``environment.promote_after = before`` would close, or ``None``."""
    chain = [environment.environment_name]
    current: GuardedEnvironment | None = before
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current.environment_name)
        if current is environment:
            return chain
        current = current.promote_after
    return None


def _path_of(environment: GuardedEnvironment | None) -> str | None:
    return str(environment.node.path) if isinstance(environment, GuardedEnvironment) else None
