"""Side by side with Powertools' ``feature_flags``: the same flags read from memory, per read.

Run: ``python -m bench powertools``. Powertools (``aws-lambda-powertools`` 3.37.0, with boto3, which its
``feature_flags`` imports) is installed from PyPI into a venv of its own, ``.tools/bench-powertools``, never
the project's; each side runs in its own process, the two interleaved for ``ROUNDS`` rounds; each side's figure per round is
the best of 5 ``timeit`` runs, and each round's ratio (ours / Powertools) is reported as a median with its
range.

Equal flags on both sides, read with the same five-key context (``country``, ``tier``, ``age``, ``email``,
``userId``) unless said otherwise:

* ``basic``: a flag without rules, read without context; ``basic+context``: the same with the context;
* ``one-rule``: ``tier == "gold"`` (it matches);
* ``chain``: five rules tried in order, none of the first four matching (``country``, ``tier``, ``age > 100``,
  ``email`` suffix), the fifth a 20 % split on ``userId`` (Powertools' ``MODULO_RANGE``; the hashes differ,
  the work is alike).

Ours is ``FlagsClient.enabled(flag, context)`` over a ``LocalSource``; Powertools' is
``FeatureFlags.evaluate(name=..., context=..., default=False)`` over an in-memory ``StoreProvider``.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from ._process import ROOT

POWERTOOLS = "aws-lambda-powertools==3.37.0"
VENV = ROOT / ".tools" / "bench-powertools"
ROUNDS = 5
NUMBER = 20_000
CASES = ("basic", "basic+context", "one-rule", "chain")
CONTEXT = {"country": "US", "tier": "gold", "age": 42, "email": "jo@example.com", "userId": 1234}

_TIMING = r'''
import json, statistics, sys, timeit

def best_ns(read, number):
    read()
    runs = timeit.repeat(read, number=number, repeat=5)
    return min(runs) / number * 1e9  # the best of 5, as timeit advises: the others measure the machine's load
'''

_POWERTOOLS_SIDE = _TIMING + r'''
from aws_lambda_powertools.utilities.feature_flags import FeatureFlags
from aws_lambda_powertools.utilities.feature_flags.base import StoreProvider

def rule(action, key, value):
    return {"when_match": True, "conditions": [{"action": action, "key": key, "value": value}]}

SCHEMA = {
    "basic": {"default": True},
    "one-rule": {"default": False, "rules": {"gold": rule("EQUALS", "tier", "gold")}},
    "chain": {"default": False, "rules": {
        "france": rule("EQUALS", "country", "FR"),
        "platinum": rule("EQUALS", "tier", "platinum"),
        "centenarians": rule("KEY_GREATER_THAN_VALUE", "age", 100),
        "example-org": rule("ENDSWITH", "email", "@example.org"),
        "split": rule("MODULO_RANGE", "userId", {"BASE": 100, "START": 0, "END": 19}),
    }},
}

class MemoryStore(StoreProvider):
    def __init__(self, schema):
        self._schema = schema

    @property
    def get_raw_configuration(self):
        return self._schema

    def get_configuration(self):
        return self._schema

flags = FeatureFlags(store=MemoryStore(SCHEMA))
context, number = json.loads(sys.argv[1]), int(sys.argv[2])
reads = {
    "basic": lambda: flags.evaluate(name="basic", default=False),
    "basic+context": lambda: flags.evaluate(name="basic", context=context, default=False),
    "one-rule": lambda: flags.evaluate(name="one-rule", context=context, default=False),
    "chain": lambda: flags.evaluate(name="chain", context=context, default=False),
}
print(json.dumps({name: [best_ns(read, number), read()] for name, read in reads.items()}))
'''

_OUR_SIDE = _TIMING + r'''
from appconfig_flags.client import FlagsClient, LocalSource
from appconfig_flags.model import Flag, Profile, Rule, Variant, ctx

def chain_of(*rules):
    return tuple(Variant(name=f"v{i}", enabled=True, rule=r) for i, r in enumerate(rules)) + (
        Variant(name="default", enabled=False),)

BASIC = Flag(key="basic", enabled=True)
ONE_RULE = Flag(key="one-rule", enabled=False, variants=chain_of(ctx("tier") == "gold"))
CHAIN = Flag(key="chain", enabled=False, variants=chain_of(
    ctx("country") == "FR", ctx("tier") == "platinum", ctx("age") > 100, ctx("email").ends_with("@example.org"),
    Rule.split(20, "userId", seed="bench")))
PROFILE = Profile("Bench", (BASIC, ONE_RULE, CHAIN))
client = FlagsClient(LocalSource(PROFILE, None), catalogue=PROFILE, background=False)
client.start()
context, number = json.loads(sys.argv[1]), int(sys.argv[2])
reads = {
    "basic": lambda: client.enabled(BASIC),
    "basic+context": lambda: client.enabled(BASIC, context),
    "one-rule": lambda: client.enabled(ONE_RULE, context),
    "chain": lambda: client.enabled(CHAIN, context),
}
print(json.dumps({name: [best_ns(read, number), read()] for name, read in reads.items()}))
'''


def ensure_venv(venv: Path = VENV) -> Path:
    """The Python of a venv holding Powertools (created with pip from PyPI on first use); never the project's venv."""
    python = venv / "bin" / "python"
    marker = venv / ".installed"
    if not marker.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", POWERTOOLS,
                        "boto3"], check=True)
        marker.write_text(POWERTOOLS + "\n")
    return python


def _side(python: Path | str, script: str) -> dict[str, list[float | bool]]:
    result = subprocess.run([str(python), "-c", script, json.dumps(CONTEXT), str(NUMBER)], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"benchmark side failed:\n{result.stderr[-3000:]}")
    out: dict[str, list[float | bool]] = json.loads(result.stdout)
    return out


def side_by_side(rounds: int = ROUNDS) -> dict[str, dict[str, list[float]]]:
    """Per case: our ns per read, Powertools' ns per read, and their ratio, one entry per round."""
    python = ensure_venv()
    figures: dict[str, dict[str, list[float]]] = {case: {"ours": [], "powertools": [], "ratio": []} for case in CASES}
    for _ in range(rounds):
        theirs = _side(python, _POWERTOOLS_SIDE)
        ours = _side(sys.executable, _OUR_SIDE)
        for case in CASES:
            if case != "chain" and ours[case][1] != theirs[case][1]:
                raise AssertionError(f"{case}: the flags differ: ours {ours[case][1]}, Powertools {theirs[case][1]}")
            figures[case]["ours"].append(float(ours[case][0]))
            figures[case]["powertools"].append(float(theirs[case][0]))
            figures[case]["ratio"].append(float(ours[case][0]) / float(theirs[case][0]))
    return figures


def _range(values: list[float], digits: int) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main() -> None:
    figures = side_by_side()
    print(f"{'case':<15}{'ours ns/read':>22}{'Powertools ns/read':>26}{'ours / Powertools':>24}")
    for case in CASES:
        f = figures[case]
        print(f"{case:<15}{_range(f['ours'], 0):>22}{_range(f['powertools'], 0):>26}{_range(f['ratio'], 2):>24}")
    with_context = [c / b for c, b in zip(figures["basic+context"]["ours"], figures["basic"]["ours"])]
    print(f"ours: a basic read with the context costs {_range(with_context, 2)} x the read without "
          f"({ROUNDS} rounds; goal <= 1.2)")


if __name__ == "__main__":
    main()
