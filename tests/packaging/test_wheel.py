"""The wheel holds constructs_lib alone, installs into a fresh venv, and an app outside this repo uses it.

Slow (about a minute): it builds the wheel, creates a venv and installs the wheel with its
dependencies. A normal install (dependencies from the index or pip's cache, measured at about 30 s
with a warm cache) is used on purpose rather than ``--no-deps`` into a venv sharing our packages:
it also proves that the wheel's declared dependencies are enough to synthesize an app.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

EXAMPLE = ROOT / "examples" / "flags_outside_app"
DIST_INFO = "appconfig_flags_constructs-0.1.0.dist-info/"
#: What the repository holds besides the package; none of it belongs in the wheel.
NOT_PACKAGED = ("app.py", "flags/", "stacks/", "checkout/", "tests/", "examples/", "bench/", "scripts/")
#: Left out of the copy the wheel is built from: environments, dependencies, build output, caches.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "node_modules", ".tools", "cdk.out", "cdk.*.out", "build",
                                    "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "site",
                                    ".benchmarks", "*agent-local")


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def _clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would point Python at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", "CDK_DISABLE_CLI_TELEMETRY": "true", **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `make wheel` builds, built from a copy of the repository.

    setuptools stages files in ``build/lib`` and would package stale ones left there; a fresh
    copy shows exactly what pyproject.toml selects from everything the repository holds.
    """
    source = tmp_path_factory.mktemp("source") / "repo"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(source)], env=_clean_env())
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (no system site-packages) with the wheel and its dependencies installed."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    _run([sys.executable, "-m", "venv", str(root)])
    python = root / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
         env=_clean_env())
    return root


def test_wheel_holds_constructs_lib_alone_with_its_type_marker(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    foreign = [n for n in names if not n.startswith(("constructs_lib/", DIST_INFO))]
    assert foreign == []
    assert [n for n in names if n.startswith(NOT_PACKAGED)] == []
    assert "constructs_lib/py.typed" in names
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "constructs_lib").rglob("*.py")}
    assert sources - set(names) == set(), "modules of constructs_lib missing from the wheel"


def test_wheel_requires_only_the_cdk_and_typing_extensions_at_run_time(wheel: Path) -> None:
    metadata = Parser().parsestr(zipfile.ZipFile(wheel).read(f"{DIST_INFO}METADATA").decode())
    assert metadata["Name"] == "appconfig-flags-constructs"
    assert metadata["Version"] == "0.1.0"
    requires = sorted(metadata.get_all("Requires-Dist") or [])
    assert [r.split(">")[0].split("<")[0] for r in requires] == ["aws-cdk-lib", "constructs", "typing-extensions"]


def test_example_app_synthesizes_with_the_installed_wheel(venv: Path, tmp_path: Path) -> None:
    # Run as `python app.py` would from the example's folder, then say where constructs_lib came from.
    probe = (
        "import runpy\n"
        "runpy.run_path('app.py', run_name='__main__')\n"
        "import constructs_lib\n"
        "print(constructs_lib.__file__)\n"
    )
    result = _run([str(venv / "bin" / "python"), "-c", probe], cwd=EXAMPLE, env=_clean_env(CDK_OUTDIR=str(tmp_path)))
    origin = Path(result.stdout.strip().splitlines()[-1])
    assert origin.is_relative_to(venv), f"constructs_lib was imported from {origin}, not from the installed wheel"

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


def test_example_app_type_checks_against_the_installed_wheel(venv: Path, tmp_path: Path) -> None:
    # mypy resolves constructs_lib in the venv only: without py.typed it would refuse to read it.
    cache = tmp_path / "mypy_cache"
    repo_cache = ROOT / ".mypy_cache"
    if repo_cache.is_dir():
        # Seeded with the repository's cache: aws_cdk's stubs take a minute to analyse cold, and mypy
        # re-checks any module whose content differs, so the verdict is the same.
        shutil.copytree(repo_cache, cache)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-executable", str(venv / "bin" / "python"),
         "--cache-dir", str(cache), "app.py", "storefront_flags.py"],
        cwd=EXAMPLE, env=_clean_env(), capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
