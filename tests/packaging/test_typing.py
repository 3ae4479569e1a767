"""mypy --strict passes on constructs_lib and on the example app that uses it."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # mypy in a subprocess: seconds, as pyproject.toml reads only the aws_cdk modules used


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


def test_a_function_grantee_list_array_values_and_a_flags_application_type_check(tmp_path: Path) -> None:
    # What the README shows a CDK user doing, checked as a user's app would be: mypy --strict.
    script = tmp_path / "typed_app.py"
    script.write_text(
        "import aws_cdk as cdk\n"
        "from aws_cdk import aws_lambda as lambda_\n"
        "from constructs_lib import (Attribute, EnvironmentOptions, Flag, FlagValue, FlagsApplication,\n"
        "                            GuardedEnvironment, Profile)\n"
        "stack = cdk.Stack()\n"
        "flag = Flag(key='regions', attributes=(Attribute.string_array('codes'), Attribute.number_array('caps')),\n"
        "            enabled=True, values={'codes': ['US', 'CA'], 'caps': [1, 2.5]},\n"
        "            environments={'Beta': FlagValue(values={'codes': ('US',)})})\n"
        "app = FlagsApplication(stack, 'App', application_name='Shop', environment_names=['Beta', 'Prod'])\n"
        "options: EnvironmentOptions = {'production': False}\n"
        "beta = app.add_environment('Beta', **options)\n"
        "GuardedEnvironment(stack, 'Prod', application=app, environment_name='Prod')\n"
        "flags = app.add_feature_flags('Flags', profile=Profile('Flags', (flag,)), deploy_to=[beta])\n"
        "function = lambda_.Function(stack, 'Reader', runtime=lambda_.Runtime.PYTHON_3_12, handler='index.handler',\n"
        "                            code=lambda_.Code.from_inline('def handler(event, context): pass'))\n"
        "grant = flags.grant_read(function, beta)\n"
        "assert grant.success\n"
    )
    result = _mypy("--strict", str(script))
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_functions_optional_role_is_a_type_error_for_grant_read(tmp_path: Path) -> None:
    # Function.role is IRole | None: the function itself is the grantee to pass.
    script = tmp_path / "role_app.py"
    script.write_text(
        "import aws_cdk as cdk\n"
        "from aws_cdk import aws_lambda as lambda_\n"
        "from constructs_lib import FeatureFlagProfile\n"
        "def grant(flags: FeatureFlagProfile, function: lambda_.Function) -> None:\n"
        "    flags.grant_read(function.role)\n"
    )
    result = _mypy("--strict", str(script))
    assert result.returncode == 1
    assert 'Argument 1 to "grant_read" of "FeatureFlagProfile" has incompatible type "IRole | None"' in result.stdout, \
        result.stdout



def _aws_cdk_modules_imported(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "aws_cdk":
                found.update(f"aws_cdk.{a.name}" for a in node.names if a.name[0].islower())
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aws_cdk."):
                found.add(".".join((node.module or "").split(".")[:2]))
            elif isinstance(node, ast.Import):
                found.update(".".join(a.name.split(".")[:2]) for a in node.names if a.name.startswith("aws_cdk."))
    return found


def test_mypy_reads_every_aws_cdk_module_the_code_imports() -> None:
    # pyproject.toml skips aws_cdk's modules but a list (a cold check reads ~350 otherwise): a module
    # imported but skipped would be Any, and mistakes in its use would pass unseen.
    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["overrides"]
    read = {m for o in overrides if o.get("follow_imports") == "normal" for m in o["module"]}
    sources = [p for d in ("constructs_lib", "stacks", "appconfig_flags", "examples", "tests/packaging")
               for p in (ROOT / d).rglob("*.py")] + [ROOT / "app.py"]
    imported = _aws_cdk_modules_imported(sources)
    assert {"aws_cdk.aws_appconfig", "aws_cdk.aws_lambda", "aws_cdk.pipelines"} <= imported  # the scan sees imports
    assert imported - read == set()
