"""How many examples a property test runs: its full count in CI, a fifth of it (never fewer than 50)
in a local ``make test``.

CI (``.ci/run`` sets ``CI=true``) runs every count as written at each test; a developer's run
keeps the suite quick and still runs every property test. ``CI=true make test`` runs the full
counts locally.
"""
from __future__ import annotations

import os

#: Whether this run is CI's: ``CI`` set to anything but empty, ``0`` or ``false``.
FULL = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def examples(full: int) -> int:
    """``full`` in CI; locally a fifth of it, at least 50."""
    return full if FULL else max(50, full // 5)
