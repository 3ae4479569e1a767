"""The runtime wheel, built and installed into a fresh venv the way a service would install it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench._process import ROOT


def build_runtime_wheel(out: Path) -> Path:
    """``python -m build --wheel packaging/runtime``, as `make wheel` does; returns the wheel."""
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT / "packaging" / "runtime")],
                   check=True, capture_output=True)
    (wheel,) = out.glob("appconfig_flags-*.whl")
    return wheel


def venv_with(root: Path, *requirements: str) -> Path:
    """A fresh venv (no pip, no system site-packages) with ``requirements`` installed from no index; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    if requirements:
        subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-index",
                        "--disable-pip-version-check", *requirements], check=True)
    return python


def site_packages(python: Path) -> Path:
    """The purelib directory of the venv of ``python``."""
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                         check=True, capture_output=True, text=True).stdout.strip()
    return Path(out)


def tree_bytes(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())
