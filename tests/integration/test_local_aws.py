"""The tools against an AWS nobody here wrote: ministack, with the real CDK CLI, boto3 and the AWS CLI.

In file order on one worker, on one deployment: each test leaves Beta serving the stack's version
with its alarm OK. ministack departs from AWS's documents in ways the tools must cope with (its
ListDeployments lists the oldest first without ``ConfigurationProfileId``; its data plane serves
multi-variant flags as JSON ``_variants``); docs/testing.md lists them.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import aws_cdk as cdk
import pytest

from appconfig_flags import cli
from appconfig_flags.client import FlagsClient, make_source
from appconfig_flags.model import Profile
from appconfig_flags.model.deployment import version_label as stack_version_label
from appconfig_flags.ops.emergency import KILL_SWITCH_STRATEGY
from flags import ALLOW_BITCOIN_AT_CHECKOUT as BITCOIN
from flags import CHECKOUT_FLAGS
from flags import NEW_CHECKOUT_LAYOUT as LAYOUT
from scripts.local_aws import LocalAws
from stacks.pipeline_stack import predeploy_commands, wait_commands
from tests.appconfig_flags.ops.fake_aws import Run
from tests.conftest import ROOT, cdk_context

from .conftest import FLAG, Deployed, _cdk_started, _finished, section

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("local-aws"), pytest.mark.usefixtures("aws_env")]


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _client(deployed: Deployed, environment: str) -> tuple[FlagsClient, ManualClock]:
    clock = ManualClock()
    source = make_source("appconfig", profile=CHECKOUT_FLAGS, environment=environment,
                         endpoint_url=deployed.emulator.endpoint_url, region="us-east-1", poll_interval=15)
    client = FlagsClient(source, catalogue=CHECKOUT_FLAGS, background=False, clock=clock)
    client.poll()
    return client, clock


def _poll(client: FlagsClient, clock: ManualClock) -> None:
    clock.now += 60
    client.poll()


def _stack_made_version(deployed: Deployed, environment: str, discount: int) -> int:
    """A hosted version of the code's document with another discount, labelled as the stack labels its own."""
    document = json.loads(CHECKOUT_FLAGS.render(environment))
    document["values"][FLAG]["bitcoin-discount-percentage"] = discount
    content = json.dumps(document)
    created = deployed.appconfig.create_hosted_configuration_version(
        ApplicationId=deployed.app_id, ConfigurationProfileId=deployed.profile_id, Content=content.encode(),
        ContentType="application/json", VersionLabel=stack_version_label(environment, content))
    return int(created["VersionNumber"])


def _start(deployed: Deployed, environment: str, version: int, strategy: str) -> int:
    started = deployed.appconfig.start_deployment(
        ApplicationId=deployed.app_id, EnvironmentId=deployed.env_ids[environment],
        ConfigurationProfileId=deployed.profile_id, ConfigurationVersion=str(version), DeploymentStrategyId=strategy)
    return int(started["DeploymentNumber"])


def _beta_strategy(deployed: Deployed) -> str:
    strategies = deployed.appconfig.list_deployment_strategies()["Items"]
    return str(next(s["Id"] for s in strategies if s["Name"] == "FlagsDemo.BetaBake5Minutes"))


def _revert_to_the_stack(deployed: Deployed, number: int) -> None:
    deployed.appconfig.stop_deployment(ApplicationId=deployed.app_id, EnvironmentId=deployed.env_ids["Beta"],
                                       DeploymentNumber=number, AllowRevert=True)


def test_cdk_deploy_leaves_both_environments_in_sync(deployed: Deployed) -> None:
    run = deployed.status()
    assert run.code == 0, run.err
    for environment, version in (("Beta", 1), ("Production", 2)):
        block = section(run.out, environment)
        assert f"content:    in sync (version {version})" in block
        assert f"complete: version {version} (deployment #1" in block
    assert "experiments: cannot be read here" in run.out  # ministack has no AppConfig experimentation


def test_import_of_the_deployed_profile_renders_what_each_environment_serves(
        deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    from appconfig_flags import cli
    from appconfig_flags.importer import import_documents

    assert cli.main(["import", "--profile", "CheckoutFlags", "--application", "FlagsDemo"]) == 0
    text = capsys.readouterr().out
    documents = {env: CHECKOUT_FLAGS.render(env) for env in ("Beta", "Production")}
    assert text == import_documents("CheckoutFlags", documents, source="AWS AppConfig (application FlagsDemo)",
                                    application="FlagsDemo")
    namespace: dict[str, object] = {}
    exec(compile(text, "imported.py", "exec"), namespace)  # noqa: S102 - the module under test
    (profile,) = namespace["PROFILES"]  # type: ignore[misc]
    assert {env: profile.render(env) for env in documents} == documents


def test_the_appconfigdata_client_serves_beta_and_production_variants_included(deployed: Deployed) -> None:
    beta, _ = _client(deployed, "Beta")
    assert beta.enabled(BITCOIN) and beta.value(BITCOIN, "bitcoin-discount-percentage") == 5
    assert beta.status().unreadable == {} and beta.status().version_label == stack_version_label(
        "Beta", CHECKOUT_FLAGS.render("Beta"))
    compact = beta.get(LAYOUT, {"country": "US", "userId": "user-7"})
    assert compact.variant == CHECKOUT_FLAGS.evaluate("Beta", LAYOUT, {"country": "US", "userId": "user-7"}).variant
    production, _ = _client(deployed, "Production")
    gold = production.get(BITCOIN, {"tier": "gold"})
    assert (gold.enabled, gold.variant, gold.values["bitcoin-discount-percentage"]) == (True, "gold-tier-discount", 10)
    assert production.get(BITCOIN, {"tier": "silver"}).enabled is False
    assert production.enabled(LAYOUT) is False


def test_a_flag_change_shows_its_bake_then_completes_and_revert_undoes_it(deployed: Deployed) -> None:
    version = _stack_made_version(deployed, "Beta", 7)
    number = _start(deployed, "Beta", version, _beta_strategy(deployed))
    block = section(deployed.status().out, "Beta")
    assert f"baking version {version} (deployment #{number}, FlagsDemo.BetaBake5Minutes)" in block
    assert "left of the 5 min bake (an alarm still rolls it back)" in block
    assert deployed.wait_until_done("Beta", number) == "COMPLETE"
    block = section(deployed.status().out, "Beta")
    assert f"complete: version {version} (deployment #{number}" in block
    assert "code differs: not yet deployed" in block
    assert f"Beta/{FLAG}/bitcoin-discount-percentage: 7 → 5" in block
    run = deployed.emergency("revert", "--environment", "Beta", "--yes")
    assert run.code == 0, run.err
    assert f"Reverted deployment #{number} (REVERTED); CheckoutFlags in Beta is served version 1." in run.out
    assert "content:    in sync (version 1)" in section(deployed.status().out, "Beta")


def test_an_alarm_during_the_bake_rolls_back_and_everything_downstream_sees_it(deployed: Deployed) -> None:
    client, clock = _client(deployed, "Beta")
    version = _stack_made_version(deployed, "Beta", 9)
    number = _start(deployed, "Beta", version, _beta_strategy(deployed))
    deployed.set_alarm("Beta", "ALARM")
    try:
        assert deployed.wait_until_done("Beta", number) == "ROLLED_BACK"
        block = section(deployed.status().out, "Beta")
        assert f"rolled back: version {version} (deployment #{number}, FlagsDemo.BetaBake5Minutes) by an alarm" in block
        assert "content:    in sync (version 1)" in block
        _poll(client, clock)
        assert client.value(BITCOIN, "bitcoin-discount-percentage") == 5  # the last good version
        assert client.status().health.value == "ready"
        # The pipeline's wait step, with the real AWS CLI: it fails the stage.
        loop = wait_commands(["DEPLOYMENT"])[-1]
        env = {**os.environ, "APPLICATION_ID": deployed.app_id, "ENVIRONMENT_ID": deployed.env_ids["Beta"],
               "DEPLOYMENT": str(number), "POLL_SECONDS": "1",
               "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        result = subprocess.run(["sh", "-c", loop], env=env, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"AppConfig deployment {number} to environment {deployed.env_ids['Beta']}: ROLLED_BACK" in result.stdout
        assert f"deployment {number} was rolled back: an alarm fired" in result.stderr
    finally:
        deployed.set_alarm("Beta", "OK")


def test_the_wait_step_passes_on_a_completed_deployment(deployed: Deployed) -> None:
    loop = wait_commands(["DEPLOYMENT"])[-1]
    env = {**os.environ, "APPLICATION_ID": deployed.app_id, "ENVIRONMENT_ID": deployed.env_ids["Production"],
           "DEPLOYMENT": "1", "POLL_SECONDS": "1", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["sh", "-c", loop], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "COMPLETE" in result.stdout


def test_while_the_alarm_fires_flags_off_refuses_and_the_override_lands(deployed: Deployed) -> None:
    before = deployed.monitors("Beta")
    deployments_before = len(deployed.appconfig.list_deployments(
        ApplicationId=deployed.app_id, EnvironmentId=deployed.env_ids["Beta"])["Items"])
    deployed.set_alarm("Beta", "ALARM")
    try:
        refused = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes")
        assert refused.code == 1
        alarm = before[0]["AlarmArn"].split(":alarm:")[1]
        assert f"error: {alarm} (ALARM) of Beta is in ALARM" in refused.err and "--override-alarms" in refused.err
        assert len(deployed.appconfig.list_deployments(ApplicationId=deployed.app_id,
                                                       EnvironmentId=deployed.env_ids["Beta"])["Items"]) \
            == deployments_before, "nothing was deployed"
        landed = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--override-alarms",
                                    "--poll-seconds", "0.5")
        assert landed.code == 0, landed.out + landed.err
        assert "Complete: Beta serves version" in landed.out and f"with {KILL_SWITCH_STRATEGY}" in landed.out
        assert deployed.monitors("Beta") == before, "the monitors are the stack's again"
        client, _ = _client(deployed, "Beta")
        assert client.enabled(BITCOIN) is False, "GetLatestConfiguration serves the flag off"
        assert "drift" in section(deployed.status().out, "Beta")
    finally:
        deployed.set_alarm("Beta", "OK")
    # Back to the stack's version for the next test.
    revert = deployed.emergency("revert", "--environment", "Beta", "--yes")
    assert revert.code == 0, revert.err


def test_restore_monitors_rebuilds_them_from_the_stacks_template(deployed: Deployed) -> None:
    before = deployed.monitors("Beta")
    deployed.appconfig.update_environment(ApplicationId=deployed.app_id, EnvironmentId=deployed.env_ids["Beta"],
                                          Monitors=[])  # a kill switch that died half-way
    run = deployed.emergency("restore-monitors", "--environment", "Beta", "--yes")
    assert run.code == 0, run.err
    assert "Restored the monitors of Beta as stack FlagsDemo declares them." in run.out
    assert deployed.monitors("Beta") == before
    again = deployed.emergency("restore-monitors", "--environment", "Beta", "--yes")
    assert "has the 1 monitor(s) stack FlagsDemo declares; nothing to do." in again.out


def test_an_alarm_during_flags_offs_bake_makes_it_exit_non_zero_with_the_reason(deployed: Deployed) -> None:
    fired = []

    def fire_on_first_wait(seconds: float) -> None:
        if not fired:
            deployed.set_alarm("Beta", "ALARM")
            fired.append(True)
        import time

        time.sleep(0.5)

    try:
        run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--poll-seconds", "0.5",
                                 sleep=fire_on_first_wait)
        assert run.code == 1, run.out
        assert "error: AppConfig rolled back deployment" in run.err and "because an alarm fired" in run.err
        assert "it is NOT served" in run.err and "clients get it" not in run.out
        client, _ = _client(deployed, "Beta")
        assert client.enabled(BITCOIN) is True, "the flag is still on: the rollback won"
    finally:
        deployed.set_alarm("Beta", "OK")


# -- operations that lose nothing (issue 31): the last tests of the story, as they deploy the stack again ---------
def _changed_profile(description: str) -> Profile:
    """The catalogue with one unrelated change: the Bitcoin flag's description (both environments' documents)."""
    return replace(CHECKOUT_FLAGS, flags=(replace(BITCOIN, description=description), LAYOUT), experiments=())


def _catalogue_file(folder: Path, description: str, name: str = "changed_catalogue") -> str:
    path = folder / f"{name}.py"
    path.write_text("from tests.integration.test_local_aws import _changed_profile\n"
                    f"PROFILES = (_changed_profile({description!r}),)\n", encoding="utf-8")
    return str(path)


def _predeploy(deployed: Deployed, catalogue: str, *extra: str) -> Run:

    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["predeploy", "--catalogue", catalogue, "--endpoint-url", deployed.emulator.endpoint_url, *extra],
                    stdout=out, stderr=err)
    return Run(code, out.getvalue(), err.getvalue())


def test_a_kill_switch_then_an_unrelated_change_stops_the_deploy_and_the_flag_stays_off(
        deployed: Deployed, tmp_path: Path) -> None:
    off = deployed.emergency("off", "--environment", "Beta", "--flag", LAYOUT.key, "--yes", "--poll-seconds", "0.5")
    assert off.code == 0, off.out + off.err
    changed = _catalogue_file(tmp_path, "Bitcoin at checkout, reworded.")
    refused = _predeploy(deployed, changed)
    assert refused.code == 1, refused.out
    assert refused.err.startswith("error: CheckoutFlags in Beta serves an operator's change that this deploy would "
                                  "replace: version ")
    assert "(label 'flags-off new-checkout-layout', description 'appconfig-flags off: " in refused.err
    assert "deployed by deployment #" in refused.err
    assert f"Beta/{LAYOUT.key}[compact-layout]: enabled false → true" in refused.err
    assert "Production" not in refused.err, "Production serves the stack's own version: the deploy may replace it"
    # The pipeline's check before Beta's stage, the command its CodeBuild step runs (in a checkout whose
    # pyproject.toml names the changed catalogue): it fails the stage before CloudFormation changes anything.
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / "pyproject.toml").write_text(f'[tool.appconfig-flags]\ncatalogue = "{changed}"\n', encoding="utf-8")
    env = {**os.environ, **deployed.emulator.environment(), "APPCONFIG_REGION": "us-east-1", "PYTHONPATH": str(ROOT),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    stage = subprocess.run(["sh", "-c", predeploy_commands("Beta")[-1]], cwd=checkout, env=env, capture_output=True,
                           text=True, timeout=120, check=False)
    assert stage.returncode == 1, stage.stdout + stage.stderr
    assert "error: CheckoutFlags in Beta serves an operator's change that this deploy would replace" in stage.stderr
    client, _ = _client(deployed, "Beta")
    assert client.get(LAYOUT, {"country": "US", "userId": "user-7"}).enabled is False, "the kill switch still holds"
    unchanged = _predeploy(deployed, "flags")
    assert unchanged.code == 0, unchanged.err  # the code the stack deployed: cdk deploy leaves Beta alone
    assert "CheckoutFlags in Beta: unchanged" in unchanged.out
    assert deployed.emergency("revert", "--environment", "Beta", "--yes").code == 0  # back to the stack's version


def test_deploy_change_deploy_then_revert_serves_the_earlier_version_kept_by_the_stack(
        deployed: Deployed, local_aws: LocalAws, tmp_path: Path) -> None:
    from stacks.flags_demo_stack import FlagsDemoStack
    from stacks.settings import FlagsDemoSettings

    before = CHECKOUT_FLAGS.render("Beta")
    changed = _changed_profile("Bitcoin at checkout, reworded.")
    catalogue = _catalogue_file(tmp_path, "Bitcoin at checkout, reworded.")
    assert _predeploy(deployed, catalogue).code == 0  # the stack's own versions: the deploy may replace them
    app = cdk.App(outdir=str(tmp_path / "assembly"), analytics_reporting=False)
    FlagsDemoStack(app, "FlagsDemo", settings=FlagsDemoSettings.from_context(cdk_context()["flagsdemo"]),
                   profiles=[changed], experiments=False)
    app.synth()
    _finished(_cdk_started(local_aws, "deploy", "FlagsDemo", "--app", str(tmp_path / "assembly"),
                           "--require-approval", "never", outdir=tmp_path / "cdk-out"))
    client, clock = _client(deployed, "Beta")
    assert client.status().version_label == stack_version_label("Beta", changed.render("Beta"))

    run = deployed.emergency("revert", "--environment", "Beta", "--yes")
    assert run.code == 0, run.err
    earlier = next(int(v["VersionNumber"]) for v in deployed.appconfig.list_hosted_configuration_versions(
        ApplicationId=deployed.app_id, ConfigurationProfileId=deployed.profile_id)["Items"]
        if v.get("VersionLabel") == stack_version_label("Beta", before))
    assert f"is served version {earlier}." in run.out, "AppConfig serves the version the stack kept (retained)"
    _poll(client, clock)
    assert client.status().version_label == stack_version_label("Beta", before), "not an empty answer"
    assert client.value(BITCOIN, "bitcoin-discount-percentage") == 5
    same = _predeploy(deployed, catalogue)
    assert same.code == 0 and "CheckoutFlags in Beta: unchanged" in same.out, "the same code deploys nothing there"
    again = _predeploy(deployed, _catalogue_file(tmp_path, "Reworded once more.", "again"))
    assert again.code == 1, again.out
    assert again.err.startswith("error: CheckoutFlags in Beta serves an operator's change that this deploy would "
                                "replace: deployment #"), "the next deploy that changes Beta names the revert"
    assert "was reverted by a user at" in again.err and f"so Beta serves version {earlier}." in again.err
