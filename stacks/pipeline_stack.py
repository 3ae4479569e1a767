"""The delivery pipeline: each merge is tested, deployed to Beta, baked, approved, then deployed to Production."""
from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_codebuild as codebuild
from aws_cdk import aws_codepipeline as codepipeline
from aws_cdk import aws_iam as iam
from aws_cdk import pipelines
from constructs import Construct

from flags import PROFILES

from .flags_demo_stage import FlagsDemoStage
from .pipeline_acknowledgements import acknowledge_pipeline_findings, acknowledge_watcher_findings
from .pipeline_settings import PipelineSettings, StageSettings
from .settings import FlagsDemoSettings

#: The synth step: the whole test suite, then the app with its pipeline (the Makefile sets up Python, npm, Node).
SYNTH_COMMANDS = (
    "make test",
    'make cdk ARGS="synth --quiet --no-notices -c pipeline.enabled=true"',
)
#: Seconds between two `aws appconfig get-deployment` calls of a wait step.
POLL_SECONDS = 30
#: The wait step's variable that the next approval links to.
CONSOLE_URL_VARIABLE = "APPCONFIG_CONSOLE_URL"


class FlagsDemoPipelineStack(cdk.Stack):
    """A self-mutating CodePipeline (V2, queued runs) that deploys one FlagsDemo stage per environment.

    Stages follow the environments' promotion order. A stage whose environment another is promoted
    after (Beta) waits until its AppConfig deployments are COMPLETE, bake time included, and fails on
    a rollback; a production stage waits for a person's approval first when ``manualApproval`` is on.
    """

    def __init__(
        self, scope: Construct, id: str, *, settings: FlagsDemoSettings, pipeline: PipelineSettings, **kwargs: Any
    ) -> None:
        kwargs.setdefault("env", cdk.Environment(account=pipeline.account, region=pipeline.region))
        kwargs.setdefault("description", f"Delivery pipeline of {settings.application_name}'s feature flags")
        super().__init__(scope, id, **kwargs)
        self.pipeline_settings = pipeline
        source = pipelines.CodePipelineSource.connection(
            pipeline.repository, pipeline.branch, connection_arn=pipeline.connection_arn,
        )
        self.pipeline = pipelines.CodePipeline(
            self, "Pipeline",
            pipeline_type=codepipeline.PipelineType.V2,
            # One run at a time, each to its end: a newer merge never cancels a run that is baking or awaiting approval.
            execution_mode=codepipeline.ExecutionMode.QUEUED,
            self_mutation=True,
            # Stages in other accounts read the artifacts: encrypt them with a key those accounts may use.
            cross_account_keys=pipeline.cross_account,
            enable_key_rotation=pipeline.cross_account,
            synth=pipelines.CodeBuildStep(
                "Synth", input=source, commands=list(SYNTH_COMMANDS), env={"CDK_DISABLE_CLI_TELEMETRY": "true"},
            ),
            code_build_defaults=pipelines.CodeBuildOptions(
                build_environment=codebuild.BuildEnvironment(build_image=codebuild.LinuxBuildImage.STANDARD_7_0),
            ),
        )
        self.stages: list[FlagsDemoStage] = []
        self._watchers: list[tuple[iam.Role, pipelines.CodeBuildStep]] = []
        review_url: str | None = None
        for stage in pipeline.stages:
            review_url = self._add_stage(settings, stage, review_url)
        self.pipeline.build_pipeline()
        acknowledge_pipeline_findings(self.pipeline)
        for role, step in self._watchers:
            acknowledge_watcher_findings(role, step, self.pipeline)

    def _add_stage(self, settings: FlagsDemoSettings, stage: StageSettings, review_url: str | None) -> str | None:
        """Add ``stage``; returns the console URL its wait step exports, for the next approval."""
        watcher_role_name = f"{self.stack_name}-{stage.name}-deployment-watcher" if stage.wait_for_deployments else None
        app_stage = FlagsDemoStage(self, stage.name, settings=settings, stage=stage,
                                   watcher_role_name=watcher_role_name, watcher_account=self.pipeline_settings.account)
        previous = self.stages[-1].environment_name if self.stages else None
        pre: list[pipelines.Step] = []
        if stage.approval:
            pre.append(pipelines.ManualApprovalStep(
                f"Approve{stage.name}", comment=_approval_comment(stage, previous, review_url), review_url=review_url,
            ))
        post: list[pipelines.Step] = []
        exported_url = None
        if watcher_role_name is not None:
            wait = self._wait_step(app_stage, stage, watcher_role_name)
            exported_url = wait.exported_variable(CONSOLE_URL_VARIABLE)
            post.append(wait)
        self.pipeline.add_stage(app_stage, pre=pre, post=post)
        self.stages.append(app_stage)
        return exported_url

    def _wait_step(self, app_stage: FlagsDemoStage, stage: StageSettings, watcher_role_name: str) -> pipelines.CodeBuildStep:
        """Poll the stage's AppConfig deployments until COMPLETE; fail on a rollback."""
        numbers = {f"DEPLOYMENT_NUMBER_{_variable_name(p.name)}": app_stage.output(f"{p.name}{stage.name}DeploymentNumber")
                   for p in PROFILES}
        reader_arn = self.format_arn(service="iam", region="", account=stage.account, resource="role",
                                     resource_name=app_stage.deployment_reader_role_name)
        role = iam.Role(
            self, f"{stage.name}DeploymentWatcher",
            role_name=watcher_role_name,
            assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
            description=f"The pipeline's wait step: assumes {app_stage.deployment_reader_role_name} to read "
                        f"{stage.name}'s AppConfig deployments",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[reader_arn]))
        strategy = stage.environment.strategy
        # An environment's deployments run one after another, each its rollout plus its bake time.
        minutes = len(PROFILES) * (strategy.duration_minutes + strategy.final_bake_minutes) + 15
        step = pipelines.CodeBuildStep(
            f"WaitFor{stage.name}Deployments",
            role=role,
            timeout=cdk.Duration.minutes(minutes),
            env={"READER_ROLE_ARN": reader_arn, "APPCONFIG_REGION": stage.region, "POLL_SECONDS": str(POLL_SECONDS)},
            env_from_cfn_outputs={
                "APPLICATION_ID": app_stage.output("ApplicationId"),
                "ENVIRONMENT_ID": app_stage.output(f"{stage.name}EnvironmentId"),
                **numbers,
            },
            commands=wait_commands(sorted(numbers)),
        )
        self._watchers.append((role, step))
        return step


def _variable_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def wait_commands(number_variables: list[str]) -> list[str]:
    """POSIX sh (CodeBuild's shell): wait for each deployment number in ``number_variables`` to be COMPLETE."""
    numbers = " ".join(f'"${v}"' for v in number_variables)
    return [
        # The step runs in the pipeline's account; the reader role sits in the stage's.
        'aws configure set profile.reader.role_arn "$READER_ROLE_ARN"',
        "aws configure set profile.reader.credential_source EcsContainer",
        'aws configure set profile.reader.region "$APPCONFIG_REGION"',
        "export AWS_PROFILE=reader",
        (f'export {CONSOLE_URL_VARIABLE}="https://$APPCONFIG_REGION.console.aws.amazon.com/systems-manager/appconfig/'
         f'applications/$APPLICATION_ID?region=$APPCONFIG_REGION"'),
        f"""for number in {numbers}; do
  while true; do
    state=$(aws appconfig get-deployment --application-id "$APPLICATION_ID" --environment-id "$ENVIRONMENT_ID" \\
      --deployment-number "$number" --query State --output text) || exit 1
    echo "AppConfig deployment $number to environment $ENVIRONMENT_ID: $state"
    case "$state" in
      COMPLETE) break ;;
      ROLLING_BACK|ROLLED_BACK|REVERTED) echo "deployment $number was rolled back: an alarm fired" >&2; exit 1 ;;
    esac
    sleep "$POLL_SECONDS"
  done
done""",
    ]


def _approval_comment(stage: StageSettings, previous: str | None, review_url: str | None) -> str:
    where = f"account {stage.account}, {stage.region}"
    if previous is None or review_url is None:
        return f"Approve to deploy the merged feature flags to {stage.name} ({where})."
    # The URL is a variable of the previous stage's wait step, resolved when the run reaches this approval.
    return (f"The merged feature flags completed their deployment and bake time in {previous}: {review_url} . "
            f"Approve to deploy them to {stage.name} ({where}).")
