"""appconfig-flags status end to end: boto3 against the local fake of AppConfig's control plane."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from appconfig_flags.model.deployment import version_label as stack_version_label
from appconfig_flags.ops.status import DRIFT, IN_SYNC, NOT_DEPLOYED, UNKNOWN
from flags import CHECKOUT_FLAGS

from .fake_aws import FLAG, Deployed, catalogue_file, section

ROOT = Path(__file__).resolve().parents[3]


def test_freshly_deployed_stack_is_in_sync_everywhere(deployed: Deployed) -> None:
    run = deployed.status()
    assert run.code == 0, run.err
    for environment, version in (("Beta", 1), ("Production", 2)):
        block = section(run.out, f"CheckoutFlags in {environment}")
        assert f"deployment: complete: version {version} (deployment #1, AppConfig.AllAtOnce)" in block
        assert f"content:    {IN_SYNC} (version {version})" in block
        app, env, _ = deployed.ids(environment)
        assert (f"console:    https://us-east-1.console.aws.amazon.com/systems-manager/appconfig/applications/"
                f"{app}/environments/{env}?region=us-east-1") in block
    assert run.out.startswith(f"FlagsDemo (application {deployed.app_id}, us-east-1)")


def test_the_application_is_found_by_name_among_others_across_pages(deployed: Deployed) -> None:
    deployed.fake.add_application("Another")
    run = deployed.status()
    assert run.code == 0, run.err
    # page_size=1: the fake answered ListApplications more than once (NextToken followed).
    assert len(deployed.fake.operations("ListApplications")) >= 2
    assert {c.operation for c in deployed.fake.calls} <= {
        "ListApplications", "ListEnvironments", "ListConfigurationProfiles", "ListDeployments", "GetDeployment",
        "GetHostedConfigurationVersion", "ListDeploymentStrategies", "ListExperimentDefinitions", "ListExperimentRuns",
        "GetExperimentRun"}, "status only reads"


def test_a_version_the_stack_made_from_older_code_is_not_yet_deployed(deployed: Deployed) -> None:
    app, env, profile = deployed.ids("Production")
    older = CHECKOUT_FLAGS.render("Beta")  # stands for what an older revision rendered for Production
    older_doc = json.loads(older)
    version = deployed.fake.add_version(app, profile, older, label=stack_version_label("Production", older),
                                        description="CheckoutFlags flags for Production")
    deployed.fake.add_deployment(app, env, profile, version, minutes_ago=90)
    assert older_doc["values"][FLAG]["enabled"] is True
    block = section(deployed.status().out, "CheckoutFlags in Production")
    assert f"content:    {NOT_DEPLOYED}" in block
    assert f"version {version} was made by the stack from other code" in block
    # The code targets the flag in Production: its variants replace the basic value deployed there.
    assert f"    Production/{FLAG}: enabled true → (unset)" in block
    assert f"    Production/{FLAG}/bitcoin-discount-percentage: 5 → (unset)" in block
    assert (f'    + Production/{FLAG}[gold-tier-discount] (variant, enabled, rule "(eq $tier \\"gold\\")", '
            'bitcoin-discount-percentage 10, bitcoin-discount-end-date "12/31/2026")') in block
    assert f"    + Production/{FLAG}[everyone-else] (variant, disabled, default)" in block


def test_a_console_edit_is_drift_with_the_semantic_diff(deployed: Deployed) -> None:
    app, env, profile = deployed.ids("Beta")
    edited = json.loads(CHECKOUT_FLAGS.render("Beta"))
    edited["values"][FLAG]["bitcoin-discount-percentage"] = 50
    edited["values"][FLAG]["_updatedAt"] = "2025-06-01T11:59:00Z"  # the console's bookkeeping is not a change
    version = deployed.fake.add_version(app, profile, json.dumps(edited, indent=2), description="edited in console")
    deployed.fake.add_deployment(app, env, profile, version, minutes_ago=30)
    block = section(deployed.status().out, "CheckoutFlags in Beta")
    assert f"content:    {DRIFT}" in block
    assert f"version {version} was not made by the stack (no label, description 'edited in console')" in block
    changes = [line.strip() for line in block.splitlines() if line.startswith("    Beta/")]
    assert changes == [f"Beta/{FLAG}/bitcoin-discount-percentage: 50 → 5"]


def test_reformatted_content_with_the_same_flags_is_in_sync(deployed: Deployed) -> None:
    app, env, profile = deployed.ids("Beta")
    pretty = json.dumps(json.loads(CHECKOUT_FLAGS.render("Beta")), indent=4)
    version = deployed.fake.add_version(app, profile, pretty, label="hand-made")
    deployed.fake.add_deployment(app, env, profile, version, minutes_ago=30)
    assert f"content:    {IN_SYNC} (version {version})" in section(deployed.status().out, "CheckoutFlags in Beta")


def test_a_canary_rollout_shows_progress_then_bake_time_left(deployed: Deployed) -> None:
    app, env, profile = deployed.ids("Production")
    code = CHECKOUT_FLAGS.render("Production")
    content = code.replace('"bitcoin-discount-percentage":10', '"bitcoin-discount-percentage":12')
    assert content != code
    version = deployed.fake.add_version(app, profile, content, label=stack_version_label("Production", content))
    deployed.fake.add_deployment(app, env, profile, version, strategy="AppConfig.Canary10Percent20Minutes",
                                 minutes_ago=5)
    block = section(deployed.status().out, "CheckoutFlags in Production")
    assert (f"deployment: deploying version {version} (deployment #2, AppConfig.Canary10Percent20Minutes): "
            "25% of targets, about 15 min left, then a 10 min bake") in block
    assert f"content:    {NOT_DEPLOYED}" in block  # the code still renders 10
    deployed.fake.advance(minutes=16.5)  # 21.5 min in: 1.5 min into the bake
    block = section(deployed.status().out, "CheckoutFlags in Production")
    assert (f"deployment: baking version {version} (deployment #2, AppConfig.Canary10Percent20Minutes): "
            "8 min 30 s left of the 10 min bake") in block
    deployed.fake.advance(minutes=9)
    assert f"deployment: complete: version {version}" in section(deployed.status().out, "CheckoutFlags in Production")


def test_an_alarm_rollback_names_the_alarm_and_the_version_served_again(deployed: Deployed) -> None:
    app, env, profile = deployed.ids("Production")
    content = CHECKOUT_FLAGS.render("Beta")
    version = deployed.fake.add_version(app, profile, content, label=stack_version_label("Production", content))
    deployed.fake.add_deployment(app, env, profile, version, strategy="AppConfig.Canary10Percent20Minutes",
                                 minutes_ago=3)
    deployed.fake.alarm(app, env)
    block = section(deployed.status().out, "CheckoutFlags in Production")
    assert (f"deployment: rolled back: version {version} (deployment #2, AppConfig.Canary10Percent20Minutes) by an "
            "alarm at 2025-06-01 12:00 UTC; serving version 2") in block
    # Version 2, served again, is what the code renders.
    assert f"content:    {IN_SYNC} (version 2)" in block


def test_a_deleted_served_version_cannot_be_compared(deployed: Deployed) -> None:
    app, _, profile = deployed.ids("Beta")
    deployed.fake.delete_version(app, profile, 1)
    block = section(deployed.status().out, "CheckoutFlags in Beta")
    assert f"content:    {UNKNOWN}" in block
    assert "version 1 is no longer stored" in block


def test_environments_and_profiles_the_code_does_not_know_are_noted(deployed: Deployed) -> None:
    app = deployed.app_id
    deployed.fake.add_environment(app, "Staging")
    deployed.fake.add_profile(app, "HandMade")
    out = deployed.status().out
    assert "note: profile HandMade is in FlagsDemo but not in the code" in out
    assert "note: environment Staging is in FlagsDemo but not in the catalogue" in out


def test_an_environment_not_created_yet_is_not_yet_deployed(deployed: Deployed, tmp_path: Path) -> None:
    catalogue = catalogue_file(tmp_path, application="FlagsDemo", environments=("Beta", "Production", "Gamma"))
    run = deployed.status("--catalogue", catalogue)
    block = section(run.out, "CheckoutFlags in Gamma")
    assert "environment Gamma does not exist in FlagsDemo yet" in block
    assert f"content:    {NOT_DEPLOYED}" in block
    assert f"+ Gamma/{FLAG}" in block


def test_a_missing_application_is_one_clear_line(deployed: Deployed, tmp_path: Path) -> None:
    run = deployed.status("--catalogue", catalogue_file(tmp_path, application="FlagsDemoo",
                                                         environments=("Beta", "Production")))
    assert run.code == 1
    assert run.err == ("error: application 'FlagsDemoo' not found in AppConfig in us-east-1 (applications there: "
                       "FlagsDemo); is it deployed in this region? (--region, AWS_DEFAULT_REGION)\n")
    assert run.out == ""


def test_an_access_denied_answer_is_one_line_naming_the_call(deployed: Deployed) -> None:
    deployed.fake.fail("ListApplications", "BadRequestException", "User is not authorized")
    run = deployed.status()
    assert run.code == 1
    assert run.err == "error: AppConfig ListApplications failed: BadRequestException: User is not authorized\n"


def _cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(ROOT)}, **extra)
    return env


@pytest.mark.parametrize("args", [
    ["status"],
    ["revert", "--environment", "Production", "--yes"],
    ["off", "--environment", "Production", "--flag", FLAG, "--yes"],
])
def test_no_credentials_is_one_line_without_traceback(args: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "appconfig_flags", *args, "--endpoint-url", "http://127.0.0.1:9"],
        capture_output=True, text=True, env=_cli_env(), cwd=ROOT, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: no AWS credentials: ")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_no_region_is_one_line() -> None:
    env = _cli_env(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    del env["AWS_DEFAULT_REGION"]
    result = subprocess.run(
        [sys.executable, "-m", "appconfig_flags", "status"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False)
    assert (result.returncode, result.stderr) == (1, ("error: no AWS region: pass --region "
                                                     "or set AWS_DEFAULT_REGION\n"))


def test_after_a_revert_to_an_older_stack_version_status_says_cdk_deploy_alone_will_not_redeploy(
        deployed: Deployed) -> None:
    app, env, profile = deployed.ids("Beta")
    older = CHECKOUT_FLAGS.render("Beta").replace('"bitcoin-discount-percentage":5', '"bitcoin-discount-percentage":3')
    current = CHECKOUT_FLAGS.render("Beta")
    for content, minutes_ago in ((older, 50), (current, 20)):
        version = deployed.fake.add_version(app, profile, content, label=stack_version_label("Beta", content))
        deployed.fake.add_deployment(app, env, profile, version, minutes_ago=minutes_ago)
    assert f"content:    {IN_SYNC} (version 4)" in section(deployed.status().out, "CheckoutFlags in Beta")
    assert deployed.emergency("revert", "--environment", "Beta", "--yes").code == 0
    block = section(deployed.status().out, "CheckoutFlags in Beta")
    assert "reverted: version 4 (deployment #3, AppConfig.AllAtOnce) by a user" in block
    assert f"content:    {NOT_DEPLOYED}" in block
    assert ("version 3 was made by the stack from other code; the stack still records version 4 as deployed, so "
            "cdk deploy redeploys only after a flag change") in block
    assert f"    Beta/{FLAG}/bitcoin-discount-percentage: 3 → 5" in block
