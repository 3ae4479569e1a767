"""mypy --strict passes on constructs_lib and on the example app that uses it."""
from __future__ import annotations

import subprocess
import sys

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
