"""mypy in a subprocess, as the typing tests run it, each kind of check with a cache of its own.

mypy keeps one cache entry per module and options: runs with other options (``--follow-imports``) or
other files over one ``.mypy_cache`` replace each other's entries, and two workers would write it at
once, so every warm run checked the model again. Each name here has its own folder under
``.mypy_cache/tests`` (``--cache-clear`` does not clear it; deleting ``.mypy_cache`` does).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def mypy(*args: str, cache: str, mypypath: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m mypy ARGS`` from the repository's root (so pyproject.toml's settings apply)."""
    env = {**os.environ, "MYPYPATH": str(mypypath)} if mypypath is not None else None
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(ROOT / ".mypy_cache" / "tests" / cache),
                           *args], cwd=ROOT, capture_output=True, text=True, timeout=900, check=False, env=env)
