"""appconfig-flags revert and off end to end: boto3 against the local fake of AppConfig's control plane."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from appconfig_flags import cli
from appconfig_flags.model.deployment import version_label as stack_version_label
from appconfig_flags.ops.status import DRIFT, IN_SYNC
from flags import CHECKOUT_FLAGS

from .fake_aws import FLAG, Deployed, catalogue_file, section


def _start_canary(deployed: Deployed, environment: str, *, minutes_ago: float) -> int:
    """A stack-made version rolling out to ``environment`` with the canary strategy; returns its version number."""
    app, env, profile = deployed.ids(environment)
    content = CHECKOUT_FLAGS.render("Beta")
    version = deployed.fake.add_version(app, profile, content, label=stack_version_label(environment, content))
    deployed.fake.add_deployment(app, env, profile, version, strategy="AppConfig.Canary10Percent20Minutes",
                                 minutes_ago=minutes_ago)
    return version


# -- revert -------------------------------------------------------------------------------------------
def test_revert_stops_a_deployment_in_progress_which_is_rolled_back(deployed: Deployed) -> None:
    version = _start_canary(deployed, "Production", minutes_ago=4)
    run = deployed.emergency("revert", "--environment", "Production", "--yes")
    assert run.code == 0, run.err
    assert (f"Stop deployment #2 of CheckoutFlags in Production (DEPLOYING, version {version}, 20% of targets): "
            "AppConfig rolls it back and serves version 2 again.") in run.out
    assert ("Stopped deployment #2: AppConfig rolled it back (ROLLED_BACK); CheckoutFlags in Production is served "
            "version 2.") in run.out
    app, env, _ = deployed.ids("Production")
    assert deployed.fake.deployment_state(app, env, 2) == "ROLLED_BACK"
    [stop] = deployed.fake.operations("StopDeployment")
    assert stop.params == {"ApplicationId": app, "EnvironmentId": env, "DeploymentNumber": 2, "AllowRevert": True}
    status = section(deployed.status().out, "CheckoutFlags in Production")
    assert "rolled back: version 3 (deployment #2, AppConfig.Canary10Percent20Minutes) by a user" in status
    assert f"content:    {IN_SYNC} (version 2)" in status


def test_revert_also_stops_a_deployment_that_is_baking(deployed: Deployed) -> None:
    _start_canary(deployed, "Production", minutes_ago=25)
    run = deployed.emergency("revert", "--environment", "Production", "--yes")
    assert run.code == 0, run.err
    assert "(BAKING, version 3, 100% of targets)" in run.out
    assert "AppConfig rolled it back (ROLLED_BACK)" in run.out


def test_revert_of_a_completed_deployment_reverts_it_to_the_previous_version(deployed: Deployed) -> None:
    app, env, _ = deployed.ids("Production")
    version = _start_canary(deployed, "Production", minutes_ago=60)  # 20 min + 10 min bake: complete
    run = deployed.emergency("revert", "--environment", "Production", "--yes")
    assert run.code == 0, run.err
    assert (f"Revert deployment #2 of CheckoutFlags in Production (version {version}, completed 2025-06-01 11:30 UTC): "
            "AppConfig serves version 2 again, to every target at once, ignoring alarms.") in run.out
    assert "Reverted deployment #2 (REVERTED); CheckoutFlags in Production is served version 2." in run.out
    assert deployed.fake.deployment_state(app, env, 2) == "REVERTED"
    assert "reverted: version 3 (deployment #2" in section(deployed.status().out, "CheckoutFlags in Production")


def test_revert_after_72_hours_is_refused_before_calling_appconfig(deployed: Deployed) -> None:
    _start_canary(deployed, "Production", minutes_ago=60)
    deployed.fake.advance(hours=73)
    run = deployed.emergency("revert", "--environment", "Production", "--yes")
    assert run.code == 1
    assert "more than 72 hours ago: AppConfig no longer reverts it" in run.err
    assert deployed.fake.operations("StopDeployment") == []


def test_revert_of_the_first_deployment_is_refused(deployed: Deployed) -> None:
    run = deployed.emergency("revert", "--environment", "Beta", "--yes")
    assert run.code == 1
    assert run.err == ("error: deployment #1 of CheckoutFlags in Beta is the first completed one: there is no earlier "
                       "version to revert to; use appconfig-flags off --flag ... instead\n")


def test_revert_twice_says_there_is_nothing_left_to_revert(deployed: Deployed) -> None:
    _start_canary(deployed, "Production", minutes_ago=4)
    assert deployed.emergency("revert", "--environment", "Production", "--yes").code == 0
    run = deployed.emergency("revert", "--environment", "Production", "--yes")
    assert run.code == 1
    assert run.err == ("error: nothing to revert: the latest deployment of CheckoutFlags in Production (#2, version 3) "
                       "is already rolled back; version 2 is served\n")


def test_revert_asks_first_and_no_changes_nothing(deployed: Deployed) -> None:
    _start_canary(deployed, "Production", minutes_ago=4)
    run = deployed.emergency("revert", "--environment", "Production", answer="n\n")
    assert run.code == 1
    assert "Go ahead? [y/N] " in run.out
    assert run.err == "cancelled: not confirmed: nothing was changed\n"
    assert deployed.fake.operations("StopDeployment") == []
    closed = deployed.emergency("revert", "--environment", "Production", answer="")
    assert "stdin closed; pass --yes" in closed.err
    assert deployed.emergency("revert", "--environment", "Production", answer="y\n").code == 0


# -- off ----------------------------------------------------------------------------------------------
def test_flags_off_deploys_a_copy_with_the_flag_disabled_and_status_then_reports_drift(deployed: Deployed) -> None:
    app, _env, profile = deployed.ids("Beta")
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes")
    assert run.code == 0, run.err
    [create] = deployed.fake.operations("CreateHostedConfigurationVersion")
    assert create.params["LatestVersionNumber"] == 2
    new = json.loads(deployed.fake.version_content(app, profile, 3))
    served = json.loads(CHECKOUT_FLAGS.render("Beta"))
    assert new["values"][FLAG]["enabled"] is False
    served["values"][FLAG]["enabled"] = False
    assert new == served, "everything else is the served version's"
    [start] = deployed.fake.operations("StartDeployment")
    assert start.params["DeploymentStrategyId"] == "AppConfig.AllAtOnce"
    assert start.params["ConfigurationVersion"] == "3"
    assert start.params["LatestDeploymentNumber"] == 1
    assert "Deployment #2 started: version 3 (allow-bitcoin-at-checkout off) to Beta with AppConfig.AllAtOnce" in run.out
    assert "  deployment #2: BAKING, 100% of targets\n  deployment #2: COMPLETE, 100% of targets\n" in run.out
    assert "Complete: Beta serves version 3 (allow-bitcoin-at-checkout off); clients get it at their next poll" in run.out
    assert "`appconfig-flags revert --environment Beta` to go back to version 1" in run.out
    status = section(deployed.status().out, "CheckoutFlags in Beta")
    assert "complete: version 3 (deployment #2, AppConfig.AllAtOnce)" in status
    assert f"content:    {DRIFT}" in status
    assert "version 3 was not made by the stack (label 'flags-off allow-bitcoin-at-checkout'" in status
    assert f"    Beta/{FLAG}: enabled false → true" in status
    # Production is untouched.
    assert f"content:    {IN_SYNC} (version 2)" in section(deployed.status().out, "CheckoutFlags in Production")


def test_flags_off_with_no_wait_returns_while_it_bakes_and_promises_nothing(deployed: Deployed) -> None:
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--no-wait")
    assert run.code == 0, run.err
    assert "Not waiting (--no-wait): it is not complete yet, and a firing alarm still rolls it back" in run.out
    assert "clients get it" not in run.out and "Complete:" not in run.out
    status = section(deployed.status().out, "CheckoutFlags in Beta")
    assert "baking version 3 (deployment #2, AppConfig.AllAtOnce): 10 min left of the 10 min bake" in status


def test_flags_off_then_revert_serves_the_stack_version_again(deployed: Deployed) -> None:
    assert deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes").code == 0
    run = deployed.emergency("revert", "--environment", "Beta", "--yes")
    assert run.code == 0, run.err
    assert f"content:    {IN_SYNC} (version 1)" in section(deployed.status().out, "CheckoutFlags in Beta")


def test_flags_off_of_a_multi_variant_flag_disables_every_variant(deployed: Deployed) -> None:
    app, _env, profile = deployed.ids("Production")
    run = deployed.emergency("off", "--environment", "Production", "--flag", FLAG, "--yes")
    assert run.code == 0, run.err
    new = json.loads(deployed.fake.version_content(app, profile, 3))
    served = json.loads(CHECKOUT_FLAGS.render("Production"))
    assert [v["enabled"] for v in served["values"][FLAG]["_variants"]] == [True, False]  # gold customers get it
    assert [v["enabled"] for v in new["values"][FLAG]["_variants"]] == [False, False]
    assert "enabled" not in new["values"][FLAG], "a multi-variant flag gets no basic value"
    for variant in served["values"][FLAG]["_variants"]:
        variant["enabled"] = False
    assert new == served, "rules, attribute values and everything else are the served version's"
    block = section(deployed.status().out, "CheckoutFlags in Production")
    assert f"content:    {DRIFT}" in block
    assert f"    Production/{FLAG}[gold-tier-discount]: enabled false → true" in block
    # Off again: every variant is off already.
    deployed.fake.advance(minutes=11)
    again = deployed.emergency("off", "--environment", "Production", "--flag", FLAG, "--yes")
    assert again.out == f"{FLAG} is already off in CheckoutFlags in Production (version 3); nothing to do.\n"


def test_flags_off_of_a_flag_already_off_changes_nothing(deployed: Deployed) -> None:
    layout = "new-checkout-layout"  # no value for Production: the declared default, off
    run = deployed.emergency("off", "--environment", "Production", "--flag", layout, "--yes")
    assert run.code == 0
    assert run.out == f"{layout} is already off in CheckoutFlags in Production (version 2); nothing to do.\n"
    assert deployed.fake.operations("CreateHostedConfigurationVersion") == []


def test_flags_off_refuses_while_a_deployment_runs(deployed: Deployed) -> None:
    _start_canary(deployed, "Production", minutes_ago=4)
    run = deployed.emergency("off", "--environment", "Production", "--flag", FLAG, "--yes")
    assert run.code == 1
    assert ("deployment #2 of CheckoutFlags in Production (version 3) is DEPLOYING; AppConfig runs one deployment at "
            "a time: stop it first (appconfig-flags revert --environment Production)") in run.err
    assert deployed.fake.operations("CreateHostedConfigurationVersion") == []


def test_a_failed_start_names_the_version_left_behind_and_how_to_deploy_or_delete_it(deployed: Deployed) -> None:
    app, env, profile = deployed.ids("Beta")
    deployed.fake.fail("StartDeployment", "ConflictException", "Another deployment started")
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes")
    assert run.code == 1
    assert run.err.startswith("error: created version 3 of CheckoutFlags in Beta but did not deploy it (AppConfig "
                              "StartDeployment failed: ConflictException: Another deployment started); it is NOT "
                              "served. Deploy it: aws appconfig start-deployment ")
    assert (f"--application-id {app} --environment-id {env} --configuration-profile-id {profile} "
            "--configuration-version 3 --deployment-strategy-id AppConfig.AllAtOnce") in run.err
    assert (f"delete it: aws appconfig delete-hosted-configuration-version --application-id {app} "
            f"--configuration-profile-id {profile} --version-number 3") in run.err
    assert run.err.count("\n") == 1


def test_bad_flag_and_environment_names_are_refused_before_any_call(deployed: Deployed) -> None:
    run = deployed.emergency("off", "--environment", "Beta", "--flag", "allow-bitcoin", "--yes")
    assert (run.code, run.err) == (1, ("error: flag 'allow-bitcoin' is not in the catalogue (its flags: "
                                      "allow-bitcoin-at-checkout, new-checkout-layout); pass --profile to switch off "
                                      "a flag only AppConfig has\n"))
    run = deployed.emergency("revert", "--environment", "Prod", "--yes")
    assert (run.code, run.err) == (1, ("error: environment 'Prod' is not an environment of FlagsDemo (the catalogue names "
                                      "Beta, Production)\n"))
    assert deployed.fake.calls == []


def test_a_flag_missing_from_the_deployed_version_is_refused(deployed: Deployed) -> None:
    run = deployed.emergency("off", "--environment", "Beta", "--flag", "other-flag", "--profile", "CheckoutFlags",
                             "--yes")
    assert (run.code, run.err) == (1, ("error: flag 'other-flag' is not in version 1 of CheckoutFlags in Beta (its "
                                      "flags: allow-bitcoin-at-checkout, new-checkout-layout)\n"))


def test_an_environment_missing_in_appconfig_is_refused(deployed: Deployed, tmp_path: Path) -> None:
    catalogue = catalogue_file(tmp_path, application="FlagsDemo", environments=("Beta", "Production", "Gamma"))
    run = deployed.emergency("revert", "--catalogue", catalogue, "--environment", "Gamma", "--yes")
    assert (run.code, run.err) == (1, ("error: environment 'Gamma' not found in application FlagsDemo in us-east-1 "
                                      "(it has: Beta, Production)\n"))


def test_a_missing_application_is_refused(deployed: Deployed, tmp_path: Path) -> None:
    catalogue = catalogue_file(tmp_path, application="Nope", environments=("Beta", "Production"))
    run = deployed.emergency("off", "--catalogue", catalogue, "--environment", "Beta", "--flag", FLAG, "--yes")
    assert run.code == 1
    assert run.err.startswith("error: application 'Nope' not found in AppConfig in us-east-1")


def test_an_environment_the_catalogue_does_not_name_is_refused_before_any_call(deployed: Deployed) -> None:
    run = deployed.emergency("revert", "--environment", "Gamma", "--yes")
    assert (run.code, run.err) == (1, ("error: environment 'Gamma' is not an environment of FlagsDemo (the catalogue "
                                       "names Beta, Production)\n"))
    assert deployed.fake.calls == []


@pytest.mark.parametrize(("options", "message"), [
    ({"environments": ("Beta", "Production")}, "profile(s) CheckoutFlags of the catalogue"),
    ({"application": "FlagsDemo"}, "the catalogue's profiles of FlagsDemo name no environments"),
])
def test_a_catalogue_without_its_application_or_environments_is_one_line(
        deployed: Deployed, tmp_path: Path, options: dict[str, object], message: str) -> None:
    run = deployed.emergency("revert", "--catalogue", catalogue_file(tmp_path, **options), "--environment", "Beta")
    assert run.code == 1 and run.err.startswith(f"error: {message}") and run.err.count("\n") == 1


# -- alarms ---------------------------------------------------------------------------------------------
def test_flags_off_says_the_alarms_it_read_on_exactly_the_monitors_alarms(deployed: Deployed) -> None:
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes")
    assert run.code == 0, run.err
    assert "Alarms of Beta: FlagsDemo-Beta-errors (OK) — none in ALARM" in run.out
    assert deployed.cloudwatch.describe_alarms_calls == [["FlagsDemo-Beta-errors"]]


def test_flags_off_refuses_while_an_alarm_fires_naming_it_and_the_option(deployed: Deployed) -> None:
    deployed.fake.set_alarm_state(deployed.alarm_of("Beta"), "ALARM")
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes")
    assert run.code == 1
    assert run.err == ("error: FlagsDemo-Beta-errors (ALARM) of Beta is in ALARM, so AppConfig would roll this "
                       "deployment back at once; to switch allow-bitcoin-at-checkout off anyway, pass --override-alarms: it detaches Beta's monitors for this one deployment "
                       "and restores them after; nothing was changed\n")
    for operation in ("CreateHostedConfigurationVersion", "StartDeployment", "UpdateEnvironment"):
        assert deployed.fake.operations(operation) == []


def test_the_override_detaches_the_monitors_deploys_without_bake_waits_and_restores_them(deployed: Deployed) -> None:
    alarm = deployed.alarm_of("Beta")
    deployed.fake.set_alarm_state(alarm, "ALARM")
    app, env, profile = deployed.ids("Beta")
    before = deployed.fake.applications[app].environments[env].monitors
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--override-alarms")
    assert run.code == 0, run.err
    assert [c.params.get("Monitors") for c in deployed.fake.operations("UpdateEnvironment")] == [[], before]
    assert deployed.fake.applications[app].environments[env].monitors == before
    [created] = deployed.fake.operations("CreateDeploymentStrategy")
    assert (created.params["Name"], created.params["DeploymentDurationInMinutes"],
            created.params["FinalBakeTimeInMinutes"]) == ("FlagsOps.AllAtOnceNoBake", 0, 0)
    [version] = deployed.fake.operations("CreateHostedConfigurationVersion")
    assert version.params["VersionLabel"] == f"flags-off {FLAG} (alarms overridden)"
    assert "alarms overridden (FlagsDemo-Beta-errors (ALARM) in ALARM)" in version.params["Description"]
    assert deployed.fake.deployment_state(app, env, 2) == "COMPLETE"
    assert json.loads(deployed.fake.version_content(app, profile, 3))["values"][FLAG]["enabled"] is False
    assert run.out.index("Detached 1 monitor(s) of Beta") < run.out.index("Deployment #2 started")
    assert run.out.index("COMPLETE, 100% of targets") < run.out.index("Restored the 1 monitor(s) of Beta")
    # The strategy is made once and reused.
    deployed.fake.advance(minutes=1)
    assert deployed.emergency("revert", "--environment", "Beta", "--yes").code == 0
    assert deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--override-alarms").code == 0
    assert len(deployed.fake.operations("CreateDeploymentStrategy")) == 1


def test_the_override_restores_the_monitors_when_the_deployment_cannot_start(deployed: Deployed) -> None:
    deployed.fake.set_alarm_state(deployed.alarm_of("Beta"), "ALARM")
    deployed.fake.fail("StartDeployment", "ConflictException", "Another deployment started")
    app, env, _ = deployed.ids("Beta")
    before = list(deployed.fake.applications[app].environments[env].monitors)
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--override-alarms")
    assert run.code == 1 and "it is NOT served" in run.err
    assert deployed.fake.applications[app].environments[env].monitors == before
    assert "Restored the 1 monitor(s) of Beta" in run.out


def test_the_override_restores_the_monitors_when_interrupted(deployed: Deployed) -> None:
    deployed.fake.set_alarm_state(deployed.alarm_of("Beta"), "ALARM")
    app, env, _ = deployed.ids("Beta")
    before = list(deployed.fake.applications[app].environments[env].monitors)

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    deployed.fake.add_strategy("FlagsOps.AllAtOnceNoBake", duration=1, bake=0)  # still deploying at the first check
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(deployed.args("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--override-alarms"),
                    stdout=out, stderr=err, sleep=interrupt)
    assert code == 130 and err.getvalue() == "interrupted\n"
    assert deployed.fake.applications[app].environments[env].monitors == before
    assert "Restored the 1 monitor(s) of Beta" in out.getvalue()


def test_a_deployment_rolled_back_by_an_alarm_fails_the_command_with_the_reason(deployed: Deployed) -> None:
    alarm = deployed.alarm_of("Beta")
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(deployed.args("off", "--environment", "Beta", "--flag", FLAG, "--yes"), stdout=out,
                    stderr=err, sleep=lambda seconds: deployed.fake.set_alarm_state(alarm, "ALARM"))
    assert code == 1
    assert err.getvalue() == ("error: AppConfig rolled back deployment #2 (version 3 (allow-bitcoin-at-checkout off)) "
                              "because an alarm fired (FlagsDemo-Beta-errors (ALARM)): it is NOT served; Beta serves "
                              "what it served before\n")
    assert "clients get it" not in out.getvalue() and "ROLLED_BACK" in out.getvalue()


def test_the_override_and_no_wait_do_not_go_together(deployed: Deployed) -> None:
    run = deployed.emergency("off", "--environment", "Beta", "--flag", FLAG, "--yes", "--override-alarms", "--no-wait")
    assert run.code == 1 and "--override-alarms waits for the deployment" in run.err
    assert deployed.fake.operations("UpdateEnvironment") == []


def test_revert_says_the_alarms_and_works_while_one_fires(deployed: Deployed) -> None:
    _start_canary(deployed, "Production", minutes_ago=4)
    deployed.fake.set_alarm_state(deployed.alarm_of("Production"), "ALARM")  # rolls the canary back itself
    deployed.fake.set_alarm_state(deployed.alarm_of("Production"), "OK")
    version = _start_canary(deployed, "Production", minutes_ago=4)
    deployed.fake.alarm_states[deployed.alarm_of("Production")] = "ALARM"
    run = deployed.emergency("revert", "--environment", "Production", "--yes")
    assert run.code == 0, run.err
    assert "Alarms of Production: FlagsDemo-Production-errors (ALARM) — 1 in ALARM" in run.out
    assert f"version {version}" in run.out and "AppConfig rolled it back (ROLLED_BACK)" in run.out


def test_restoring_monitors_of_an_environment_no_stack_made_says_how_to_do_it_by_hand(deployed: Deployed) -> None:
    run = deployed.emergency("restore-monitors", "--environment", "Beta", "--yes")
    assert run.code == 1
    assert run.err == ("error: environment Beta carries no aws:cloudformation tags, so no stack declares it; restore "
                       "its monitors by hand (aws appconfig update-environment --monitors ...)\n")
