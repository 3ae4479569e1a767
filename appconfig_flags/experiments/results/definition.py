"""The experiment's definition the analysis needs: its arms (control first) and their weights.

From the catalogue (a module exposing ``PROFILES``, as ``appconfig-flags check`` reads it) by the
experiment's name, or from ``--weights c=50,t1=50`` when there is no catalogue at hand.
"""
from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .collect import ResultsError


@dataclass(frozen=True, slots=True)
class Arms:
    """The experiment's name, its arms' keys (control first) and relative weights."""

    name: str
    keys: tuple[str, ...]
    weights: tuple[float, ...]

    @property
    def control(self) -> str:
        return self.keys[0]

    @property
    def treatments(self) -> tuple[str, ...]:
        return self.keys[1:]


def load_profiles(module_name: str) -> tuple[Any, ...]:
    """The ``PROFILES`` of the catalogue module ``module_name`` (imported from the current directory)."""
    import sys

    if "" not in sys.path and "." not in sys.path:
        sys.path.insert(0, "")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001  (any mistake in the catalogue's code: one line)
        raise ResultsError(f"cannot import the catalogue {module_name!r}: {type(exc).__name__}: {exc}") from None
    profiles = getattr(module, "PROFILES", None)
    if not isinstance(profiles, (tuple, list)):
        raise ResultsError(f"the catalogue {module_name!r} must expose PROFILES, a tuple of Profile objects "
                           f"(got {type(profiles).__name__})")
    return tuple(profiles)


def arms_from_catalogue(profiles: Sequence[Any], experiment: str) -> Arms:
    """The arms of the experiment named ``experiment`` in any of ``profiles``."""
    found = [e for p in profiles for e in getattr(p, "experiments", ())]
    for candidate in found:
        if candidate.name == experiment:
            arms = candidate.arms()
            return Arms(candidate.name, tuple(k for k, _ in arms), tuple(float(t.weight) for _, t in arms))
    raise ResultsError(f"the catalogue has no experiment {experiment!r}; it has {sorted(e.name for e in found)}")


def arms_from_weights(text: str, *, name: str = "") -> Arms:
    """``c=50,t1=50`` (the control first): keys and relative weights."""
    keys: list[str] = []
    weights: list[float] = []
    for part in text.split(","):
        key, sep, weight = part.strip().partition("=")
        try:
            value = float(weight)
        except ValueError:
            value = math.nan
        if not sep or not key.strip() or not math.isfinite(value) or value < 0:
            raise ResultsError(f"--weights: {part.strip()!r} is not KEY=WEIGHT with a weight of 0 or more "
                               f"(e.g. c=50,t1=50, the control first)")
        if key.strip() in keys:
            raise ResultsError(f"--weights: the key {key.strip()!r} appears twice")
        keys.append(key.strip())
        weights.append(value)
    if len(keys) < 2:
        raise ResultsError(f"--weights: {text!r} names {len(keys)} arm(s); an experiment has a control and at least "
                           "one treatment (e.g. c=50,t1=50)")
    if sum(weights) <= 0:
        raise ResultsError(f"--weights: {text!r} adds up to 0")
    return Arms(name, tuple(keys), tuple(weights))
