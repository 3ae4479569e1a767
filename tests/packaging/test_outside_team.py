"""A second team's app, from the wheels alone: its own catalogue, pyproject.toml and CDK app, deployed to a local AWS.

The folder is outside this repository and names nothing of ours but the two distributions: a catalogue for
the ``Orchard`` application (``Staging`` then ``Live``), a pyproject.toml naming it, and a CDK app built on
the constructs wheel. The real CDK CLI deploys it to ministack; then ``appconfig-flags check``, ``status``,
``off`` and ``revert`` run there with no option naming the application, its environments or the catalogue,
and a client made with ``make_source("appconfig", profile=P, environment=E)`` reads what was deployed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.local_aws import EMULATOR_PYTHON, LocalAws, free_port

from .conftest import clean_env, dependency_closure, link_distributions

# One worker with the packaging tests: the wheels and the constructs venv are built once (tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

CATALOGUE = '''
"""The Orchard application's flags: the one place its name and its environments are written."""
from appconfig_flags import Attribute, Flag, FlagValue, Profile

HARVEST_BANNER = Flag(
    key="harvest-banner",
    attributes=(Attribute.string("message"),),
    enabled=False,
    values={"message": "Autumn harvest"},
    environments={"Staging": FlagValue(enabled=True), "Live": FlagValue(enabled=True, values={"message": "Now picking"})},
)
ORCHARD_FLAGS = Profile("OrchardFlags", (HARVEST_BANNER,), application="Orchard", environments=("Staging", "Live"))
'''

APP = '''
import aws_cdk as cdk
from orchard_flags import ORCHARD_FLAGS

from constructs_lib import FlagsApplication

app = cdk.App()
stack = cdk.Stack(app, "Orchard")
orchard = FlagsApplication(stack, "Orchard", catalogue=[ORCHARD_FLAGS])
for name in ORCHARD_FLAGS.environments:
    orchard.add_environment(name)  # in the profile's order: Live deploys after Staging
orchard.add_feature_flags("OrchardFlags", profile=ORCHARD_FLAGS)
app.synth()
'''

READ = '''
from appconfig_flags import FlagsClient, make_source
from orchard_flags import HARVEST_BANNER, ORCHARD_FLAGS

client = FlagsClient(make_source("appconfig", profile=ORCHARD_FLAGS, environment="Live", poll_interval=15),
                     catalogue=ORCHARD_FLAGS)
assert client.start(wait=20), client.status()
print(client.enabled(HARVEST_BANNER), client.value(HARVEST_BANNER, "message"))
client.close()
'''


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    if not EMULATOR_PYTHON.exists():
        pytest.skip(f"the local AWS emulator is not installed ({EMULATOR_PYTHON}): make local-aws-setup")
    emulator = LocalAws(free_port(), minute_seconds=0.25, log_path=tmp_path_factory.mktemp("ministack") / "log")
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def orchard(constructs_venv: Path, local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team's folder, deployed: only the catalogue, pyproject.toml, cdk.json and app.py."""
    # boto3, for the AWS commands and the appconfigdata source: the [appconfigdata] extra's one dependency.
    link_distributions(constructs_venv, dependency_closure(["boto3"]))
    folder = tmp_path_factory.mktemp("orchard-team")
    (folder / "orchard_flags.py").write_text(CATALOGUE, encoding="utf-8")
    (folder / "app.py").write_text(APP, encoding="utf-8")
    (folder / "pyproject.toml").write_text(textwrap.dedent('''
        [project]
        name = "orchard"
        version = "1.0.0"

        [tool.appconfig-flags]
        catalogue = "orchard_flags.py"
    '''), encoding="utf-8")
    (folder / "cdk.json").write_text(json.dumps({"app": f"{constructs_venv} app.py"}), encoding="utf-8")
    cdk = shutil.which("cdk")
    assert cdk is not None, "the CDK CLI (make setup installs it)"
    env = _env(constructs_venv, local_aws)
    nowhere = tmp_path_factory.mktemp("no-app")  # bootstrap where no cdk.json makes the CLI synthesize first
    for args, cwd in ((["bootstrap", "aws://000000000000/us-east-1"], nowhere),
                      (["deploy", "Orchard", "--require-approval", "never"], folder)):
        result = subprocess.run([cdk, *args, "--no-notices"], cwd=cwd, env=env, capture_output=True, text=True,
                                timeout=300, check=False)
        assert result.returncode == 0, f"cdk {args[0]} failed:\n{result.stdout}\n{result.stderr}"
    return folder


def _env(venv_python: Path, emulator: LocalAws) -> dict[str, str]:
    env = clean_env(**emulator.environment(), CDK_DISABLE_CLI_TELEMETRY="true", AWS_EC2_METADATA_DISABLED="true")
    env["PATH"] = os.pathsep.join([str(venv_python.parent), str(Path(sys.executable).parent), os.environ["PATH"]])
    return env


def _command(venv_python: Path, emulator: LocalAws, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    console_script = venv_python.parent / "appconfig-flags"
    return subprocess.run([str(console_script), *args], cwd=folder, env=_env(venv_python, emulator),
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_outside_teams_commands_need_no_option_naming_their_app(
        orchard: Path, constructs_venv: Path, local_aws: LocalAws) -> None:
    check = _command(constructs_venv, local_aws, orchard, "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "ok: OrchardFlags in Orchard: 1 flag(s) valid for Staging, Live"

    status = _command(constructs_venv, local_aws, orchard, "status")
    assert status.returncode == 0, status.stderr
    assert status.stdout.startswith("Orchard (application ")
    assert status.stdout.index("OrchardFlags in Staging") < status.stdout.index("OrchardFlags in Live")
    assert status.stdout.count("content:    in sync") == 2, status.stdout
    template = json.loads((orchard / "cdk.out" / "Orchard.template.json").read_text())
    deployments = {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::AppConfig::Deployment"}
    live = next(v for v in deployments.values() if "Live" in json.dumps(v["Properties"]["EnvironmentId"]))
    assert any(dep in deployments for dep in live.get("DependsOn", [])), "Live deploys after Staging"

    off = _command(constructs_venv, local_aws, orchard, "off", "--flag", "harvest-banner", "--environment", "Live",
                   "--yes", "--poll-seconds", "0.5")
    assert off.returncode == 0, off.stderr
    assert "Complete: Live serves version" in off.stdout and "`appconfig-flags status` reports drift" in off.stdout

    revert = _command(constructs_venv, local_aws, orchard, "revert", "--environment", "Live", "--yes")
    assert revert.returncode == 0, revert.stderr
    assert "OrchardFlags in Live is served version" in revert.stdout


def test_a_client_made_from_the_profile_alone_reads_the_deployed_values(
        orchard: Path, constructs_venv: Path, local_aws: LocalAws) -> None:
    result = subprocess.run([str(constructs_venv), "-c", READ], cwd=orchard, env=_env(constructs_venv, local_aws),
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True Now picking"
