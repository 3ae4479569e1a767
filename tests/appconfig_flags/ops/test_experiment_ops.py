"""Experiment runs through boto3 against the botocore-model fake: status, start, raise exposure, stop with a result."""
from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest

from appconfig_flags import cli
from appconfig_flags.ops.experiments import (
    ExperimentOpsError,
    experiment_run_lines,
    raise_exposure,
    start_run,
    stop_run,
)

from .fake_aws import APP, FLAG, Deployed

EXPERIMENT = "bitcoin-discount-5-vs-10"


@pytest.fixture
def client(deployed: Deployed) -> Any:
    return boto3.client("appconfig", region_name="us-east-1", endpoint_url=deployed.fake.endpoint_url)


@pytest.fixture
def defined(deployed: Deployed) -> Deployed:
    """The catalogue's Beta experiment defined (as the stack's ExperimentDefinition makes it), not running."""
    app, env, profile = deployed.ids("Beta")
    deployed.fake.add_experiment_definition(app, EXPERIMENT, environment_id=env, profile_id=profile, flag_key=FLAG,
                                            audience_rule='(eq $country "US")')
    deployed.fake.add_experiment_definition(app, "other", environment_id=env, profile_id=profile, flag_key=FLAG)
    return deployed


def test_no_experiment_is_one_line(deployed: Deployed, client: Any) -> None:
    assert experiment_run_lines(client, APP) == ["experiments: none"]


def test_start_raise_and_stop_show_in_the_status_lines(defined: Deployed, client: Any) -> None:
    fake = defined.fake
    started = start_run(client, APP, EXPERIMENT, exposure=50, overrides={"qa-1": "t1"}, description="first run")
    assert (started.run, started.status, started.exposure, started.overrides) == (1, "RUNNING", 50.0, 1)
    fake.advance(minutes=90)
    assert experiment_run_lines(client, APP, experiment=EXPERIMENT, now=fake.now) == [
        (f"experiment {EXPERIMENT} (flag {FLAG}) run 1: RUNNING at 50% exposure, started 2025-06-01 12:00 UTC "
        "(1 h 30 min ago), 1 override(s)")]
    assert raise_exposure(client, APP, EXPERIMENT, 80).exposure == 80.0
    stopped = stop_run(client, APP, EXPERIMENT, summary="10% converts better", reasons_to_launch="+24% BTC checkouts")
    assert stopped.status == "DONE"
    (call,) = fake.operations("StopExperimentRun")
    assert call.params["Result"] == {"ExecutiveSummary": "10% converts better", "ReasonsToLaunch": "+24% BTC checkouts"}
    assert [c.params["ExposurePercentage"] for c in fake.operations("UpdateExperimentRun")] == [80.0]
    lines = experiment_run_lines(client, APP, now=fake.now)
    assert lines[0] == (f"experiment {EXPERIMENT} (flag {FLAG}) run 1: DONE (was at 80% exposure), started "
                        "2025-06-01 12:00 UTC (1 h 30 min ago), ended 2025-06-01 13:30 UTC (0 min ago), 1 override(s)")
    assert lines[1:] == [f"experiment other (flag {FLAG}): defined, no run"]


def test_a_lower_exposure_is_refused_before_appconfig_is_asked(defined: Deployed, client: Any) -> None:
    start_run(client, APP, EXPERIMENT, exposure=50)
    with pytest.raises(ExperimentOpsError, match="is at 50% exposure: AppConfig only raises it"):
        raise_exposure(client, APP, EXPERIMENT, 40)
    assert defined.fake.operations("UpdateExperimentRun") == []


def test_appconfig_refuses_a_lower_exposure_too(defined: Deployed, client: Any) -> None:
    app, *_ = defined.ids("Beta")
    run = start_run(client, APP, EXPERIMENT, exposure=50)
    with pytest.raises(client.exceptions.BadRequestException, match="can only be increased"):
        client.update_experiment_run(ApplicationIdentifier=app, ExperimentDefinitionIdentifier=run.experiment_id,
                                     Run=1, ExposurePercentage=20)


@pytest.mark.parametrize(("call", "message"), [
    (lambda c: start_run(c, APP, EXPERIMENT, exposure=101), "exposure is a percentage from 0 to 100"),
    (lambda c: start_run(c, APP, "nope", exposure=5), "has no experiment definition 'nope'"),
    (lambda c: start_run(c, APP, EXPERIMENT, exposure=5, description="d" * 1025), "at most 1024 characters"),
    (lambda c: stop_run(c, APP, EXPERIMENT, summary="s"), "has no running run"),
    (lambda c: raise_exposure(c, APP, EXPERIMENT, 60), "has no running run"),
])
def test_what_cannot_be_done_is_one_line(defined: Deployed, client: Any, call: Any, message: str) -> None:
    with pytest.raises(ExperimentOpsError, match=message):
        call(client)


def test_a_second_run_while_one_runs_is_appconfigs_conflict(defined: Deployed, client: Any) -> None:
    start_run(client, APP, EXPERIMENT, exposure=10)
    with pytest.raises(ExperimentOpsError, match="AppConfig refused StartExperimentRun: ConflictException"):
        start_run(client, APP, EXPERIMENT, exposure=10)


def test_the_cli(defined: Deployed, client: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["start", EXPERIMENT, "--exposure", "25", "--override", "qa-1=t1"], client=client) == 0
    assert capsys.readouterr().out.startswith(f"experiment {EXPERIMENT} (flag {FLAG}) run 1: RUNNING at 25% exposure")
    assert main(["raise", EXPERIMENT, "--exposure", "10"], client=client) == 1
    assert "AppConfig only raises it" in capsys.readouterr().err
    assert main(["raise", EXPERIMENT, "--exposure", "30"], client=client) == 0
    assert main(["status"], client=client) == 0
    assert "RUNNING at 30% exposure" in capsys.readouterr().out
    assert main(["stop", EXPERIMENT, "--summary", "done", "--reasons-not-to-launch", "no lift"],
                client=client) == 0
    assert ": DONE (was at 30% exposure)" in capsys.readouterr().out
    assert main(["start", EXPERIMENT, "--exposure", "5", "--override", "qa-1"], client=client) == 1
    assert "--override takes ENTITY=TREATMENT" in capsys.readouterr().err


def test_the_cli_builds_its_boto3_client_from_the_endpoint(defined: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["experiments", "status", "--region", "us-east-1", "--endpoint-url", defined.fake.endpoint_url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"experiment {EXPERIMENT} (flag {FLAG}): defined, no run", f"experiment other (flag {FLAG}): defined, no run"]
    assert defined.fake.operations("ListExperimentDefinitions")


def test_run_times_are_utc(defined: Deployed, client: Any) -> None:
    started = start_run(client, APP, EXPERIMENT, exposure=1)
    assert started.started_at == dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_the_fake_creates_definitions_as_the_model_describes_and_enforces_its_limits(deployed: Deployed,
                                                                                     client: Any) -> None:
    app, env, profile = deployed.ids("Beta")
    control = {"Weight": 50, "FlagValue": {"Enabled": True, "AttributeValues": {
        "bitcoin-discount-percentage": {"NumberValue": 5}}}}
    created = client.create_experiment_definition(
        ApplicationIdentifier=APP, Name="by-api", ConfigurationProfileIdentifier=profile, EnvironmentIdentifier=env,
        FlagKey=FLAG, AudienceRule='(eq $country "US")', Control=control, Treatments=[control])
    assert (created["Control"]["Key"], created["Treatments"][0]["Key"], created["Status"]) == ("c", "t1", "IDLE")
    assert client.get_experiment_definition(ApplicationIdentifier=app, ExperimentDefinitionIdentifier="by-api")["Id"] \
        == created["Id"]
    with pytest.raises(client.exceptions.BadRequestException, match="Name"):
        client.create_experiment_definition(
            ApplicationIdentifier=APP, Name="AWS.reserved", ConfigurationProfileIdentifier=profile,
            EnvironmentIdentifier=env, FlagKey=FLAG, AudienceRule="(exists key::\"a\")", Control=control,
            Treatments=[control])
    with pytest.raises(client.exceptions.BadRequestException, match="ExposurePercentage"):
        client.start_experiment_run(ApplicationIdentifier=APP, ExperimentDefinitionIdentifier="by-api",
                                    ExposurePercentage=150)


def test_flags_status_lists_the_runs_after_the_environments(defined: Deployed, client: Any) -> None:
    start_run(client, APP, EXPERIMENT, exposure=50)
    run = defined.status()
    assert run.code == 0, run.err
    tail = run.out.rsplit("\n\n", 1)[1].splitlines()
    assert tail[0].startswith(f"experiment {EXPERIMENT} (flag {FLAG}) run 1: RUNNING at 50% exposure, started ")
    assert tail[1:] == [f"experiment other (flag {FLAG}): defined, no run"]


def main(argv: list[str], **injected: Any) -> int:
    """``appconfig-flags experiments ARGV`` with the catalogue's application (``FlagsDemo``, pyproject.toml)."""
    return cli.main(["experiments", argv[0], "--catalogue", "flags", *argv[1:]], **injected)
