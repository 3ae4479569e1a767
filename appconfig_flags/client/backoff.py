"""When to poll again after a failure: exponential, jittered upwards, capped (AWS Architecture Blog, "Exponential Backoff And Jitter")."""
from __future__ import annotations

from collections.abc import Callable


def _uniform() -> float:
    """``random.random()``, imported on the first failure rather than at a service's start-up."""
    import random

    return random.random()


class Backoff:
    """``delay(interval, failures)``: ``interval * 2**(failures-1)``, capped at ``cap``, plus up to 25 % jitter.

    Jitter only ever lengthens the wait: polling before the service's interval earns a
    "Request too early" (AppConfig Data API Reference, GetLatestConfiguration). ``cap`` Default: 300 s (never below the interval).
    """

    def __init__(self, *, cap: float = 300.0, jitter: float = 0.25, random: Callable[[], float] = _uniform) -> None:
        self.cap = cap
        self.jitter = jitter
        self._random = random

    def delay(self, interval: float, failures: int) -> float:
        if failures <= 0:
            return interval
        ceiling = max(self.cap, interval)
        base = min(ceiling, interval * 2.0 ** min(failures - 1, 32))
        return min(ceiling, base * (1 + self.jitter * self._random()))
