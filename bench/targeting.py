"""Targeting: one read of a 5-variant flag with nested rules, and parse + check of 1,000 rules.

Run: ``python -m bench targeting`` (or ``make bench``). Goals: a read ≤ 3 µs, where the context
is encoded as the Agent would receive it and then evaluated; parse + check of 1,000 distinct
rules ≤ 100 ms (what ``Profile(...)`` adds at synth for that many variant rules), measured on
rules shaped like the user guide's examples and on heavy ones (12 tests and a regex each).
"""
from __future__ import annotations

import re
import statistics
import time
import timeit
from collections.abc import Callable

from appconfig_flags.model import Flag, Profile, Rule, Variant, ctx
from appconfig_flags.model.targeting import FlagEvaluator, check_rule
from appconfig_flags.model.targeting.checker import _check_text  # the parse cache, cleared per run

RULES = 1_000
RUNS = 7
CONTEXT = {"tier": "silver", "country": "FR", "age": 34, "userId": "user-8312", "email": "a@example.com"}

#: Five variants, nested rules; the context above falls through to the default, so every rule runs.
VARIANTS = (
    Variant(name="gold", enabled=True, rule=(ctx("tier") == "gold") & (ctx("age") >= 18)),
    Variant(name="staff", enabled=True, rule=ctx("email").ends_with("@corp.example") | ctx("email").matches("^qa-")),
    Variant(name="eu-pilot", enabled=True,
            rule=Rule.all(ctx("country").is_in(["DE", "NL", "BE"]), ~(ctx("tier") == "trial"),
                          ctx("userId").split(20, seed="eu-2026"))),
    Variant(name="rollout", enabled=True, rule=Rule.split(pct=5, by="userId", seed="layout-2026")),
    Variant(name="Default", enabled=False),
)


def _typical_rule_texts(count: int, salt: int) -> list[str]:
    """``count`` distinct rules shaped like the user guide's examples: one test, or two under and/or/not."""
    shapes = (
        '(eq $tier "gold-{i}-{s}")', "(gt $age {i})", '(ends_with $email "@{i}-{s}.example.com")',
        '(in $userId ["{i}", "{s}", "{i}{s}"])', '(split pct::{p} by::$userId seed::"rollout-{i}-{s}")',
        '(and (eq $country "C{i}") (gte $age {p}))', '(or (begins_with $state "A{i}") (exists key::"beta{s}"))',
        '(not (eq $state "Virginia{i}-{s}"))', '(matches in::$greeting pattern::"^h{i}.*y{s}$")',
        "(lt $signup 2024-{m:02d}-01T00:00Z)",
    )
    return [shapes[i % len(shapes)].format(i=i, s=salt, p=i % 101, m=i % 12 + 1) for i in range(count)]


def _rule_texts(count: int, salt: int) -> list[str]:
    """``count`` distinct rules of every operator, two or three levels deep."""
    texts = []
    for i in range(count):
        texts.append(
            f'(or (and (eq $tier "t{i}-{salt}") (gte $age {i % 90}) (not (in $country ["C{i}", "D{i}", "E{i}"])))'
            f' (and (begins_with $email "u{i}") (matches in::$email pattern::"^u{i}.*@x{salt}\\\\.com$"))'
            f' (split pct::{i % 100} by::$userId seed::"s{i}-{salt}") (exists key::"k{i}")'
            f" (lt $signup 2024-01-{i % 28 + 1:02d}T10:00Z))"
        )
    return texts


def read_ns() -> dict[str, float]:
    """Median nanoseconds per read: the profile call, the compiled flag, and on pre-encoded text."""
    flag = Flag(key="checkout-layout", enabled=None, variants=VARIANTS)
    profile = Profile("Bench", (flag,))
    evaluator = FlagEvaluator(flag.key, VARIANTS)
    encoded = {k: str(v) for k, v in CONTEXT.items()}
    assert profile.evaluate(None, flag, CONTEXT).variant == "Default"
    figures = {}
    for label, call in (("profile.evaluate(env, flag, context)", lambda: profile.evaluate(None, flag, CONTEXT)),
                        ("FlagEvaluator.evaluate(context)", lambda: evaluator.evaluate(CONTEXT)),
                        ("FlagEvaluator.evaluate_encoded(text)", lambda: evaluator.evaluate_encoded(encoded))):
        runs = timeit.repeat(call, number=50_000, repeat=RUNS)
        figures[label] = statistics.median(runs) / 50_000 * 1e9
    return figures


def parse_and_check_ms(make: Callable[[int, int], list[str]]) -> tuple[float, float]:
    """Median and best milliseconds to parse and check 1,000 distinct rules (no cache hits)."""
    times = []
    for run in range(RUNS):
        texts = make(RULES, run)
        _check_text.cache_clear()
        re.purge()  # Every pattern is compiled, as at a first synth.
        start = time.perf_counter()
        for text in texts:
            if check_rule(text).rule is None:
                raise AssertionError(f"benchmark rule does not check: {text}")
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def first_poll_ms(flags: int = RULES) -> dict[str, tuple[float, float]]:
    """A client's first poll of ``flags`` multi-variant flags, right after the catalogue was built (median, best).

    From a LocalSource (the catalogue's rule objects, compiled as they are) and from served JSON ``_variants``
    (rule text the catalogue parsed moments before, with its context declaration). Fresh rule texts per run.
    """
    from appconfig_flags.client import FlagsClient, LocalSource
    from appconfig_flags.client.targeting import snapshot_from_json

    times: dict[str, list[float]] = {"LocalSource (rule objects)": [], "served JSON _variants (rule text)": []}
    for run in range(RUNS):
        profile = Profile("Poll", tuple(
            Flag(key=f"f{i}", enabled=False, variants=(
                Variant(name="gold", enabled=True, rule=(ctx("tier") == f"gold-{run}") & (ctx("age") > i)),
                Variant(name="rest", enabled=False))) for i in range(flags)), context={"tier": str, "age": int})
        start = time.perf_counter()
        FlagsClient(LocalSource(profile, None), catalogue=profile, background=False).start()
        times["LocalSource (rule objects)"].append((time.perf_counter() - start) * 1000)
        served = {f.key: {"_variants": [v.to_json() for v in f.variants or ()]} for f in profile.flags}
        start = time.perf_counter()
        snapshot_from_json(served, version_label="1")
        times["served JSON _variants (rule text)"].append((time.perf_counter() - start) * 1000)
    return {label: (statistics.median(runs), min(runs)) for label, runs in times.items()}


def main() -> None:
    polls = first_poll_ms()
    for label, (median_ms, best_ms) in polls.items():
        print(f"  first poll of {RULES:,} two-variant flags, {label:<36} {median_ms:8.1f} ms median, {best_ms:.1f} ms best")
    reads = read_ns()
    typical = parse_and_check_ms(_typical_rule_texts)
    heavy = parse_and_check_ms(_rule_texts)
    print(f"targeting: a 5-variant flag with nested rules, context of {len(CONTEXT)} keys falling through to the "
          f"default (every rule runs); median of {RUNS} runs")
    for label, ns in reads.items():
        print(f"  read: {label:<44} {ns / 1000:8.2f} µs   (goal ≤ 3 µs)")
    for label, (median_ms, best_ms) in (("like the user guide's (1 or 2 tests)", typical),
                                        (f"12 tests each, {len(_rule_texts(1, 0)[0])} chars", heavy)):
        print(f"  parse + check {RULES:,} distinct rules {label:<38} {median_ms:8.1f} ms median, "
              f"{best_ms:.1f} ms best   (goal ≤ 100 ms)")


if __name__ == "__main__":
    main()
