"""Flag model at scale: validate and render a profile of 10,000 flags x 5 attributes.

Run: ``python -m bench model`` (or ``make bench``). Prints the median of several runs of each step
and the peak memory the Python heap reached while building and validating.
"""
from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

from appconfig_flags.model import Attribute, Flag, FlagValue, Profile
from appconfig_flags.model.document import dump_json

FLAGS = 10_000
RUNS = 5
#: The rendered documents are about 5.4 MB: over AppConfig's 2,048 KB default and 4 MB maximum
#: quota. The gate is raised so that the benchmark measures the rules, not a size refusal.
MAX_CONTENT_BYTES = 64 * 1024 * 1024

T = TypeVar("T")


def build_flags(count: int = FLAGS) -> tuple[Flag, ...]:
    """``count`` flags, each with one attribute of every type (all constrained) and values for all.

    One flag in ten is enabled in Production with its own values, so two documents are validated.
    """
    flags = []
    for i in range(count):
        flags.append(Flag(
            key=f"flag-{i:05d}",
            name=f"Flag {i}",
            description="A generated flag for the benchmark.",
            attributes=(
                Attribute.string("currency", enum=("USD", "EUR", "BTC"), required=True),
                Attribute.number("percentage", minimum=0, maximum=100),
                Attribute.boolean("banner"),
                Attribute.string_array("regions", pattern=r"^[a-z]{2}-[a-z]+-[0-9]$"),
                Attribute.number_array("limits", minimum=1, maximum=1000),
            ),
            enabled=True,
            values={"currency": "USD", "percentage": i % 101, "banner": i % 2 == 0,
                    "regions": ("eu-west-1", "us-east-1"), "limits": (10, 100, i % 1000 + 1)},
            environments={"Production": FlagValue(enabled=False, values={"percentage": 5})} if i % 10 == 0 else {},
        ))
    return tuple(flags)


def _median(step: Callable[[], T], runs: int = RUNS) -> tuple[float, float, T]:
    """Median wall-clock and CPU seconds of ``runs`` calls of ``step``, and its last result."""
    walls, cpus = [], []
    result: T
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        result = step()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def _validate(flags: tuple[Flag, ...]) -> Profile:
    return Profile("Bench", flags, environments=("Beta", "Production"), max_content_bytes=MAX_CONTENT_BYTES)


def main() -> None:
    flags = build_flags()
    validate_wall, validate_cpu, profile = _median(lambda: _validate(flags))
    render_wall, render_cpu, text = _median(lambda: (profile.render(), profile.render("Production"))[0])
    fresh_wall, fresh_cpu, _ = _median(lambda: [dump_json(profile.document(e)) for e in (None, "Production")])
    gc.collect()
    tracemalloc.start()
    _validate(build_flags())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"profile: {FLAGS:,} flags x 5 attributes (one of each type, constrained, with values); 2 documents "
          f"(default, Production) of {len(text.encode()) / 1e6:.1f} MB; median of {RUNS} runs, wall / CPU")
    rows = [
        ("validate: Profile(...) checks and renders both documents", validate_wall, validate_cpu),
        ("render: profile.render(env), the validated text, both", render_wall, render_cpu),
        ("render afresh: dump_json(profile.document(env)), both", fresh_wall, fresh_cpu),
        ("validate + render afresh", validate_wall + fresh_wall, validate_cpu + fresh_cpu),
    ]
    for label, wall, cpu in rows:
        print(f"  {label:<58} {wall * 1000:8.1f} ms / {cpu * 1000:8.1f} ms")
    print(f"  {'peak traced memory, building the flags and validating':<58} {peak / 1e6:8.0f} MB")


if __name__ == "__main__":
    main()
