"""Environments as pipeline waves: Beta in one region, Production in three regions across two accounts.

One synth of that app for the module (the session's synth, tests/conftest.py, is the one-target form), and
the wait step's own shell commands run against a stub ``aws`` (tests/stacks/stub_aws/aws) for each target.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Capture, Template

from appconfig_flags.cli import main as cli_main
from stacks.flags_demo_stage import ROLE_NAME_MAX, iam_role_name
from stacks.pipeline_settings import PipelineSettings
from stacks.settings import FlagsDemoSettings, SettingsError
from tests.conftest import cdk_context, run_app
from tests.dated import failed_reports
from tests.stacks.conftest import (
    BETA_ACCOUNT,
    PIPELINE_ACCOUNT,
    PIPELINE_CONTEXT,
    PRODUCTION_ACCOUNT,
    pipeline_app_context,
)
from tests.stacks.test_bad_input import _assert_failed_cleanly
from tests.template_checks import cfn_lint_errors

SECOND_PRODUCTION_ACCOUNT = "444444444444"
BETA_TARGET = (BETA_ACCOUNT, "eu-west-1")
PRODUCTION_TARGETS = [(PRODUCTION_ACCOUNT, "eu-west-1"), (PRODUCTION_ACCOUNT, "us-east-1"),
                      (SECOND_PRODUCTION_ACCOUNT, "ap-southeast-2")]
#: Stage IDs (and so stack name prefixes) by target: a one-target environment keeps its name.
STAGE_IDS = {
    ("Beta", *BETA_TARGET): "Beta",
    ("Production", PRODUCTION_ACCOUNT, "eu-west-1"): "Production-eu-west-1",
    ("Production", PRODUCTION_ACCOUNT, "us-east-1"): "Production-us-east-1",
    ("Production", SECOND_PRODUCTION_ACCOUNT, "ap-southeast-2"): "Production-ap-southeast-2",
}
STUB_AWS = Path(__file__).resolve().parent / "stub_aws"


def waves_context() -> dict[str, Any]:
    """cdk.json's context with the pipeline on, Beta in one target and Production in three, two accounts."""
    context = copy.deepcopy(cdk_context())
    context["pipeline"] = dict(PIPELINE_CONTEXT)
    environments = context["flagsdemo"]["environments"]
    environments["Beta"].update(account=BETA_TARGET[0], region=BETA_TARGET[1])
    environments["Production"]["targets"] = [{"account": a, "region": r} for a, r in PRODUCTION_TARGETS]
    return context


@pytest.fixture(scope="module")
def synthesized_waves(tmp_path_factory: pytest.TempPathFactory) -> tuple[cdk.App, Any]:
    from app import wire

    app = cdk.App(context=waves_context(), outdir=str(tmp_path_factory.mktemp("cdk.waves.out")), analytics_reporting=False)
    wire(app)  # cdk-nag runs at synth: an unacknowledged finding would fail it
    return app, app.synth()


@pytest.fixture(scope="module")
def pipeline_template(synthesized_waves: Any) -> dict[str, Any]:
    result: dict[str, Any] = synthesized_waves[1].get_stack_by_name("FlagsDemoPipeline").template
    return result


@pytest.fixture(scope="module")
def stages(pipeline_template: dict[str, Any]) -> list[dict[str, Any]]:
    captured = Capture()
    Template.from_json(pipeline_template).has_resource_properties("AWS::CodePipeline::Pipeline", {"Stages": captured})
    result: list[dict[str, Any]] = captured.as_array()
    return result


@pytest.fixture(scope="module")
def stage_stacks(synthesized_waves: Any) -> dict[str, Any]:
    """Each stage's one stack artifact, by stage ID."""
    out = {}
    for nested in synthesized_waves[1].nested_assemblies:
        (stack,) = nested.nested_assembly.stacks
        out[nested.display_name.split("/")[-1]] = stack
    return out


def _stage(stages: list[dict[str, Any]], name: str) -> dict[str, Any]:
    (found,) = [s for s in stages if s["Name"] == name]
    return found


def _wait_actions(stage: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in stage["Actions"] if "WaitFor" in a["Name"]]


def _project(pipeline_template: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = pipeline_template["Resources"][action["Configuration"]["ProjectName"]["Ref"]]
    return result


def _static_env(project: dict[str, Any]) -> dict[str, str]:
    return {v["Name"]: v["Value"] for v in project["Properties"]["Environment"]["EnvironmentVariables"]}


def _action_env(action: dict[str, Any]) -> dict[str, str]:
    return {v["name"]: v["value"] for v in json.loads(action["Configuration"]["EnvironmentVariables"])}


# --- Settings -------------------------------------------------------------------------------------------

def test_each_target_becomes_a_stage_of_its_environments_wave() -> None:
    context = waves_context()
    settings = PipelineSettings.from_context(context["pipeline"], flags=FlagsDemoSettings.from_context(context["flagsdemo"]))
    assert [(w.name, w.approval) for w in settings.waves] == [("Beta", False), ("Production", True)]
    assert {(s.name, s.account, s.region): s.id for s in settings.stages} == STAGE_IDS


def test_a_region_used_in_two_accounts_of_one_environment_names_the_account_too() -> None:
    context = waves_context()
    context["flagsdemo"]["environments"]["Production"]["targets"] = [
        {"account": PRODUCTION_ACCOUNT, "region": "eu-west-1"}, {"account": SECOND_PRODUCTION_ACCOUNT, "region": "eu-west-1"},
        {"account": SECOND_PRODUCTION_ACCOUNT, "region": "us-east-1"}]
    settings = PipelineSettings.from_context(context["pipeline"], flags=FlagsDemoSettings.from_context(context["flagsdemo"]))
    assert [s.id for s in settings.waves[1].stages] == [
        f"Production-eu-west-1-{PRODUCTION_ACCOUNT}", f"Production-eu-west-1-{SECOND_PRODUCTION_ACCOUNT}", "Production-us-east-1"]


def test_role_names_longer_than_iam_allows_are_shortened_the_same_way_on_both_sides() -> None:
    long = "FlagsDemoPipeline-PreProductionEurope-ap-southeast-2-444444444444-deployment-watcher"
    assert iam_role_name("FlagsDemoPipeline-Beta-deployment-watcher") == "FlagsDemoPipeline-Beta-deployment-watcher"
    shortened = iam_role_name(long)
    assert len(shortened) == ROLE_NAME_MAX and shortened.startswith(long[:50]) and shortened == iam_role_name(long)
    assert shortened != iam_role_name(long.replace("444444444444", "333333333333"))


# --- Bad targets through the real app: one line each, no traceback, no template ------------------------

def test_every_target_mistake_is_one_line_and_nothing_is_synthesized(tmp_path: Path) -> None:
    context = waves_context()
    environments = context["flagsdemo"]["environments"]
    environments["Production"]["targets"] = [
        {"account": PRODUCTION_ACCOUNT, "region": "eu-west-1"},
        {"account": PRODUCTION_ACCOUNT, "region": "eu-west-1"},           # listed twice
        {"account": "33333333333", "region": "us-east-1"},                # 11 digits
        {"account": SECOND_PRODUCTION_ACCOUNT, "region": "eu-wset-1"},    # no such region
        {"account": BETA_ACCOUNT, "region": "eu-west-1"},                 # Beta's target
    ]
    result = run_app(context, tmp_path)
    where = "flagsdemo.environments.Production"
    _assert_failed_cleanly(
        result, tmp_path,
        "error: invalid cdk.json context: 4 problem(s); nothing was synthesized.",
        f"  - {where}.targets[1]: aws://{PRODUCTION_ACCOUNT}/eu-west-1 is listed twice (also {where}.targets[0])\n",
        f"  - {where}.targets[2].account: must be a 12-digit AWS account ID, as a string (got '33333333333')\n",
        f"  - {where}.targets[3].region: 'eu-wset-1' is not an AWS region name known to botocore (did you mean 'eu-west-1'",
        f"  - {where}: target aws://{BETA_ACCOUNT}/eu-west-1 is also a target of Beta; an account and region holds one "
        "environment's stack\n",
    )


@pytest.mark.parametrize(("change", "message"), [
    (lambda e: e["Production"].update(account=PRODUCTION_ACCOUNT),
     "flagsdemo.environments.Production: give either targets or account, not both"),
    (lambda e: e["Production"].update(targets=[]), "flagsdemo.environments.Production.targets: must be a non-empty list"),
    (lambda e: e["Production"]["targets"][0].pop("region"),
     "flagsdemo.environments.Production.targets[0].region: missing; each target names its account and region"),
    (lambda e: e["Production"]["targets"][0].update(acount="1"),
     "flagsdemo.environments.Production.targets[0]: unknown settings ['acount'] (known: ['account', 'region'])"),
    (lambda e: e["Beta"].update(account=222222222222),
     "flagsdemo.environments.Beta.account: must be a 12-digit AWS account ID, as a string (got 222222222222)"),
    (lambda e: e["Beta"].update(region="Ireland"),
     "flagsdemo.environments.Beta.region: 'Ireland' is not an AWS region name known to botocore (e.g. 'eu-west-1')"),
])
def test_each_target_mistake_is_one_line_naming_its_key(change: Any, message: str) -> None:
    flagsdemo = waves_context()["flagsdemo"]
    change(flagsdemo["environments"])
    with pytest.raises(SettingsError) as error:
        FlagsDemoSettings.from_context(flagsdemo)
    assert len(error.value.problems) == 1, error.value.problems
    assert error.value.problems[0].startswith(message), error.value.problems


# --- The waves ----------------------------------------------------------------------------------------

def test_waves_run_in_promotion_order_after_the_pipeline_updates_itself(stages: list[dict[str, Any]]) -> None:
    assert [s["Name"] for s in stages] == ["Source", "Build", "UpdatePipeline", "Beta", "Production"]


def test_each_target_has_one_stage_stack_in_its_account_and_region(stage_stacks: dict[str, Any]) -> None:
    assert {stage_id: (stack.stack_name, stack.environment.account, stack.environment.region)
            for stage_id, stack in stage_stacks.items()} == {
        stage_id: (f"{stage_id}-FlagsDemo", account, region) for (_, account, region), stage_id in STAGE_IDS.items()}


@pytest.mark.parametrize("wave", ["Beta", "Production"])
def test_each_target_deploys_then_waits_for_its_own_deployments_side_by_side(stages: list[dict[str, Any]], wave: str) -> None:
    stage = _stage(stages, wave)
    targets = [stage_id for (name, _, _), stage_id in STAGE_IDS.items() if name == wave]
    deploys = {a["Name"]: a for a in stage["Actions"] if a["Name"].endswith("FlagsDemo.Deploy")}
    waits = {a["Name"]: a for a in _wait_actions(stage)}
    if len(targets) == 1:  # a one-target wave keeps the action names it had as a single stage
        assert sorted(deploys) == ["FlagsDemo.Deploy"] and sorted(waits) == [f"WaitFor{wave}Deployments"]
        pairs = [(deploys["FlagsDemo.Deploy"], waits[f"WaitFor{wave}Deployments"])]
    else:
        assert sorted(deploys) == sorted(f"{t}.FlagsDemo.Deploy" for t in targets)
        assert sorted(waits) == sorted(f"{t}.WaitFor{t}Deployments" for t in targets)
        pairs = [(deploys[f"{t}.FlagsDemo.Deploy"], waits[f"{t}.WaitFor{t}Deployments"]) for t in targets]
    for deploy, wait in pairs:
        assert deploy["RunOrder"] < wait["RunOrder"]
        assert _action_env(wait)["APPLICATION_ID"] == f"#{{{deploy['Namespace']}.ApplicationId}}"  # its own stack's
    # Side by side: every target's deploy has the same run order, and so has every wait.
    assert len({d["RunOrder"] for d, _ in pairs}) == 1 and len({w["RunOrder"] for _, w in pairs}) == 1


def test_production_is_approved_once_before_its_wave(stages: list[dict[str, Any]]) -> None:
    approvals = [(s["Name"], a) for s in stages for a in s["Actions"] if a["ActionTypeId"]["Category"] == "Approval"]
    assert [name for name, _ in approvals] == ["Production"]
    ((_, approve),) = approvals
    assert approve["Name"] == "ApproveProduction"
    assert all(approve["RunOrder"] < a["RunOrder"] for a in _stage(stages, "Production")["Actions"] if a is not approve)
    (beta_wait,) = _wait_actions(_stage(stages, "Beta"))
    assert approve["Configuration"]["ExternalEntityLink"] == f"#{{{beta_wait['Namespace']}.APPCONFIG_CONSOLE_URL}}"
    for account, region in PRODUCTION_TARGETS:
        assert f"account {account}, {region}" in approve["Configuration"]["CustomData"]


def test_the_next_wave_is_a_later_pipeline_stage_than_every_target_of_the_previous(stages: list[dict[str, Any]]) -> None:
    # CodePipeline starts a stage only when every action of the one before has succeeded: Beta's wait step
    # is in Beta's stage, and no Production action is outside Production's stage.
    names = [s["Name"] for s in stages]
    production = _stage(stages, "Production")
    assert names.index("Beta") < names.index("Production")
    assert all("Production" in a["Name"] for a in production["Actions"])
    assert not any("Production" in a["Name"] for a in _stage(stages, "Beta")["Actions"])


# --- Who reads what ------------------------------------------------------------------------------------

def _target_of(pipeline_template: dict[str, Any], wait: dict[str, Any]) -> tuple[str, str, str]:
    env = _static_env(_project(pipeline_template, wait))
    account = env["READER_ROLE_ARN"].split(":")[4]
    return account, env["APPCONFIG_REGION"], env["READER_ROLE_ARN"]


def test_each_wait_steps_role_may_assume_only_its_targets_reader(
    pipeline_template: dict[str, Any], stages: list[dict[str, Any]]
) -> None:
    resources = pipeline_template["Resources"]
    seen = set()
    for wave in ("Beta", "Production"):
        for wait in _wait_actions(_stage(stages, wave)):
            account, region, reader = _target_of(pipeline_template, wait)
            stage_id = STAGE_IDS[(wave, account, region)]
            assert reader == f"arn:aws:iam::{account}:role/{stage_id}-FlagsDemo-deployment-reader"
            role_id = _project(pipeline_template, wait)["Properties"]["ServiceRole"]["Fn::GetAtt"][0]
            assert resources[role_id]["Properties"]["RoleName"] == iam_role_name(
                f"FlagsDemoPipeline-{stage_id}-deployment-watcher")
            statements = [s for r in resources.values() if r["Type"] == "AWS::IAM::Policy"
                          and {"Ref": role_id} in r["Properties"]["Roles"] for s in r["Properties"]["PolicyDocument"]["Statement"]]
            assumes = [s for s in statements if "sts:AssumeRole" in json.dumps(s["Action"])]
            assert [s["Resource"] for s in assumes] == [reader]
            assert not any("appconfig" in json.dumps(s["Action"]) for s in statements)
            seen.add(stage_id)
    assert seen == set(STAGE_IDS.values())


@pytest.mark.parametrize(("wave", "account", "region"), [(w, a, r) for (w, a, r) in STAGE_IDS])
def test_each_targets_reader_trusts_only_its_watcher_and_reads_only_its_deployments(
    stage_stacks: dict[str, Any], wave: str, account: str, region: str
) -> None:
    stage_id = STAGE_IDS[(wave, account, region)]
    stage = Template.from_json(stage_stacks[stage_id].template)
    watcher = f"arn:aws:iam::{PIPELINE_ACCOUNT}:role/{iam_role_name(f'FlagsDemoPipeline-{stage_id}-deployment-watcher')}"
    stage.has_resource_properties("AWS::IAM::Role", {
        "RoleName": f"{stage_id}-FlagsDemo-deployment-reader",
        "AssumeRolePolicyDocument": {"Statement": [{
            "Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PIPELINE_ACCOUNT}:root"},
            "Condition": {"ArnEquals": {"aws:PrincipalArn": watcher}},
        }], "Version": "2012-10-17"},
    })
    application, environment = Capture(), Capture()
    stage.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [{
        "Action": "appconfig:GetDeployment", "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [f"arn:aws:appconfig:{region}:{account}:application/", {"Ref": application},
                                       "/environment/", {"Ref": environment}, "/deployment/*"]]},
    }], "Version": "2012-10-17"}})
    resources = stage.to_json()["Resources"]
    assert resources[environment.as_string()]["Properties"]["Name"] == wave
    stage.resource_count_is("AWS::AppConfig::Application", 1)  # one AppConfig application per account-region


# --- cfn-lint and cdk-nag ------------------------------------------------------------------------------

def test_cfn_lint_finds_no_errors_in_any_template(
    synthesized_waves: Any, pipeline_template: dict[str, Any], stage_stacks: dict[str, Any]
) -> None:
    assembly = synthesized_waves[1]
    from tests.stacks.test_pipeline_stack import _is_prefer_sub_on_role_arn

    # Every top-level template (the pipeline, FlagsDemo, and aws-cdk-lib's support stacks in us-east-1 and ap-southeast-2) and every stage's.
    templates = {s.stack_name: s.template for s in assembly.stacks}
    templates.update({k: s.template for k, s in stage_stacks.items()})
    assert pipeline_template in templates.values() and len(templates) == 4 + len(STAGE_IDS)
    errors = {name: [e for e in cfn_lint_errors(t) if not _is_prefer_sub_on_role_arn(e)] for name, t in templates.items()}
    assert errors == {name: [] for name in templates}


def test_cdk_nag_finds_nothing_unacknowledged(synthesized_waves: Any) -> None:
    from cdk_nag import AwsSolutionsChecks

    app, assembly = synthesized_waves
    report = AwsSolutionsChecks(verbose=True).validate_scope(app)
    assert [(v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations] == []
    assert len(app.node.find_child("FlagsDemoPipeline").node.find_child("Production-us-east-1").node.children) > 0
    assert failed_reports(json.loads((Path(assembly.directory) / "validation-report.json").read_text())) == []


def _unused_acknowledgements(context: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Acknowledgements (construct path, rule) that match no cdk-nag finding on or under their construct."""
    from cdk_nag import AwsSolutionsChecks

    from app import wire

    acknowledged: list[tuple[str, str]] = []

    class Recorder:  # records instead of acknowledging, so that cdk-nag reports every finding
        def __init__(self, scope: Any) -> None:
            self.path = scope.node.path

        def acknowledge(self, *acknowledgements: Any) -> None:
            acknowledged.extend((self.path, a.id) for a in acknowledgements)

        def add_plugins(self, *plugins: Any) -> None:
            pass

    monkeypatch.setattr(cdk.Validations, "of", staticmethod(Recorder))
    app = cdk.App(context=context, analytics_reporting=False)
    wire(app)
    monkeypatch.undo()
    report = AwsSolutionsChecks(verbose=False).validate_scope(app)
    findings = {(v.rule_name, r.construct_path) for v in report.violations for r in v.violating_resources}
    assert acknowledged and findings  # the recorder saw them, and nothing acknowledged them
    return [(path, rule) for path, rule in acknowledged
            if not any(rule == found and (at == path or at.startswith(f"{path}/")) for found, at in findings)]


@pytest.mark.parametrize("context", [waves_context, pipeline_app_context], ids=["waves", "one-target"])
def test_every_cdk_nag_acknowledgement_matches_a_finding(context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _unused_acknowledgements(context(), monkeypatch) == []


# --- The wait step's commands, run against a stub aws ----------------------------------------------------

def _run_wait_step(pipeline_template: dict[str, Any], wait: dict[str, Any], states: list[str],
                   tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    project = _project(pipeline_template, wait)
    commands = json.loads(project["Properties"]["Source"]["BuildSpec"])["phases"]["build"]["commands"]
    log, states_file = tmp_path / "aws.log", tmp_path / "states"
    log.write_text("")
    states_file.write_text("".join(f"{s}\n" for s in states))
    # Pipeline variables (#{namespace.output}) resolved as CodePipeline would; POLL_SECONDS 0 to keep it quick.
    outputs = {name: f"value-of-{name}" for name in _action_env(wait)}
    env = {"PATH": f"{STUB_AWS}{os.pathsep}{os.environ['PATH']}", "STUB_LOG": str(log), "STUB_STATES": str(states_file),
           **_static_env(project), **outputs, "POLL_SECONDS": "0"}
    # CodeBuild runs a phase's commands in one shell and stops at the first that fails.
    script = "set -e\n" + "\n".join(commands)
    result = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False)
    return result, log.read_text().splitlines()


def _all_waits(stages: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(wave, wait) for wave in ("Beta", "Production") for wait in _wait_actions(_stage(stages, wave))]


@pytest.mark.parametrize("index", range(len(STAGE_IDS)))
def test_the_wait_step_succeeds_once_its_targets_deployment_is_complete(
    pipeline_template: dict[str, Any], stages: list[dict[str, Any]], tmp_path: Path, index: int
) -> None:
    wave, wait = _all_waits(stages)[index]
    account, region, reader = _target_of(pipeline_template, wait)
    result, calls = _run_wait_step(pipeline_template, wait, ["DEPLOYING", "BAKING", "COMPLETE"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"configure set profile.reader.role_arn {reader}" in calls
    assert f"configure set profile.reader.region {region}" in calls
    polls = [c for c in calls if "get-deployment" in c]
    assert len(polls) == 3 and all(c.startswith("profile=reader appconfig get-deployment") for c in polls)
    assert "--deployment-number value-of-DEPLOYMENT_NUMBER_CHECKOUTFLAGS" in polls[0]
    assert "--environment-id value-of-ENVIRONMENT_ID" in polls[0]
    assert (wave, account, region) in STAGE_IDS


@pytest.mark.parametrize("index", range(len(STAGE_IDS)))
@pytest.mark.parametrize("rolled_back", ["ROLLING_BACK", "ROLLED_BACK", "REVERTED"])
def test_the_wait_step_fails_when_its_targets_deployment_is_rolled_back(
    pipeline_template: dict[str, Any], stages: list[dict[str, Any]], tmp_path: Path, index: int, rolled_back: str
) -> None:
    _, wait = _all_waits(stages)[index]
    result, calls = _run_wait_step(pipeline_template, wait, ["DEPLOYING", rolled_back, "COMPLETE"], tmp_path)
    assert result.returncode == 1
    assert "was rolled back: an alarm fired" in result.stderr
    assert len([c for c in calls if "get-deployment" in c]) == 2  # it stopped at the rollback


def test_the_wait_step_fails_when_aws_fails(pipeline_template: dict[str, Any], stages: list[dict[str, Any]],
                                            tmp_path: Path) -> None:
    _, wait = _all_waits(stages)[0]
    result, _ = _run_wait_step(pipeline_template, wait, [], tmp_path)  # the stub has no answer: exits 254
    assert result.returncode == 1 and "no deployment state left" in result.stderr


# --- Workstation: each target's stack by name, and the synth summary -----------------------------------

def test_the_synth_summary_lists_every_target_of_every_environment(synthesized_waves: Any, capsys: Any) -> None:
    assert cli_main(["summary", synthesized_waves[1].directory]) == 0
    out = capsys.readouterr().out
    for (wave, account, region), stage_id in STAGE_IDS.items():
        line = next(line for line in out.splitlines() if f"{stage_id}-FlagsDemo" in line)
        assert f"aws://{account}/{region}" in line, out
        assert f"    environment {wave}: 1 alarm monitor(s)" in out
