"""The delivery pipeline: each merge is tested, deployed to Beta, baked, approved, then deployed to Production.

Each environment is a CDK Pipelines wave: one stage per target (account and region), deployed side by side,
each checked before its deploy (``appconfig-flags predeploy``: no operator's change is replaced unknowingly,
no deployment in progress is met) and followed by its own wait for AppConfig; the next wave starts when every
stage of the previous one is done.
"""
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

from .flags_demo_stage import FlagsDemoStage, iam_role_name
from .pipeline_acknowledgements import acknowledge_pipeline_findings, acknowledge_watcher_findings
from .pipeline_settings import PipelineSettings, StageSettings, WaveSettings
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
#: The CDK bootstrap's qualifier: the pre-deploy check reads AppConfig through its lookup role, which every
#: bootstrapped account has (read-only, trusting the pipeline's account: docs/pipeline.md).
BOOTSTRAP_QUALIFIER = cdk.DefaultStackSynthesizer.DEFAULT_QUALIFIER


class FlagsDemoPipelineStack(cdk.Stack):
    """A self-mutating CodePipeline (V2, queued runs) that deploys one FlagsDemo wave per environment.

    Waves follow the environments' promotion order; a wave deploys one stage per target of its environment
    in parallel. Every stage waits until its AppConfig deployments are COMPLETE, bake time included, and
    fails on a rollback; a production wave waits for a person's approval first, once, when
    ``manualApproval`` is on.
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
        self._source = source
        self.pipeline = pipelines.CodePipeline(
            self, "Pipeline",
            pipeline_type=codepipeline.PipelineType.V2,
            # One run at a time, each to its end: a newer merge never cancels a run that is baking or awaiting approval.
            execution_mode=codepipeline.ExecutionMode.QUEUED,
            self_mutation=True,
            # Self-mutation installs this CDK CLI (the project's, package-lock.json), not the latest aws-cdk@2.
            cli_version=pipeline.cdk_cli_version,
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
        previous: tuple[WaveSettings, str] | None = None
        for wave in pipeline.waves:
            previous = (wave, self._add_wave(settings, wave, previous))
        self.pipeline.build_pipeline()
        _grant_connection(self.pipeline, pipeline.connection_arn)
        acknowledge_pipeline_findings(self.pipeline, wait_steps=[step for _, step in self._watchers])
        for role, step in self._watchers:
            acknowledge_watcher_findings(role, step, self.pipeline)

    def _add_wave(self, settings: FlagsDemoSettings, wave: WaveSettings, previous: tuple[WaveSettings, str] | None) -> str:
        """Add ``wave``; returns the console URL its first stage's wait step exports, for the next approval."""
        pre: list[pipelines.Step] = []
        if wave.approval:
            pre.append(pipelines.ManualApprovalStep(
                f"Approve{wave.name}", comment=_approval_comment(wave, previous),
                review_url=previous[1] if previous else None,
            ))
        pipeline_wave = self.pipeline.add_wave(wave.name, pre=pre)
        urls = []
        for stage in wave.stages:
            watcher_role_name = iam_role_name(f"{self.stack_name}-{stage.id}-deployment-watcher")
            app_stage = FlagsDemoStage(self, stage.id, settings=settings, stage=stage,
                                       watcher_role_name=watcher_role_name, watcher_account=self.pipeline_settings.account)
            wait = self._wait_step(app_stage, stage, watcher_role_name)
            urls.append(wait.exported_variable(CONSOLE_URL_VARIABLE))
            pipeline_wave.add_stage(app_stage, pre=[self._predeploy_step(stage)], post=[wait])
            self.stages.append(app_stage)
        return urls[0]

    def _predeploy_step(self, stage: StageSettings) -> pipelines.CodeBuildStep:
        """``appconfig-flags predeploy`` for the stage's environment, in its account and region, before its deploy."""
        account = stage.account or self.account
        region = stage.region or self.region
        lookup_role_arn = self.format_arn(
            service="iam", region="", account=account, resource="role",
            resource_name=f"cdk-{BOOTSTRAP_QUALIFIER}-lookup-role-{account}-{region}")
        role = iam.Role(
            self, f"{stage.id}PredeployCheck",
            assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
            description=f"The pipeline's pre-deploy check of {stage.name}: assumes the CDK lookup role to read AppConfig",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[lookup_role_arn]))
        step = pipelines.CodeBuildStep(
            f"Check{stage.id}BeforeDeploy",
            input=self._source,
            role=role,
            env={"LOOKUP_ROLE_ARN": lookup_role_arn, "APPCONFIG_REGION": region},
            install_commands=["python3 -m pip install --quiet 'boto3>=1.44,<2'"],
            commands=predeploy_commands(stage.name),
        )
        self._watchers.append((role, step))
        return step

    def _wait_step(self, app_stage: FlagsDemoStage, stage: StageSettings, watcher_role_name: str) -> pipelines.CodeBuildStep:
        """Poll the stage's AppConfig deployments until COMPLETE; fail on a rollback."""
        numbers = {f"DEPLOYMENT_NUMBER_{_variable_name(p.name)}": app_stage.output(f"{p.name}{stage.name}DeploymentNumber")
                   for p in PROFILES}
        reader_arn = self.format_arn(service="iam", region="", account=stage.account, resource="role",
                                     resource_name=app_stage.deployment_reader_role_name)
        role = iam.Role(
            self, f"{stage.id}DeploymentWatcher",
            role_name=watcher_role_name,
            assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"),
            description=f"The pipeline's wait step: assumes {app_stage.deployment_reader_role_name} to read "
                        f"{stage.name}'s AppConfig deployments",
        )
        role.add_to_policy(iam.PolicyStatement(actions=["sts:AssumeRole"], resources=[reader_arn]))
        strategy = stage.environment.strategy
        # An environment's deployments run one after another, each its rollout plus its bake time.
        minutes = len(PROFILES) * (strategy.deployment_duration_in_minutes + strategy.final_bake_time_in_minutes) + 15
        step = pipelines.CodeBuildStep(
            f"WaitFor{stage.id}Deployments",
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


def _grant_connection(pipeline: pipelines.CodePipeline, connection_arn: str) -> None:
    """Let the source action's role use a ``codeconnections`` connection.

    aws-cdk-lib grants ``codestar-connections:UseConnection`` whatever the ARN, but "the service prefix
    needs to match that of the resource" (AWS CodeConnections, "Connections rename - Summary of changes",
    https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html).
    """
    service = connection_arn.split(":")[2]
    if service == "codestar-connections":
        return  # aws-cdk-lib's own grant matches
    # The role CodePipeline creates for the action when it binds it: Pipeline/Pipeline/Source/<action>/CodePipelineActionRole.
    (role,) = [c for c in pipeline.pipeline.node.find_child("Source").node.find_all() if isinstance(c, iam.Role)]
    role.add_to_principal_policy(iam.PolicyStatement(actions=[f"{service}:UseConnection"], resources=[connection_arn]))


def _variable_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper()


def predeploy_commands(environment: str) -> list[str]:
    """POSIX sh (CodeBuild's shell): the pre-deploy check of ``environment``, read through the stage account's role.

    It fails the stage, before CloudFormation changes anything, when the deploy would replace an operator's change
    (``appconfig-flags off``, a revert, a console edit) that the code does not hold, or meet a deployment in progress.
    """
    return [
        'aws configure set profile.flags.role_arn "$LOOKUP_ROLE_ARN"',
        "aws configure set profile.flags.credential_source EcsContainer",
        'aws configure set profile.flags.region "$APPCONFIG_REGION"',
        "export AWS_PROFILE=flags",
        f'python3 -m appconfig_flags predeploy --environments "{environment}" --region "$APPCONFIG_REGION"',
    ]


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


def _approval_comment(wave: WaveSettings, previous: tuple[WaveSettings, str] | None) -> str:
    where = "; ".join(f"account {stage.account}, {stage.region}" for stage in wave.stages)
    if previous is None:
        return f"Approve to deploy the merged feature flags to {wave.name} ({where})."
    before, review_url = previous
    completed = before.name if len(before.stages) == 1 else f"all {len(before.stages)} targets of {before.name}"
    # The URL is a variable of the previous wave's wait step, resolved when the run reaches this approval.
    return (f"The merged feature flags completed their deployment and bake time in {completed}: {review_url} . "
            f"Approve to deploy them to {wave.name} ({where}).")
