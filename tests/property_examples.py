"""How many examples a property test runs: its full count in CI, a third of it (never fewer than
Hypothesis's default of 100) in a local ``make test``.

CI (``.ci/run`` sets ``CI=true``) runs every count as written at each test; a developer's run
keeps the suite quick and still runs every property test. ``CI=true make test`` runs the full
counts locally.
"""
from __future__ import annotations

import os

#: Whether this run is CI's: ``CI`` set to anything but empty, ``0`` or ``false``.
FULL = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def examples(full: int) -> int:
    """``full`` in CI; locally a third of it, at least 100."""
    return full if FULL else max(100, full // 3)
