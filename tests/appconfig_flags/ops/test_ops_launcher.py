"""scripts/flags_ops.py, behind make flags-status/-revert/-off: the app's names come from cdk.json."""
from __future__ import annotations

import pytest

from scripts import flags_ops

from .fake_aws import Deployed


def test_the_app_arguments_are_read_from_cdk_json() -> None:
    assert flags_ops.app_arguments() == ["--application", "FlagsDemo", "--environments", "Beta,Production",
                                         "--catalogue", "flags"]


def test_status_and_off_run_against_the_app_named_in_cdk_json(deployed: Deployed, capsys: pytest.CaptureFixture[str]) -> None:
    url = deployed.fake.endpoint_url
    assert flags_ops.main(["status", "--endpoint-url", url]) == 0
    out = capsys.readouterr().out
    assert "CheckoutFlags in Beta" in out and "CheckoutFlags in Production" in out
    code = flags_ops.main(["off", "--flag", "allow-bitcoin-at-checkout", "--environment", "Beta", "--endpoint-url",
                           url, "--yes", "--no-wait"])
    assert code == 0, capsys.readouterr().err
    assert [c.params["ConfigurationVersion"] for c in deployed.fake.operations("StartDeployment")] == ["3"]


def test_an_unknown_command_shows_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert flags_ops.main(["undo"]) == 2
    assert "status|revert|off|restore-monitors" in capsys.readouterr().err
