"""The constructs wheel holds constructs_lib alone, installs with the runtime wheel, and an app outside this repo uses it.

Slow (several seconds): the wheels and the venv come from tests/packaging/conftest.py, which
installs both wheels into a fresh venv holding exactly the constructs wheel's declared dependencies.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from tests.conftest import ROOT
from tests.packaging.conftest import VERSION, Wheels, clean_env, metadata, mypy_cache, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

EXAMPLE = ROOT / "examples" / "flags_outside_app"
DIST_INFO = f"appconfig_flags_constructs-{VERSION}.dist-info/"
#: What the repository holds besides the package; none of it belongs in the wheel.
NOT_PACKAGED = ("app.py", "flags/", "stacks/", "checkout/", "tests/", "examples/", "bench/", "scripts/",
                "appconfig_flags/", "packaging/")


def test_wheel_holds_constructs_lib_alone_with_its_type_marker(wheels: Wheels) -> None:
    names = zipfile.ZipFile(wheels.constructs).namelist()
    foreign = [n for n in names if not n.startswith(("constructs_lib/", DIST_INFO))]
    assert foreign == []
    assert [n for n in names if n.startswith(NOT_PACKAGED)] == []
    assert "constructs_lib/py.typed" in names
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "constructs_lib").rglob("*.py")}
    assert sources - set(names) == set(), "modules of constructs_lib missing from the wheel"


def test_wheel_requires_the_runtime_of_its_own_version_the_cdk_typeguard_and_typing_extensions(wheels: Wheels) -> None:
    found = metadata(wheels.constructs)
    assert found["Name"] == "appconfig-flags-constructs"
    assert found["Version"] == VERSION
    requires = sorted(found.get_all("Requires-Dist") or [])
    assert [r.split(">")[0].split("<")[0].split("=")[0] for r in requires] == [
        "appconfig-flags", "aws-cdk-lib", "constructs", "typeguard", "typing-extensions"]
    assert f"appconfig-flags=={VERSION}" in requires


def test_example_app_synthesizes_with_the_installed_wheel(constructs_venv: Path, tmp_path: Path) -> None:
    # Run as `python app.py` would from the example's folder, then say where constructs_lib came from.
    probe = (
        "import runpy\n"
        "runpy.run_path('app.py', run_name='__main__')\n"
        "import constructs_lib\n"
        "print(constructs_lib.__file__)\n"
        "import appconfig_flags\n"
        "print(appconfig_flags.__file__)\n"
    )
    context = json.dumps({"appconfigExtensionLayerArn": "arn:aws:lambda:us-east-1:123456789012:layer:Extension:1"})
    result = run([str(constructs_venv), "-c", probe], cwd=EXAMPLE,
                 env=clean_env(CDK_OUTDIR=str(tmp_path), CDK_CONTEXT_JSON=context))
    venv = constructs_venv.parent.parent
    for origin in map(Path, result.stdout.strip().splitlines()[-2:]):
        assert origin.is_relative_to(venv), f"{origin} was imported, not the installed wheel"

    template = Template.from_json(json.loads((tmp_path / "StoreFrontFlags.template.json").read_text()))
    template.has_resource_properties("AWS::AppConfig::Application", {"Name": "StoreFront"})
    template.resource_count_is("AWS::AppConfig::Environment", 2)
    template.has_resource_properties("AWS::AppConfig::Environment", {"Name": "Staging", "Monitors": Match.absent()})
    template.has_resource_properties("AWS::AppConfig::Environment", {
        "Name": "Live", "Monitors": [{"AlarmArn": Match.any_value(), "AlarmRoleArn": Match.any_value()}],
    })
    template.resource_count_is("AWS::AppConfig::ConfigurationProfile", 2)
    for profile in ("UiFlags", "PricingFlags"):
        template.has_resource_properties("AWS::AppConfig::ConfigurationProfile", {
            "Name": profile, "Type": "AWS.AppConfig.FeatureFlags", "LocationUri": "hosted",
        })
    template.has_resource_properties("AWS::AppConfig::DeploymentStrategy", {
        "Name": "StoreFront.Linear25PercentEvery5Minutes", "GrowthFactor": 25, "DeploymentDurationInMinutes": 20,
    })
    template.resource_count_is("AWS::AppConfig::Deployment", 4)  # two profiles to two environments
    template.has_resource_properties("AWS::AppConfig::HostedConfigurationVersion", {
        "Description": "PricingFlags flags for Live",
        "Content": Match.serialized_json(Match.object_like({
            "values": Match.object_like({"free-shipping": {"enabled": True, "threshold-cents": 7500}}),
        })),
    })
    template.has_resource_properties("AWS::IAM::Policy", {
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Action": ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"],
        })])},
    })


def test_example_app_type_checks_against_the_installed_wheel(constructs_venv: Path) -> None:
    # mypy resolves both packages in the venv only: without py.typed it would refuse to read them.
    # The repository's mypy settings (pyproject.toml): aws_cdk's core and the services used are read, not
    # all ~350 of its modules, which would take over a minute cold and change nothing about our packages.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-executable", str(constructs_venv),
         "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(mypy_cache(constructs_venv)),
         "app.py", "storefront_flags.py"],
        cwd=EXAMPLE, env=clean_env(), capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
