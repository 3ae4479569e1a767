"""A pipeline stage: the FlagsDemo stack with one environment, in one of that environment's targets (account, region)."""
from __future__ import annotations

import hashlib
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from .flags_demo_stack import FlagsDemoStack
from .pipeline_settings import StageSettings
from .settings import FlagsDemoSettings


class FlagsDemoStage(cdk.Stage):
    """Deploys ``FlagsDemoStack(environments=[stage.name])`` to the stage's account and region.

    With ``watcher_role_name`` and ``watcher_account`` (Default: none) the stack also holds a role that
    the role of that name in that account may assume to read the environment's AppConfig deployments:
    the pipeline's wait step, which runs in the pipeline's account.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: FlagsDemoSettings,
        stage: StageSettings,
        watcher_role_name: str | None = None,
        watcher_account: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, env=cdk.Environment(account=stage.account, region=stage.region), **kwargs)
        self.environment_name = stage.name
        where = f"{stage.name} environment" if stage.id == stage.name else f"{stage.name} environment in {stage.region}"
        self.stack = FlagsDemoStack(self, "FlagsDemo", settings=settings, environments=[stage.name],
                                    description=f"{settings.application_name} feature flags, {where} (pipeline stage)")
        self.deployment_reader: iam.Role | None = None
        if watcher_role_name is not None and watcher_account is not None:
            watcher_role_arn = f"arn:{self.stack.partition}:iam::{watcher_account}:role/{watcher_role_name}"
            self.deployment_reader = _deployment_reader(self.stack, stage.name, watcher_account, watcher_role_arn)

    @property
    def deployment_reader_role_name(self) -> str:
        """The reader role's name, fixed so that the pipeline's account can name it in its policy."""
        return deployment_reader_role_name(self.stack)

    def output(self, id: str) -> cdk.CfnOutput:
        """The stack's output ``id``, e.g. ``ApplicationId``, ``BetaEnvironmentId``, ``CheckoutFlagsBetaDeploymentNumber``."""
        try:
            return self.stack.outputs[id]
        except KeyError:
            raise KeyError(f"stack {self.stack.stack_name} has no output {id!r}; it has {sorted(self.stack.outputs)}") from None


def deployment_reader_role_name(stack: cdk.Stack) -> str:
    """e.g. ``Beta-FlagsDemo-deployment-reader``: IAM names are per account, stack names per stage (and target)."""
    return iam_role_name(f"{stack.stack_name}-deployment-reader")


#: IAM role names have at most 64 characters (IAM User Guide, "IAM object quotas").
ROLE_NAME_MAX = 64


def iam_role_name(name: str) -> str:
    """``name``, or when longer than IAM allows, its start and a digest of the whole: the same name on both sides."""
    if len(name) <= ROLE_NAME_MAX:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[:ROLE_NAME_MAX - len(digest) - 1]}-{digest}"


def _deployment_reader(stack: FlagsDemoStack, environment_name: str, watcher_account: str,
                       watcher_role_arn: str) -> iam.Role:
    environment = stack.environments[environment_name]
    role = iam.Role(
        stack, "PipelineDeploymentReader",
        role_name=deployment_reader_role_name(stack),
        description=f"The delivery pipeline reads the state of {environment_name}'s AppConfig deployments",
        # The account alone would let any of its principals in; only the wait step's role may assume this one.
        assumed_by=iam.AccountPrincipal(watcher_account).with_conditions({"ArnEquals": {"aws:PrincipalArn": watcher_role_arn}}),
        max_session_duration=cdk.Duration.hours(1),
    )
    deployments = stack.format_arn(
        service="appconfig", resource="application",
        resource_name=f"{stack.application.application_id}/environment/{environment.environment_id}/deployment/*",
        arn_format=cdk.ArnFormat.SLASH_RESOURCE_NAME,
    )
    role.add_to_policy(iam.PolicyStatement(actions=["appconfig:GetDeployment"], resources=[deployments]))
    application_id = stack.resolve(stack.get_logical_id(_cfn(stack.application.resource)))
    environment_id = stack.resolve(stack.get_logical_id(_cfn(environment.resource)))
    cdk.Validations.of(role).acknowledge(cdk.Acknowledgment(
        id=f"AwsSolutions-IAM5[Resource::arn:{stack.partition}:appconfig:{stack.region}:{stack.account}:application/"
           f"<{application_id}>/environment/<{environment_id}>/deployment/*]",
        reason="Every flag change makes a new deployment number; the role reads only deployments of this "
               "application's one environment, and only their state (appconfig:GetDeployment).",
    ))
    return role


def _cfn(construct: Construct) -> cdk.CfnElement:
    resource = construct.node.default_child
    assert isinstance(resource, cdk.CfnElement), construct.node.path
    return resource
