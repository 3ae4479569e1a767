"""Cold start of a service reading flags: a fresh process imports the client and the catalogue and reads once.

Run: ``python -m bench cold_start``. The runtime wheel is installed into a fresh venv and the
catalogue (flags/) copied beside a tiny service, both byte-compiled as an installed package and a
deployed function would be. Each run is a new interpreter; it reports the time from its first
line to the first read's answer (import appconfig_flags.client + the catalogue, build the
client, poll a LocalSource, read ``allow-bitcoin-at-checkout``), and the whole process's
wall-clock time (interpreter start and exit included), as median (low-high) of RUNS.
Goal: import + first read from a local source under 50 ms, without importing http.client.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench._process import ROOT, spread, timed
from bench._runtime import build_runtime_wheel, venv_with

RUNS = 15
SERVICE = """
import time
started = time.perf_counter()
import sys
from appconfig_flags.client import FlagsClient, LocalSource
from flags import ALLOW_BITCOIN_AT_CHECKOUT, CHECKOUT_FLAGS

client = FlagsClient(LocalSource(CHECKOUT_FLAGS, "Beta"), catalogue=CHECKOUT_FLAGS, background=False)
client.poll()
enabled = client.enabled(ALLOW_BITCOIN_AT_CHECKOUT)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "enabled": enabled,
                  "loaded": sorted(m for m in ("http.client", "boto3", "aws_cdk") if m in sys.modules)}))
""".replace("import sys\n", "import json, sys\n", 1)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        here = Path(scratch)
        python = venv_with(here / "venv", str(build_runtime_wheel(here / "dist")))
        shutil.copytree(ROOT / "flags", here / "service" / "flags", ignore=shutil.ignore_patterns("__pycache__"))
        (here / "service" / "service.py").write_text(SERVICE)
        subprocess.run([str(python), "-m", "compileall", "-q", str(here / "venv"), str(here / "service")], check=True)
        env = {"PATH": "/usr/bin:/bin"}  # no PYTHONDONTWRITEBYTECODE, no PYTHONPATH: as a deployed service
        timed([str(python), "service.py"], env=env, cwd=here / "service")  # warm the file cache
        reads, walls = [], []
        for _ in range(RUNS):
            result = subprocess.run([str(python), "service.py"], cwd=here / "service", env=env, capture_output=True,
                                    text=True, check=True)
            found = json.loads(result.stdout)
            assert found["enabled"] is True and found["loaded"] == [], found
            reads.append(found["seconds"])
            walls.append(timed([str(python), "service.py"], env=env, cwd=here / "service"))
        baseline = [timed([str(python), "-c", "pass"], env=env) for _ in range(RUNS)]
    print(f"import + first read from a LocalSource, in a fresh process: {spread(reads, 1000)} ms over {RUNS} runs "
          "(goal < 50 ms); http.client, boto3, aws_cdk not imported")
    print(f"whole process (interpreter start to exit): {spread(walls, 1000)} ms; "
          f"an empty `python -c pass`: {spread(baseline, 1000)} ms")


if __name__ == "__main__":
    main()
