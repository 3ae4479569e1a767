"""mypy --strict passes on constructs_lib and on the example app that uses it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # about a minute with a cold cache: aws_cdk's stubs are large


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, check=False)


def test_constructs_lib_passes_mypy_strict() -> None:
    result = _mypy("--strict", "constructs_lib")
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_app_passes_mypy_strict() -> None:
    # A run of its own: the example's app.py is a module named `app`, like the repository's.
    result = _mypy("--strict", "examples/flags_outside_app")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_misspelt_option_is_a_type_error(tmp_path: Path) -> None:
    # add_environment/add_feature_flags share typed options with the constructs they build.
    script = tmp_path / "typo_app.py"
    script.write_text(
        "import aws_cdk as cdk\n"
        "from constructs_lib import FlagsApplication, Profile\n"
        "app = FlagsApplication(cdk.Stack(), 'App', application_name='Shop')\n"
        "app.add_environment('Beta', prodution=True)\n"
        "app.add_feature_flags('Flags', profile=Profile('Flags', ()), kms_kye=None)\n"
    )
    result = _mypy("--strict", str(script))
    assert result.returncode == 1
    assert '"prodution"' in result.stdout and '"kms_kye"' in result.stdout, result.stdout
