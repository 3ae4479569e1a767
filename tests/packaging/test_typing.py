"""mypy --strict passes on constructs_lib and on the example app that uses it."""
from __future__ import annotations

import ast
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomllib

from tests.conftest import ROOT
from tests.mypy_runs import mypy

pytestmark = pytest.mark.slow  # mypy in a subprocess: seconds, as pyproject.toml reads only the aws_cdk modules used


def _mypy(*args: str) -> subprocess.CompletedProcess[str]:
    return mypy(*args, cache="constructs-lib")


#: Apps a CDK user might write, each checked as a user's app would be (mypy --strict), by file name.
SNIPPETS = {
    # add_environment/add_feature_flags share typed options with the constructs they build.
    "typo_app.py": (
        "import aws_cdk as cdk\n"
        "from appconfig_flags.model import Profile\n"
        "from constructs_lib import FlagsApplication\n"
        "app = FlagsApplication(cdk.Stack(), 'App', application_name='Shop')\n"
        "app.add_environment('Beta', prodution=True)\n"
        "app.add_feature_flags('Flags', profile=Profile('Flags', ()), kms_kye=None)\n"
    ),
    # What the README shows a CDK user doing.
    "typed_app.py": (
        "import aws_cdk as cdk\n"
        "from aws_cdk import aws_lambda as lambda_\n"
        "from appconfig_flags.model import Attribute, Flag, FlagValue, Profile\n"
        "from constructs_lib import FlagsApplication, GuardedEnvironment, GuardedEnvironmentOptions\n"
        "stack = cdk.Stack()\n"
        "flag = Flag(key='regions', attributes=(Attribute.string_array('codes'), Attribute.number_array('caps')),\n"
        "            enabled=True, values={'codes': ['US', 'CA'], 'caps': [1, 2.5]},\n"
        "            environments={'Beta': FlagValue(values={'codes': ('US',)})})\n"
        "app = FlagsApplication(stack, 'App', application_name='Shop', environment_names=['Beta', 'Prod'])\n"
        "options: GuardedEnvironmentOptions = {'production': False}\n"
        "beta = app.add_environment('Beta', **options)\n"
        "GuardedEnvironment(stack, 'Prod', application=app, environment_name='Prod')\n"
        "flags = app.add_feature_flags('Flags', profile=Profile('Flags', (flag,)), deploy_to=[beta])\n"
        "function = lambda_.Function(stack, 'Reader', runtime=lambda_.Runtime.PYTHON_3_12, handler='index.handler',\n"
        "                            code=lambda_.Code.from_inline('def handler(event, context): pass'))\n"
        "grant = flags.grant_read(function, beta)\n"
        "assert grant.success\n"
    ),
    # Function.role is IRole | None: the function itself is the grantee to pass.
    "role_app.py": (
        "import aws_cdk as cdk\n"
        "from aws_cdk import aws_lambda as lambda_\n"
        "from constructs_lib import FeatureFlagProfile\n"
        "def grant(flags: FeatureFlagProfile, function: lambda_.Function) -> None:\n"
        "    flags.grant_read(function.role)\n"
    ),
}


@dataclass(frozen=True)
class MypyRun:
    returncode: int
    output: str

    def errors(self, file: str) -> list[str]:
        """The errors mypy reported in the snippet named ``file``."""
        return [line for line in self.error_lines() if Path(line.split(":", 1)[0]).name == file]

    def error_lines(self) -> list[str]:
        return [line for line in self.output.splitlines() if ": error: " in line]


@pytest.fixture(scope="module")
def mypy_strict(tmp_path_factory: pytest.TempPathFactory) -> MypyRun:
    """One ``mypy --strict`` over constructs_lib and every snippet: mypy's start and its reading of aws_cdk, once."""
    folder = tmp_path_factory.mktemp("snippets")
    for name, text in SNIPPETS.items():
        (folder / name).write_text(text)
    result = _mypy("--strict", "constructs_lib", *(str(folder / name) for name in SNIPPETS))
    return MypyRun(result.returncode, result.stdout + result.stderr)


def test_constructs_lib_passes_mypy_strict(mypy_strict: MypyRun) -> None:
    # Exit 1: errors were found (2 would be mypy failing to run), every one of them in the two wrong snippets.
    assert mypy_strict.returncode == 1, mypy_strict.output
    assert [line for line in mypy_strict.error_lines()
            if Path(line.split(":", 1)[0]).name not in ("typo_app.py", "role_app.py")] == [], mypy_strict.output


def test_example_app_passes_mypy_strict() -> None:
    # A run of its own: the example's app.py is a module named `app`, like the repository's.
    result = _mypy("--strict", "examples/flags_outside_app")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_misspelt_option_is_a_type_error(mypy_strict: MypyRun) -> None:
    errors = "\n".join(mypy_strict.errors("typo_app.py"))
    assert '"prodution"' in errors and '"kms_kye"' in errors, mypy_strict.output


def test_a_function_grantee_list_array_values_and_a_flags_application_type_check(mypy_strict: MypyRun) -> None:
    assert mypy_strict.errors("typed_app.py") == [], mypy_strict.output


def test_a_functions_optional_role_is_a_type_error_for_grant_read(mypy_strict: MypyRun) -> None:
    errors = "\n".join(mypy_strict.errors("role_app.py"))
    assert 'Argument 1 to "grant_read" of "FeatureFlagProfileBase" has incompatible type "IRole | None"' in errors, \
        mypy_strict.output


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
