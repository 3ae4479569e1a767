"""`make check`: validate the flag catalogue with the model alone, as a fresh process each time.

Run: ``python -m bench check_time``. Times ``python -m appconfig_flags check`` (what
`make check` and the pre-commit hook run) RUNS times from the repository root, whole process
(interpreter start to exit), as median (low-high). Goal: well under a second.
"""
from __future__ import annotations

import sys

from bench._process import spread, timed

RUNS = 10


def main() -> None:
    command = [sys.executable, "-m", "appconfig_flags", "check"]
    timed(command)  # warm the file cache
    runs = [timed(command) for _ in range(RUNS)]
    print(f"make check (appconfig-flags check), whole process: {spread(runs, 1000)} ms over {RUNS} "
          "runs (goal: well under 1 s)")


if __name__ == "__main__":
    main()
