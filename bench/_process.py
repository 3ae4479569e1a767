"""Helpers for the benchmarks that time whole processes: PATH as `make` sets it, timing, ranges."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_env(root: Path = ROOT, **extra: str) -> dict[str, str]:
    """This environment as the Makefile in ``root`` sets it: a supported Node, the venv, the CDK CLI, bytecode."""
    node = subprocess.run([str(ROOT / "scripts" / "ensure-node")], capture_output=True, text=True,
                          check=True).stdout.strip()
    venv = Path(sys.executable).parent if root == ROOT else root / ".venv" / "bin"
    path = os.pathsep.join([node, str(venv), str(root / "node_modules" / ".bin"), os.environ.get("PATH", "")])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # As the Makefile: bytecode written, outside the sources, so each process does not compile the project again.
    return {**env, "PATH": path, "CDK_DISABLE_CLI_TELEMETRY": "true",
            "PYTHONPYCACHEPREFIX": str(root / ".tools" / "pycache"), **extra}


def timed(args: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> float:
    """Wall-clock seconds of one run of ``args``; raises with its output when it fails."""
    start = time.perf_counter()
    result = subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return elapsed


def spread(values: Sequence[float], unit: float = 1.0, digits: int = 0) -> str:
    """``median (low-high)`` of ``values`` scaled by ``unit``."""
    scaled = [v * unit for v in values]
    return f"{statistics.median(scaled):.{digits}f} ({min(scaled):.{digits}f}-{max(scaled):.{digits}f})"
