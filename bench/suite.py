"""The suite from a fresh clone and warm, each against one whole-process `cdk synth`, side by side.

Run: ``python -m bench suite`` (three rounds; ``python -m bench.suite --rounds N`` for another number),
about 2.5 min a round and 1.5 min of setup on a 2-core machine.
It clones the committed HEAD into a temporary folder (uncommitted changes are not measured) and
runs ``make setup local-aws-setup`` there, untimed: the installs a newcomer's first ``make test``
also does. Then, each round:

- ``cdk synth`` twice (whole process, the clone's CLI, venv and app);
- **fresh**: the caches a fresh clone lacks are removed (``.mypy_cache`` with the typing tests' mypy
  caches, ``.pytest_cache`` with cfn-lint's verdicts, ``.hypothesis``, ``cdk.out``, the packaging
  tests' venvs and mypy cache in ``.tools/test-venvs``,
  the project's own bytecode under ``.tools/pycache`` and theirs; the installed packages' bytecode,
  written by setup, stays), then ``make test``;
- **warm**: ``make test`` again, every cache as the fresh run left it.

``CI`` is unset for both, as on a newcomer's machine: the property tests run their local example
counts (``tests/property_examples.py``; CI runs the full ones).

A last pair of synths follows the last round, so synths run before and after the suites under the
same load. Reported: each figure as median (low-high) over the rounds, the pytest verdict of every
run, and warm ``make test`` over the median synth. Goals: fresh under 120 s; warm at most 12x
one synth.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._process import ROOT, make_env, spread, timed

FRESH_GOAL_SECONDS = 120
WARM_GOAL_RATIO = 12
#: What a fresh clone does not have and a run of the suite leaves behind (beside the project's bytecode).
CACHES = (".mypy_cache", ".pytest_cache", ".hypothesis", ".ruff_cache", "cdk.out", ".tools/test-venvs")
#: Under the bytecode prefix, the folders of installed code (bytecode setup wrote), kept for a fresh run.
INSTALLED = (".venv", ".tools", "node_modules")


def synth_seconds(clone: Path, env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        return timed(["cdk", "synth", "--quiet", "--no-notices", "-o", out], env=env, cwd=clone)


def make_test(clone: Path, env: dict[str, str]) -> tuple[float, str]:
    """Wall-clock seconds of ``make test`` in ``clone`` and pytest's last line (timed whatever the verdict)."""
    started = time.perf_counter()
    result = subprocess.run(["make", "test"], cwd=clone, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    lines = result.stdout.strip().splitlines() or ["(no output)"]
    verdict = lines[-1].strip("= ")
    if result.returncode != 0:
        failed = [line for line in lines if line.startswith(("FAILED ", "ERROR "))]
        verdict = "; ".join([f"FAILED, exit {result.returncode}: {verdict}", *failed])
    return elapsed, verdict


def clear_caches(clone: Path) -> None:
    for name in CACHES:
        shutil.rmtree(clone / name, ignore_errors=True)
    # PYTHONPYCACHEPREFIX mirrors absolute paths: the clone's own modules are under prefix/<clone path>/.
    mirrored = clone / ".tools" / "pycache" / clone.relative_to(clone.anchor)
    shutil.rmtree(mirrored / ".tools" / "test-venvs", ignore_errors=True)
    if mirrored.is_dir():
        for child in mirrored.iterdir():
            if child.name in INSTALLED:
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()


def main(argv: list[str] | None = None) -> None:
    options = argparse.ArgumentParser(prog="python -m bench suite")
    options.add_argument("--rounds", type=int, default=3, help="fresh + warm rounds (default 3)")
    rounds = options.parse_args(argv if argv is not None else []).rounds
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as work:
        clone = Path(work) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        # A newcomer's shell: none of this checkout's venv, Node or bytecode prefix (the Makefile sets its own).
        ours = {str(ROOT / ".venv" / "bin"), str(ROOT / "node_modules" / ".bin"), str(Path(sys.executable).parent)}
        base = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
        base["PATH"] = os.pathsep.join(d for d in base.get("PATH", "").split(os.pathsep) if d not in ours)
        print(f"commit {commit}: setting up a fresh clone in {clone}", flush=True)
        started = time.perf_counter()
        subprocess.run(["make", "setup", "local-aws-setup"], cwd=clone, env=base, check=True, capture_output=True)
        setup = time.perf_counter() - started
        env = make_env(root=clone)
        env.pop("CI", None)  # a newcomer's run: the property tests' local example counts (tests/property_examples.py)
        synth_seconds(clone, env)  # warm: node, jsii, the file cache
        synths: list[float] = []
        fresh: list[tuple[float, str]] = []
        warm: list[tuple[float, str]] = []
        for _ in range(rounds):
            synths += [synth_seconds(clone, env) for _ in range(2)]
            clear_caches(clone)
            fresh.append(make_test(clone, base))
            warm.append(make_test(clone, base))
        synths += [synth_seconds(clone, env) for _ in range(2)]
    synth = statistics.median(synths)
    fresh_s, warm_s = [s for s, _ in fresh], [s for s, _ in warm]
    print(f"commit {commit}, a fresh clone; setup (untimed in the figures below): {setup:.0f} s")
    print(f"cdk synth, whole process: {spread(synths, 1, 1)} s over {len(synths)} runs (before and after the suites)")
    print(f"make test, fresh (cold caches): {spread(fresh_s, 1, 1)} s over {rounds} run(s) "
          f"(goal < {FRESH_GOAL_SECONDS} s: {'met' if max(fresh_s) < FRESH_GOAL_SECONDS else 'NOT met'})")
    print(f"make test, warm: {spread(warm_s, 1, 1)} s over {rounds} run(s)")
    ratios = [s / synth for s in warm_s]
    print(f"ratio: warm make test / median cdk synth = {spread(ratios, 1, 1)}x "
          f"(goal <= {WARM_GOAL_RATIO}x: {'met' if max(ratios) <= WARM_GOAL_RATIO else 'NOT met'})")
    for kind, runs in (("fresh", fresh), ("warm", warm)):
        for seconds, verdict in runs:
            print(f"  {kind} {seconds:.1f} s: {verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])
