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

import fcntl
import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
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
#: Where the constructs venv is rebuilt each session: a fixed path, so the bytecode and the mypy cache of what it
#: links from the project venv (aws-cdk-lib: seconds to compile, most of a minute for mypy) hold across runs.
REUSED_VENVS = ROOT / ".tools" / "test-venvs"
#: Ours: built here, never linked from the project's venv.
OUR_DISTRIBUTIONS = {"appconfig-flags", "appconfig-flags-constructs"}


def run(args: list[str], *, check_rc: bool = True, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``args``; unless ``check_rc`` is false, fail the test with its output when it exits non-zero."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False, **kwargs)
    assert not check_rc or result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would point Python at the repository.

    Bytecode is written only where a cache prefix keeps it outside the sources (``make test`` sets
    one): never beside the files a venv links from the project's.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    if not env.get("PYTHONPYCACHEPREFIX"):
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return {**env, "CDK_DISABLE_CLI_TELEMETRY": "true", **extra}


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
    # No build isolation: the backends pyproject.toml declares are in the project venv (requirements-dev.txt),
    # and `build` fails if their versions do not meet the declaration; a fresh build venv per wheel cost ~5 s each.
    builds = [subprocess.Popen([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
                                str(project)],
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
        if not (purelib / name).exists():  # already there: a distribution both closures share
            (purelib / name).symlink_to(ours / name)
    return names


@pytest.fixture(scope="session")
def runtime_venv(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the runtime wheel alone, installed with no index: it needs nothing else."""
    python = new_venv(tmp_path_factory.mktemp("runtime-venv") / "venv")
    pip_install(python, str(wheels.runtime))
    return python


@contextmanager
def reused_folder(name: str, fallback: Path) -> Iterator[Path]:
    """``REUSED_VENVS/name``, held for this session; ``fallback`` while another test session holds it."""
    REUSED_VENVS.mkdir(parents=True, exist_ok=True)
    with open(REUSED_VENVS / f"{name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield fallback
            return
        yield REUSED_VENVS / name


@pytest.fixture(scope="session")
def constructs_venv(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh venv with both wheels and the constructs wheel's declared dependencies, nothing more.

    It is made anew each session in a folder of its own, beside a mypy cache (``mypy-cache``) kept
    across sessions: mypy validates each cached module against its source.
    """
    with reused_folder("constructs", tmp_path_factory.mktemp("constructs")) as folder:
        shutil.rmtree(folder / "venv", ignore_errors=True)
        python = new_venv(folder / "venv")
        link_distributions(python, dependency_closure(metadata(wheels.constructs).get_all("Requires-Dist") or []))
        pip_install(python, "--find-links", str(wheels.folder), "appconfig-flags-constructs")
        yield python


def mypy_cache(venv_python: Path) -> Path:
    """The mypy cache kept beside the venv of ``venv_python`` (see ``constructs_venv``)."""
    return venv_python.parents[2] / "mypy-cache"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run test_typing.py's mypy calls on one xdist worker: they share one mypy cache (tests/mypy_runs.py)."""
    for item in items:
        if item.path.name == "test_typing.py" and item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.xdist_group("mypy"))
