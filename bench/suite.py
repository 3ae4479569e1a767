"""Suite time against synth time: `make test` and one whole-process `cdk synth`, side by side.

Run: ``python -m bench suite`` (a few minutes: it runs the whole suite). Warm caches: one
`cdk synth` and one `make check` first; then SYNTHS `cdk synth` runs, `make test` once, SYNTHS
more `cdk synth` runs, so both see the same machine load. The figure is `make test`'s wall-clock
time over the median synth. Goal: make test <= 4x one cdk synth.
"""
from __future__ import annotations

import statistics
import subprocess
import tempfile
import time

from bench._process import ROOT, make_env, spread, timed

SYNTHS = 3


def synth_seconds(env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as out:
        return timed(["cdk", "synth", "--quiet", "--no-notices", "-o", out], env=env)


def main() -> None:
    env = make_env()
    synth_seconds(env)  # warm: node, jsii, the file cache
    synths = [synth_seconds(env) for _ in range(SYNTHS)]
    started = time.perf_counter()
    # Timed whatever the verdict: a test failing while someone is mid-change does not change the cost.
    result = subprocess.run(["make", "test"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    suite = time.perf_counter() - started
    verdict = (result.stdout.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    synths += [synth_seconds(env) for _ in range(SYNTHS)]
    synth = statistics.median(synths)
    print(f"cdk synth, whole process: {spread(synths, 1, 1)} s over {len(synths)} runs (before and after the suite)")
    print(f"make test, whole suite: {suite:.1f} s ({verdict})")
    print(f"ratio: make test / cdk synth = {suite / synth:.1f}x (goal <= 4x)")


if __name__ == "__main__":
    main()
