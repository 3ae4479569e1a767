"""The two wheels `make wheel` builds, and fresh venvs they are installed into: once per test session.

No download: the runtime wheel needs nothing else, so it is installed with ``--no-index``. The
constructs wheel's dependencies (aws-cdk-lib and what it needs) would be ~100 MB from the index
every run; instead the venv receives links to exactly the distributions its declared requirements
resolve to in this project's venv (``dependency_closure``), and pip installs our two wheels
``--no-index`` on top: pip refuses if a declared requirement is not met, and the example app then
synthesizes with nothing but the declared closure on its path, so the metadata is proved
sufficient as before, in seconds.
"""
from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

VERSION = "0.2.0"
#: Left out of the copy the wheels are built from: environments, dependencies, build output, caches.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "node_modules", ".tools", "cdk.out", "cdk.*.out", "build",
                                    "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "site",
                                    ".benchmarks", "*agent-local")
#: Ours: built here, never linked from the project's venv.
OUR_DISTRIBUTIONS = {"appconfig-flags", "appconfig-flags-constructs"}


def run(args: list[str], *, check_rc: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``args``; unless ``check_rc`` is false, fail the test with its output when it exits non-zero."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False, **kwargs)
    assert not check_rc or result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would point Python at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", "CDK_DISABLE_CLI_TELEMETRY": "true", **extra}


def metadata(wheel: Path) -> Any:
    """The wheel's METADATA as an email message (``Name``, ``Version``, ``Requires-Dist``...)."""
    archive = zipfile.ZipFile(wheel)
    (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(archive.read(name).decode())


@dataclass(frozen=True)
class Wheels:
    """Both distributions, built into one folder as `make wheel` builds them into dist/."""

    folder: Path
    runtime: Path
    constructs: Path


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Wheels:
    """Build both wheels from a copy of the repository, the two builds side by side.

    setuptools stages files in ``build/lib`` and would package stale ones left there; a fresh copy
    shows exactly what each pyproject.toml selects from everything the repository holds.
    """
    source = tmp_path_factory.mktemp("source") / "repo"
    shutil.copytree(ROOT, source, ignore=NOT_COPIED)
    out = tmp_path_factory.mktemp("dist")
    builds = [subprocess.Popen([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(project)],
                               env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for project in (source / "packaging" / "runtime", source)]
    for build in builds:
        output, _ = build.communicate(timeout=900)
        assert build.returncode == 0, output
    return Wheels(out, out / f"appconfig_flags-{VERSION}-py3-none-any.whl",
                  out / f"appconfig_flags_constructs-{VERSION}-py3-none-any.whl")


def new_venv(root: Path) -> Path:
    """An empty venv (no pip, no system site-packages); returns its python. pip runs from our venv."""
    run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    return root / "bin" / "python"


def pip_install(python: Path, *args: str) -> None:
    """``pip install --no-index`` into the venv of ``python``: nothing is downloaded."""
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-index",
         "--disable-pip-version-check", *args], env=clean_env())


def dependency_closure(requirements: list[str]) -> list[importlib.metadata.Distribution]:
    """The distributions of this venv that ``requirements`` (Requires-Dist lines) resolve to, transitively.

    Fails when one is not installed here or its installed version does not satisfy the requirement.
    """
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [Requirement(r) for r in requirements]
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in OUR_DISTRIBUTIONS or name in found:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        distribution = importlib.metadata.distribution(requirement.name)
        assert requirement.specifier.contains(distribution.version, prereleases=True), (requirement, distribution.version)
        found[name] = distribution
        pending.extend(Requirement(r) for r in distribution.requires or [])
    return list(found.values())


def link_distributions(python: Path, distributions: list[importlib.metadata.Distribution]) -> list[str]:
    """Symlink each distribution's top-level files and folders into the venv of ``python``; returns their names."""
    purelib = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    ours = Path(sysconfig.get_path("purelib"))
    names = sorted({file.parts[0] for d in distributions for file in d.files or ()} - {"..", "__pycache__"})
    for name in names:
        (purelib / name).symlink_to(ours / name)
    return names


@pytest.fixture(scope="session")
def runtime_venv(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the runtime wheel alone, installed with no index: it needs nothing else."""
    python = new_venv(tmp_path_factory.mktemp("runtime-venv") / "venv")
    pip_install(python, str(wheels.runtime))
    return python


@pytest.fixture(scope="session")
def constructs_venv(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with both wheels and the constructs wheel's declared dependencies, nothing more."""
    python = new_venv(tmp_path_factory.mktemp("constructs-venv") / "venv")
    link_distributions(python, dependency_closure(metadata(wheels.constructs).get_all("Requires-Dist") or []))
    pip_install(python, "--find-links", str(wheels.folder), "appconfig-flags-constructs")
    return python


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run test_typing.py's mypy calls on one xdist worker: they share the repository's .mypy_cache."""
    for item in items:
        if item.path.name == "test_typing.py" and item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.xdist_group("mypy"))
