"""Bad input at synth: the app exits non-zero, prints one readable line per problem, writes no template."""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, AppRun, cdk_context, run_app


def _synth_app(tmp_path: Path, flagsdemo: dict[str, Any]) -> AppRun:
    """Run app.py's main with cdk.json's context, its ``flagsdemo`` replaced."""
    context = cdk_context()
    context["flagsdemo"] = flagsdemo
    return run_app(context, tmp_path)


def _settings() -> dict[str, Any]:
    return copy.deepcopy(cdk_context()["flagsdemo"])


def _assert_failed_cleanly(result: AppRun | subprocess.CompletedProcess[str], outdir: Path, *expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "jsii" not in result.stderr
    for line in expected:
        assert line in result.stderr, result.stderr
    assert list(outdir.glob("*.template.json")) == []


def test_unknown_environment_and_strategy_out_of_range_are_each_reported(tmp_path: Path) -> None:
    settings = _settings()
    settings["environments"]["Bta"] = {"strategy": "AppConfig.AllAtOnce"}
    settings["strategies"]["FlagsDemo.BetaBake5Minutes"]["finalBakeMinutes"] = 2000
    result = _synth_app(tmp_path, settings)
    _assert_failed_cleanly(
        result, tmp_path,
        "error: invalid cdk.json context: 2 problem(s); nothing was synthesized.",
        "flagsdemo.strategies.FlagsDemo.BetaBake5Minutes.finalBakeMinutes: must be between 0 and 1440 minutes (got 2000)",
        "flagsdemo.environments.Bta: the catalogue does not name this environment (its profiles' environments are "
        "['Beta', 'Production'])",
    )


def test_production_without_a_monitor_is_reported(tmp_path: Path) -> None:
    settings = _settings()
    settings["environments"]["Production"]["metricAlarm"] = False
    result = _synth_app(tmp_path, settings)
    _assert_failed_cleanly(result, tmp_path, "FlagsDemo/FlagsDemo/Production/monitors: a production environment needs at least one alarm monitor")


def test_a_catalogue_environment_without_settings_is_reported(tmp_path: Path) -> None:
    settings = _settings()
    del settings["environments"]["Beta"]
    result = _synth_app(tmp_path, settings)
    # The catalogue names the environments; removing one from cdk.json alone would leave it undeployed.
    _assert_failed_cleanly(result, tmp_path, "flagsdemo.environments: the catalogue's environment 'Beta' has no "
                           "settings here (it has ['Production']); add \"Beta\": {} for the defaults")


def test_an_application_name_or_promotion_order_left_in_cdk_json_is_reported(tmp_path: Path) -> None:
    settings = _settings()
    settings["applicationName"] = "FlagsDemo"
    settings["environments"]["Production"]["promoteAfter"] = "Beta"
    result = _synth_app(tmp_path, settings)
    _assert_failed_cleanly(
        result, tmp_path,
        "flagsdemo.applicationName: the application's name is the catalogue's now (flags/: Profile(..., "
        "application=...)); remove it from cdk.json (got 'FlagsDemo')",
        "flagsdemo.environments.Production.promoteAfter: the promotion order is the catalogue's now",
    )


def test_an_invalid_value_in_the_flag_catalogue_is_reported_with_profile_flag_attribute_and_rule(tmp_path: Path) -> None:
    # A copy of the app whose catalogue gives Beta a 150 % discount (the attribute allows 0-100).
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    for name in ("app.py", "cdk.json"):
        shutil.copy(ROOT / name, app_dir / name)
    for package in ("appconfig_flags", "constructs_lib", "stacks", "flags"):
        shutil.copytree(ROOT / package, app_dir / package, ignore=shutil.ignore_patterns("__pycache__"))
    catalogue = app_dir / "flags" / "checkout.py"
    text = catalogue.read_text()
    assert text.count('"bitcoin-discount-percentage": 5,') == 1  # Beta's basic value
    catalogue.write_text(text.replace('"bitcoin-discount-percentage": 5,', '"bitcoin-discount-percentage": 150,'))
    outdir = tmp_path / "out"
    env = {**os.environ, "CDK_CONTEXT_JSON": json.dumps(cdk_context()), "CDK_OUTDIR": str(outdir)}
    result = subprocess.run([sys.executable, "app.py"], cwd=app_dir, env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    _assert_failed_cleanly(
        result, outdir,
        "error: invalid feature flags (profile 'CheckoutFlags'): 1 problem(s); nothing was synthesized.",
        "CheckoutFlags@Beta/allow-bitcoin-at-checkout/bitcoin-discount-percentage: [",
        "the value is above the maximum 100 (got 150)",
    )


@pytest.mark.slow
def test_cdk_cli_synth_fails_with_the_readable_message_and_writes_no_template(tmp_path: Path) -> None:
    cdk = shutil.which("cdk", path=f"{ROOT / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}")
    if cdk is None:
        pytest.skip("the CDK CLI is not installed: run `make setup` (npm ci)")
    settings = _settings()
    settings["environments"]["Production"]["strategy"] = "AppConfig.Nonexistent"
    env = {**os.environ, "CDK_DISABLE_CLI_TELEMETRY": "true",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [cdk, "synth", "--no-notices", "--output", str(tmp_path), "-c", f"flagsdemo={json.dumps(settings)}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode != 0
    assert "flagsdemo.environments.Production.strategy: 'AppConfig.Nonexistent' is neither a predefined strategy" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.glob("*.template.json")) == []
