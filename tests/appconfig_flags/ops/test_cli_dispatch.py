"""`appconfig-flags COMMAND`: one dispatcher that runs each module's own main with the arguments untouched."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from appconfig_flags import cli
from tests.conftest import ROOT

from .fake_aws import Deployed


def test_every_command_has_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in cli.COMMANDS:
        with pytest.raises(SystemExit) as exit_:
            cli.main([command, "--help"])
        assert exit_.value.code == 0, command
        assert "usage:" in capsys.readouterr().out, command


def test_no_command_or_an_unknown_one_shows_the_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "agent-files" in capsys.readouterr().err
    assert cli.main(["undo"]) == 2
    assert "unknown command 'undo'" in capsys.readouterr().err


def test_the_app_arguments_are_read_from_the_context_of_cdk_json_in_promotion_order(tmp_path: Path) -> None:
    assert cli.app_arguments(ROOT / "cdk.json") == ["--application", "FlagsDemo", "--environments", "Beta,Production",
                                                   "--catalogue", "flags"]
    settings = {"context": {"shop": {"applicationName": "Shop", "environments": {
        "Prod": {"promoteAfter": "QA"}, "QA": {"promoteAfter": "Dev"}, "Dev": {}}}}}
    (tmp_path / "cdk.json").write_text(json.dumps(settings))
    assert cli.app_arguments(tmp_path / "cdk.json", "shop")[:4] == ["--application", "Shop", "--environments",
                                                                    "Dev,QA,Prod"]
    assert cli.app_arguments(tmp_path / "none.json") == []
    with pytest.raises(cli.SettingsError, match="context key 'flagsdemo'"):
        cli.app_arguments(tmp_path / "cdk.json")


def test_status_runs_against_the_app_named_in_cdk_json(deployed: Deployed, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert cli.main(["status", "--endpoint-url", deployed.fake.endpoint_url]) == 0
    out = capsys.readouterr().out
    assert "CheckoutFlags in Beta" in out and "CheckoutFlags in Production" in out


def test_off_deploys_the_served_flags_with_the_flag_disabled_in_the_app_named_in_cdk_json(
        deployed: Deployed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # what `make flags-off FLAG=... ENV=Beta YES=1 NO_WAIT=1` runs
    code = cli.main(["off", "--flag", "allow-bitcoin-at-checkout", "--environment", "Beta", "--endpoint-url",
                     deployed.fake.endpoint_url, "--yes", "--no-wait"])
    assert code == 0, capsys.readouterr().err
    assert [c.params["ConfigurationVersion"] for c in deployed.fake.operations("StartDeployment")] == ["3"]


def test_off_gets_the_app_names_and_the_tools_own_options_before_the_subcommand_and_the_rest_untouched(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from appconfig_flags.ops import emergency

    seen: list[list[str]] = []
    monkeypatch.setattr(emergency, "main", lambda argv: seen.append(list(argv)) or 0)
    monkeypatch.chdir(ROOT)
    assert cli.main(["off", "--flag", "f", "--environment", "Beta", "--endpoint-url", "http://127.0.0.1:1",
                     "--yes", "--an-option-added-later"]) == 0
    assert seen == [["--application", "FlagsDemo", "--environments", "Beta,Production", "--catalogue", "flags",
                     "--endpoint-url", "http://127.0.0.1:1", "off", "--flag", "f", "--environment", "Beta", "--yes",
                     "--an-option-added-later"]]


def test_a_subcommand_the_emergency_module_adds_is_a_command_too(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from appconfig_flags.ops import emergency

    def parser() -> argparse.ArgumentParser:
        out = argparse.ArgumentParser()
        out.add_argument("--region")
        commands = out.add_subparsers(dest="command")
        for name in ("revert", "off", "restore-monitors"):
            commands.add_parser(name, help=f"{name} help")
        return out

    seen: list[list[str]] = []
    monkeypatch.setattr(emergency, "_parser", parser)
    monkeypatch.setattr(emergency, "main", lambda argv: seen.append(list(argv)) or 0)
    monkeypatch.chdir(ROOT)
    assert cli.main(["restore-monitors", "--environment", "Beta", "--region", "eu-west-1"]) == 0
    assert seen[0][6:] == ["--region", "eu-west-1", "restore-monitors", "--environment", "Beta"]
    assert cli.main(["--help"]) == 0
    assert "restore-monitors  restore-monitors help" in capsys.readouterr().out


def test_an_unreadable_cdk_json_is_one_error_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cdk.json").write_text("{not json")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read the app's settings from") and err.count("\n") == 1


def test_given_options_win_over_cdk_json(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    from appconfig_flags.ops import status

    monkeypatch.setattr(status, "main", lambda argv: seen.append(list(argv)) or 0)
    monkeypatch.chdir(ROOT)
    assert cli.main(["status", "--environments", "Beta", "--region", "eu-west-1"]) == 0
    assert seen == [["--application", "FlagsDemo", "--catalogue", "flags", "--environments", "Beta",
                     "--region", "eu-west-1"]]
