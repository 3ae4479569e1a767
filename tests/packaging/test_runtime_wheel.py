"""The runtime wheel (`appconfig-flags`): the model and the client alone, no required dependency, no CDK.

A service installs it, imports the catalogue's ``Flag`` objects and reads them. The venv is built
by tests/packaging/conftest.py with ``pip install --no-index``: it would fail on any required
dependency.
"""
from __future__ import annotations

import ast
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.dated import undated_lines
from tests.packaging.conftest import VERSION, Wheels, clean_env, metadata, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]

DIST_INFO = f"appconfig_flags-{VERSION}.dist-info/"

#: A service of its own: the catalogue's objects, read through a local source, in a fresh process.
READ_THE_CATALOGUE = """
import sys
from appconfig_flags.client import FlagsClient, LocalSource
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
client.poll()
state = client.get(ALLOW_BITCOIN_AT_CHECKOUT)
print(ALLOW_BITCOIN_AT_CHECKOUT.key, state.enabled, state.value("bitcoin-discount-percentage"), state.resolution.value)
print("loaded:", sorted(m for m in ("aws_cdk", "jsii", "constructs", "boto3", "http.client") if m in sys.modules))
"""


def test_wheel_holds_the_appconfig_flags_package_alone_with_its_type_marker(wheels: Wheels) -> None:
    names = zipfile.ZipFile(wheels.runtime).namelist()
    assert [n for n in names if not n.startswith(("appconfig_flags/", DIST_INFO))] == []
    assert "appconfig_flags/py.typed" in names
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "appconfig_flags").rglob("*.py")}
    assert sources - set(names) == set(), "modules of appconfig_flags missing from the wheel"
    assert [n for n in names if not n.endswith((".py", "py.typed")) and not n.startswith(DIST_INFO)] == []


def test_wheel_holds_no_test_fake_of_aws_but_the_public_testing_toolkit(wheels: Wheels) -> None:
    names = zipfile.ZipFile(wheels.runtime).namelist()
    # The fakes of AppConfig's control and data planes live in tests/fakes; only the toolkit ships.
    assert [n for n in names if n.endswith("testing.py")] == ["appconfig_flags/testing.py"]
    assert [n for n in names if "fake" in n.lower()] == []
    entry_points = zipfile.ZipFile(wheels.runtime).read(f"{DIST_INFO}entry_points.txt").decode()
    assert "[pytest11]\nappconfig_flags.testing = appconfig_flags.testing" in entry_points


def test_wheel_requires_nothing_and_offers_boto3_openfeature_and_the_experiments_analysis_as_extras(
        wheels: Wheels) -> None:
    found = metadata(wheels.runtime)
    assert found["Name"] == "appconfig-flags"
    assert found["Version"] == VERSION
    requires = found.get_all("Requires-Dist") or []
    # Only Python 3.10 needs anything: tomli, the tomllib it lacks, to read pyproject.toml.
    assert [r.replace('"', "'") for r in requires if "extra ==" not in r] == ["tomli>=1.1; python_version < '3.11'"]
    assert sorted(found.get_all("Provides-Extra") or []) == ["appconfigdata", "experiments", "openfeature"]
    assert any(r.startswith("boto3") and "extra == 'appconfigdata'" in r.replace('"', "'") for r in requires)
    assert any(r.startswith("openfeature-sdk") and "extra == 'openfeature'" in r.replace('"', "'") for r in requires)
    for name in ("duckdb", "scipy", "statsmodels"):
        assert any(r.startswith(name) and "extra == 'experiments'" in r.replace('"', "'") for r in requires), name


def test_the_version_is_the_same_in_both_distributions_and_the_package() -> None:
    import appconfig_flags

    for pyproject in (ROOT / "pyproject.toml", ROOT / "packaging" / "runtime" / "pyproject.toml"):
        assert f'\nversion = "{VERSION}"\n' in pyproject.read_text(), pyproject
    assert appconfig_flags.__version__ == VERSION


def test_a_service_reads_the_catalogue_with_the_runtime_alone(runtime_venv: Path, tmp_path: Path) -> None:
    # The catalogue is copied beside the service: nothing else of the repository is on the path.
    shutil.copytree(ROOT / "flags", tmp_path / "flags", ignore=shutil.ignore_patterns("__pycache__"))
    missing = run([str(runtime_venv), "-c", "import aws_cdk"], cwd=tmp_path, env=clean_env(), check_rc=False)
    assert "No module named 'aws_cdk'" in missing.stderr
    result = run([str(runtime_venv), "-c", READ_THE_CATALOGUE], cwd=tmp_path, env=clean_env())
    assert result.stdout.splitlines() == ["allow-bitcoin-at-checkout True 5 served", "loaded: []"]


def test_make_check_runs_with_the_runtime_alone(runtime_venv: Path, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "flags", tmp_path / "flags", ignore=shutil.ignore_patterns("__pycache__"))
    result = run([str(runtime_venv), "-m", "appconfig_flags", "check", "flags"], cwd=tmp_path, env=clean_env())
    assert undated_lines(result.stdout.splitlines())[0].startswith("ok: CheckoutFlags"), result.stdout


def test_the_catalogue_imports_only_the_runtime_package() -> None:
    allowed = {"appconfig_flags", "flags", "__future__", *sys.stdlib_module_names}
    imported = set()
    for module in (ROOT / "flags").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    assert imported - allowed == set()
    assert "appconfig_flags" in imported


def test_the_runtime_wheel_alone_gives_a_working_appconfig_flags_command(runtime_venv: Path, tmp_path: Path) -> None:
    command = str(runtime_venv.parent / "appconfig-flags")  # the console script pip wrote beside the venv's python
    usage = run([command, "--help"], cwd=tmp_path, env=clean_env()).stdout
    assert all(name in usage for name in ("check", "diff", "status", "revert", "off", "agent-files", "report", "import",
                                          "summary", "restore-monitors"))
    for name in ("check", "import", "report", "status", "summary"):
        assert "usage:" in run([command, name, "--help"], cwd=tmp_path, env=clean_env()).stdout, name
    # Without boto3 or the CDK: check the catalogue, then import the documents it renders and check the module.
    shutil.copytree(ROOT / "flags", tmp_path / "flags", ignore=shutil.ignore_patterns("__pycache__"))
    assert "ok: CheckoutFlags" in run([command, "check", "flags"], cwd=tmp_path, env=clean_env()).stdout
    render = "from flags import CHECKOUT_FLAGS as p\nfor e in ('Beta', 'Production'): open(e + '.json', 'w').write(p.render(e))"
    run([str(runtime_venv), "-c", render], cwd=tmp_path, env=clean_env())
    (tmp_path / "imported").mkdir()
    (tmp_path / "imported" / "__init__.py").write_text("")
    run([command, "import", "--profile", "CheckoutFlags", "--document", "Beta=Beta.json", "--document",
         "Production=Production.json", "--out", "imported/checkout.py"], cwd=tmp_path, env=clean_env())
    (tmp_path / "imported" / "__init__.py").write_text("from .checkout import PROFILES\n")
    assert "ok: CheckoutFlags" in run([command, "check", "imported"], cwd=tmp_path, env=clean_env()).stdout
