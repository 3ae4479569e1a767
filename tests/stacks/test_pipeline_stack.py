"""The delivery pipeline: what must hold of its stages and steps, its stage stacks, and snapshots to review."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Capture, Match, Template
from syrupy.extensions.json import JSONSnapshotExtension

from stacks.pipeline_settings import PipelineSettings, PipelineSettingsError
from stacks.settings import FlagsDemoSettings, SettingsError
from tests.conftest import ROOT, cdk_context, run_app
from tests.dated import failed_reports
from tests.stacks.conftest import (
    BETA_ACCOUNT,
    CONNECTION_ARN,
    PIPELINE_ACCOUNT,
    PIPELINE_CONTEXT,
    PRODUCTION_ACCOUNT,
    REGION,
    REPOSITORY,
)
from tests.template_checks import cfn_lint_errors, stable

STAGE_ACCOUNTS = {"Beta": BETA_ACCOUNT, "Production": PRODUCTION_ACCOUNT}


@pytest.fixture(scope="module")
def assembly(synthesized_with_pipeline: Any) -> Any:
    return synthesized_with_pipeline[1]


@pytest.fixture(scope="module")
def template_json(assembly: Any) -> dict[str, Any]:
    result: dict[str, Any] = assembly.get_stack_by_name("FlagsDemoPipeline").template
    return result


@pytest.fixture(scope="module")
def template(template_json: dict[str, Any]) -> Template:
    return Template.from_json(template_json)


@pytest.fixture(scope="module")
def stages(template: Template) -> list[dict[str, Any]]:
    captured = Capture()
    template.has_resource_properties("AWS::CodePipeline::Pipeline", {"Stages": captured})
    result: list[dict[str, Any]] = captured.as_array()
    return result


@pytest.fixture(scope="module")
def stage_templates(assembly: Any) -> dict[str, dict[str, Any]]:
    """Each nested stage assembly's one stack template, by stage name."""
    out = {}
    for nested in assembly.nested_assemblies:
        (stack,) = nested.nested_assembly.stacks
        out[nested.display_name.split("/")[-1]] = stack.template
    return out


def _stage(stages: list[dict[str, Any]], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in stages if s["Name"] == name]
    assert len(found) == 1, [s["Name"] for s in stages]
    return found[0]


def _action(stage: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [a for a in stage["Actions"] if a["Name"] == name]
    assert len(found) == 1, [a["Name"] for a in stage["Actions"]]
    return found[0]


def _buildspec(template: Template, action: dict[str, Any]) -> dict[str, Any]:
    """The buildspec of the CodeBuild project ``action`` runs."""
    projects = template.find_resources("AWS::CodeBuild::Project")
    project = projects[action["Configuration"]["ProjectName"]["Ref"]]
    result: dict[str, Any] = json.loads(project["Properties"]["Source"]["BuildSpec"])
    return result


def _env(action: dict[str, Any]) -> dict[str, str]:
    return {v["name"]: v["value"] for v in json.loads(action["Configuration"]["EnvironmentVariables"])}


# --- The pipeline -----------------------------------------------------------------------------------

def test_stages_run_source_build_update_beta_then_production(stages: list[dict[str, Any]]) -> None:
    assert [s["Name"] for s in stages] == ["Source", "Build", "UpdatePipeline", "Beta", "Production"]


def test_pipeline_is_v2_and_queues_runs(template: Template) -> None:
    template.resource_count_is("AWS::CodePipeline::Pipeline", 1)
    template.has_resource_properties("AWS::CodePipeline::Pipeline", {
        "PipelineType": "V2", "ExecutionMode": "QUEUED", "RestartExecutionOnUpdate": True,
    })


def test_source_is_the_configured_repository_branch_through_the_connection(stages: list[dict[str, Any]]) -> None:
    (action,) = _stage(stages, "Source")["Actions"]
    assert action["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert action["Configuration"] == {"ConnectionArn": CONNECTION_ARN, "FullRepositoryId": REPOSITORY,
                                       "BranchName": "main"}


def test_the_source_role_may_use_the_codeconnections_connection(template: Template) -> None:
    # IAM matches a codeconnections ARN only with codeconnections actions (AWS CodeConnections, "Connections
    # rename - Summary of changes"); aws-cdk-lib grants codestar-connections:UseConnection alone.
    assert CONNECTION_ARN.startswith("arn:aws:codeconnections:")
    use = [s for p in template.find_resources("AWS::IAM::Policy").values()
           for s in p["Properties"]["PolicyDocument"]["Statement"]
           if "codeconnections:UseConnection" in json.dumps(s["Action"]) and s["Resource"] == CONNECTION_ARN]
    assert len(use) == 1 and use[0]["Effect"] == "Allow"


def test_self_mutation_installs_the_projects_cdk_cli(template: Template, stages: list[dict[str, Any]]) -> None:
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/aws-cdk"]["version"]
    assert locked == json.loads((ROOT / "package.json").read_text())["devDependencies"]["aws-cdk"]
    install = _buildspec(template, _action(_stage(stages, "UpdatePipeline"), "SelfMutate"))["phases"]["install"]["commands"]
    assert install == [f"npm install -g aws-cdk@{locked}"]


def test_synth_step_runs_the_test_suite_before_synthesizing_the_pipeline(
    template: Template, stages: list[dict[str, Any]]
) -> None:
    commands = _buildspec(template, _action(_stage(stages, "Build"), "Synth"))["phases"]["build"]["commands"]
    synth = [c for c in commands if c.startswith('make cdk ARGS="synth ')]
    assert len(synth) == 1 and "-c pipeline.enabled=true" in synth[0]
    assert commands.index("make test") < commands.index(synth[0])


def test_pipeline_updates_itself_before_deploying(stages: list[dict[str, Any]]) -> None:
    (action,) = _stage(stages, "UpdatePipeline")["Actions"]
    assert action["Name"] == "SelfMutate"


def test_beta_waits_for_its_appconfig_deployments_after_deploying(
    template: Template, stages: list[dict[str, Any]]
) -> None:
    beta = _stage(stages, "Beta")
    deploy = _action(beta, "FlagsDemo.Deploy")
    wait = _action(beta, "WaitForBetaDeployments")
    assert deploy["RunOrder"] < wait["RunOrder"]
    outputs = deploy["Namespace"]
    assert _env(wait) == {
        "APPLICATION_ID": f"#{{{outputs}.ApplicationId}}",
        "ENVIRONMENT_ID": f"#{{{outputs}.BetaEnvironmentId}}",
        "DEPLOYMENT_NUMBER_CHECKOUTFLAGS": f"#{{{outputs}.CheckoutFlagsBetaDeploymentNumber}}",
    }
    script = "\n".join(_buildspec(template, wait)["phases"]["build"]["commands"])
    assert 'aws appconfig get-deployment --application-id "$APPLICATION_ID" --environment-id "$ENVIRONMENT_ID"' in script
    assert '--deployment-number "$number"' in script and '"$DEPLOYMENT_NUMBER_CHECKOUTFLAGS"' in script
    assert "COMPLETE) break" in script
    assert "ROLLED_BACK" in script and "exit 1" in script


@pytest.mark.parametrize("environment", ["Beta", "Production"])
def test_each_stage_checks_before_its_deploy_that_no_operators_change_is_replaced(
    template: Template, stages: list[dict[str, Any]], environment: str
) -> None:
    stage = _stage(stages, environment)
    check = _action(stage, f"Check{environment}BeforeDeploy")
    deploy = _action(stage, "FlagsDemo.Prepare") if any(a["Name"] == "FlagsDemo.Prepare" for a in stage["Actions"]) \
        else _action(stage, "FlagsDemo.Deploy")
    assert check["RunOrder"] < deploy["RunOrder"], "the check runs before CloudFormation changes anything"
    spec = _buildspec(template, check)
    script = "\n".join(spec["phases"]["build"]["commands"])
    assert f'python3 -m appconfig_flags predeploy --environments "{environment}" --region "$APPCONFIG_REGION"' in script
    assert "profile.flags.role_arn \"$LOOKUP_ROLE_ARN\"" in script and "export AWS_PROFILE=flags" in script
    account = BETA_ACCOUNT if environment == "Beta" else PRODUCTION_ACCOUNT
    lookup = f"arn:aws:iam::{account}:role/cdk-hnb659fds-lookup-role-{account}-"
    project = template.find_resources("AWS::CodeBuild::Project")[check["Configuration"]["ProjectName"]["Ref"]]
    variables = {v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}
    assert variables["LOOKUP_ROLE_ARN"].startswith(lookup)
    assume = [s for p in template.find_resources("AWS::IAM::Policy").values()
              for s in p["Properties"]["PolicyDocument"]["Statement"]
              if s["Action"] == "sts:AssumeRole" and str(s["Resource"]).startswith(lookup)]
    assert len(assume) == 1, "only that account's lookup role, and only by this check"


def test_the_wait_step_outlasts_betas_bake_time(template: Template, stages: list[dict[str, Any]]) -> None:
    wait = _action(_stage(stages, "Beta"), "WaitForBetaDeployments")
    project = template.find_resources("AWS::CodeBuild::Project")[wait["Configuration"]["ProjectName"]["Ref"]]
    bake = cdk_context()["flagsdemo"]["strategies"]["FlagsDemo.BetaBake5Minutes"]["finalBakeMinutes"]
    assert project["Properties"]["TimeoutInMinutes"] > bake


def test_production_deploys_only_after_a_manual_approval_linking_to_beta(stages: list[dict[str, Any]]) -> None:
    production = _stage(stages, "Production")
    approve = _action(production, "ApproveProduction")
    assert approve["ActionTypeId"] == {"Category": "Approval", "Owner": "AWS", "Provider": "Manual", "Version": "1"}
    assert all(approve["RunOrder"] < a["RunOrder"] for a in production["Actions"] if a is not approve)
    wait = _action(_stage(stages, "Beta"), "WaitForBetaDeployments")
    link = f"#{{{wait['Namespace']}.APPCONFIG_CONSOLE_URL}}"
    assert approve["Configuration"]["ExternalEntityLink"] == link
    assert link in approve["Configuration"]["CustomData"] and PRODUCTION_ACCOUNT in approve["Configuration"]["CustomData"]


def test_wait_step_exports_the_beta_applications_console_url(template: Template, stages: list[dict[str, Any]]) -> None:
    spec = _buildspec(template, _action(_stage(stages, "Beta"), "WaitForBetaDeployments"))
    assert spec["env"]["exported-variables"] == ["APPCONFIG_CONSOLE_URL"]
    assert ('export APPCONFIG_CONSOLE_URL="https://$APPCONFIG_REGION.console.aws.amazon.com/systems-manager/appconfig/'
            'applications/$APPLICATION_ID?region=$APPCONFIG_REGION"') in spec["phases"]["build"]["commands"]


def test_stages_deploy_to_their_own_accounts_with_their_bootstrap_roles(stages: list[dict[str, Any]]) -> None:
    for name, account in STAGE_ACCOUNTS.items():
        prepare = _action(_stage(stages, name), "FlagsDemo.Prepare")
        assert prepare["Configuration"]["StackName"] == f"{name}-FlagsDemo"
        assert f":iam::{account}:role/cdk-hnb659fds-cfn-exec-role-{account}-{REGION}" in json.dumps(
            prepare["Configuration"]["RoleArn"])


def test_cross_account_artifacts_are_encrypted_with_a_rotated_key(template: Template) -> None:
    template.resource_count_is("AWS::KMS::Key", 1)
    template.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


# --- Who may read Beta's deployments ------------------------------------------------------------------

def test_the_wait_step_may_only_assume_betas_reader_role(template: Template) -> None:
    reader = f"arn:aws:iam::{BETA_ACCOUNT}:role/Beta-FlagsDemo-deployment-reader"
    template.has_resource_properties("AWS::IAM::Role", {
        "RoleName": "FlagsDemoPipeline-Beta-deployment-watcher",
        "AssumeRolePolicyDocument": {"Statement": [Match.object_like({
            "Principal": {"Service": "codebuild.amazonaws.com"}})]},
    })
    assume = [s for p in template.find_resources("AWS::IAM::Policy").values()
              for s in p["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "sts:AssumeRole"
              and s["Resource"] == reader]
    assert len(assume) == 1


def test_betas_reader_role_trusts_only_the_watcher_and_reads_only_betas_deployments(
    stage_templates: dict[str, dict[str, Any]]
) -> None:
    beta = Template.from_json(stage_templates["Beta"])
    beta.resource_count_is("AWS::IAM::Role", 2)  # the alarm monitor's role and the reader
    beta.has_resource_properties("AWS::IAM::Role", {
        "RoleName": "Beta-FlagsDemo-deployment-reader",
        "AssumeRolePolicyDocument": {"Statement": [{
            "Action": "sts:AssumeRole", "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{PIPELINE_ACCOUNT}:root"},
            "Condition": {"ArnEquals": {
                "aws:PrincipalArn": f"arn:aws:iam::{PIPELINE_ACCOUNT}:role/FlagsDemoPipeline-Beta-deployment-watcher"}},
        }], "Version": "2012-10-17"},
    })
    application, environment = Capture(), Capture()
    beta.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [{
        "Action": "appconfig:GetDeployment", "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [f"arn:aws:appconfig:{REGION}:{BETA_ACCOUNT}:application/", {"Ref": application},
                                       "/environment/", {"Ref": environment}, "/deployment/*"]]},
    }], "Version": "2012-10-17"}})
    assert beta.to_json()["Resources"][application.as_string()]["Type"] == "AWS::AppConfig::Application"
    assert beta.to_json()["Resources"][environment.as_string()]["Properties"]["Name"] == "Beta"


# --- The stage stacks ----------------------------------------------------------------------------------

def test_stage_assemblies_hold_one_flagsdemo_stack_each_in_its_account(assembly: Any) -> None:
    found = {}
    for nested in assembly.nested_assemblies:
        (stack,) = nested.nested_assembly.stacks
        found[nested.display_name] = (stack.stack_name, stack.environment.account, stack.environment.region)
    assert found == {
        "FlagsDemoPipeline/Beta": ("Beta-FlagsDemo", BETA_ACCOUNT, REGION),
        "FlagsDemoPipeline/Production": ("Production-FlagsDemo", PRODUCTION_ACCOUNT, REGION),
    }


@pytest.mark.parametrize("name", ["Beta", "Production"])
def test_each_stage_stack_declares_the_application_with_only_its_environment(
    stage_templates: dict[str, dict[str, Any]], name: str
) -> None:
    stage = Template.from_json(stage_templates[name])
    stage.resource_count_is("AWS::AppConfig::Application", 1)
    stage.has_resource_properties("AWS::AppConfig::Application", {"Name": "FlagsDemo"})
    stage.resource_count_is("AWS::AppConfig::Environment", 1)
    stage.has_resource_properties("AWS::AppConfig::Environment", {"Name": name})
    stage.resource_count_is("AWS::AppConfig::Deployment", 1)
    assert sorted(stage_templates[name]["Outputs"]) == sorted(
        ["ApplicationId", f"{name}EnvironmentId", f"CheckoutFlags{name}DeploymentNumber"])


def test_only_the_beta_stage_declares_betas_experiment_after_its_deployment(
        stage_templates: dict[str, dict[str, Any]]) -> None:
    # Each stage stack deploys one environment: the experiment goes where its environment is deployed.
    Template.from_json(stage_templates["Production"]).resource_count_is("AWS::AppConfig::ExperimentDefinition", 0)
    beta = Template.from_json(stage_templates["Beta"])
    (deployment,) = beta.find_resources("AWS::AppConfig::Deployment")
    beta.has_resource("AWS::AppConfig::ExperimentDefinition", {
        "Properties": {"Name": "bitcoin-discount-5-vs-10"}, "DependsOn": [deployment]})
    beta.resource_count_is("AWS::AppConfig::ExperimentRun", 1)


def test_production_stage_deploys_with_the_production_strategy(stage_templates: dict[str, dict[str, Any]]) -> None:
    production = Template.from_json(stage_templates["Production"])
    production.has_resource_properties("AWS::AppConfig::Deployment", {
        "DeploymentStrategyId": "AppConfig.Canary10Percent20Minutes"})
    production.resource_count_is("AWS::AppConfig::DeploymentStrategy", 0)


#: cfn-lint 1.x checks an action's RoleArn as an IAM role ARN and reports its informational I1022 ("prefer
#: Fn::Sub") as E3703, an error. CDK pipelines writes the stage's bootstrap role ARN as such a Fn::Join, which
#: CodePipeline accepts; nothing else may be filtered.
_PREFER_SUB_ON_ROLE_ARN = ("E3703 Prefer using Fn::Sub over Fn::Join with an empty delimiter", "/Configuration/RoleArn)")


def _is_prefer_sub_on_role_arn(error: str) -> bool:
    return error.startswith(_PREFER_SUB_ON_ROLE_ARN[0]) and error.endswith(_PREFER_SUB_ON_ROLE_ARN[1])


def test_cfn_lint_finds_no_errors_in_the_pipeline_or_stage_templates(
    template_json: dict[str, Any], stage_templates: dict[str, dict[str, Any]], stages: list[dict[str, Any]]
) -> None:
    templates = {"FlagsDemoPipeline": template_json, **stage_templates}
    errors = {name: cfn_lint_errors(t) for name, t in templates.items()}
    assert {name: [e for e in found if not _is_prefer_sub_on_role_arn(e)] for name, found in errors.items()} == {
        name: [] for name in templates}
    # The filtered false positive is only ever the cross-account deploy actions' role.
    filtered = [e for e in errors["FlagsDemoPipeline"] if _is_prefer_sub_on_role_arn(e)]
    cross_account = [a for s in stages for a in s["Actions"] if "RoleArn" in a.get("Configuration", {})
                     and isinstance(a["Configuration"]["RoleArn"], dict)]
    assert len(filtered) == len(cross_account)


def test_cdk_nag_finds_nothing_unacknowledged_in_the_pipeline_or_its_stages(synthesized_with_pipeline: Any) -> None:
    # The synth would have raised on a finding; this also shows the pipeline stack (stages included) was checked.
    from cdk_nag import AwsSolutionsChecks

    app, assembly = synthesized_with_pipeline
    report = AwsSolutionsChecks(verbose=True).validate_scope(app.node.find_child("FlagsDemoPipeline"))
    assert [(v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations] == []
    assert report.success
    written = json.loads((Path(assembly.directory) / "validation-report.json").read_text())
    assert failed_reports(written) == []


def test_a_single_account_pipeline_has_no_key_and_is_nag_clean() -> None:
    """Without stage accounts everything deploys to the pipeline's account: no KMS key, and CB4 acknowledged."""
    from aws_cdk import aws_kms as kms
    from cdk_nag import AwsSolutionsChecks

    from app import wire

    context = cdk_context()
    context["pipeline"] = dict(PIPELINE_CONTEXT)
    app = cdk.App(context=context, analytics_reporting=False)
    wire(app)  # builds the pipeline; no synth needed to check it
    pipeline = app.node.find_child("FlagsDemoPipeline")
    assert [c for c in pipeline.node.find_all() if isinstance(c, kms.CfnKey)] == []
    report = AwsSolutionsChecks(verbose=True).validate_scope(pipeline)
    assert [(v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations] == []


# --- Settings -------------------------------------------------------------------------------------------

def _flags(**accounts: str) -> FlagsDemoSettings:
    flagsdemo = cdk_context()["flagsdemo"]
    for name, account in accounts.items():
        flagsdemo["environments"][name]["account"] = account
    return FlagsDemoSettings.from_context(flagsdemo)


def test_missing_connection_settings_are_each_reported() -> None:
    with pytest.raises(PipelineSettingsError) as raised:
        PipelineSettings.from_context({"enabled": True}, flags=_flags())
    problems = raised.value.problems
    assert [p.split(":")[0] for p in problems] == ["pipeline.connectionArn", "pipeline.repository",
                                                   "pipeline.account", "pipeline.region"]
    assert all("missing; set it to" in p for p in problems)
    assert isinstance(raised.value, SettingsError)  # stacks.entrypoint.run reports it without a traceback
    assert "4 problem(s) in cdk.json context 'pipeline'" in str(raised.value)


def test_invalid_settings_are_each_reported_with_their_value() -> None:
    context = {**PIPELINE_CONTEXT, "connectionArn": "arn:aws:s3:::bucket", "repository": "no-owner",
               "manualApproval": "sometimes", "brnach": "main"}
    with pytest.raises(PipelineSettingsError) as raised:
        PipelineSettings.from_context(context, flags=_flags())
    assert raised.value.problems == (
        ("pipeline: unknown settings ['brnach'] (known: ['enabled', 'connectionArn', 'repository', 'branch', "
         "'manualApproval', 'account', 'region'])"),
        ("pipeline.connectionArn: must be a CodeConnections connection ARN, arn:aws:codeconnections:<region>:"
         "<account>:connection/<id> (got 'arn:aws:s3:::bucket')"),
        "pipeline.repository: must be the repository as owner/name (got 'no-owner')",
        "pipeline.manualApproval: must be true or false (got 'sometimes')",
    )


def test_the_app_exits_with_one_line_per_missing_pipeline_key(tmp_path: Path) -> None:
    context = cdk_context()
    context["pipeline"] = {"enabled": True}
    result = run_app(context, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    for key in ("connectionArn", "repository", "account", "region"):
        assert f"  - pipeline.{key}: missing; set it to" in result.stderr, result.stderr
    assert list(tmp_path.glob("*.template.json")) == []


def test_the_workstation_app_has_no_pipeline() -> None:
    # cdk.json as committed: `make synth` and `cdk deploy` from a workstation see FlagsDemo alone.
    app = cdk.App(context=cdk_context())
    assert PipelineSettings.requested(app.node, _flags()) is None


@pytest.mark.parametrize(("pipeline", "flag", "expected"), [
    ({"enabled": False}, None, False),
    (None, None, False),
    ({**PIPELINE_CONTEXT, "enabled": False}, "true", True),  # `cdk synth -c pipeline.enabled=true`
    (PIPELINE_CONTEXT, "false", False),
    (PIPELINE_CONTEXT, None, True),
])
def test_the_pipeline_is_added_only_when_context_enables_it(pipeline: Any, flag: str | None, expected: bool) -> None:
    context: dict[str, Any] = {"pipeline": pipeline} if pipeline is not None else {}
    if flag is not None:
        context["pipeline.enabled"] = flag
    app = cdk.App(context=context)
    assert (PipelineSettings.requested(app.node, _flags()) is not None) is expected


def test_a_cli_value_overrides_the_cdk_json_key() -> None:
    app = cdk.App(context={"pipeline": PIPELINE_CONTEXT, "pipeline.branch": "release", "pipeline.manualApproval": "false"})
    settings = PipelineSettings.requested(app.node, _flags())
    assert settings is not None and settings.branch == "release" and settings.manual_approval is False
    assert [w.approval for w in settings.waves] == [False, False]


def test_stages_follow_promotion_order_and_default_to_the_pipelines_account() -> None:
    settings = PipelineSettings.from_context(PIPELINE_CONTEXT, flags=_flags())
    assert [(s.name, s.id, s.account, s.region) for s in settings.stages] == [
        ("Beta", "Beta", PIPELINE_ACCOUNT, REGION),
        ("Production", "Production", PIPELINE_ACCOUNT, REGION),
    ]
    assert [(w.name, len(w.stages), w.approval) for w in settings.waves] == [("Beta", 1, False), ("Production", 1, True)]
    assert settings.cross_account is False
    assert PipelineSettings.from_context(PIPELINE_CONTEXT, flags=_flags(Beta=BETA_ACCOUNT)).cross_account is True


# --- Snapshots -----------------------------------------------------------------------------------------

def _without_config_hashes(value: Any) -> Any:
    """``value`` with CodeBuild actions' _PROJECT_CONFIG_HASH (a digest of what the snapshot shows) masked."""
    if isinstance(value, dict):
        out = {k: _without_config_hashes(v) for k, v in value.items()}
        if isinstance(out.get("EnvironmentVariables"), str):
            variables = json.loads(out["EnvironmentVariables"])
            for variable in variables:
                if variable["name"] == "_PROJECT_CONFIG_HASH":
                    variable["value"] = "<hash>"
            out["EnvironmentVariables"] = json.dumps(variables, separators=(",", ":"))
        return out
    if isinstance(value, list):
        return [_without_config_hashes(v) for v in value]
    return value


def test_pipeline_template_snapshot(template_json: dict[str, Any], snapshot: Any) -> None:
    assert _without_config_hashes(stable(template_json)) == snapshot(extension_class=JSONSnapshotExtension)


@pytest.mark.parametrize("name", ["Beta", "Production"])
def test_stage_template_snapshot(stage_templates: dict[str, dict[str, Any]], name: str, snapshot: Any) -> None:
    assert stable(stage_templates[name]) == snapshot(extension_class=JSONSnapshotExtension)
