"""Installed size of the runtime distribution `appconfig-flags`, alone and with each extra's dependencies.

Run: ``python -m bench install_size``. Builds the wheel (`make wheel`'s recipe), installs it into a
fresh venv from no index (it needs nothing else), and measures what it adds to site-packages,
asserting that no aws_cdk, jsii or constructs came with it. The extras' dependencies are not
downloaded: their sizes are summed from the files (RECORD) of the same distributions installed
in this project's venv, following each extra's requirements transitively.
Goals: no aws-cdk-lib, jsii or constructs; what it adds beyond boto3 under 5 MB.
"""
from __future__ import annotations

import importlib.metadata
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bench._runtime import build_runtime_wheel, site_packages, tree_bytes, venv_with

FORBIDDEN = ("aws_cdk", "jsii", "constructs")
EXTRAS = {"appconfigdata": ("boto3",), "openfeature": ("openfeature-sdk",),
          "experiments": ("duckdb", "scipy", "statsmodels")}


def closure_bytes(*requirements: str) -> tuple[int, list[str]]:
    """Installed bytes of ``requirements`` and everything they require, as installed in this venv."""
    seen: dict[str, int] = {}
    pending = [Requirement(r) for r in requirements]
    while pending:
        wanted = pending.pop()
        name = canonicalize_name(wanted.name)
        if name in seen or (wanted.marker is not None and not wanted.marker.evaluate({"extra": ""})):
            continue
        distribution = importlib.metadata.distribution(wanted.name)
        seen[name] = sum(f.size or 0 for f in distribution.files or ())
        pending.extend(Requirement(r) for r in distribution.requires or [])
    return sum(seen.values()), sorted(seen)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        wheel = build_runtime_wheel(Path(scratch) / "dist")
        empty = site_packages(venv_with(Path(scratch) / "empty"))
        core = site_packages(venv_with(Path(scratch) / "core", str(wheel)))
        core_bytes = tree_bytes(core) - tree_bytes(empty)
        present = sorted(p.name for p in core.iterdir() if p.name.split("-")[0] in FORBIDDEN)
        assert present == [], f"the runtime wheel brought {present}"
        print(f"wheel {wheel.name}: {wheel.stat().st_size / 1e3:.0f} kB")
        print(f"installed, core alone (fresh venv, --no-index: no required dependency): {core_bytes / 1e6:.2f} MB; "
              f"aws_cdk, jsii, constructs: none  (goal: none; < 5 MB beyond boto3)")
        for extra, requirements in EXTRAS.items():
            size, names = closure_bytes(*requirements)
            print(f"  + [{extra}]: {size / 1e6:.1f} MB more ({', '.join(names)}; sizes of this venv's installed files)"
                  f" -> {(core_bytes + size) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
